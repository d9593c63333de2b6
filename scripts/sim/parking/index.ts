/**
 * Parking-system simulator CLI: `npm run sim -- parking [--port 18090] [--push URL]`.
 * The adapter's PARKING_URL points here (apps/parking-adapter/app.json). Commands on stdin:
 *   in <plate> [channelID]            a car enters (default channel 2, 北大门入口)
 *   out <plate> [channelID] [yuan]    a car leaves (default channel 1, 北大门出口), optionally paying
 *   offline <channelID> | online <channelID> | fault <channelID> | fixed <channelID>
 *   state | quit
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ParkingSim } from './sim.js';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '18090' },
    push: { type: 'string', default: 'http://127.0.0.1:10072/reportInAndOutRecord' },
  },
});

const out = (o: unknown): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
const sim = new ParkingSim({ host: values.host, port: Number(values.port), pushUrl: values.push });
await sim.start();
out({ parking: sim.url, pushTo: sim.pushUrl });

const rl = createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  const [cmd, a, b, c] = line.trim().split(/\s+/);
  try {
    switch (cmd) {
      case 'in':
        return out(await sim.pass(a ?? '', b ?? '2'));
      case 'out':
        return out(await sim.pass(a ?? '', b ?? '1', c === undefined ? {} : { payMoney: c }));
      case 'offline':
      case 'online':
        sim.state.channel(a ?? '').online = cmd === 'online';
        return out(sim.state.channel(a ?? ''));
      case 'fault':
      case 'fixed':
        sim.state.channel(a ?? '').fault = cmd === 'fault';
        return out(sim.state.channel(a ?? ''));
      case 'state':
        return out({ inPark: [...sim.state.inPark.values()], lists: sim.state.lists, orders: [...sim.state.orders.values()] });
      case 'quit':
        return stop();
      case undefined:
      case '':
        return;
      default:
        return out({ error: `unknown command ${cmd}` });
    }
  } catch (err) {
    out({ error: (err as Error).message });
  }
});
// Run without a terminal (stdin closed at once, as under a service manager) it keeps serving until a signal.
function stop(): void {
  rl.close();
  sim.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
