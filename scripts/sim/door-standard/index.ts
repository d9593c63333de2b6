/**
 * Door simulator CLI: `npm run sim -- door-standard [--edge URL] [--ip 127.0.0.1] [--port 18001]
 * [--sn DEMO-DOOR-01] [--count N] [--keepalive 30]`. With --count N the doors take consecutive
 * 127.0.0.x addresses from --ip. Commands on stdin (to the first door, or `@<n> <command>`):
 *   qr <32-char code> | card <id> | ble <id> | face | alarm <0-7> [cardId] | room <roomId> |
 *   phone <number> | status | quit
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { SimulatedDoor } from './door.js';

const { values } = parseArgs({
  options: {
    edge: { type: 'string', default: 'http://127.0.0.1:10000' },
    ip: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '18001' },
    sn: { type: 'string', default: 'DEMO-DOOR-01' },
    count: { type: 'string', default: '1' },
    keepalive: { type: 'string', default: '30' },
  },
});

const out = (o: object): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
const nthIp = (base: string, i: number): string => {
  const p = base.split('.').map(Number);
  const n = ((p[0]! << 24) >>> 0) + (p[1]! << 16) + (p[2]! << 8) + p[3]! + i;
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
};

const count = Math.max(1, Number(values.count));
const doors = Array.from(
  { length: count },
  (_, i) =>
    new SimulatedDoor({
      sn: count === 1 ? values.sn : `${values.sn}-${String(i + 1).padStart(3, '0')}`,
      ip: nthIp(values.ip, i),
      port: Number(values.port),
      edgeUrl: values.edge,
      keepaliveS: Number(values.keepalive),
    }),
);

for (const d of doors) {
  await d.start();
  d.on('open', (source) => out({ door: d.opts.sn, event: 'open', source }));
  d.on('edgeConnected', () => out({ door: d.opts.sn, event: 'edge connected back' }));
  out({ door: d.opts.sn, listening: `${d.opts.ip}:${d.port}` });
}

async function connectAll(): Promise<void> {
  await Promise.all(
    doors.map(async (d) => {
      for (let attempt = 1; ; attempt++) {
        const r = await d.connect().catch((err: Error) => ({ code: -1, message: err.message }));
        out({ door: d.opts.sn, connect: r });
        if (r.code === 0) return;
        await new Promise((res) => setTimeout(res, Math.min(30_000, 1000 * attempt)));
      }
    }),
  );
}
void connectAll();

const rl = createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  const m = /^@(\d+)\s+(.*)$/.exec(line.trim());
  const door = doors[m ? Number(m[1]) - 1 : 0];
  const [cmd, a, b] = (m ? m[2]! : line.trim()).split(/\s+/);
  if (!door || !cmd) return;
  try {
    switch (cmd) {
      case 'qr':
        return out(await door.scanQr(a ?? ''));
      case 'card':
        return out(await door.swipeCard(a ?? ''));
      case 'ble':
        return out(await door.bleOpen(a ?? ''));
      case 'face':
        return out(await door.presentFace());
      case 'alarm':
        return out(await door.raiseAlarm(Number(a), b));
      case 'room':
        return out(await door.edge.getGroupId(a ?? ''));
      case 'phone':
        return out(await door.edge.checkPhoneNumber(a ?? ''));
      case 'status':
        return out({
          door: door.opts.sn,
          edgeConnected: door.edgeConnected,
          opens: door.state.opens,
          cards: door.state.cards.size,
          faces: door.state.faces.size,
          sip: door.state.sip?.sipNumber ?? null,
        });
      case 'quit':
        await Promise.all(doors.map((d) => d.stop()));
        process.exit(0);
        break; // not reached: exit does not return
      default:
        return out({ error: `unknown command ${cmd}` });
    }
  } catch (err) {
    out({ error: (err as Error).message });
  }
});
process.on('SIGINT', () => void Promise.all(doors.map((d) => d.stop())).then(() => process.exit(0)));
