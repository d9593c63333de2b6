/** The simulated BACnet fleet's processes (bacnet/fleet.ts, forked): started, asked over IPC, their CPU and RSS. */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { cpuSeconds, ROOT, rssMb } from '../lib.js';

/** Send `msg` (none: only listen) and resolve with the first answer that carries `key`. */
export function ask<T>(child: ChildProcess, msg: unknown, key: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: Record<string, unknown>): void => {
      if (key in m) {
        child.off('message', on);
        resolve(m as T);
      }
    };
    child.on('message', on);
    if (msg !== undefined) child.send(msg as object);
  });
}

/** `devices × points` simulated devices on 127.0.1.x from `basePort` on, spread over `procs` processes. */
export async function startFleet(devices: number, points: number, procs: number, basePort: number): Promise<ChildProcess[]> {
  const per = Math.ceil(devices / procs);
  const fleet: ChildProcess[] = [];
  for (let first = 0; first < devices; first += per) {
    const p = fork(
      join(ROOT, 'dist', 'scripts', 'bench', 'bacnet', 'fleet.js'),
      [String(first), String(Math.min(per, devices - first)), String(points), String(basePort)],
      { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    fleet.push(p);
  }
  await Promise.all(fleet.map((p) => ask(p, undefined, 'ready')));
  return fleet;
}

export const fleetCpu = (fleet: ChildProcess[]): number => fleet.reduce((s, p) => s + cpuSeconds(p.pid!), 0);
export const fleetRss = (fleet: ChildProcess[]): number => fleet.reduce((s, p) => s + rssMb(p.pid!), 0);
