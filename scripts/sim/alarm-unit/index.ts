/**
 * Indoor alarm unit simulator CLI: `npm run sim -- alarm-unit [--edge http://127.0.0.1:10070]
 * [--ip 127.0.0.1] [--port 18070] [--sn 123456789] [--keepalive 30] [--key box-public.pem]`.
 * With --key (the PEM that `edge keys` prints) the unit runs in encrypted mode; without, plain.
 * It connects (again after a minute when refused, L40729, or at once when its token is
 * invalid), reports its zones, keeps alive, and serves the box's ping and setZoneAlertState.
 * Commands on stdin: `alarm <zoneID> [<zoneID> …]` | `zones` | `status` | `quit`.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { SimulatedAlarmUnit } from './unit.js';

const { values } = parseArgs({
  options: {
    edge: { type: 'string', default: 'http://127.0.0.1:10070' },
    ip: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '18070' },
    sn: { type: 'string', default: '123456789' },
    keepalive: { type: 'string', default: '30' },
    key: { type: 'string' },
  },
});

const out = (o: object): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

const unit = new SimulatedAlarmUnit({
  sn: values.sn,
  ip: values.ip,
  port: Number(values.port),
  edgeUrl: values.edge,
  keepaliveS: Number(values.keepalive),
  ...(values.key ? { boxPublicKey: readFileSync(values.key, 'utf8') } : {}),
});
await unit.start();
out({ unit: values.sn, listening: `${values.ip}:${unit.port}`, encrypted: values.key !== undefined });

let running = true;
async function session(): Promise<void> {
  while (running) {
    const c = await unit.connect().catch((err: Error) => ({ status: 0, body: { code: -1, message: err.message } }));
    out({ connect: c.body });
    if (c.body.code !== 0) {
      await wait(60_000);
      continue;
    }
    out({ reportZoneInfo: (await unit.reportZoneInfo()).body });
    // Keep alive well inside the period; a "token invalid" answer means connect again (L40880-40884).
    while (running) {
      await wait((unit.o.keepaliveS * 1000) / 2);
      const k = await unit.keepalive().catch(() => ({ status: 0, body: { code: -1 } }));
      if (k.body.code !== 0) {
        out({ keepalive: k.body, action: 'reconnect' });
        break;
      }
    }
  }
}
void session();

const rl = createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  const [cmd, ...args] = line.trim().split(/\s+/);
  if (cmd === 'alarm' && args.length > 0) out({ reportAlarm: (await unit.reportAlarm(args.map((zoneID) => ({ zoneID })))).body });
  else if (cmd === 'zones') out({ reportZoneInfo: (await unit.reportZoneInfo()).body });
  else if (cmd === 'status')
    out({
      token: unit.token !== undefined,
      zones: unit.zones,
      pings: unit.state.pings,
      taken: unit.state.taken.length,
      dropped: unit.state.dropped,
    });
  else if (cmd === 'quit') {
    running = false;
    rl.close();
    await unit.stop();
    process.exit(0);
  } else out({ error: 'commands: alarm <zoneID>… | zones | status | quit' });
});
