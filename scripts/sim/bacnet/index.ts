/**
 * `npm run sim -- bacnet [--devices 3] [--port 47808] [--base 127.0.0.10] [--points 8] [--id 1000]`
 *
 * Several simulated BACnet/IP devices on loopback: device i at 127.0.0.(base+i) on the same
 * port (so a Who-Is to 127.255.255.255:port reaches them all), each with analog inputs and
 * outputs, binary outputs and a multistate value whose inputs wander so COV has something
 * to say. Try `edge discover bacnet --broadcast 127.255.255.255:<port>`.
 */
import { parseArgs } from 'node:util';
import { SimDevice } from './device.js';
import type { ObjectSpec } from './objects.js';

export function objectsFor(points: number): ObjectSpec[] {
  const types = [0, 1, 4, 19];
  return Array.from({ length: points }, (_, i) => {
    const type = types[i % types.length]!;
    return { type, instance: i + 1, name: `PT-${type}-${i + 1}`, value: type === 4 ? 0 : type === 19 ? 1 : 20 + i / 10, states: 3 };
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      devices: { type: 'string', default: '3' },
      port: { type: 'string', default: '47808' },
      base: { type: 'string', default: '127.0.0.10' },
      points: { type: 'string', default: '8' },
      id: { type: 'string', default: '1000' },
    },
  });
  const base = values.base.split('.').map(Number);
  const sims: SimDevice[] = [];
  for (let i = 0; i < Number(values.devices); i++) {
    const host = [base[0], base[1], base[2], (base[3]! + i) % 255].join('.');
    const d = new SimDevice({
      deviceId: Number(values.id) + i,
      host,
      port: Number(values.port),
      objects: objectsFor(Number(values.points)),
    });
    await d.start();
    sims.push(d);
    process.stdout.write(`device ${d.options.deviceId} at ${d.address}\n`);
  }
  const timer = setInterval(() => {
    for (const d of sims)
      for (const o of d.objects.values())
        if (o.objectId.type === 0) d.setValue(0, o.objectId.instance, Math.round((o.fieldValue + (Math.random() - 0.5)) * 10) / 10);
  }, 2000);
  const stop = async (): Promise<void> => {
    clearInterval(timer);
    await Promise.all(sims.map((d) => d.stop()));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) void main();
