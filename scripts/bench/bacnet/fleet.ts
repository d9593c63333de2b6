/**
 * Benchmark fleet: N simulated BACnet devices in one process (127.0.1.x, one port each), driven
 * over IPC: `{ cmd: 'cov', perDevice, everyMs, durationMs }` changes analog inputs with unique
 * values and reports when each change was made (the COV notification leaves right then).
 */
import { SimDevice } from '../../sim/bacnet/device.js';
import type { ObjectSpec } from '../../sim/bacnet/objects.js';

const [devices = 100, points = 200, basePort = 47900] = process.argv.slice(2).map(Number);
const now = (): number => performance.timeOrigin + performance.now();

/** 200 points: a quarter each analog input, analog output, binary output, multistate value. */
export function fleetObjects(n: number): ObjectSpec[] {
  const types = [0, 1, 4, 19];
  return Array.from({ length: n }, (_, i) => ({ type: types[Math.floor((i * 4) / n)]!, instance: i + 1, value: i % 2, states: 4 }));
}

const sims: SimDevice[] = [];
for (let i = 0; i < devices; i++) {
  const d = new SimDevice({ deviceId: 10_000 + i, host: `127.0.1.${1 + (i % 250)}`, port: basePort + i, objects: fleetObjects(points) });
  await d.start();
  sims.push(d);
}
process.send!({ ready: true });

let seq = 1_000_000;
process.on('message', (m: { cmd: string; everyMs?: number; durationMs?: number }) => {
  if (m.cmd === 'cov') {
    const sent: [number, number][] = [];
    const timer = setInterval(() => {
      const d = sims[Math.floor(Math.random() * sims.length)]!;
      const value = ++seq; // unique, so the driver's report names the change
      sent.push([value, now()]);
      d.setValue(0, 1 + Math.floor(Math.random() * 10), value);
    }, m.everyMs);
    setTimeout(() => {
      clearInterval(timer);
      process.send!({ sent });
    }, m.durationMs);
  } else if (m.cmd === 'stop') {
    void Promise.all(sims.map((s) => s.stop())).then(() => process.exit(0));
  }
});
