/**
 * GB28181 cameras on a real box (issue 19, first part): the runtime started from
 * config/examples/cameras.yaml (ports made free), the gb28181-camera driver in its child process,
 * and sipp playing the NVR (test/gb28181/sipp/): digest REGISTER after the 401 challenge,
 * keepalives, the box's Catalog and DeviceInfo queries answered out of call with a three-page
 * catalog numbered from 33. The NVR and its ON channel come online, the OFF channel stays
 * offline, the unconfigured channel is held as discovered with its cloud name, and the NVR
 * goes offline after three missed keepalives once sipp stops. Hostile input on the real
 * listener (garbage, wrong password, unknown id; sipp's hostile.xml) is answered and
 * the box goes on. The NVR scenario runs over UDP and over TCP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { freePort, startBox, waitFor, type TestBox } from '../helpers/runtime.js';
import { SipClient } from './client.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const EXAMPLE = join(ROOT, 'config', 'examples', 'cameras.yaml');
const SIPP = join(import.meta.dirname, 'sipp');
const NVR = { productKey: 'PEGbNvr', deviceName: 'YPLXJ-000118' };
const CH1 = { productKey: 'PEGbCamera', deviceName: 'YPLXJ-000118_1_EastGate' };
const CH2 = { productKey: 'PEGbCamera', deviceName: 'YPLXJ-000118_2_NorthGate' };
const CAM = { productKey: 'PEGbCamera', deviceName: 'SXJ-001274' };

let box: TestBox;
let sipPort = 0;
const sipps: Array<{ child: ChildProcess; exit: Promise<number | null> }> = [];
const clients: SipClient[] = [];

const dev = (d: { productKey: string; deviceName: string }) => box.runtime.registry.get(d.productKey, d.deviceName);
const status = (d: { productKey: string; deviceName: string }) => dev(d)?.status;
const discoveredFile = () => join(box.dir, 'drivers', 'GB28181_Cameras_SecSystem', 'discovered.json');
const discovered = () =>
  existsSync(discoveredFile()) ? (JSON.parse(readFileSync(discoveredFile(), 'utf8')) as Array<Record<string, unknown>>) : [];

beforeAll(async () => {
  const cfg = parse(readFileSync(EXAMPLE, 'utf8')) as { drivers: Array<{ config: Record<string, unknown> }> };
  sipPort = await freePort();
  Object.assign(cfg.drivers[0]!.config, { sipPort, sipUdpPort: sipPort });
  box = await startBox(stringify({ drivers: cfg.drivers }));
}, 60_000);

afterAll(async () => {
  for (const s of sipps) if (s.child.exitCode === null) s.child.kill('SIGKILL');
  await Promise.all(sipps.map((s) => s.exit));
  await Promise.all(clients.map((c) => c.close()));
  await box?.close();
});

/** sipp on `scenario` against the box (`-t t1`: TCP), from a free local port; its exit code and last output. */
async function runSipp(transport: 'udp' | 'tcp', scenario: string, ooc?: string) {
  const localPort = await freePort();
  const args = [`127.0.0.1:${sipPort}`, '-sf', join(SIPP, scenario), ...(ooc ? ['-oocsf', join(SIPP, ooc)] : [])];
  args.push(
    '-i',
    '127.0.0.1',
    '-p',
    String(localPort),
    '-m',
    '1',
    '-nostdin',
    '-timeout',
    '30s',
    ...(transport === 'tcp' ? ['-t', 't1'] : []),
  );
  const child = spawn('/usr/bin/sipp', args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: box.dir });
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  sipps.push({ child, exit });
  return { exit, out: () => out, running: () => child.exitCode === null };
}

async function client(id: string, transport: 'udp' | 'tcp' = 'udp'): Promise<SipClient> {
  const c = await new SipClient(id, sipPort).open(transport);
  clients.push(c);
  return c;
}

describe('config/examples/cameras.yaml on a real box, sipp as the NVR', () => {
  it.each(['udp', 'tcp'] as const)(
    'registers the NVR over %s with digest auth, takes its paged catalog and drops it after the missed keepalives',
    async (transport) => {
      // The driver's SIP server opens once its child process runs.
      const probe = await client('34020000001180000001');
      await waitFor(async () => probe.answer(probe.request('OPTIONS').cseq).catch(() => undefined), 20_000, 200);
      const sipp = await runSipp(transport, 'nvr-register.xml', 'answer-queries.xml');

      await waitFor(() => status(NVR) === 'online', { timeoutMs: 10_000, explain: () => sipp.out().slice(-500) });
      await waitFor(() => status(CH1) === 'online', 10_000);
      expect(status(CH2)).toBe('offline'); // the catalog says OFF
      expect(status(CAM)).toBe('offline'); // never registered
      // Property reports are batched by the driver SDK: the list may land a moment after the channel's status.
      const channelList = (): unknown[] => JSON.parse(String(dev(NVR)?.shadow.get('ChannelList')?.value ?? '[]')) as unknown[];
      const list = await waitFor(() => (channelList().length === 3 ? channelList() : undefined), 10_000);
      expect(list).toEqual([
        { gbId: '34020000001310000033', channel: 1, name: 'YPLXJ-000118_1_东门', status: 'ON' },
        { gbId: '34020000001310000034', channel: 2, name: 'YPLXJ-000118_2_北门', status: 'OFF' },
        { gbId: '34020000001310000035', channel: 3, name: 'YPLXJ-000118_3_西门', status: 'ON' },
      ]);
      await waitFor(() => discovered().find((d) => d.gbId === '34020000001310000035'), 5000);
      expect(discovered()).toMatchObject([{ kind: 'channel', parent: '34020000001180000001', suggestedName: 'YPLXJ-000118_3_西门' }]);
      await waitFor(() => dev(NVR)?.shadow.get('Manufacturer')?.value === 'SIPp', 10_000); // DeviceInfo
      // The service asks again while sipp runs: a channel answers through its NVR.
      expect(sipp.running()).toBe(true);
      const t0 = Date.now();
      const again = await box.runtime.host.callService(CH1.productKey, CH1.deviceName, 'queryCatalog', {}, 15_000);
      expect(again, `after ${Date.now() - t0} ms, sipp running: ${sipp.running()}`).toMatchObject({ code: 200, data: { count: 3 } });

      expect(await sipp.exit).toBe(0); // five keepalives, then sipp ends
      await waitFor(() => status(NVR) === 'offline', 8000);
      await waitFor(() => status(CH1) === 'offline', 2000);
    },
    60_000,
  );

  it('answers malformed messages as sipp sends them: garbage dropped, a missing Via 400, a 60 KB body 413, then OPTIONS 200', async () => {
    const sipp = await runSipp('udp', 'malformed.xml');
    expect(await sipp.exit, sipp.out().slice(-800)).toBe(0);
  }, 30_000);

  it('answers hostile input on the real listener and goes on: garbage, wrong password, unknown id', async () => {
    // UDP only: over TCP the unreadable Content-Length of its first step ends the stream (the box answers 400 and closes).
    const sipp = await runSipp('udp', 'hostile.xml');
    expect(await sipp.exit, sipp.out().slice(-800)).toBe(0); // each step got the status hostile.xml expects
    const c = await client('34020000001320000001', 'tcp');
    c.raw(Buffer.from('\x00\x01 not SIP at all\r\n\r\n'));
    const g = await client('34020000001320000001');
    g.raw(Buffer.alloc(65_000, 0x41));
    expect((await g.register('12345678')).status).toBe(403); // the camera has its own password
    expect((await g.register('cam-001274')).status).toBe(200);
    await waitFor(() => status(CAM) === 'online', 5000);
    const stranger = await client('34020000001320000077');
    expect((await stranger.register('12345678')).status).toBe(403);
    await waitFor(() => discovered().find((d) => d.gbId === '34020000001320000077' && d.kind === 'device'), 5000);
    expect(status(CAM)).toBe('online');
    expect((await g.register('cam-001274', 0)).status).toBe(200);
    await waitFor(() => status(CAM) === 'offline', 5000);
  }, 30_000);
});
