/**
 * GB/T 28181-2016 camera/NVR simulator: `npm run sim -- gb28181 [--box 127.0.0.1:5060]
 * [--id 34020000001320000001] [--password …] [--nvr] [--channels 4] [--from33] [--count 1]
 * [--spread] [--keepalive 60] [--expires 3600]`. Defaults register as the demo config's camera
 * (edge/config/defaults.ts). INVITEs are answered with an ffmpeg test pattern in PS over RTP. Prints one JSON line per event. Commands on stdin:
 * `alarm [method type priority]` | `motion` | `controls` | `status` | `unregister` | `quit`.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { answerMedia } from './answer-media.js';
import { startFleet } from './fleet.js';

const { values } = parseArgs({
  options: {
    box: { type: 'string', default: '127.0.0.1:5060' },
    'box-id': { type: 'string', default: '34020000002000000001' },
    domain: { type: 'string', default: '3402000000' },
    id: { type: 'string', default: '34020000001320000001' },
    password: { type: 'string', default: '12345678' },
    ip: { type: 'string', default: '127.0.0.1' },
    nvr: { type: 'boolean', default: false },
    channels: { type: 'string', default: '4' },
    from33: { type: 'boolean', default: false },
    count: { type: 'string', default: '1' },
    spread: { type: 'boolean', default: false },
    keepalive: { type: 'string', default: '60' },
    expires: { type: 'string', default: '3600' },
  },
});

const out = (o: object): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
const [boxHost = '127.0.0.1', boxPort = '5060'] = values.box.split(':');
if (!/^\d{20}$/.test(values.id)) throw new Error('--id must be a 20-digit GB id');

const devices = await startFleet(
  Number(values.count),
  {
    id: values.id,
    password: values.password,
    boxHost,
    boxPort: Number(boxPort),
    boxId: values['box-id'],
    domain: values.domain,
    localAddress: values.ip,
    kind: values.nvr ? 'nvr' : 'camera',
    channels: Number(values.channels),
    from33: values.from33,
    keepaliveS: Number(values.keepalive),
    expiresS: Number(values.expires),
    pageSize: 2,
  },
  values.spread,
);
// Every device answers the box's INVITEs with a test-pattern stream (live push, playback, snapshots).
for (const d of devices) answerMedia(d);
const statuses = await Promise.all(devices.map((d) => d.register().catch((err: Error) => err.message)));
for (const [i, d] of devices.entries())
  out({ device: d.o.id, address: `${d.o.localAddress}:${d.port}`, register: statuses[i], channels: d.channelIds() });

const first = devices[0]!;
const rl = createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  const [cmd, ...args] = line.trim().split(/\s+/);
  try {
    if (cmd === 'alarm') out({ alarm: (await first.alarm(...args.slice(0, 3).map(Number))).status });
    else if (cmd === 'motion') out({ motion: (await first.alarm(5, 2, 1)).status });
    else if (cmd === 'controls') out({ controls: first.controls });
    else if (cmd === 'status')
      out({
        registered: devices.filter((d) => d.registered).length,
        queries: first.queries,
        recording: first.recording,
        guarded: first.guarded,
        alarmAcks: first.alarmAcks,
      });
    else if (cmd === 'unregister') out({ unregister: await Promise.all(devices.map((d) => d.unregister())) });
    else if (cmd === 'quit') {
      rl.close();
      await Promise.all(devices.map((d) => d.stop()));
      process.exit(0);
    } else out({ error: 'commands: alarm [method type priority] | motion | controls | status | unregister | quit' });
  } catch (err) {
    out({ error: (err as Error).message });
  }
});
