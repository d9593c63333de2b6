/**
 * The box's port-10070 server against the simulated unit, in one process: the seed's examples,
 * both modes, and hostile input (unconfigured address, bad JSON, wrong keys, stale tokens,
 * 5 MB bodies, floods past the protocol's QPS limits) answered with the protocol's codes.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AlarmUnitServer,
  aesEncrypt,
  CONNECT_QPS,
  PROTOCOL_VERSION,
  type AlarmInfo,
  type UnitSession,
  type ZoneInfo,
} from '../../protocols/alarm-unit/index.js';
import { SimulatedAlarmUnit } from '../../scripts/sim/alarm-unit/unit.js';
import { waitFor } from '../helpers/wait.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
const PUBLIC = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const UNIT_IP = '127.0.0.1';
const seen = {
  connected: [] as UnitSession[],
  zones: [] as ZoneInfo[][],
  alarms: [] as Array<{ alarms: AlarmInfo[]; at: number }>,
  keepalives: 0,
};
let server: AlarmUnitServer;
let url: string;
const units: SimulatedAlarmUnit[] = [];

async function unit(o: Partial<ConstructorParameters<typeof SimulatedAlarmUnit>[0]> = {}): Promise<SimulatedAlarmUnit> {
  const u = new SimulatedAlarmUnit({ sn: '123456789', ip: UNIT_IP, port: 0, edgeUrl: url, keepaliveS: 10, ...o });
  await u.start();
  units.push(u);
  return u;
}

/** connect is held to 10 QPS: a test sending more waits for its turn. */
const admitted = (send: () => Promise<{ status: number; body: Record<string, unknown> }>) =>
  waitFor(
    async () => {
      const r = await send();
      return r.status === 429 ? undefined : r;
    },
    10_000,
    100,
  );

beforeAll(async () => {
  server = new AlarmUnitServer(
    {
      isConfigured: (source) => source === UNIT_IP,
      privateKey: () => privateKey,
      connected: (s) => seen.connected.push(s),
      keepalive: () => void seen.keepalives++,
      zoneInfo: (_s, z) => void seen.zones.push(z),
      alarms: (_s, alarms, at) => void seen.alarms.push({ alarms, at }),
    },
    { host: '127.0.0.1', port: 0, offlineMisses: 3, maxBodyBytes: 64 * 1024 },
  );
  await server.listen();
  url = `http://127.0.0.1:${server.port}`;
});

afterAll(async () => {
  await Promise.all(units.map((u) => u.stop()));
  await server.close();
});

describe('indoor alarm unit server', () => {
  it("answers ping with exactly the seed's pong, Connection: close", async () => {
    const r = await fetch(`${url}/alarm/ping`);
    expect(r.headers.get('connection')).toBe('close');
    expect(await r.text()).toBe('{"code":0,"message":"pong"}');
  });

  it("takes the seed's plain examples: connect, keepalive, zoneInfo, alarmInfo", async () => {
    const u = await unit();
    const c = await u.connect();
    expect(c.body).toMatchObject({ code: 0, message: 'success' });
    const token = u.token!;
    expect(Buffer.byteLength(token)).toBeLessThanOrEqual(64);
    expect(token).toMatch(/^[0-9a-f-]{36}-127-0-0-1$/); // the example's form (L40867)
    // The driver hears of the connect once the answer is written: a moment after the unit has it.
    const session = await waitFor(() => seen.connected.find((x) => x.token === token));
    expect(session).toMatchObject({ sn: '123456789', port: u.port, keepaliveS: 10, protocol: PROTOCOL_VERSION });
    const before = Date.now();
    const k = await u.keepalive();
    expect(k.body).toMatchObject({ code: 0, message: 'success' });
    const time = (k.body.data as { time: unknown }).time;
    expect(typeof time).toBe('string');
    expect(Number(time)).toBeGreaterThanOrEqual(before);
    expect((await u.reportZoneInfo()).body).toEqual({ code: 0, message: 'success' });
    expect(seen.zones.at(-1)).toEqual([
      { zoneID: '01', zoneDeviceType: 1, zoneState: 1 },
      { zoneID: '02', zoneDeviceType: 3, zoneState: 2 },
    ]);
    expect((await u.reportAlarm([{ zoneID: '01' }, { zoneID: '02', alarmTime: '1591069176000' }])).body).toEqual({
      code: 0,
      message: 'success',
    });
    expect(seen.alarms.at(-1)!.alarms).toEqual([{ zoneID: '01' }, { zoneID: '02', alarmTime: '1591069176000' }]);
  });

  it('takes encrypted reports and refuses clear ones, wrong keys and foreign key blocks', async () => {
    const u = await unit({ boxPublicKey: PUBLIC });
    expect((await u.connect()).body.code).toBe(0);
    const session = await waitFor(() => seen.connected.find((x) => x.token === u.token));
    expect(session.aesKey).toEqual(u.key);
    expect((await u.reportAlarm([{ zoneID: '07' }])).body.code).toBe(0);
    expect(seen.alarms.at(-1)!.alarms).toEqual([{ zoneID: '07' }]);
    // Clear on an encrypted connection: parameter error; another key: decrypt error or parameter error.
    expect(
      (await u.post('/alarm/reportAlarm', { version: PROTOCOL_VERSION, token: u.token, alarmInfo: [{ zoneID: '01' }] })).body.code,
    ).toBe(5);
    const wrong = await u.post('/alarm/reportAlarm', {
      version: PROTOCOL_VERSION,
      token: u.token,
      ciphertext: aesEncrypt(Buffer.alloc(16, 3), '[{"zoneID":"01"}]'),
    });
    expect([5, 6]).toContain(wrong.body.code);
    expect(
      (await u.post('/alarm/reportAlarm', { version: PROTOCOL_VERSION, token: u.token, ciphertext: 'ewogICAgJ2EiJzoiYiIKfQ==' })).body.code,
    ).toBe(6);
    // A key block under another box's key connects (implicit rejection) but nothing decrypts.
    // The other modulus is taken below ours: a block at or above ours is refused at once (6), which
    // anyone can see from the public key, and would not exercise the rejection.
    const stranger = await unit({ boxPublicKey: smallerKeyThan(publicKey) });
    expect((await stranger.connect()).body.code).toBe(0);
    expect([5, 6]).toContain((await stranger.reportAlarm([{ zoneID: '01' }])).body.code);
    expect(seen.alarms.at(-1)!.alarms).toEqual([{ zoneID: '07' }]);
  });

  it('refuses bad fields with 5, an unconfigured address with 7, a stale token with 4', async () => {
    const u = await unit();
    const body = u.connectBody();
    for (const [k, v] of [
      ['sn', 'abc'],
      ['sn', 'x'.repeat(33)],
      ['sn', 'bad sn!'],
      ['keepalive', 9],
      ['keepalive', 121],
      ['encrypted', 2],
      ['version', '2020-01-01'],
      ['protocol', '2022-01-01'],
      ['time', '1589472000'],
      ['port', 0],
    ] as const) {
      expect((await admitted(() => u.post('/alarm/connect', { ...body, [k]: v }))).body.code, `${k}=${v}`).toBe(5);
    }
    expect((await admitted(() => u.post('/alarm/connect', { ...body, encrypted: 1 }))).body.code).toBe(5); // no ciphertext
    expect((await admitted(() => u.post('/alarm/connect', '{"version":'))).body).toMatchObject({ code: 5 });
    expect((await admitted(() => u.post('/alarm/connect', { ...body, ip: '127.0.0.9' }))).body.code).toBe(7);
    const forger = await unit({ ip: '127.0.0.2' });
    expect((await forger.connect()).body.code).toBe(7);
    expect((await forger.get('/alarm/ping')).body.code).toBe(7);
    expect((await admitted(() => u.connect())).body.code).toBe(0);
    const old = u.token;
    expect((await admitted(() => u.connect())).body.code).toBe(0); // a new connect replaces the token
    expect((await u.post('/alarm/keepalive', { version: PROTOCOL_VERSION, token: old })).body).toEqual({
      code: 4,
      message: 'token invalid: connect again',
    });
    expect((await u.reportZoneInfo()).body.code).toBe(0);
    expect(
      (await u.post('/alarm/reportZoneInfo', u.reportBody('zoneInfo', [{ zoneID: '01', zoneDeviceType: 10, zoneState: 1 }]))).body.code,
    ).toBe(5);
    expect((await u.post('/alarm/reportAlarm', u.reportBody('alarmInfo', [{ zoneID: '01', alarmTime: 1591069176000 }]))).body.code).toBe(5);
  });

  it("refuses a 5 MB body with 413 in the protocol's shape, and goes on serving", async () => {
    const u = await unit();
    const r = await u.post('/alarm/reportAlarm', 'x'.repeat(5 * 1024 * 1024));
    expect(r.status).toBe(413);
    expect(r.body.code).toBe(99);
    expect((await u.get('/alarm/ping')).body).toEqual({ code: 0, message: 'pong' });
  });

  it("holds connect to 10 QPS per unit with 429 and the protocol's shape", async () => {
    const u = await unit();
    const answers = await Promise.all(Array.from({ length: CONNECT_QPS + 10 }, () => u.connect()));
    const refused = answers.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(5);
    expect(refused.every((a) => a.body.code === 99 && /at most 10 per second/.test(String(a.body.message)))).toBe(true);
    // Other requests have their own budget.
    await waitFor(async () => ((await u.connect()).body.code === 0 ? true : undefined), 5000, 120);
    expect((await u.keepalive()).body.code).toBe(0);
  });
});

/** Another 1024-bit public key whose modulus is below `key`'s, so every block under it is below ours too. */
function smallerKeyThan(key: KeyObject): string {
  const n = (k: KeyObject) => BigInt(`0x${Buffer.from(k.export({ format: 'jwk' }).n as string, 'base64url').toString('hex')}`);
  for (;;) {
    const other = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    if (n(other) < n(key)) return other.export({ type: 'spki', format: 'pem' }).toString();
  }
}
