/**
 * The cloud camera API (digest 001d §3.D, R33) the way the cloud calls it: Alink service requests
 * on `/sys/<pk>/<dn>/thing/service/<id>` through the box's bus, checked against the thing models
 * (config/tsl/PEGbCamera.json, PEOnvifCamera.json) and answered on `_reply`. A real box runs the
 * gb28181-camera driver with the GB28181 simulator as its camera and the onvif-camera driver with
 * the ONVIF simulator: live push per streamType with scheme hls and forceIFrame (the IFameCmd
 * reaches the camera), the encrypted option refused, recordings listed and played back by file
 * name from seekTime, the playback paused with MANSRTSP, the push stopped; the ONVIF camera
 * pushes its RTSP stream with the same call.
 */
import { existsSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerMedia, type MediaRecord } from '../../scripts/sim/gb28181/answer-media.js';
import type { SimGbDevice } from '../../scripts/sim/gb28181/device.js';
import { OnvifCameraSim } from '../../scripts/sim/onvif/camera.js';
import { simCamera } from './sim-camera.js';
import { freePort, startBox, waitFor, type TestBox } from '../helpers/runtime.js';

const GB = { productKey: 'PEGbCamera', deviceName: 'SXJ-001274' };
const ONVIF = { productKey: 'PEOnvifCamera', deviceName: 'SXJ-002001' };
const CAM_ID = '34020000001320000001';
const PASSWORD = 'box-pass-1';

let box: TestBox;
let client: MqttClient;
let sim: SimGbDevice;
let rec: MediaRecord;
let onvif: OnvifCameraSim;
const replies: Array<{ topic: string; body: { id: string; code: number; data?: Record<string, unknown>; message?: string } }> = [];
let nextId = 1;

/** One service call as the cloud sends it; the reply. */
async function invoke(d: { productKey: string; deviceName: string }, service: string, params: Record<string, unknown>) {
  const id = `cloud-${nextId++}`;
  const base = `/sys/${d.productKey}/${d.deviceName}/thing/service/${service}`;
  client.publish(base, JSON.stringify({ id, version: '1.0', params, method: `thing.service.${service}` }));
  const r = await waitFor(() => replies.find((m) => m.topic === `${base}_reply` && m.body.id === id), { timeoutMs: 30_000, what: service });
  return r.body;
}

beforeAll(async () => {
  const sipPort = await freePort();
  onvif = new OnvifCameraSim({ discoveryPort: null, rtspAuth: true, pullHoldMs: 300 });
  await onvif.start();
  box = await startBox(`
drivers:
  - name: GB28181_Cameras_SecSystem
    type: gb28181-camera
    config: { sipIp: 127.0.0.1, sipPort: ${sipPort}, sipUdpPort: ${sipPort}, password: ${PASSWORD}, media: { mediaIp: 127.0.0.1 } }
    devices:
      - { productKey: PEGbCamera, deviceName: ${GB.deviceName}, custom: { gbId: "${CAM_ID}" } }
  - name: ONVIF_Cameras_SecSystem
    type: onvif-camera
    config: { events: false }
    devices:
      - { productKey: PEOnvifCamera, deviceName: ${ONVIF.deviceName}, alias: 东门摄像机, custom: { ip: 127.0.0.1, port: ${onvif.httpPort}, username: admin, password: admin123 } }
`);
  sim = simCamera(CAM_ID, PASSWORD, sipPort);
  rec = answerMedia(sim, { width: 160, height: 120 });
  await sim.start();
  const user = box.busApp();
  client = await mqtt.connectAsync(`mqtt://127.0.0.1:${box.runtime.busPort}`, { ...user, reconnectPeriod: 0 });
  client.on('message', (topic, payload) =>
    replies.push({ topic, body: JSON.parse(payload.toString()) as (typeof replies)[number]['body'] }),
  );
  await client.subscribeAsync(['/sys/#']);
  expect(await sim.register()).toBe(200);
  const online = (d: typeof GB) => box.runtime.registry.get(d.productKey, d.deviceName)?.status === 'online';
  await waitFor(() => online(GB) && online(ONVIF), { timeoutMs: 20_000, what: 'both cameras online' });
}, 90_000);

afterAll(async () => {
  await client?.endAsync();
  await box?.close();
  for (const m of rec?.sessions.values() ?? []) m.stop();
  await Promise.all([...(rec?.sessions.values() ?? [])].map((m) => m.ended));
  await sim?.stop();
  await onvif?.close();
});

describe('the cloud camera API over Alink', () => {
  it('live push per streamType with scheme hls and forceIFrame; encrypted refused; stopped', async () => {
    const refused = await invoke(GB, 'startLivePush', { streamType: 0, scheme: 'hls', encrypted: true, encryptType: 0 });
    expect(refused.code).not.toBe(200);
    expect(refused.message).toContain('encrypted');
    const a = await invoke(GB, 'startLivePush', { streamType: 0, scheme: 'hls', forceIFrame: true });
    expect(a).toMatchObject({ code: 200, data: { path: expect.stringMatching(/SXJ-001274_live\/index\.m3u8$/) } });
    await waitFor(() => sim.controls.some((c) => 'IFameCmd' in c.command), { timeoutMs: 5000, what: 'IFameCmd' });
    await waitFor(() => existsSync(String(a.data?.path)), { timeoutMs: 20_000, what: 'HLS playlist' });
    expect(await invoke(GB, 'stopLivePush', { streamType: 0 })).toMatchObject({ code: 200, data: { stopped: true } });
  }, 60_000);

  it('recordings listed, played back by file name from seekTime, paused; unknown parameters refused by the thing model', async () => {
    const now = Date.now();
    const listed = await invoke(GB, 'queryRecordings', { startTime: now - 3 * 3600_000, endTime: now });
    expect(listed.code).toBe(200);
    const first = (listed.data as { records: Array<{ name: string; startTime: string }> }).records[0]!;
    const a = await invoke(GB, 'startPlayback', { fileName: first.name, seekTime: 30, scheme: 'hls', recordType: 0 });
    expect(a).toMatchObject({ code: 200, data: { vodUrl: expect.stringMatching(/index\.m3u8$/) } });
    expect(rec.invites.at(-1)?.sdp).toContain(`t=${Number(first.startTime) / 1000 + 30} `);
    expect(await invoke(GB, 'playbackControl', { action: 'pause' })).toMatchObject({ code: 200 });
    expect(rec.infos.at(-1)?.body).toMatch(/^PAUSE RTSP\/1\.0\r\n/);
    expect((await invoke(GB, 'startLivePush', { streamType: 9, scheme: 'hls' })).code).not.toBe(200);
  }, 60_000);

  it('the ONVIF camera answers the same live push call with its RTSP stream relayed', async () => {
    const a = await invoke(ONVIF, 'startLivePush', { streamType: 0, scheme: 'hls', forceIFrame: true });
    expect(a).toMatchObject({ code: 200, data: { path: expect.stringMatching(/SXJ-002001_live\/index\.m3u8$/) } });
    expect(onvif.rtsp!.playing).toBe(1);
    expect(await invoke(ONVIF, 'stopLivePush', { streamType: 0 })).toMatchObject({ code: 200, data: { stopped: true } });
  }, 60_000);
});
