/**
 * Push-protocol face terminal simulator CLI: `npm run sim -- face-push [--platform URL]
 * [--device-no DEMO-FACE-PUSH-01]`. It registers with the box, polls at the intervals the box
 * assigns and answers every command. Commands on stdin:
 *   face <idNumber> | stranger | card <number> | persons | status | offline | online | quit
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { SimulatedPushTerminal } from './terminal.js';

const { values } = parseArgs({
  options: {
    platform: { type: 'string', default: 'http://127.0.0.1:10010' },
    'device-no': { type: 'string', default: 'DEMO-FACE-PUSH-01' },
  },
});
const out = (o: object): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
const t = new SimulatedPushTerminal({ deviceNo: values['device-no'], platformUrl: values.platform });
t.on('open', (msg) => out({ event: 'open', msg }));
t.on('person', (op, id) => out({ event: 'person', op, idNumber: id }));
t.on('command', (service) => out({ event: 'command', service }));
t.on('error', (err: Error) => out({ error: err.message }));
void t.start().then(() => out({ registered: t.opts.deviceNo, services: t.registerResp }));

const rl = createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  const [cmd, arg] = line.trim().split(/\s+/);
  try {
    if (cmd === 'face') out({ record: t.pass({ idNumber: arg ?? '' }).msgID, sent: await t.flushRecords() });
    else if (cmd === 'stranger') out({ record: t.pass({}).msgID, sent: await t.flushRecords() });
    else if (cmd === 'card') out({ record: t.pass({ card: arg ?? '' }).msgID, sent: await t.flushRecords() });
    else if (cmd === 'persons') out({ persons: [...t.persons.values()] });
    else if (cmd === 'status') out({ ...t.state, persons: t.persons.size, outbox: t.outbox.length, violations: t.violations });
    else if (cmd === 'offline') t.stop();
    else if (cmd === 'online') void t.start();
    else if (cmd === 'quit') {
      t.stop();
      rl.close();
    } else out({ error: `unknown command ${cmd}` });
  } catch (err) {
    out({ error: (err as Error).message });
  }
});
