/**
 * Issue 14 part 3 on the real daemon (dist/: `npm run build` first): every listener the box
 * opens, as its listener registry (/healthz `listeners`) lists them, is probed.
 *
 * - Each device-facing endpoint refuses a forged request from an unconfigured address
 *   (127.0.0.2; the devices are configured at 127.0.0.1) with the protocol's own refusal, and no
 *   pass record is stored; the same kind of record from the configured device is stored (so the
 *   count is worth something).
 * - Slow-header and connection-flood sockets are closed within the listener's limits; a
 *   flooding address is refused (429, protocol shape) while another is served; bodies over the
 *   cap get 413.
 * - A listener whose protocol has no probe (test/security/probes.ts), an endpoint a probe
 *   cannot forge, or a built-in driver that listens but is not in this box fails the suite.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListenerInfo } from '../../edge/host/listeners.js';
import type { DriverSettings } from '../../edge/host/sdk/settings.js';
import { formatPassTime } from '../../protocols/face-push/index.js';
import { SimulatedDoor } from '../../scripts/sim/door-standard/door.js';
import { qrSeedPermission, type RegistryListener, runningListeners } from '../../scripts/sim/hostile/box.js';
import { startDaemon, type Daemon } from '../cloud/helpers.js';
import { connectDoor, freePort, waitFor } from '../helpers/runtime.js';
import { DEVICES, PROBES } from './probes.js';
import { closedWithin, exchange, open } from './sockets.js';
import { LIMITS, passRecordsIn, probedOf, type Probed } from './listener-box.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'pe-listeners-'));
const FORGER = '127.0.0.2';
const QR = 'S'.repeat(32);
let daemon: Daemon;
let door: SimulatedDoor;
let listeners: RegistryListener[];
let httpPort = 0;

const probed = (): Probed[] => probedOf(listeners);
const name = (l: ListenerInfo): string => `${l.owner} (${l.protocol}, port ${l.port})`;

const passRecords = (): Array<{ device_key: string; kind: string }> => passRecordsIn(join(dir, 'data', 'edge.db'));

beforeAll(async () => {
  const [doorBox, pushBox, openApiBox, terminalApi, terminalWs, alarmBox, adapterBox] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  door = new SimulatedDoor({
    sn: DEVICES.door.sn,
    ip: DEVICES.door.ip,
    port: 0,
    edgeUrl: `http://127.0.0.1:${doorBox}`,
    keepaliveS: 60,
    autoKeepalive: false,
  });
  await door.start();
  const now = Date.now();
  const cfg = {
    box: { name: 'hostile-listeners', dataDir: './data' },
    http: { host: '127.0.0.1', port: 0 },
    bus: { host: '127.0.0.1', port: 0 },
    log: { file: 'logs/edge.log' },
    access: {
      seedPersons: [{ identityId: 'sec-resident', name: 'Resident' }],
      seedPermissions: [qrSeedPermission(`PEDoorQr/${DEVICES.door.sn}.2`, QR, 'sec-resident', now - 3_600_000, now + 3_600_000)],
    },
    drivers: [
      {
        name: 'Sec_Door',
        type: 'door-standard',
        config: { host: '127.0.0.1', port: doorBox, boxIp: '127.0.0.1', limits: LIMITS },
        devices: [{ productKey: 'PEDoorQr', deviceName: `${DEVICES.door.sn}.2`, custom: { ip: DEVICES.door.ip, port: door.port } }],
      },
      {
        name: 'Sec_Push',
        type: 'face-terminal-push',
        config: { host: '127.0.0.1', port: pushBox, pathPrefix: 'push', limits: LIMITS },
        devices: [{ productKey: 'PEFacePush', deviceName: DEVICES.push.deviceNo, custom: { ip: DEVICES.push.ip } }],
      },
      {
        name: 'Sec_Alarm',
        type: 'alarm-unit',
        config: { host: '127.0.0.1', port: alarmBox, limits: LIMITS },
        devices: [
          { productKey: 'PEAlarmUnit', deviceName: DEVICES.alarmUnit.sn, custom: { ip: DEVICES.alarmUnit.ip, sn: DEVICES.alarmUnit.sn } },
        ],
      },
      {
        name: 'Sec_Adapter',
        type: 'security-adapter',
        config: { host: '127.0.0.1', port: adapterBox, limits: LIMITS },
        devices: [
          { productKey: 'PESecurityAdapter', deviceName: 'SEC-ADAPTER-1', custom: { manufacture: 'DH', ip: DEVICES.securityAdapter.ip } },
        ],
      },
      {
        name: 'Sec_OpenApi',
        type: 'face-terminal-openapi',
        config: { host: '127.0.0.1', port: openApiBox, limits: LIMITS },
        devices: [
          {
            productKey: 'PEFaceOpenApi',
            deviceName: DEVICES.openapi.deviceId,
            custom: { ip: DEVICES.openapi.ip, port: terminalApi, wsPort: terminalWs, password: 'sec-terminal-pw' },
          },
        ],
      },
    ],
  };
  const file = join(dir, 'box.yaml');
  writeFileSync(
    file,
    `${Object.entries(cfg)
      .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
      .join('\n')}\n`,
  );
  daemon = startDaemon(file, dir, [], true);
  httpPort = Number(await waitFor(() => /health: http:\/\/127\.0\.0\.1:(\d+)/.exec(daemon.out())?.[1], 30_000));
  listeners = await waitFor(() => runningListeners(httpPort), 30_000, 100);
  await connectDoor(door);
}, 60_000);

afterAll(async () => {
  await door?.stop();
  daemon?.child.kill('SIGTERM');
  await daemon?.exited;
  rmSync(dir, { recursive: true, force: true });
});

describe('the listener registry', () => {
  it('has a probe for every listener, and the box runs every built-in driver that listens', async () => {
    const unprobed = listeners
      .filter((l) => !PROBES[l.protocol])
      .map((l) => `${name(l)}: no probe for protocol "${l.protocol}" — add one to test/security/probes.ts`);
    expect(unprobed, 'listeners the hostile suite cannot probe').toEqual([]);
    const driversDir = join(ROOT, 'drivers');
    const missing: string[] = [];
    for (const type of readdirSync(driversDir).sort()) {
      if (!existsSync(join(driversDir, type, 'index.ts')) || !existsSync(join(driversDir, type, 'settings.ts'))) continue;
      const settings = ((await import(pathToFileURL(join(driversDir, type, 'settings.ts')).href)) as { default: DriverSettings }).default;
      for (const [key, schema] of Object.entries(settings.config.properties)) {
        if ((schema as { listen?: boolean }).listen !== true) continue;
        const protocol = settings.listeners?.[key]?.protocol;
        const probe = protocol ? PROBES[protocol] : undefined;
        if (!probe)
          missing.push(
            `driver ${type} listens on config.${key} (${protocol ?? 'undeclared: add settings.listeners'}) and has no probe in test/security/probes.ts`,
          );
        else if (probe.kind === 'http' && !listeners.some((l) => l.driver === type))
          missing.push(
            `driver ${type} listens on config.${key} but the suite's box does not run it: add it to the config in ${import.meta.filename}`,
          );
      }
    }
    expect(missing).toEqual([]);
    expect(
      probed()
        .map((p) => p.l.protocol)
        .sort(),
    ).toEqual(['alarm-unit', 'door-standard', 'edge-security-event', 'face-openapi', 'face-push']);
    // The registry shows the limits in force, as configured.
    for (const { l } of probed()) expect(l.limits, name(l)).toEqual(LIMITS);
  });
});

describe('device-facing listeners', () => {
  it('refuse forged records from an unconfigured address on every endpoint, and store nothing', async () => {
    for (const { l, probe } of probed()) {
      expect(l.endpoints.length, name(l)).toBeGreaterThan(0);
      for (const e of l.endpoints) {
        const r = await exchange(l.port, { from: FORGER, ...probe.forge(e) });
        expect(
          probe.refusedForgery(e, r),
          `${name(l)} ${e.method} ${e.path} from ${FORGER} answered ${r.status} ${r.text.slice(0, 200)}`,
        ).toBe(true);
      }
    }
    expect(passRecords()).toEqual([]);

    // The same kinds of record from the configured devices are stored: the count above means something.
    expect((await door.scanQr(QR)).code).toBe(0);
    const push = probed().find((p) => p.l.protocol === 'face-push')!.l;
    const record = {
      msgType: 'uploadRecord',
      msgID: '1',
      deviceNo: DEVICES.push.deviceNo,
      snapType: '3',
      compareResult: '1',
      passTime: formatPassTime(Date.now(), 480),
    };
    expect(
      (await exchange(push.port, { from: DEVICES.push.ip, method: 'POST', path: '/push/face/record', body: JSON.stringify(record) })).json,
    ).toMatchObject({ errorCode: '100' });
    const openapi = probed().find((p) => p.l.protocol === 'face-openapi')!.l;
    const compare = { userId: 'sec-resident', userName: 'Resident', screenTime: Math.floor(Date.now() / 1000) };
    expect(
      (
        await exchange(openapi.port, {
          from: DEVICES.openapi.ip,
          method: 'POST',
          path: `/syface/${DEVICES.openapi.deviceId}`,
          body: JSON.stringify(compare),
        })
      ).json,
    ).toMatchObject({ ret: '0' });
    const stored = await waitFor(() => {
      const rows = passRecords();
      return rows.length >= 3 ? rows : undefined;
    }, 10_000);
    expect(stored.map((r) => r.device_key.split('/')[0]).sort()).toEqual(['PEDoorQr', 'PEFaceOpenApi', 'PEFacePush']);
  });

  it('close slow-header sockets within headersTimeoutMs', async () => {
    await Promise.all(
      probed().map(async ({ l }) => {
        const s = await open(l.port, '127.0.0.3');
        s.write(`POST ${l.endpoints[0]!.path} HTTP/1.1\r\nHost: box\r\nX-Slow: `);
        // The server checks its connections once a second at most: one check period of slack.
        expect(await closedWithin(s, l.limits!.headersTimeoutMs + 1500), name(l)).toBe(true);
      }),
    );
  });

  it('close a connection flood within the limits and serve again', async () => {
    await Promise.all(
      probed().map(async ({ l, probe }) => {
        const lim = l.limits!;
        // One address: its share, then one more, closed at accept.
        const own = await Promise.all(Array.from({ length: lim.perSourceConnections }, () => open(l.port, '127.0.0.4')));
        const extra = await open(l.port, '127.0.0.4');
        expect(await closedWithin(extra, 1000), `${name(l)}: connection beyond one address's share`).toBe(true);
        // Many addresses: up to the listener's cap, then one more, closed at accept.
        const sources = Math.ceil((lim.maxConnections - lim.perSourceConnections) / lim.perSourceConnections);
        const flood = (
          await Promise.all(
            Array.from({ length: sources }, (_, i) =>
              Promise.all(Array.from({ length: lim.perSourceConnections }, () => open(l.port, `127.0.1.${i + 1}`))),
            ),
          )
        ).flat();
        const held = [...own, ...flood].slice(0, lim.maxConnections);
        for (const s of [...own, ...flood].slice(lim.maxConnections)) s.destroy();
        const over = await open(l.port, '127.0.2.1');
        expect(await closedWithin(over, 1000), `${name(l)}: connection beyond maxConnections`).toBe(true);
        // Silent sockets are closed by the header time limit, all of them.
        const closed = await Promise.all(held.map((s) => closedWithin(s, lim.headersTimeoutMs + 1500)));
        expect(closed.filter((c) => !c).length, `${name(l)}: flood sockets still open`).toBe(0);
        const again = await exchange(l.port, { from: '127.0.2.2', ...probe.forge(l.endpoints[0]!) });
        expect(again.status, `${name(l)} after the flood`).not.toBe(429);
      }),
    );
  });

  it("refuse a flooding address in the protocol's shape while another address is served", async () => {
    await Promise.all(
      probed().map(async ({ l, probe }) => {
        const lim = l.limits!;
        const sample = (from: string) => exchange(l.port, { from, ...probe.forge(l.endpoints[0]!) });
        const answers = [];
        // Within the address's connection share, as fast as it goes: well over the burst in well under a second.
        for (let sent = 0; sent < lim.perSourceBurst + 20; sent += lim.perSourceConnections) {
          answers.push(...(await Promise.all(Array.from({ length: lim.perSourceConnections }, () => sample('127.0.3.1')))));
        }
        const refused = answers.filter((r) => r.status === 429);
        expect(refused.length, `${name(l)}: requests refused of ${answers.length}`).toBeGreaterThan(0);
        expect(
          refused.every((r) => probe.listenerRefusal(r, 429) && Number(r.headers['retry-after']) >= 1),
          `${name(l)}: refusal shape ${refused[0]?.text}`,
        ).toBe(true);
        expect((await sample('127.0.3.2')).status, `${name(l)}: another address`).not.toBe(429);
      }),
    );
  });

  it("refuse bodies over maxBodyBytes with 413 in the protocol's shape", async () => {
    await Promise.all(
      probed().map(async ({ l, probe }) => {
        const post = l.endpoints.find((e) => e.method === 'POST')!;
        const r = await exchange(l.port, {
          from: '127.0.4.1',
          method: 'POST',
          path: probe.forge(post).path,
          body: Buffer.alloc(l.limits!.maxBodyBytes + 1, 0x20),
        });
        expect(probe.listenerRefusal(r, 413), `${name(l)}: ${r.status} ${r.text}`).toBe(true);
      }),
    );
  });
});
