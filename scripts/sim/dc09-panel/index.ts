/**
 * DC-09 panel simulator CLI: `npm run sim -- dc09-panel [--host 127.0.0.1] [--port 50000]
 * [--udp] [--account 1234] [--key <hex>] [--supervision 60]`. With --key the panel reports
 * encrypted. It sends a NULL link test every --supervision seconds; commands on stdin:
 * `alarm <zone> [cid-code]` (new event, default 130 burglary) | `restore <zone> [cid-code]` |
 * `arm [group]` | `disarm [group]` (Contact ID 401 closing/opening) | `sia <block>` (e.g.
 * `sia Nri1/TA002`) | `null` | `quit`. Each answer is printed as one JSON line.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { parseKey } from '../../../protocols/sia-dc09/index.js';
import { SimulatedPanel, type PanelAnswer } from './panel.js';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '50000' },
    udp: { type: 'boolean', default: false },
    account: { type: 'string', default: '1234' },
    key: { type: 'string' },
    supervision: { type: 'string', default: '60' },
  },
});

const out = (o: object): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
const panel = new SimulatedPanel({
  host: values.host,
  port: Number(values.port),
  transport: values.udp ? 'udp' : 'tcp',
  account: values.account,
  ...(values.key ? { key: parseKey(values.key) } : {}),
});
const show = (what: string, p: Promise<PanelAnswer>) =>
  p.then(
    ({ raw: _raw, ...a }) => out({ [what]: a }),
    (err: Error) => out({ [what]: { error: err.message } }),
  );

out({ panel: values.account, to: `${values.host}:${values.port}`, transport: values.udp ? 'udp' : 'tcp', encrypted: !!values.key });
await show('null', panel.linkTest());
const supervision = setInterval(() => void show('null', panel.linkTest()), Number(values.supervision) * 1000);

const rl = createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  const [cmd, a, b] = line.trim().split(/\s+/);
  if (cmd === 'alarm' && a) await show('alarm', panel.cid(1, b ?? '130', '01', a));
  else if (cmd === 'restore' && a) await show('restore', panel.cid(3, b ?? '130', '01', a));
  else if (cmd === 'arm') await show('arm', panel.cid(3, '401', a ?? '01', '001'));
  else if (cmd === 'disarm') await show('disarm', panel.cid(1, '401', a ?? '01', '001'));
  else if (cmd === 'sia' && a) await show('sia', panel.sia(a));
  else if (cmd === 'null') await show('null', panel.linkTest());
  else if (cmd === 'quit') {
    clearInterval(supervision);
    rl.close();
    await panel.close();
    process.exit(0);
  } else out({ error: 'commands: alarm <zone> [code] | restore <zone> [code] | arm [group] | disarm [group] | sia <block> | null | quit' });
});
