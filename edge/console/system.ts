/** Box resource figures for the dashboard: CPU load, memory, disk of the data folder. */
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { statfs } from 'node:fs/promises';

export interface SystemFigures {
  cpu: { cores: number; load1: number; load5: number; processPercent: number };
  memory: { totalMb: number; freeMb: number; processRssMb: number };
  disk: { path: string; totalMb: number; freeMb: number } | null;
}

const mb = (bytes: number): number => Math.round(bytes / 1048576);

export class SystemSampler {
  #lastCpu = process.cpuUsage();
  #lastAt = performance.now();

  async sample(dataDir: string): Promise<SystemFigures> {
    const now = performance.now();
    const cpu = process.cpuUsage(this.#lastCpu);
    const elapsedUs = Math.max(1, (now - this.#lastAt) * 1000);
    this.#lastCpu = process.cpuUsage();
    this.#lastAt = now;
    const [load1 = 0, load5 = 0] = loadavg();
    let disk: SystemFigures['disk'] = null;
    try {
      const s = await statfs(dataDir);
      disk = { path: dataDir, totalMb: mb(s.blocks * s.bsize), freeMb: mb(s.bavail * s.bsize) };
    } catch {
      disk = null; // data folder not created yet: show "unknown" rather than fail the page
    }
    return {
      cpu: {
        cores: cpus().length,
        load1: Number(load1.toFixed(2)),
        load5: Number(load5.toFixed(2)),
        processPercent: Number((((cpu.user + cpu.system) / elapsedUs) * 100).toFixed(1)),
      },
      memory: { totalMb: mb(totalmem()), freeMb: mb(freemem()), processRssMb: mb(process.memoryUsage.rss()) },
      disk,
    };
  }
}
