/**
 * The DC-09 receiver (protocols/sia-dc09/receiver.ts) over real TCP and UDP sockets on
 * 127.0.0.0/8, driven by the panel simulator (scripts/sim/dc09-panel): answers as DC-09 defines
 * them (no answer to a damaged frame, as its conformance annex C.2.3.5 asks), frames split and
 * batched on one connection, hostile input (garbage, a 5 MB line, unknown accounts and ids, wrong
 * keys, floods, unconfigured addresses) answered or dropped, never a crash.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  buildFrame,
  buildMessage,
  Dc09Receiver,
  parseKey,
  type Dc09Message,
  type PanelEvent,
  type ReceiverHandlers,
} from '../../protocols/sia-dc09/index.js';
import { waitFor } from '../helpers/wait.js';
import { panels } from './panels.js';

const KEY = parseKey('00112233445566778899AABBCCDDEEFF');
const taken: Array<{ m: Dc09Message; events: PanelEvent[]; source: string }> = [];
const refused: Array<{ source: string; reason: string }> = [];
let failNext = false;

const handlers: ReceiverHandlers = {
  acceptsSource: (s) => s !== '127.0.0.9',
  account: (a) => (a === '1234' ? {} : a === 'ABCD' ? { key: KEY } : undefined),
  async message(m, events, source) {
    if (failNext) {
      failNext = false;
      throw new Error('store down');
    }
    taken.push({ m, events, source });
  },
  refused: (source, reason) => void refused.push({ source, reason }),
};

let receiver: Dc09Receiver;
let tcpPort = 0;
let udpPort = 0;
const { panel, closeAll } = panels(() => ({ tcp: tcpPort, udp: udpPort }), '1234');

beforeAll(async () => {
  receiver = new Dc09Receiver(handlers, {
    host: '127.0.0.1',
    tcpPort: 0,
    udpPort: 0,
    perSourceFramesPerS: 50,
    perSourceBurst: 50,
    refusalLogIntervalMs: 60_000,
  });
  const a = await receiver.listen();
  tcpPort = a.tcp.port;
  udpPort = a.udp!.port;
});

afterEach(async () => {
  await closeAll();
  taken.length = 0;
});

afterAll(async () => {
  await receiver.close();
});

describe('listening', () => {
  it('releases its TCP port when its UDP port is taken', async () => {
    const other = new Dc09Receiver(handlers, { host: '127.0.0.1', tcpPort: 0, udpPort });
    await expect(other.listen()).rejects.toThrow(/EADDRINUSE/);
    expect(other.address()).toEqual({});
  });
});

describe('answers', () => {
  it('ACKs a Contact ID alarm over TCP, echoing sequence, receiver, prefix and account', async () => {
    const p = panel({ receiver: '12', prefix: '3' });
    const a = await p.cid(1, '130', '01', '015');
    expect(a).toMatchObject({ kind: 'ACK', seq: '0001', account: '1234' });
    expect(a.raw).toMatch(/"ACK"0001R12L3#1234\[\]\r$/);
    expect(taken[0]!.events).toMatchObject([{ code: '130', kind: 'alarm', zone: '015' }]);
    expect(taken[0]!.source).toBe('127.0.0.1');
  });

  it('ACKs over UDP, plain and encrypted', async () => {
    expect(await panel({ transport: 'udp' }).sia('Nri1/BA002')).toMatchObject({ kind: 'ACK' });
    const enc = await panel({ transport: 'udp', account: 'ABCD', key: KEY }).cid(3, '130', '01', '002');
    expect(enc).toMatchObject({ kind: 'ACK', encrypted: true });
    expect(enc.raw).toMatch(/"\*ACK"/);
    expect(taken.map((t) => t.events[0]!.kind)).toEqual(['alarm', 'restore']);
    const link = await panel({ account: 'ABCD', key: KEY }).linkTest(); // *NULL, over TCP
    expect(link).toMatchObject({ kind: 'ACK', encrypted: true });
    expect(taken.at(-1)!.m).toMatchObject({ id: 'NULL', encrypted: true, data: '' });
  });

  it('NAKs a timestamp outside +20/-40 s with its own time; the panel sets its clock and is taken', async () => {
    const p = panel({ timestamps: true, clockOffsetMs: -120_000 });
    const a = await p.linkTest();
    expect(a).toMatchObject({ kind: 'ACK', resent: true });
    expect(taken).toHaveLength(1);
    const ahead = panel({ account: 'ABCD', key: KEY, clockOffsetMs: 30_000 });
    expect(await ahead.sia('Nri1/BA001')).toMatchObject({ kind: 'ACK', resent: true });
  });

  it('DUHs an unknown account, an unknown id, a plain message for a keyed account and a wrong key', async () => {
    expect(await panel({ account: '9999' }).linkTest()).toMatchObject({ kind: 'DUH', account: '9999' });
    const p = panel();
    expect(await p.sendRaw(buildFrame('"FOO-BAR"0001L0#1234[]'))).toMatchObject({ kind: 'DUH' });
    expect(await panel({ account: 'ABCD' }).linkTest()).toMatchObject({ kind: 'DUH' });
    const wrong = panel({ account: 'ABCD', key: parseKey('FF'.repeat(16)) });
    expect((await wrong.exchange(wrong.frame('NULL', '0001', ''))).includes('"DUH"')).toBe(true);
    expect(await p.cid(1, '130', '01', '016').then(() => taken.length)).toBe(1); // the connection goes on
  });

  it('does not answer a frame with a bad CRC or a message the handler could not store: the panel sends again', async () => {
    const p = panel({ timeoutMs: 500 });
    const bad = p.frame('SIA-DCS', '0005', '#1234|Nri1/BA001').replace('BA001', 'BA009');
    await expect(p.sendRaw(bad)).rejects.toThrow(/no answer/);
    expect(refused.some((r) => r.reason === 'frame crc')).toBe(true);
    failNext = true;
    expect(await p.sia('Nri1/BA001')).toMatchObject({ kind: 'ACK', resent: true }); // unanswered, then sent again
    expect(taken).toHaveLength(1);
  });

  it('ACKs retransmissions (9995, 9996, 9995 again, 9997) without handing any over twice', async () => {
    const p = panel();
    const f = (seq: string) => p.frame('ADM-CID', seq, `#1234|1130 01 ${seq.slice(1)}`);
    for (const seq of ['9995', '9996', '9995', '9997', '9997']) expect(await p.sendRaw(f(seq))).toMatchObject({ kind: 'ACK', seq });
    expect(taken.map((t) => t.m.seq)).toEqual(['9995', '9996', '9997']);
  });
});

describe('TCP framing', () => {
  it('answers several frames in one write in order, and a frame split across writes once', async () => {
    const p = panel();
    const frames = ['0011', '0012', '0013'].map((seq) => p.frame('SIA-DCS', seq, `#1234|Nri1/BA${seq.slice(1)}`));
    const answers = Promise.all(frames.map(() => p.exchange('')));
    await p.write(frames.join(''));
    expect((await answers).map((a) => /"ACK"(\d{4})/.exec(a)![1])).toEqual(['0011', '0012', '0013']);
    const split = p.frame('ADM-CID', '0014', '#1234|3130 01 011');
    const one = p.exchange(split.slice(0, 7));
    await p.write(split.slice(7, 20));
    await p.write(split.slice(20));
    expect(await one).toMatch(/"ACK"0014/);
    expect(taken.map((t) => t.m.seq)).toEqual(['0011', '0012', '0013', '0014']);
  });

  it('drops garbage between frames and a 5 MB line without an answer, then serves the connection', async () => {
    const p = panel();
    expect(await p.sendRaw(`garbage\x00\xff${p.frame('NULL', '0001', '')}`)).toMatchObject({ kind: 'ACK' });
    await p.write(`\n${'A'.repeat(64 * 1024)}`);
    for (let i = 0; i < 80; i++) await p.write('A'.repeat(64 * 1024));
    // The one answer that comes is the next frame's: the 5 MB line got none.
    expect(await p.sendRaw(`\r${p.frame('NULL', '0002', '')}`)).toMatchObject({ kind: 'ACK', seq: '0002' });
    expect(p.connected).toBe(true);
  });
});

describe('hostile sources', () => {
  it('closes connections from an address that is not served, answers nothing over UDP, logs it once', async () => {
    const before = refused.filter((r) => r.reason === 'source').length;
    for (let i = 0; i < 3; i++) {
      const p = panel({ localAddress: '127.0.0.9', timeoutMs: 300 });
      await expect(p.linkTest()).rejects.toThrow();
      await waitFor(() => !p.connected, 2000);
    }
    const u = panel({ transport: 'udp', localAddress: '127.0.0.9', timeoutMs: 300 });
    await expect(u.linkTest()).rejects.toThrow(/no answer/);
    expect(refused.filter((r) => r.reason === 'source').length - before).toBe(1);
    expect(taken).toHaveLength(0);
  });

  it('leaves a flood past the per-address rate unanswered while another address is served', async () => {
    const flood = panel({ transport: 'udp', localAddress: '127.0.0.3', timeoutMs: 1000 });
    const answers = await Promise.all(
      Array.from({ length: 120 }, (_, i) => flood.sendRaw(flood.frame('NULL', String(i + 1).padStart(4, '0'), '')).catch(() => undefined)),
    );
    expect(answers.filter((a) => a === undefined).length).toBeGreaterThan(0);
    expect(answers.filter((a) => a?.kind === 'ACK').length).toBeGreaterThanOrEqual(50);
    expect(await panel({ localAddress: '127.0.0.4' }).linkTest()).toMatchObject({ kind: 'ACK' });
    expect(refused.filter((r) => r.reason === 'rate' && r.source === '127.0.0.3')).toHaveLength(1);
  });

  it('leaves UDP garbage and oversize datagrams unanswered and stays up', async () => {
    const u = panel({ transport: 'udp', timeoutMs: 300 });
    await expect(u.sendRaw('not a frame')).rejects.toThrow(/no answer/);
    await expect(u.sendRaw(Buffer.alloc(8000, 0x41))).rejects.toThrow(/no answer/);
    expect(await u.sendRaw(buildMessage({ id: 'NULL', seq: '0009', prefix: '0', account: '1234', data: '' }))).toMatchObject({
      kind: 'ACK',
    });
  });
});
