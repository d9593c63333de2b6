/**
 * The DC-09 panel simulator (scripts/sim/dc09-panel) against the codec vectors
 * (codec.test.ts), and its CLI as an installer runs it (`npm run sim -- dc09-panel`, from dist/:
 * `npm run build` first) reporting to a receiver.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dc09Receiver, decryptBody, parseFrame, parseKey, type PanelEvent } from '../../protocols/sia-dc09/index.js';
import { SimulatedPanel } from '../../scripts/sim/dc09-panel/panel.js';
import { waitFor } from '../helpers/wait.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const KEY_HEX = '000102030405060708090A0B0C0D0E0F';
const events: PanelEvent[][] = [];
let receiver: Dc09Receiver;
let port = 0;
let udpPort = 0;

beforeAll(async () => {
  receiver = new Dc09Receiver(
    {
      acceptsSource: () => true,
      account: (a) => (a === '1234' ? {} : a === '5678' ? { key: parseKey(KEY_HEX) } : undefined),
      message: async (_m, e) => void events.push(e),
      refused: () => undefined,
    },
    { host: '127.0.0.1', tcpPort: 0, udpPort: 0 },
  );
  const a = await receiver.listen();
  port = a.tcp.port;
  udpPort = a.udp!.port;
});

afterAll(async () => {
  await receiver.close();
});

describe('the panel simulator', () => {
  it('builds the vector frames byte for byte, and numbers messages 0001-9999 then 0001', () => {
    const p = new SimulatedPanel({ host: '127.0.0.1', port: 1, transport: 'tcp', account: '1234' });
    expect(p.frame('ADM-CID', '0002', '#1234|1130 01 015')).toBe('\n79B80027"ADM-CID"0002L0#1234[#1234|1130 01 015]\r');
    expect(p.frame('NULL', '0003', '')).toBe('\n11020013"NULL"0003L0#1234[]\r');
    const r = new SimulatedPanel({ host: '127.0.0.1', port: 1, transport: 'tcp', account: '1234', receiver: '1' });
    expect(r.frame('SIA-DCS', '0007', '#1234|Nri1/BA001')).toBe('\nF6A50028"SIA-DCS"0007R1L0#1234[#1234|Nri1/BA001]\r');
    expect([r.nextSeq(), r.nextSeq()]).toEqual(['0001', '0002']);
    for (let i = 2; i < 9999; i++) r.nextSeq();
    expect(r.nextSeq()).toBe('0001');
  });

  it('encrypts with its key: whole blocks, pad and bar, the data and its timestamp', () => {
    const p = new SimulatedPanel({ host: '127.0.0.1', port: 1, transport: 'tcp', account: '5678', key: parseKey(KEY_HEX) });
    const h = parseFrame(p.frame('SIA-DCS', '0001', '#5678|Nri1/BA001'));
    expect(h).toMatchObject({ id: 'SIA-DCS', encrypted: true, account: '5678' });
    expect(decryptBody(parseKey(KEY_HEX), h.rest)).toMatch(/^#5678\|Nri1\/BA001\]_\d\d:\d\d:\d\d,\d\d-\d\d-\d{4}$/);
  });

  it('runs as `npm run sim -- dc09-panel`, reporting an alarm and a restore, plain over TCP and encrypted over UDP', async () => {
    for (const args of [
      ['--port', String(port), '--account', '1234'],
      ['--port', String(udpPort), '--account', '5678', '--udp', '--key', KEY_HEX],
    ]) {
      const child = spawn(process.execPath, [resolve(ROOT, 'scripts/sim/run.mjs'), 'dc09-panel', ...args], {
        cwd: ROOT,
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      const lines: Array<Record<string, { kind?: string }>> = [];
      createInterface({ input: child.stdout! }).on('line', (l) => lines.push(JSON.parse(l) as Record<string, { kind?: string }>));
      const exited = new Promise((r) => child.on('exit', r));
      try {
        await waitFor(() => lines.some((l) => l.null?.kind === 'ACK'), 20_000);
        child.stdin!.write('alarm 2\nrestore 2\n');
        await waitFor(() => lines.some((l) => l.restore?.kind === 'ACK'), 10_000);
        expect(lines.find((l) => l.alarm)!.alarm!.kind).toBe('ACK');
        child.stdin!.write('quit\n');
        await exited;
      } finally {
        child.kill();
      }
    }
    expect(events.flat().map((e) => [e.code, e.kind, e.zone])).toEqual([
      ['130', 'alarm', '002'],
      ['130', 'restore', '002'],
      ['130', 'alarm', '002'],
      ['130', 'restore', '002'],
    ]);
  }, 60_000);
});
