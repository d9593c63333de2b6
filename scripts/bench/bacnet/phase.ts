/**
 * One measuring window of the BACnet benchmark: values the host accepted and dropped, CPU of the
 * daemon, its driver and the fleet, RSS; several windows of one mode combined, and the line and
 * JSON fields each is printed as.
 */
import type { ChildProcess } from 'node:child_process';
import { round } from '../lib.js';
import type { BenchDaemon } from './daemon.js';
import { fleetCpu } from './fleet-procs.js';

export interface Phase {
  seconds: number;
  values: number;
  valuesPerS: number;
  dropped: number;
  daemonCpuPct: number;
  driverCpuPct: number;
  fleetCpuPct: number;
  daemonRssMb: number;
  driverRssMb: number;
}

/** Start a window now; `end` closes it (RSS: the peaks seen during it, else the daemon's at the end). */
export async function startPhase(
  d: BenchDaemon,
  fleet: ChildProcess[],
): Promise<{ end(rss?: { daemon: number; driver: number }): Promise<Phase> }> {
  const v0 = await d.values();
  const u0 = d.usage();
  const f0 = fleetCpu(fleet);
  const t0 = performance.now();
  return {
    async end(rss) {
      const secs = (performance.now() - t0) / 1000;
      const u1 = d.usage();
      const v1 = await d.values();
      const pct = (a: number, b: number): number => ((b - a) / secs) * 100;
      return {
        seconds: secs,
        values: v1.accepted - v0.accepted,
        valuesPerS: (v1.accepted - v0.accepted) / secs,
        dropped: v1.dropped - v0.dropped,
        daemonCpuPct: pct(u0.daemonCpuS, u1.daemonCpuS),
        driverCpuPct: pct(u0.driverCpuS, u1.driverCpuS),
        fleetCpuPct: pct(f0, fleetCpu(fleet)),
        daemonRssMb: rss?.daemon ?? u1.daemonRssMb,
        driverRssMb: rss?.driver ?? u1.driverRssMb,
      };
    },
  };
}

/** Several windows of one mode as one: values over seconds, CPU weighted by time, RSS at its largest. */
export function combine(ps: Phase[]): Phase {
  const secs = ps.reduce((s, p) => s + p.seconds, 0);
  const w = (k: 'daemonCpuPct' | 'driverCpuPct' | 'fleetCpuPct'): number => ps.reduce((s, p) => s + p[k] * p.seconds, 0) / secs;
  const values = ps.reduce((s, p) => s + p.values, 0);
  return {
    seconds: secs,
    values,
    valuesPerS: values / secs,
    dropped: ps.reduce((s, p) => s + p.dropped, 0),
    daemonCpuPct: w('daemonCpuPct'),
    driverCpuPct: w('driverCpuPct'),
    fleetCpuPct: w('fleetCpuPct'),
    daemonRssMb: Math.max(...ps.map((p) => p.daemonRssMb)),
    driverRssMb: Math.max(...ps.map((p) => p.driverRssMb)),
  };
}

/** CPU microseconds the daemon and the driver (or the driver alone) spent per accepted value. */
export const usPerValue = (p: Phase): number => (((p.daemonCpuPct + p.driverCpuPct) / 100) * 1e6) / Math.max(1, p.valuesPerS);
export const driverUsPerValue = (p: Phase): number => ((p.driverCpuPct / 100) * 1e6) / Math.max(1, p.valuesPerS);

export const phaseLine = (name: string, p: Phase): string =>
  `${name} ${Math.round(p.valuesPerS)} values/s accepted by the host (dropped ${p.dropped}); CPU daemon ${p.daemonCpuPct.toFixed(0)} %, driver ${p.driverCpuPct.toFixed(0)} %, fleet ${p.fleetCpuPct.toFixed(0)} % (${usPerValue(p).toFixed(1)} µs daemon + driver CPU per value); RSS daemon ${p.daemonRssMb.toFixed(0)} MB, driver ${p.driverRssMb.toFixed(0)} MB\n`;

/** The JSON fields of a phase, under a prefix. */
export const phaseFields = (p: Phase, prefix: string): Record<string, number> => ({
  [`${prefix}_daemon_cpu_pct`]: round(p.daemonCpuPct),
  [`${prefix}_driver_cpu_pct`]: round(p.driverCpuPct),
  [`${prefix}_fleet_cpu_pct`]: round(p.fleetCpuPct),
  [`${prefix}_daemon_rss_mb`]: round(p.daemonRssMb),
  [`${prefix}_driver_rss_mb`]: round(p.driverRssMb),
});
