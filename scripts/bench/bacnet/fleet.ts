/**
 * One process of the benchmark fleet: devices `first .. first+count-1` of the fleet, device i at
 * 127.0.1.(1 + i mod 250):(basePort + i), driven over IPC: `{ cmd: 'cov', everyMs, durationMs }`
 * changes analog inputs 1..10 of its devices with unique values and reports when each change was
 * made (the COV notification leaves in the same turn); `{ cmd: 'counters' }` sums the devices'
 * request counters and answer-cache hits.
 *   node fleet.js <first> <count> <points> <basePort>
 */
import { SimDevice } from '../../sim/bacnet/device.js';
import type { ObjectSpec } from '../../sim/bacnet/objects.js';

const [first = 0, count = 100, points = 200, basePort = 47900] = process.argv.slice(2).map(Number);
/** CLOCK_MONOTONIC in ms: one clock for every process on the box, so times compare across them. */
const now = (): number => Number(process.hrtime.bigint()) / 1e6;

/** 200 points: a quarter each analog input, analog output, binary output, multistate value. */
export function fleetObjects(n: number): ObjectSpec[] {
  const types = [0, 1, 4, 19];
  return Array.from({ length: n }, (_, i) => {
    const type = types[Math.floor((i * 4) / n)]!;
    return { type, instance: i + 1, value: type === 19 ? 1 + (i % 4) : i % 2, states: 4 };
  });
}

const sims: SimDevice[] = [];
for (let i = first; i < first + count; i++) {
  const d = new SimDevice({ deviceId: 10_000 + i, host: `127.0.1.${1 + (i % 250)}`, port: basePort + i, objects: fleetObjects(points) });
  await d.start();
  sims.push(d);
}
process.send!({ ready: true });
process.on('disconnect', () => process.exit(0)); // the bench went away

// Unique per process and per change, so the report on the bus names the change.
let seq = 1_000_000 + first * 10_000;
process.on('message', (m: { cmd: string; everyMs?: number; durationMs?: number }) => {
  if (m.cmd === 'cov') {
    const sent: [number, number][] = [];
    const timer = setInterval(() => {
      const d = sims[Math.floor(Math.random() * sims.length)]!;
      const value = ++seq;
      sent.push([value, now()]);
      d.setValue(0, 1 + Math.floor(Math.random() * 10), value);
    }, m.everyMs);
    setTimeout(() => {
      clearInterval(timer);
      process.send!({ sent });
    }, m.durationMs);
  } else if (m.cmd === 'counters') {
    const c = { rp: 0, rpm: 0, covSent: 0, hits: 0 };
    for (const s of sims) {
      c.rp += s.counters.rp;
      c.rpm += s.counters.rpm;
      c.covSent += s.counters.covSent;
      c.hits += s.answers.counters.hits;
    }
    process.send!({ counters: c });
  } else if (m.cmd === 'stop') {
    void Promise.all(sims.map((s) => s.stop())).then(() => process.exit(0));
  }
});
