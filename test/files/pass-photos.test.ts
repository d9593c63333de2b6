/**
 * Pass photos end to end on a real box with the file service on: a simulated push face terminal
 * uploads a pass record with its recognition photo, the driver (child process) hands it to the
 * access core, and the photo lands in the file service: the record names it, the cloud event
 * carries its URL (`pictureUrl`), the URL serves the same bytes, and it is kept as long as the
 * pass records are. The box lists the service among its listeners (/healthz).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommittedPass } from '../../edge/access/passes/pass-recorder.js';
import { SimulatedPushTerminal } from '../../scripts/sim/face-push/terminal.js';
import { freePort, startBox, waitFor, type TestBox } from '../helpers/runtime.js';
import { http } from './helpers.js';

const PK = 'PEFacePush';
const DN = 'FACE-PHOTO-01';
const KEY = `${PK}/${DN}`;
let box: TestBox;
let term: SimulatedPushTerminal;
const passes: CommittedPass[] = [];

beforeAll(async () => {
  const port = await freePort();
  box = await startBox(`
files: { host: 127.0.0.1, port: 0, publicHost: 127.0.0.1 }
access: { records: { retentionDays: 30 } }
drivers:
  - name: Face_Push_PerAccess_Photo
    type: face-terminal-push
    config: { host: 127.0.0.1, port: ${port}, pathPrefix: /push, intervalsS: { heartbeat: 1, person: 1, open: 1, other: 1 } }
    devices:
      - { productKey: ${PK}, deviceName: ${DN}, custom: { deviceNo: FPHOTO1, ip: 127.0.0.1 } }
`);
  box.runtime.events.on('test', 'access.pass', (p) => void passes.push(p));
  term = new SimulatedPushTerminal({ deviceNo: 'FPHOTO1', platformUrl: `http://127.0.0.1:${port}/push`, retryMs: 200 });
}, 60_000);

afterAll(async () => {
  term?.stop();
  await box?.close();
});

describe('pass photos through the file service', () => {
  it('stores the photo of a pass in the file service and puts its URL in the record', async () => {
    const files = box.runtime.files;
    expect(files).toBeDefined();
    await term.start();
    await waitFor(() => box.runtime.registry.get(PK, DN)?.status === 'online', 10_000);
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('a pass photo, not a real JPEG')]);
    const before = Date.now();
    term.pass({ photo: photo.toString('base64') });
    expect(await term.flushRecords()).toBe(1);
    const pass = await waitFor(() => passes.find((p) => p.deviceKey === KEY));

    const record = box.runtime.access!.records.list({ deviceKey: KEY })[0]!;
    expect(record.photo).toMatch(/^oss\/pass\/\d{4}-\d\d-\d\d\/\d+-[0-9a-f]{10}\.jpg$/);
    const url = `http://127.0.0.1:${files!.port}/${record.photo}`;
    expect(pass.params).toMatchObject({ pictureId: record.photo, pictureUrl: url });
    const got = await http(url);
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toBe('image/jpeg');
    expect(got.body.equals(photo)).toBe(true);

    // Kept as long as the records (30 days here), not the upload default of 2 h.
    const row = files!.store.index.get(record.photo!.slice('oss/'.length))!;
    expect(row.expires_ms).toBeGreaterThanOrEqual(before + 30 * 86_400_000);
    expect(row.expires_ms).toBeLessThanOrEqual(Date.now() + 30 * 86_400_000);
    // The console reads it through the access core as before.
    expect(box.runtime.access!.records.photoExists(record.photo!)).toBe(true);
  }, 60_000);

  it('lists the file service among the box listeners with its bound port', () => {
    const listeners = box.runtime.health().listeners as { protocol: string; port: number; configPath: string }[];
    expect(listeners).toContainEqual(
      expect.objectContaining({
        protocol: 'http-files',
        port: box.runtime.files!.port,
        configPath: '/files/port',
        limits: expect.objectContaining({ requestTimeoutMs: 300_000, perSourceRequestsPerS: 50 }),
      }),
    );
  });

  it('removes a photo through the file service when record retention drops it', () => {
    const record = box.runtime.access!.records.list({ deviceKey: KEY })[0]!;
    const path = record.photo!.slice('oss/'.length);
    expect(box.runtime.files!.store.index.has(path)).toBe(true);
    box.runtime.access!.prune(Date.now() + 31 * 86_400_000);
    expect(box.runtime.files!.store.index.has(path)).toBe(false);
    expect(box.runtime.access!.records.photoExists(record.photo!)).toBe(false);
  });
});
