/**
 * `npm run sim -- onvif [--port 18080] [--discovery-port 3702] [--rtsp-port 8554] [--user admin]
 * [--password admin123] [--auth wsse|digest] [--multicast]`: one simulated ONVIF camera on 127.0.0.1 (see
 * ./camera.ts). Type `motion`, `motion off`, `tamper`, `down`, `up` or `hang` and Enter to steer it.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { OnvifCameraSim } from './camera.js';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '18080' },
    'discovery-port': { type: 'string', default: '3702' },
    'rtsp-port': { type: 'string', default: '8554' },
    user: { type: 'string', default: 'admin' },
    password: { type: 'string', default: 'admin123' },
    auth: { type: 'string', default: 'wsse' },
    multicast: { type: 'boolean', default: false },
  },
});
const sim = new OnvifCameraSim({
  host: values.host,
  port: Number(values.port),
  discoveryPort: Number(values['discovery-port']),
  rtspPort: Number(values['rtsp-port']),
  username: values.user,
  password: values.password,
  auth: values.auth === 'digest' ? 'digest' : 'wsse',
  multicast: values.multicast,
});
const ports = await sim.start();
process.stdout.write(
  `ONVIF camera simulator: device service http://${values.host}:${ports.http}/onvif/device_service, WS-Discovery udp ${ports.discovery}, ` +
    `RTSP ${sim.state.rtspUrl}/Profile_1 (user ${values.user})\ncommands: motion | motion off | tamper | down | up | hang\n`,
);
createInterface({ input: process.stdin }).on('line', (l) => {
  const cmd = l.trim();
  if (cmd === 'motion') sim.motion(true);
  else if (cmd === 'motion off') sim.motion(false);
  else if (cmd === 'tamper') sim.tamper(true);
  else if (cmd === 'down') sim.goDown();
  else if (cmd === 'up') sim.up();
  else if (cmd === 'hang') sim.hang = true;
  else return void process.stdout.write('commands: motion | motion off | tamper | down | up | hang\n');
  process.stdout.write(`ok: ${cmd}\n`);
});
const stop = () => void sim.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
