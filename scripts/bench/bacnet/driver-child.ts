/**
 * The BACnetV3 driver alone in its own process (as the host runs it), so its CPU and RSS are
 * its own. Reports, on request, the values read so far and the COV reports it saw (value →
 * time), and its CPU time and RSS.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import driverFactory from '../../../drivers/bacnet-v3/index.js';
import type { DeviceHandle } from '../../../edge/host/sdk/driver.js';

const log = pino({ level: 'silent' });
const now = (): number => performance.timeOrigin + performance.now();
let values = 0;
const covSeen: [number, number][] = [];

process.once('message', async (m: { config: Record<string, unknown>; devices: { name: string; points: Record<string, string> }[] }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bacnet-bench-'));
  const driver = await driverFactory({ name: 'bench', config: m.config, deviceList: [], log, dataDir, host: { call: async () => ({ code: 6304, message: 'none' }) } });
  await driver.start?.();
  for (const d of m.devices) {
    const h: DeviceHandle = {
      productKey: 'bench', deviceName: d.name, custom: { points: d.points }, log,
      online() {}, offline() {}, reportEvent() {},
      reportProperties(v) {
        const t = now();
        for (const [k, x] of Object.entries(v)) {
          values++;
          if (k.startsWith('cov') && typeof x === 'number' && x >= 1_000_000) covSeen.push([x, t]);
        }
      },
    };
    await driver.addDevice(h);
  }
  const cpu0 = process.cpuUsage();
  const t0 = now();
  process.on('message', async (q: { cmd: string }) => {
    if (q.cmd === 'sample') {
      const cpu = process.cpuUsage(cpu0);
      process.send!({ values, covSeen: covSeen.splice(0), cpuPct: ((cpu.user + cpu.system) / 1000 / (now() - t0)) * 100, rssMb: process.memoryUsage().rss / 1048576 });
    } else if (q.cmd === 'stop') {
      await driver.stop?.(true);
      process.exit(0);
    }
  });
  process.send!({ started: true });
});
