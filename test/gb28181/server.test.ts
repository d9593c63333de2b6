/**
 * The GB28181 SIP server (protocols/gb28181/server.ts) over real UDP and TCP sockets on
 * 127.0.0.0/8: digest registration (challenge, good, wrong and per-device passwords, unknown ids,
 * unregister), keepalive and its timeout, the box's Catalog query and a paged answer,
 * retransmissions absorbed, and hostile input (garbage, oversized datagrams and streams, missing
 * headers, MESSAGE without registration, floods) answered with the right status or dropped.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { responseTo } from '../../protocols/gb28181/response.js';
import { Gb28181Server, type Catalog, type Peer } from '../../protocols/gb28181/index.js';
import { DigestAuth, digestResponse } from '../../protocols/gb28181/digest.js';
import { handleRegister } from '../../protocols/gb28181/registrar.js';
import { header, parseMessage, serialize, type SipRequest } from '../../protocols/gb28181/message.js';
import { observeFor, waitFor } from '../helpers/wait.js';
import { BOX_ID, DOMAIN, SipClient } from './client.js';

const NVR = '34020000001180000001';
const CAM = '34020000001320000001';
const STRANGER = '34020000001320000099';
const events: Array<{ kind: string; id?: string; detail?: string }> = [];
const catalogs: Catalog[] = [];
const clients: SipClient[] = [];
let server: Gb28181Server;
let udpPort = 0;
let tcpPort = 0;

const of = (kind: string, id?: string) => events.filter((e) => e.kind === kind && (id === undefined || e.id === id));

async function client(id: string, transport: 'udp' | 'tcp' = 'udp', from = '127.0.0.1'): Promise<SipClient> {
  const c = await new SipClient(id, transport === 'udp' ? udpPort : tcpPort).open(transport, from);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  server = new Gb28181Server(
    {
      host: '127.0.0.1',
      udpPort: 0,
      tcpPort: 0,
      advertise: '127.0.0.1',
      serverId: BOX_ID,
      domain: DOMAIN,
      password: '12345678',
      keepaliveIntervalS: 1,
      keepaliveMisses: 2,
      nonceTtlS: 300,
      catalogWaitMs: 3000,
      perSourceMessagesPerS: 20,
      perSourceBurst: 40,
      maxBodyBytes: 8192,
    },
    {
      passwordOf: (id) => (id === NVR ? '12345678' : id === CAM ? 'cam-own-pass' : undefined),
      online: (id) => events.push({ kind: 'online', id }),
      offline: (id, reason) => events.push({ kind: 'offline', id, detail: reason }),
      keepalive: (id) => events.push({ kind: 'keepalive', id }),
      catalog: (c) => catalogs.push(c),
      manscdp: (id, m) => events.push({ kind: 'manscdp', id, detail: m.cmd }),
      unknown: (id) => events.push({ kind: 'unknown', id }),
      refused: (_from: Peer, reason, id) => events.push({ kind: 'refused', ...(id ? { id } : {}), detail: reason }),
    },
  );
  const addr = await server.listen();
  udpPort = addr.udp.port;
  tcpPort = addr.tcp.port;
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await server.close();
});

describe('registration', () => {
  it('challenges, registers with the right password and answers keepalives; Expires 0 unregisters', async () => {
    const c = await client(NVR);
    const first = await c.answer(c.request('REGISTER', ['Expires: 3600']).cseq);
    expect(first.status).toBe(401);
    expect(header(first, 'www-authenticate')).toMatch(/^Digest realm="3402000000", nonce="[0-9a-f]+", algorithm=MD5, qop="auth"$/);
    const ok = await c.register('12345678');
    expect(ok.status).toBe(200);
    expect(header(ok, 'expires')).toBe('3600');
    expect(header(ok, 'date')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/);
    expect(of('online', NVR)).toHaveLength(1);
    expect((await c.keepalive()).status).toBe(200);
    expect(of('keepalive', NVR)).toHaveLength(1);
    expect((await c.register('12345678', 0)).status).toBe(200);
    await waitFor(() => of('offline', NVR).find((e) => e.detail === 'unregistered (Expires 0)'));
    expect(server.isOnline(NVR)).toBe(false);
  });

  it('refuses a wrong password and the box password for a device with its own (403), over TCP too', async () => {
    const c = await client(CAM, 'tcp');
    expect((await c.register('12345678')).status).toBe(403);
    expect(of('refused', CAM).map((e) => e.detail)).toContain('wrong password');
    expect((await c.register('cam-own-pass')).status).toBe(200);
    expect(server.isOnline(CAM)).toBe(true);
    expect((await c.register('cam-own-pass', 0)).status).toBe(200);
  });

  it('holds an unknown id that proves the box password as discovered (403), and ignores one that does not', async () => {
    const c = await client(STRANGER);
    expect((await c.register('12345678')).status).toBe(403);
    expect(of('unknown', STRANGER)).toHaveLength(1);
    expect((await c.register('guessed')).status).toBe(403);
    expect(of('unknown', STRANGER)).toHaveLength(1);
    expect(server.isOnline(STRANGER)).toBe(false);
    const bad = await client('1234');
    expect((await bad.answer(bad.request('REGISTER').cseq)).status).toBe(400);
  });

  it('answers a stale nonce with a fresh challenge marked stale', () => {
    let now = 0;
    const auth = new DigestAuth(DOMAIN, 1000, () => now);
    const nonce = /nonce="([^"]+)"/.exec(auth.challenge())![1]!;
    now = 5000;
    const ctx = {
      auth,
      passwordOf: () => 'p',
      boxPassword: 'p',
      minExpiresS: 30,
      maxExpiresS: 3600,
      registered: () => undefined,
      unregistered: () => undefined,
      unknown: () => undefined,
      refused: () => undefined,
      now: () => now,
    };
    const c = { username: NVR, realm: DOMAIN, nonce, uri: `sip:${BOX_ID}@${DOMAIN}` };
    const response = digestResponse(c, 'REGISTER', 'p');
    const raw = `REGISTER sip:${BOX_ID}@${DOMAIN} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bKs\r\nFrom: <sip:${NVR}@${DOMAIN}>;tag=1\r\nTo: <sip:${NVR}@${DOMAIN}>\r\nCall-ID: s\r\nCSeq: 2 REGISTER\r\nAuthorization: Digest username="${NVR}", realm="${DOMAIN}", nonce="${nonce}", uri="${c.uri}", response="${response}"\r\nContent-Length: 0\r\n\r\n`;
    const req = parseMessage(Buffer.from(raw), 0);
    if (!req.ok) throw new Error(req.reason);
    const res = handleRegister(ctx, req.message as SipRequest, { transport: 'udp', address: '127.0.0.1', port: 5062 });
    expect(res.status).toBe(401);
    expect(header(res, 'www-authenticate')).toMatch(/stale=true/);
  });
});

describe('catalog and keepalive supervision', () => {
  it('queries the catalog, collects the paged answer and drops a device after its missed keepalives', async () => {
    const c = await client(NVR);
    expect((await c.register('12345678')).status).toBe(200);
    const asked = server.query(NVR, 'Catalog');
    const query = await waitFor(() => c.got.find((m) => m.kind === 'request' && m.method === 'MESSAGE'));
    if (query.kind !== 'request') throw new Error('no request');
    expect(query.body.toString()).toContain('<CmdType>Catalog</CmdType>');
    const sn = Number(/<SN>(\d+)<\/SN>/.exec(query.body.toString())![1]);
    c.raw(serialize(responseTo(query, 200)));
    expect(await asked).toEqual({ sn, status: 200 });
    const item = (n: number) => ({ DeviceID: `340200000013100000${n}`, Name: `ch${n}`, Status: 'ON' });
    expect((await c.message('Response', { CmdType: 'Catalog', SN: sn, SumNum: 2, DeviceList: { Item: [item(33)] } })).status).toBe(200);
    expect(catalogs).toHaveLength(0);
    expect((await c.message('Response', { CmdType: 'Catalog', SN: sn, SumNum: 2, DeviceList: { Item: [item(34)] } })).status).toBe(200);
    expect(catalogs).toMatchObject([{ deviceId: NVR, sumNum: 2, complete: true }]);
    // Silent now: offline after 2 intervals of 1 s.
    await waitFor(() => of('offline', NVR).find((e) => e.detail === 'no keepalive for 2 intervals'), 6000);
    expect((await c.keepalive()).status).toBe(403); // no longer registered
  });

  it('answers a retransmitted MESSAGE again without handling it twice', async () => {
    const c = await client(NVR);
    expect((await c.register('12345678')).status).toBe(200);
    const before = of('keepalive', NVR).length;
    const { wire, cseq } = c.request(
      'MESSAGE',
      ['Content-Type: Application/MANSCDP+xml'],
      Buffer.from(`<Notify><CmdType>Keepalive</CmdType><SN>9</SN><DeviceID>${NVR}</DeviceID><Status>OK</Status></Notify>`),
    );
    c.raw(wire);
    await waitFor(() => c.got.filter((m) => m.kind === 'response' && header(m, 'cseq') === `${cseq} MESSAGE`).length === 2);
    expect(of('keepalive', NVR).length).toBe(before + 1);
    expect((await c.register('12345678', 0)).status).toBe(200);
  });
});

describe('hostile input', () => {
  it('drops garbage, answers broken and oversized requests with 400/413, refuses MESSAGE without registration', async () => {
    const c = await client(NVR);
    c.raw(Buffer.from('\x00\xff garbage that is no SIP'));
    c.raw(Buffer.alloc(60_000, 0x41));
    const badLength = Buffer.from(
      `OPTIONS sip:${BOX_ID}@${DOMAIN} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${c.localPort};branch=z9hG4bKbad\r\nFrom: <sip:${NVR}@${DOMAIN}>;tag=1\r\nTo: <sip:${BOX_ID}@${DOMAIN}>\r\nCall-ID: x\r\nCSeq: 77 OPTIONS\r\nContent-Length: many\r\n\r\n`,
    );
    c.raw(badLength);
    expect((await c.answer(77)).status).toBe(400);
    const big = c.request('MESSAGE', ['Content-Type: Application/MANSCDP+xml'], Buffer.alloc(60_000, 0x20));
    expect((await c.answer(big.cseq)).status).toBe(413);
    expect((await c.keepalive()).status).toBe(403);
    expect(of('refused', NVR).map((e) => e.detail)).toContain('MESSAGE from an unregistered device');
    expect((await c.answer(c.request('OPTIONS').cseq)).status).toBe(200);
    expect((await c.answer(c.request('INVITE').cseq)).status).toBe(405);
  });

  it('closes a TCP stream whose message is over the cap, with 413', async () => {
    const c = await client(NVR, 'tcp');
    c.request('MESSAGE', ['Content-Type: Application/MANSCDP+xml'], Buffer.alloc(60_000, 0x20));
    await waitFor(() => c.closed);
    expect(c.got.find((m) => m.kind === 'response')).toMatchObject({ status: 413 });
    const d = await client(NVR, 'tcp');
    c.raw(Buffer.from('x'));
    expect((await d.answer(d.request('OPTIONS').cseq)).status).toBe(200);
  });

  it('answers a flooding address 503 with Retry-After while another address is served', async () => {
    const f = await client(STRANGER, 'udp', '127.0.0.3');
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) f.request('OPTIONS');
    await waitFor(() => f.got.find((m) => m.kind === 'response' && m.status === 503));
    const busy = f.got.find((m) => m.kind === 'response' && m.status === 503)!;
    expect(header(busy, 'retry-after')).toBe('5');
    await observeFor(200);
    // The burst (40), plus what the rate (20/s) refilled while the 200 requests went out: on a
    // loaded machine sending them takes a while, so the bound counts the elapsed time.
    const allowed = 40 + Math.ceil((20 * (performance.now() - t0)) / 1000);
    const served = f.got.filter((m) => m.kind === 'response' && m.status === 200).length;
    expect(served).toBeLessThanOrEqual(allowed);
    expect(served).toBeLessThan(200);
    const other = await client(NVR, 'udp', '127.0.0.2');
    expect((await other.answer(other.request('OPTIONS').cseq)).status).toBe(200);
  });
});
