/**
 * OpenAPI face terminal simulator CLI: `npm run sim -- face-openapi [--ip 127.0.0.1] [--port 8899]
 * [--ws-port 9000] [--password 123456] [--device-id DEMO-FACE-OA-01] [--platform http://127.0.0.1:10020]`.
 * The box connects to it (API + record WebSocket). Commands on stdin:
 *   face <userId> | stranger | users | pull | heartbeat | temp <value> | status | quit
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { SimulatedOpenApiTerminal } from './terminal.js';

const { values } = parseArgs({
  options: {
    ip: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8899' },
    'ws-port': { type: 'string', default: '9000' },
    password: { type: 'string', default: '123456' },
    'device-id': { type: 'string', default: 'DEMO-FACE-OA-01' },
    platform: { type: 'string', default: 'http://127.0.0.1:10020' },
  },
});
const out = (o: object): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
const t = new SimulatedOpenApiTerminal({
  host: values.ip,
  port: Number(values.port),
  wsPort: Number(values['ws-port']),
  password: values.password,
  deviceId: values['device-id'],
});
t.on('open', (remark) => out({ event: 'open', remark }));
t.on('user', (op, id) => out({ event: 'user', op, userId: id }));
await t.start();
out({ api: `http://${values.ip}:${t.port}/api`, records: `ws://${values.ip}:${t.wsPort}/api/record` });

const rl = createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  const [cmd, arg] = line.trim().split(/\s+/);
  try {
    if (cmd === 'face') out({ record: t.recognise(arg).id, links: t.clients });
    else if (cmd === 'stranger') out({ record: t.recognise().id, links: t.clients });
    else if (cmd === 'users') out({ users: [...t.users.values()].map(({ photo: _p, ...u }) => u) });
    else if (cmd === 'pull') out(await t.pullLibrary(values.platform));
    else if (cmd === 'heartbeat') out(await t.heartbeat(values.platform));
    else if (cmd === 'temp') out(await t.temperature(values.platform, arg ?? '36.5'));
    else if (cmd === 'status') out({ ...t.state, users: t.users.size, records: t.records.length, links: t.clients, config: t.config });
    else if (cmd === 'quit') {
      rl.close();
      await t.stop();
    } else out({ error: `unknown command ${cmd}` });
  } catch (err) {
    out({ error: (err as Error).message });
  }
});
