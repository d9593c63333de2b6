/**
 * Alarm pictures through the edge file service: a box with a `files:` section and the example
 * adapter driver; the simulated adapter reports a face alarm with its scene and target pictures,
 * the driver (in its child process) hands them to the file service (host service
 * `files.storePicture`), and the stored securityAlarmEvent carries their download URLs, which
 * serve the very bytes the adapter sent.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { SAMPLE_JPEG, SimulatedAdapter } from '../../scripts/sim/security-adapter/adapter.js';
import { freePort, startBox, waitFor, type TestBox } from '../helpers/runtime.js';

const EXAMPLE = resolve(import.meta.dirname, '..', '..', 'config', 'examples', 'security-adapters.yaml');
const IPC_KEY = 'PESecurityCamera/DEMO-IPC-01';

let box: TestBox;
let sim: SimulatedAdapter;
let filesPort: number;

beforeAll(async () => {
  const cfg = parse(readFileSync(EXAMPLE, 'utf8')) as { drivers: Array<{ config: { port: number } }> };
  const port = await freePort();
  filesPort = await freePort();
  cfg.drivers[0]!.config.port = port;
  box = await startBox(`${stringify({ drivers: cfg.drivers })}files: { host: 127.0.0.1, port: ${filesPort} }\n`);
  sim = new SimulatedAdapter({ ip: '127.0.0.1', port: 0, edgeUrl: `http://127.0.0.1:${port}`, manufacture: 'DH' });
  await sim.start();
}, 60_000);

afterAll(async () => {
  await sim?.stop();
  await box?.close();
});

describe('alarm pictures with the edge file service on', () => {
  it('stores the scene and target pictures in the file service and records their URLs', async () => {
    expect((await waitFor(() => sim.authenticate().catch(() => undefined), 20_000, 100)).body.code).toBe(200);
    const answer = await sim.reportAlarm({
      ip: '192.168.1.3',
      channel: 0,
      deviceType: 2,
      eventType: 1,
      eventStatus: 0,
      eventId: 'pic-1',
      eventTime: 1700000000,
      scenePicBase64: SAMPLE_JPEG,
      scenePicType: 'JPG',
      objectInfo: { objPicBase64: SAMPLE_JPEG, objPicType: 'JPG', objectExtInfo: { similarity: 0.8, groupId: '12', faceId: '7' } },
    });
    expect(answer.body).toEqual({ code: 200, message: 'success' });
    const alarm = await waitFor(() => box.runtime.security!.list({ deviceKey: IPC_KEY })[0], 10_000);
    const url = new RegExp(`^http://127\\.0\\.0\\.1:${filesPort}/oss/alarm/2023-11-14/\\d+-[0-9a-f]{10}\\.jpg$`);
    const scene = String(alarm.params.picSceneUrl);
    expect(scene).toMatch(url);
    const [object] = JSON.parse(String(alarm.params.objectInfo)) as Array<{ objPicUrl: string }>;
    expect(object!.objPicUrl).toMatch(url);
    expect(object!.objPicUrl).not.toBe(scene);
    for (const u of [scene, object!.objPicUrl]) {
      const res = await fetch(u);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).toString('base64')).toBe(SAMPLE_JPEG);
    }
  }, 40_000);
});
