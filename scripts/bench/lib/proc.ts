/** A process's CPU and memory from Linux /proc, and the daemon's with its driver processes over a measuring window. */
import { readFileSync } from 'node:fs';

/** Memory lines of /proc/<pid>/status in MB (VmRSS, RssAnon, RssFile); empty when the process is gone. */
export function memoryMb(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const m of readFileSync(`/proc/${pid}/status`, 'utf8').matchAll(/^(VmRSS|RssAnon|RssFile):\s+(\d+) kB/gm))
      out[m[1]!] = Number(m[2]) / 1024;
  } catch {
    /* gone */
  }
  return out;
}

/** Resident memory of a process in MB (NaN when it is gone). */
export function rssMb(pid: number): number {
  return memoryMb(pid).VmRSS ?? Number.NaN;
}

/** The direct children of a process (its driver processes). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** CPU seconds of several processes together; a process gone counts nothing. */
export function cpuSecondsOf(pids: readonly number[]): number {
  let t = 0;
  for (const p of pids) {
    try {
      t += cpuSeconds(p);
    } catch {
      /* gone */
    }
  }
  return t;
}

/** Resident memory of several processes together, MB; a process gone counts nothing. */
export const rssMbOf = (pids: readonly number[]): number => pids.reduce((n, p) => n + (memoryMb(p).VmRSS ?? 0), 0);

export interface BoxWindow {
  seconds: number;
  /** Cores used, the daemon and its driver processes apart. */
  daemonCores: number;
  driverCores: number;
  /** Peak RSS over the window, MB: the daemon, its drivers, and both at once. */
  daemonRssMb: number;
  driverRssMb: number;
  rssMb: number;
}

/**
 * The daemon and its driver processes (as they are at the start) over `seconds`, sampled once a
 * second; `onSecond` runs after each sample (reading a driver's stats file, for example).
 */
export async function measureBox(pid: number, seconds: number, onSecond?: () => void): Promise<BoxWindow> {
  const drivers = childPids(pid);
  const c0 = cpuSecondsOf([pid]);
  const d0 = cpuSecondsOf(drivers);
  const t0 = performance.now();
  const peak = { daemon: 0, driver: 0, total: 0 };
  for (let t = 0; t < seconds; t++) {
    await new Promise((r) => setTimeout(r, 1000));
    const d = rssMbOf([pid]);
    const k = rssMbOf(drivers);
    peak.daemon = Math.max(peak.daemon, d);
    peak.driver = Math.max(peak.driver, k);
    peak.total = Math.max(peak.total, d + k);
    onSecond?.();
  }
  const elapsed = (performance.now() - t0) / 1000;
  return {
    seconds: elapsed,
    daemonCores: (cpuSecondsOf([pid]) - c0) / elapsed,
    driverCores: (cpuSecondsOf(drivers) - d0) / elapsed,
    daemonRssMb: peak.daemon,
    driverRssMb: peak.driver,
    rssMb: peak.total,
  };
}
