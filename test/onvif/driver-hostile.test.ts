/**
 * The onvif-camera driver (drivers/onvif-camera/) against cameras that refuse or misbehave, over
 * loopback: a wrong password goes offline once with a clear reason; hostile cameras (garbage
 * SOAP, a 1 MB answer, an endless one, one that never answers) leave the driver answering.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OnvifCameraDriver } from '../../drivers/onvif-camera/index.js';
import { OnvifCameraSim } from '../../scripts/sim/onvif/camera.js';
import { observeFor, waitFor } from '../helpers/wait.js';
import { CAM, handle, last, logs, type Recorded, testDriver } from './driver-harness.js';

let sim: OnvifCameraSim;
let other: OnvifCameraSim;
let driver: OnvifCameraDriver;
const hostile: Server[] = [];
const held = new Set<Socket>();
const ports: Record<'garbage' | 'big' | 'hang' | 'endless', number> = { garbage: 0, big: 0, hang: 0, endless: 0 };

async function serve(name: keyof typeof ports, answer: (res: import('node:http').ServerResponse) => void) {
  const s = createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(res));
  });
  s.on('connection', (c: Socket) => {
    held.add(c);
    c.on('close', () => held.delete(c));
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  hostile.push(s);
  ports[name] = (s.address() as AddressInfo).port;
}

beforeAll(async () => {
  sim = new OnvifCameraSim({ pullHoldMs: 300, rtspPort: null });
  other = new OnvifCameraSim({ pullHoldMs: 300, rtspPort: null, discoveryPort: null, password: 'right-one' });
  await Promise.all([sim.start(), other.start()]);
  await serve('garbage', (res) => res.writeHead(200, { 'content-type': 'application/soap+xml' }).end('<s:Envelope><s:Body><<<garbage'));
  await serve('big', (res) =>
    res.writeHead(200, { 'content-type': 'application/soap+xml' }).end(`<Envelope><Body>${'<a>x</a>'.repeat(131_072)}</Body></Envelope>`),
  );
  await serve('hang', () => undefined);
  // An answer without end, written as fast as the driver reads it.
  await serve('endless', (res) => {
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    res.writeHead(200, { 'content-type': 'application/soap+xml' });
    const pump = () => {
      while (!res.destroyed && res.write(chunk));
    };
    res.on('drain', pump);
    pump();
  });
  driver = testDriver(sim.discoveryPort);
  // The good camera, which must stay served while the hostile ones misbehave.
  cam = CAM(sim.httpPort);
  await driver.addDevice(cam);
  await waitFor(() => last(cam) === 'online', { timeoutMs: 10_000, what: 'camera online' });
});

afterAll(async () => {
  await driver?.stop?.(false);
  for (const c of held) c.destroy();
  await Promise.all(hostile.map((s) => new Promise((r) => s.close(r))));
  await Promise.all([sim?.close(), other?.close()]);
});

let cam: Recorded;

describe('onvif-camera driver: refusals and hostile cameras', () => {
  it('goes offline once with a clear reason on a wrong password, however often it retries', async () => {
    const wrong = handle('SXJ-WRONG', { ip: '127.0.0.1', port: other.httpPort, username: 'admin', password: 'admin123' });
    await driver.addDevice(wrong);
    await waitFor(() => other.requests.filter((r) => r.action === 'GetServices').length >= 4, { timeoutMs: 10_000, what: 'four attempts' });
    expect(wrong.status).toEqual(['offline']);
    expect(wrong.reasons[0]).toMatch(/refused user admin: wrong user name or password/);
    expect(logs.filter((l) => l.device === 'SXJ-WRONG' && l.msg?.toString().startsWith('camera offline'))).toHaveLength(1);
    expect(JSON.stringify(logs)).not.toContain('admin123');
    await driver.removeDevice(wrong);
  });

  it('survives garbage SOAP, a 1 MB answer, an endless answer and a camera that never answers, and stops promptly', async () => {
    const hs = (['garbage', 'big', 'hang', 'endless'] as const).map((k) =>
      handle(`SXJ-${k}`, { ip: '127.0.0.1', port: ports[k], username: 'admin', password: 'admin123' }),
    );
    for (const h of hs) await driver.addDevice(h);
    await waitFor(() => hs.every((h) => last(h) === 'offline'), { timeoutMs: 10_000, what: 'all four offline' });
    expect(hs.map((h) => h.reasons[0])).toEqual([
      "the camera's answer is not usable ONVIF: GetSystemDateAndTime: Wrong ONVIF SOAP response",
      expect.stringMatching(/^the camera's answer is not usable ONVIF: GetSystemDateAndTime: /),
      expect.stringMatching(/^the camera does not answer: GetSystemDateAndTime: .*(no answer|timeout)/i),
      expect.stringMatching(/^the camera's answer is not usable ONVIF: GetSystemDateAndTime: .*larger than 4194304 bytes/),
    ]);
    // The good camera is still served meanwhile.
    expect(await driver.callService(cam, 'getStreamUri', {})).toMatchObject({ code: 200 });
    await observeFor(300);
    expect(hs.map((h) => h.status.filter((s) => s === 'offline').length)).toEqual([1, 1, 1, 1]);
    const t0 = performance.now();
    for (const h of hs) await driver.removeDevice(h);
    expect(performance.now() - t0).toBeLessThan(1000);
  }, 20_000);

  it('does not poll a camera in a tight loop when it answers empty pulls at once', async () => {
    const quick = new OnvifCameraSim({ pullHoldMs: 0, rtspPort: null, discoveryPort: null });
    await quick.start();
    const h = handle('SXJ-QUICK', { ip: '127.0.0.1', port: quick.httpPort, username: 'admin', password: 'admin123' });
    try {
      await driver.addDevice(h);
      await waitFor(() => quick.subscriptions > 0, { timeoutMs: 10_000, what: 'subscription' });
      const pulls = () => quick.requests.filter((r) => r.action === 'PullMessages').length;
      const before = pulls();
      await observeFor(2000);
      expect(pulls() - before).toBeLessThanOrEqual(3);
      quick.motion(true);
      await waitFor(() => h.events.length > 0, { timeoutMs: 5000, what: 'motion after paced pulls' });
    } finally {
      await driver.removeDevice(h);
      await quick.close();
    }
  }, 20_000);
});
