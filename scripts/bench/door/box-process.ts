/**
 * The box side of the door benchmark, in its own process so its CPU and RSS are the daemon's:
 * the door-standard driver behind the real host-service registry (contract checks included),
 * answered by in-memory handlers (QR table, card lists per door) so the figures are the protocol
 * path's, not SQLite's (the access bench measures the store).
 * Talks to the bench over IPC: `{t:'ready', port}`, `{t:'stats'}` → `{t:'stats', ...}`,
 * `{t:'cards', n}` → deploy n cards to every door, `{t:'cardsDone', ms}` when all confirmed.
 */
import pino from 'pino';
import { createDoorDriver } from '../../../drivers/door-standard/index.js';
import type { DeploymentEntry } from '../../../edge/host/sdk/host-services.js';
import type { DeviceHandle } from '../../../edge/host/sdk/driver.js';
import { HostServiceRegistry, inProcessHost, type HostHandlers } from '../../../edge/host/services.js';

type Msg =
  | { t: 'add'; devices: { productKey: string; deviceName: string; custom: Record<string, unknown> }[] }
  | { t: 'stats' }
  | { t: 'cards'; n: number }
  | { t: 'stop' };

const QR = `BENCH${'q'.repeat(27)}`;
let cardCount = 0;
const cursor = new Map<string, number>();
const DAY = 86_400_000;

const handlers: HostHandlers = {
  'access.decideQr': ({ code }) => ({
    passId: 'bench',
    kind: 'qrCode',
    ...(code === QR
      ? { code: 0, message: 'success', identityId: 'bench-user' }
      : { code: 103, message: 'QR code does not exist', identityId: '' }),
  }),
  'access.decideFace': () => ({ passId: 'bench', kind: 'face', code: 503, message: 'Face library is empty', identityId: '' }),
  'access.recordPass': () => ({ passId: 'bench', duplicate: false }),
  'access.pendingDeployments': ({ deviceKey, kind, limit }) => {
    if (kind !== 'tradCard') return { entries: [] };
    const from = cursor.get(deviceKey) ?? cardCount;
    const entries: DeploymentEntry[] = [];
    for (let i = from; i < Math.min(cardCount, from + limit); i++)
      entries.push({
        kind: 'tradCard',
        item: `C${String(i).padStart(8, '0')}`,
        op: 'upsert',
        identityId: `u${i}`,
        effectiveTime: Date.now() - DAY,
        expiryTime: Date.now() + 365 * DAY,
      });
    return { entries };
  },
  'access.ackDeployments': ({ deviceKey, kind, items, ok }) => {
    if (ok && kind === 'tradCard' && items.length > 0) cursor.set(deviceKey, Number(items.at(-1)!.slice(1)) + 1);
    return { done: ok ? items.length : 0, failed: ok ? 0 : items.length, ignored: 0 };
  },
  'access.resetDeployments': ({ deviceKey, kind }) => {
    if (kind === 'tradCard') cursor.set(deviceKey, 0);
    return { queued: 0 };
  },
  'access.desiredFaces': () => ({ faces: [] }),
  'access.deviceOffline': () => ({ moved: 0 }),
};
const log = pino({ level: 'silent' }); // logging off: the figures are about the protocol path
const registry = new HostServiceRegistry({ log, owns: () => true });
registry.register(handlers);
const driver = createDoorDriver({
  config: { host: '127.0.0.1', port: 0, boxIp: '127.0.0.1', keepaliveS: 60, syncPollMs: 3_600_000 },
  log,
  dataDir: '',
  host: inProcessHost(registry, 'bench'),
});
await driver.start!();
const send = (m: object): void => void process.send?.(m);
send({ t: 'ready', port: driver.server.address.port, qr: QR });

const noop = (): void => undefined;
process.on('message', (m: Msg) => {
  if (m.t === 'add') {
    void Promise.all(
      m.devices.map((d) => {
        const h: DeviceHandle = { ...d, log, online: noop, offline: noop, reportProperties: noop, reportEvent: noop };
        return driver.addDevice(h);
      }),
    ).then(() => send({ t: 'added' }));
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
