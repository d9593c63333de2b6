/**
 * Vendor event adapter simulator CLI: `npm run sim -- security-adapter [--edge http://127.0.0.1:5080]
 * [--ip 127.0.0.1] [--port 10080] [--manufacture DH] [--mac 00-1A-3D-40]`. It authenticates
 * (again on 801/802, L41479), fetches its cameras, and serves the box's `/edgeEventAdapter/*`
 * calls. Commands on stdin: `alarm [eventType]` (an event on its first camera, with pictures) |
 * `capture` | `config` | `status` | `quit`.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { MANUFACTURES, type Manufacture } from '../../../protocols/edge-security-event/index.js';
import { SAMPLE_JPEG, SimulatedAdapter } from './adapter.js';

const { values } = parseArgs({
  options: {
    edge: { type: 'string', default: 'http://127.0.0.1:5080' },
    ip: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '10080' },
    manufacture: { type: 'string', default: 'DH' },
    mac: { type: 'string', default: '00-1A-3D-40' },
  },
});
if (!(MANUFACTURES as readonly string[]).includes(values.manufacture)) throw new Error(`--manufacture: one of ${MANUFACTURES.join(', ')}`);

const out = (o: object): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
const adapter = new SimulatedAdapter({
  ip: values.ip,
  port: Number(values.port),
  edgeUrl: values.edge,
  manufacture: values.manufacture as Manufacture,
  mac: values.mac,
});
await adapter.start();
out({ adapter: values.manufacture, listening: `${values.ip}:${adapter.port}` });

async function login(): Promise<void> {
  out({ appAuthentication: (await adapter.authenticate()).body });
  out({ getConfig: (await adapter.getConfig()).body });
}

/** A report; a 801/802 answer means authenticate again and send it once more. */
async function send(report: () => Promise<{ body: Record<string, unknown> }>): Promise<Record<string, unknown>> {
  let a = await report();
  if (a.body.code === 801 || a.body.code === 802) {
    await login();
    a = await report();
  }
  return a.body;
}

/** A valid objectExtInfo per event type (the seed's tables, L42863-43095); other types send none. */
const SAMPLE_EXT: Record<number, Record<string, unknown>> = {
  1: { similarity: 0.9, groupId: '1', faceId: '1' },
  2: { targetType: 1 },
  6: { plateColor: 1, vehicleColor: 5 },
  7: { alarmContion: 1, tempValue: 60.5, tempUnit: 1 },
  8: { tempMax: 37.9, tempUnit: 1 },
  10: { type: 1 },
  11: { type: 1 },
};

const first = () => adapter.state.config[0] ?? { ip: values.ip, deviceType: 2, channel: 0 };
const address = () => ({ ip: first().ip, deviceType: first().deviceType, channel: first().channel ?? 0 });

await login().catch((err: Error) => out({ error: err.message }));

let reports = 0;
const rl = createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  const [cmd, arg] = line.trim().split(/\s+/);
  const now = Math.floor(Date.now() / 1000);
  if (cmd === 'alarm') {
    const eventType = Number(arg ?? 2);
    const report = {
      ...address(),
      eventType,
      eventTime: now,
      eventId: `sim-${now}-${++reports}`,
      eventStatus: 0,
      scenePicBase64: SAMPLE_JPEG,
      scenePicType: 'JPG',
      objectInfo: {
        objPicBase64: SAMPLE_JPEG,
        objPicType: 'JPG',
        ...(SAMPLE_EXT[eventType] ? { objectExtInfo: SAMPLE_EXT[eventType] } : {}),
      },
    };
    out({ reportAlarmEvent: await send(() => adapter.reportAlarm(report)) });
  } else if (cmd === 'capture')
    out({
      captureReport: await send(() => adapter.reportCapture({ ...address(), captureTime: now, picBase64: SAMPLE_JPEG, picType: 'JPG' })),
    });
  else if (cmd === 'config') out({ getConfig: (await adapter.getConfig()).body });
  else if (cmd === 'status')
    out({ token: adapter.token !== undefined, cameras: adapter.state.config.length, received: adapter.state.received.map((r) => r.name) });
  else if (cmd === 'quit') {
    rl.close();
    await adapter.stop();
    process.exit(0);
  } else out({ error: 'commands: alarm [eventType] | capture | config | status | quit' });
});
