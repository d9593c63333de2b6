/**
 * The one route of a pass to the cloud, on real parts: a simulated door → the door driver in
 * its child process → the access core (record committed) → the cloud outbox → mosquitto → the
 * stand-in, and the platform's acknowledgement back onto the record. Allowed and refused passes
 * go up; a pass made during a broker outage goes up in the history form once the link is back;
 * a refused sync file reaches the cloud as DEVICE_SYNC_ERROR.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Post } from '../../scripts/sim/cloud/stand-in.js';
import { SimulatedDoor } from '../../scripts/sim/door-standard/door.js';
import { connectDoor, freePort, startBox, waitFor, type TestBox } from '../helpers/runtime.js';
import { cloudYaml, GATEWAY, startRig, type CloudRig } from './helpers.js';

const QR_DEV = { productKey: 'PEDoorQr', deviceName: 'SEAM-DOOR-01.2', deviceSecret: 'qr-secret-0123456789' };
const CARD_DEV = { productKey: 'PEDoorCard', deviceName: 'SEAM-DOOR-01.3', deviceSecret: 'card-secret-0123456789' };
const QR = 'ALI5466697328cff9121c21cf59dcec4'; // the seed's own test QR code (L34895)

interface PassAtCloud {
  passId: string;
  code: number;
  content: string;
  form: 'event' | 'history';
}

/** Pass events the stand-in received, realtime or in history form. */
function passesAtCloud(posts: Post[]): PassAtCloud[] {
  const out: PassAtCloud[] = [];
  for (const p of posts) {
    const params = p.body.params as Record<string, unknown>;
    if (p.kind === 'event:passEvent') {
      const v = params.value as { code: number; content: string; extInfo: string };
      out.push({ passId: (JSON.parse(v.extInfo) as { passId: string }).passId, code: v.code, content: v.content, form: 'event' });
    } else if (p.kind === 'history') {
      for (const e of params as unknown as Array<{
        events: Array<Record<string, { value: { code: number; content: string; extInfo: string } }>>;
      }>) {
        for (const ev of e.events) {
          const v = ev.passEvent?.value;
          if (v)
            out.push({ passId: (JSON.parse(v.extInfo) as { passId: string }).passId, code: v.code, content: v.content, form: 'history' });
        }
      }
    }
  }
  return out;
}

let rig: CloudRig;
let box: TestBox;
let door: SimulatedDoor;
const rows = () =>
  box.runtime.db.prepare('SELECT pass_id AS passId, content, code, uploaded FROM access_pass_records ORDER BY id').all() as Array<{
    passId: string;
    content: string;
    code: number;
    uploaded: number;
  }>;

beforeAll(async () => {
  rig = await startRig([QR_DEV, CARD_DEV]);
  const boxPort = await freePort();
  door = new SimulatedDoor({ sn: 'SEAM-DOOR-01', ip: '127.0.0.1', port: 0, edgeUrl: `http://127.0.0.1:${boxPort}`, keepaliveS: 10 });
  await door.start();
  const custom = `{ ip: 127.0.0.1, port: ${door.port} }`;
  box = await startBox(`
drivers:
  - name: Property_Door_PerAccess_Standard
    type: door-standard
    config: { host: 127.0.0.1, port: ${boxPort}, boxIp: 127.0.0.1, syncPollMs: 300 }
    devices:
      - { productKey: ${QR_DEV.productKey}, deviceName: ${QR_DEV.deviceName}, custom: ${custom} }
      - { productKey: ${CARD_DEV.productKey}, deviceName: ${CARD_DEV.deviceName}, custom: ${custom} }
${cloudYaml(rig.broker.url, { subDevices: [QR_DEV, CARD_DEV], dynamicRegister: false })}`);
  await connectDoor(door);
  await waitFor(() => box.runtime.cloud?.status().state === 'online', 20_000);
}, 90_000);

afterAll(async () => {
  await door?.stop();
  await box?.close();
  await rig?.close();
});

describe('pass records reach the cloud through the one outbox', () => {
  it('allowed and refused passes arrive once each with the id of their stored record, and are marked uploaded on acknowledgement', async () => {
    const valid = { startTime: String(Date.now() - 60_000), endTime: String(Date.now() + 3_600_000) };
    box.runtime.access!.applyPermissionText(
      `${QR_DEV.productKey}/${QR_DEV.deviceName}`,
      JSON.stringify({ qrCodePermissionList: [{ type: 1, qrCode: QR, ...valid, maxScanTimes: 10, maxScanScope: 'DEVICE' }] }),
    );
    // Cards are decided by the door: the box deploys them to it first.
    box.runtime.access!.applyPermissionText(
      `${CARD_DEV.productKey}/${CARD_DEV.deviceName}`,
      JSON.stringify({
        tradCardPermissionList: ['SEAM0001', 'SEAM0002'].map((cardId) => ({ type: 1, cardId, userId: 'u-seam', ...valid })),
      }),
    );
    await waitFor(() => door.state.cards.size === 2, 15_000);
    expect((await door.scanQr(QR)).code).toBe(0);
    expect((await door.scanQr('X'.repeat(32))).code).toBe(1); // refused on the box: reported too
    expect((await door.swipeCard('SEAM0001')).code).toBe(0); // decided by the door, recorded by the box
    const stored = rows();
    expect(stored.map((r) => [r.content, r.code])).toEqual([
      [QR, 0],
      ['X'.repeat(32), 103],
      ['SEAM0001', 0],
    ]);
    const atCloud = await waitFor(() => {
      const got = passesAtCloud(rig.cloud.posts);
      return got.length >= 3 ? got : undefined;
    });
    expect(atCloud.map((p) => [p.passId, p.code, p.content])).toEqual(stored.map((r) => [r.passId, r.code, r.content]));
    await waitFor(() => rows().every((r) => r.uploaded === 2), 10_000);
    // The driver reported no pass event of its own: nothing else went up for these doors.
    expect(rig.cloud.posts.filter((p) => p.device.startsWith('PEDoor') && p.kind !== 'event:passEvent' && p.kind !== 'property')).toEqual(
      [],
    );
  });

  it('a pass during a broker outage is stored at once and goes up in the history form when the link is back', async () => {
    await rig.broker.stop();
    await waitFor(() => box.runtime.cloud?.status().state !== 'online', 20_000);
    expect((await door.swipeCard('SEAM0002')).code).toBe(0);
    const row = rows().find((r) => r.content === 'SEAM0002')!;
    expect(row.uploaded).toBe(1); // queued in the outbox, not yet acknowledged
    await rig.broker.start();
    const got = await waitFor(() => passesAtCloud(rig.cloud.posts).find((p) => p.passId === row.passId), 30_000);
    expect(got.form).toBe('history');
    await waitFor(() => rows().find((r) => r.passId === row.passId)?.uploaded === 2, 10_000);
    expect(passesAtCloud(rig.cloud.posts).filter((p) => p.passId === row.passId).length).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('a refused permission file reaches the cloud as DEVICE_SYNC_ERROR on the gateway', async () => {
    const r = box.runtime.access!.applyPermissionText(`${CARD_DEV.productKey}/${CARD_DEV.deviceName}`, '{"not":"a permission file"');
    expect(r.SyncPicStatus).toBe(3);
    const post = await waitFor(() =>
      rig.cloud.posts.find((p) => p.device === `${GATEWAY.productKey}/${GATEWAY.deviceName}` && p.kind === 'event:BizDataPush'),
    );
    const value = (post.body.params as { value: Record<string, unknown> }).value;
    expect(value).toMatchObject({ bizType: 'DEVICE_SYNC_ERROR', bizIdType: 'IOT_ID', eventLevel: 'ERROR' });
    expect(JSON.parse(value.data as string)).toMatchObject({
      iotId: `${CARD_DEV.productKey}/${CARD_DEV.deviceName}`,
      result: 'PARSE_FAILED',
      code: 3,
    });
  });
});
