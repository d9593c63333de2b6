/**
 * The fleet's own ceiling: a lean client (pre-built ReadProperty datagrams, no library, a fixed
 * window per device) asks the fleet as fast as it answers, so the benchmark can show whether the
 * simulator or the driver limits the per-point baseline. It is a lower bound of the fleet's
 * capacity: the client itself shares the 2 cores.
 */
import { createSocket } from 'node:dgram';

function readPropertyDatagram(invokeId: number, type: number, instance: number): Buffer {
  const oid = ((type << 22) | instance) >>> 0;
  // BVLC original unicast, NPDU expecting reply, confirmed request (max APDU 1476), ReadProperty present-value.
  return Buffer.from([
    0x81,
    0x0a,
    0x00,
    0x11,
    0x01,
    0x04,
    0x00,
    0x05,
    invokeId,
    0x0c,
    0x0c,
    oid >>> 24,
    (oid >>> 16) & 0xff,
    (oid >>> 8) & 0xff,
    oid & 0xff,
    0x19,
    0x55,
  ]);
}

export async function fleetCeiling(devices: number, points: number, basePort: number, seconds: number, window = 4): Promise<number> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const types = [0, 1, 4, 19];
  const next = new Array<number>(devices).fill(0);
  let answers = 0;
  let running = true;
  const ask = (d: number): void => {
    const i = next[d]!++ % points;
    sock.send(readPropertyDatagram(next[d]! & 0xff, types[Math.floor((i * 4) / points)]!, i + 1), basePort + d, `127.0.1.${1 + (d % 250)}`);
  };
  sock.on('message', (_m, rinfo) => {
    answers++;
    if (running) ask(rinfo.port - basePort);
  });
  for (let d = 0; d < devices; d++) for (let w = 0; w < window; w++) ask(d);
  await new Promise((r) => setTimeout(r, 500)); // warm the answer caches
  const a0 = answers;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const rate = ((answers - a0) * 1000) / (performance.now() - t0);
  running = false;
  await new Promise((r) => setTimeout(r, 100));
  sock.close();
  return rate;
}
