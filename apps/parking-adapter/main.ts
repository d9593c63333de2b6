/**
 * Entry of the parking adapter app (app.json `command`): reads the environment the box gives
 * (apps/sdk/env.ts) and the manifest's own settings, starts, and stops cleanly on SIGTERM/SIGINT.
 * Logs go to stdout as JSON lines; the box keeps them as the app's log.
 */
import { pino } from 'pino';
import { envPort, envString, readAppEnv } from '../sdk/env.js';
import { ParkingAdapter } from './adapter.js';

const log = pino({ name: 'parking-adapter', redact: ['appSecret', '*.appSecret'] });

async function main(): Promise<void> {
  const env = readAppEnv();
  const adapter = new ParkingAdapter({
    appKey: env.appKey,
    appSecret: env.appSecret,
    apiDomain: env.apiDomain,
    dataDir: env.dataDir,
    parkingUrl: envString(process.env, 'PARKING_URL', 'http://127.0.0.1:18090'),
    servicePort: envPort(process.env, 'PARKING_SERVICE_PORT', 10071),
    pushPort: envPort(process.env, 'PARKING_PUSH_PORT', 10072),
    serviceHost: envString(process.env, 'PARKING_SERVICE_HOST', '127.0.0.1'),
    pushHost: envString(process.env, 'PARKING_PUSH_HOST', '0.0.0.0'),
    log,
  });
  await adapter.start();
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    adapter.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  log.fatal({ err: (err as Error).message }, 'cannot start');
  process.exit(1);
});
