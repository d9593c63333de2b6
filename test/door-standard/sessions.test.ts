/** The door-standard driver on a harness box: connect, keepalive, tokens and reconnects. */
import { describe, expect, it } from 'vitest';
import { computeSign, postJson } from '../../protocols/door-standard/index.js';
import { waitFor } from '../helpers/runtime.js';
import { useHarness } from './harness.js';

const hx = useHarness({}, { faceAlgo: true });

describe('door-standard driver: sessions', () => {
  it('completes the two-way connect, issues tokens ≤64 bytes and brings the logical devices online', async () => {
    const door = await hx().addDoor('DOOR-0001', '127.0.0.2');
    expect(hx().h('DOOR-0001.2').isOnline).toBe(false);
    const reply = await door.connect();
    expect(reply.code).toBe(0);
    expect(Buffer.byteLength(door.edge.token!)).toBeLessThanOrEqual(64);
    await door.waitEdgeConnected();
    await waitFor(() => hx().h('DOOR-0001.1').isOnline && hx().h('DOOR-0001.5').isOnline);
    expect(hx().driver.terminals.get('127.0.0.2')!.state).toBe('online');
    expect((await door.edge.keepalive()).code).toBe(0);
  });

  it('answers 4 to unknown, replayed and superseded tokens; the door reconnects on 4', async () => {
    const door = await hx().addDoor('DOOR-0002', '127.0.0.3');
    await door.connect();
    const old = door.edge.token!;
    await door.connect();
    expect(door.edge.token).not.toBe(old);
    const replay = await postJson(`${hx().edgeUrl}/keepalive`, { token: old }, { timeoutMs: 3000, localAddress: '127.0.0.3' });
    expect(replay.code).toBe(4);
    expect((await postJson(`${hx().edgeUrl}/qrcode`, { token: 'forged', qrCode: 'A'.repeat(32) }, { timeoutMs: 3000 })).code).toBe(4);
    door.edge.token = 'bogus';
    expect((await door.keepalive()).code).toBe(0); // keepalive got 4, reconnected
    expect((await door.edge.keepalive()).code).toBe(0);
  });

  it('refuses a wrong sign (6), an unconfigured ip (7), a spoofed ip (7) and bad fields (5)', async () => {
    await hx().addDoor('DOOR-0003', '127.0.0.4');
    const f = { time: Math.floor(Date.now() / 1000), mac: '02-00-7F-00-00-04', sn: 'DOOR-0003', ip: '127.0.0.4' };
    const base = { ...f, keepalive: 30, signMethod: 'md5' };
    const send = (body: object, from = '127.0.0.4') => postJson(`${hx().edgeUrl}/connect`, body, { timeoutMs: 3000, localAddress: from });
    expect((await send({ ...base, sign: computeSign('md5', { ...f, sn: 'other' }) })).code).toBe(6);
    expect((await send({ ...base, ip: '127.0.0.99', sign: computeSign('md5', { ...f, ip: '127.0.0.99' }) }, '127.0.0.99')).code).toBe(7);
    expect((await send({ ...base, sign: computeSign('md5', f) }, '127.0.0.5')).code).toBe(7);
    expect((await send({ ...base, keepalive: 5, sign: computeSign('md5', f) })).code).toBe(5);
    expect((await send({ ...base, signMethod: 'crc32', sign: computeSign('md5', f) })).code).toBe(5);
    expect((await send({ ...base, signMethod: 'SHA-256', sign: computeSign('sha256', f) })).code).toBe(0);
  });

  it('goes offline when the door stops sending keep-alives, revokes its token, and resyncs on reconnect', async () => {
    const door = await hx().addDoor('DOOR-0004', '127.0.0.6');
    await door.connect();
    await door.waitEdgeConnected();
    const t = hx().driver.terminals.get('127.0.0.6')!;
    await waitFor(() => t.state === 'online');
    t.lastSeen = Date.now() - 31_000; // 3 × 10 s keep-alive periods without a request
    await t.checkLiveness();
    expect(t.state).toBe('offline');
    expect(hx().h('DOOR-0004.3').isOnline).toBe(false);
    expect((await door.edge.keepalive()).code).toBe(4);
    expect((await door.keepalive()).code).toBe(0); // reconnected
    await waitFor(() => t.state === 'online');
  });
});
