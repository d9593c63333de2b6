import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import mqtt from 'mqtt';
import { credentialsFile } from '../bus/credentials.js';
import { loadConfig } from '../config/load.js';
import { configOption } from './options.js';

/** `edge tail [filter]`: print local-bus traffic, one line per message. */
export async function tailCommand(args: string[]): Promise<number | undefined> {
  const { file, positionals } = configOption(args);
  const { config, baseDir } = loadConfig(file);
  const dataDir = resolve(baseDir, config.box.dataDir);
  let username = process.env.EDGE_BUS_USER ?? config.bus.users[0]?.username;
  let password = process.env.EDGE_BUS_PASSWORD ?? config.bus.users[0]?.password;
  if (!username && existsSync(credentialsFile(dataDir))) {
    ({ username, password } = JSON.parse(readFileSync(credentialsFile(dataDir), 'utf8')) as { username: string; password: string });
  }
  const url = config.bus.externalUrl ?? `mqtt://${config.bus.host}:${config.bus.port}`;
  const client = await mqtt.connectAsync(url, { ...(username ? { username } : {}), ...(password ? { password } : {}), reconnectPeriod: 0 });
  const filters = positionals.length > 0 ? positionals : ['/sys/#', '/edge/#'];
  await client.subscribeAsync(filters);
  process.stderr.write(`tailing ${filters.join(' ')} on ${url} (Ctrl-C to stop)\n`);
  client.on('message', (topic, payload) => process.stdout.write(`${new Date().toISOString()} ${topic} ${payload.toString()}\n`));
  process.on('SIGINT', () => void client.endAsync().then(() => process.exit(0)));
  return undefined;
}
