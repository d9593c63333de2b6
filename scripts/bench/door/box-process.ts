/**
 * The box side of the door benchmark, in its own process so its CPU and RSS are the daemon's:
 * the door-standard driver with an in-memory access core (QR table, card lists per door).
 * Talks to the bench over IPC: `{t:'ready', port}`, `{t:'stats'}` → `{t:'stats', ...}`,
 * `{t:'cards', n}` → deploy n cards to every door, `{t:'cardsDone', ms}` when all confirmed.
 */
import pino from 'pino';
import { createDoorDriver } from '../../../drivers/door-standard/index.js';
import type { AccessGateway, DeploymentEntry } from '../../../drivers/door-standard/gateway.js';
import type { DeviceHandle } from '../../../edge/host/sdk/driver.js';

type Msg = { t: 'add'; devices: { productKey: string; deviceName: string; custom: Record<string, unknown> }[] } | { t: 'stats' } | { t: 'cards'; n: number } | { t: 'stop' };

const QR = 'BENCH' + 'q'.repeat(27);
let cardCount = 0;
const cursor = new Map<string, number>();
const DAY = 86_400_000;

const gateway: AccessGateway = {
  decideQr: async (_d, code) => (code === QR ? { allow: true, userId: 'bench-user' } : { allow: false, reason: 'unknown' }),
  decideFace: async () => ({ allow: false, reason: 'no faces in the bench' }),
  recordPass: async () => ({}),
  pendingDeployments: async (deviceKey, kind, limit) => {
    if (kind !== 'card') return [];
    const from = cursor.get(deviceKey) ?? cardCount;
    const out: DeploymentEntry[] = [];
    for (let i = from; i < Math.min(cardCount, from + limit); i++) out.push({ id: String(i), op: 'upsert', key: `C${String(i).padStart(8, '0')}`, userId: `u${i}`, effectiveTime: Date.now() - DAY, expiryTime: Date.now() + 365 * DAY });
    return out;
  },
  ackDeployments: async (deviceKey, kind, ids, ok) => {
    if (ok && kind === 'card' && ids.length > 0) cursor.set(deviceKey, Number(ids.at(-1)) + 1);
  },
  resetDeployments: async (deviceKey, kind) => void (kind === 'card' && cursor.set(deviceKey, 0)),
  desiredFaces: async () => [],
  deviceOffline: async () => undefined,
};

const log = pino({ level: 'silent' }); // logging off: the figures are about the protocol path
const driver = createDoorDriver({ config: { host: '127.0.0.1', port: 0, boxIp: '127.0.0.1', keepaliveS: 60, syncPollMs: 3_600_000 }, log, dataDir: '', host: { call: async () => ({ code: 6304, message: '' }) } }, { gateway });
await driver.start!();
const send = (m: object): void => void process.send?.(m);
send({ t: 'ready', port: driver.server.address.port, qr: QR });

const noop = (): void => undefined;
process.on('message', (m: Msg) => {
  if (m.t === 'add') {
    void Promise.all(m.devices.map((d) => {
      const h: DeviceHandle = { ...d, log, online: noop, offline: noop, reportProperties: noop, reportEvent: noop };
      return driver.addDevice(h);
    })).then(() => send({ t: 'added' }));
  } else if (m.t === 'stats') {
    const online = [...driver.terminals.values()].filter((t) => t.state === 'online').length;
    send({ t: 'stats', cpu: process.cpuUsage(), rss: process.memoryUsage().rss, online });
  } else if (m.t === 'cards') {
    cardCount = m.n;
    const keys = [...driver.terminals.values()].map((t) => `${t.device('card')!.productKey}/${t.device('card')!.deviceName}`);
    for (const k of keys) cursor.set(k, 0);
    const started = Date.now();
    for (const t of driver.terminals.values()) driver.deployer(t.cfg.ip)?.kick('card');
    const check = setInterval(() => {
      if (keys.every((k) => (cursor.get(k) ?? 0) >= cardCount)) {
        clearInterval(check);
        send({ t: 'cardsDone', ms: Date.now() - started });
      }
    }, 20);
  } else if (m.t === 'stop') {
    void driver.stop!(false).then(() => process.exit(0));
  }
});
