/**
 * Reports into the camera's cloud records through the driver: the seed's face example as
 * securityAlarmEvent v1.2 (every field's name, type and format), pictures stored in the driver's
 * folder, the multi-target merge of reports with the same eventId and eventTime, captures as
 * securityCapture, and a store failure answered 810 so the adapter sends again.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toSecurityAlarmEvent } from '../../drivers/security-adapter/event-map.js';
import { checkAlarmEvent } from '../../protocols/edge-security-event/index.js';
import { SAMPLE_JPEG, type SimulatedAdapter } from '../../scripts/sim/security-adapter/adapter.js';
import { faceReport, startRig, type Rig } from './harness.js';

let rig: Rig;
let sim: SimulatedAdapter;

beforeAll(async () => {
  rig = await startRig({ mergeWindowMs: 300 });
  sim = await rig.adapter();
  expect((await sim.authenticate()).body.code).toBe(200);
});
afterAll(async () => {
  await rig?.close();
});

const local = (ref: unknown): string => join(rig.dir, String(ref).replace(/^local:/, ''));

describe('reportAlarmEvent → securityAlarmEvent v1.2', () => {
  it("maps the seed's face example field by field, pictures stored behind URLs", async () => {
    const r = await sim.reportAlarm(faceReport({}, SAMPLE_JPEG));
    expect(r.body).toEqual({ code: 200, message: 'success' });
    expect(rig.records).toHaveLength(1);
    const rec = rig.records[0]!;
    expect(rec.deviceKey).toBe('PESecurityCamera/IPC-01');
    expect(rec.eventId).toBe('securityAlarmEvent');
    expect(rec.time).toBe(1631798285_000);
    const p = rec.params;
    expect(p).toMatchObject({
      productKey: 'PESecurityCamera',
      deviceName: 'IPC-01',
      eventType: '1',
      eventTime: '2021-09-16 21:18:05', // 13:18:05 UTC in UTC+8
      eventId: '123',
      eventStatus: '0',
      confidence: 240,
    });
    expect(p.picSceneUrl).toMatch(/^local:pictures\/2021-09-16\/123-scene-[0-9a-f]{8}\.jpg$/);
    expect(readFileSync(local(p.picSceneUrl)).toString('base64')).toBe(SAMPLE_JPEG);
    const objects = JSON.parse(String(p.objectInfo)) as Array<Record<string, unknown>>;
    expect(objects).toHaveLength(1);
    expect(objects[0]).toEqual({
      objPicUrl: expect.stringMatching(/^local:pictures\/2021-09-16\/123-object-/),
      leftTopY: 100,
      rightBottomX: '400',
      rightBottomY: '400',
      objectExtInfo: expect.any(String),
    });
    expect(existsSync(local(objects[0]!.objPicUrl))).toBe(true);
    const ext = JSON.parse(String(p.extInfo)) as Record<string, unknown>;
    expect(ext).toEqual({
      similarity: 0.65,
      groupId: '12',
      faceId: '1',
      gender: 1,
      glass: 1,
      mask: 0,
      pitch: 15,
      yow: 15,
      roll: 15,
      faceQuality: 95,
      facePicUrl: expect.stringMatching(/^local:pictures\/2021-09-16\/123-face-/),
    });
    expect(JSON.parse(String(objects[0]!.objectExtInfo))).toEqual(ext);
    expect(JSON.stringify(p)).not.toContain(SAMPLE_JPEG);
  });

  it('writes "other" as 0xFF, the model spelling letfTopX, and types 9-13 as their numbers', () => {
    const cam = { productKey: 'PESecurityCamera', deviceName: 'X' };
    const other = checkAlarmEvent({ ip: '10.0.0.1', deviceType: 2, eventType: 100, eventTime: 1, eventId: 'e', extInfo: { note: 'n' } });
    expect(toSecurityAlarmEvent(cam, [{ report: other, target: {} }], 0)).toEqual({
      productKey: 'PESecurityCamera',
      deviceName: 'X',
      eventType: '0xFF',
      eventTime: '1970-01-01 00:00:01',
      eventId: 'e',
      extInfo: '{"note":"n"}',
    });
    const intrusion = checkAlarmEvent({
      ...faceReport({ eventType: 2 }),
      objectInfo: { objPicBase64: 'AAAA', objPicType: 'png', letfTopX: 0, objectExtInfo: { targetType: 100 } },
    });
    const p = toSecurityAlarmEvent(cam, [{ report: intrusion, target: { obj: 'u' } }], 480);
    expect(JSON.parse(String(p.objectInfo))).toEqual([{ objPicUrl: 'u', letfTopX: '0', objectExtInfo: '{"targetType":255}' }]);
    expect(JSON.parse(String(p.extInfo))).toEqual({ targetType: 255 });
    const fall = checkAlarmEvent({ ...faceReport({ eventType: 13 }), objectInfo: { objPicBase64: 'AAAA', objPicType: 'JPG' } });
    expect(toSecurityAlarmEvent(cam, [{ report: fall, target: {} }], 480).eventType).toBe('13');
  });
});

describe('the multi-target merge', () => {
  it('stores reports with the same eventId and eventTime as one event listing every target, answering each after it', async () => {
    const before = rig.records.length;
    const target = (faceId: string) => ({
      objPicBase64: SAMPLE_JPEG,
      objPicType: 'JPG',
      objectExtInfo: { similarity: 0.7, groupId: '12', faceId },
    });
    const base = { eventId: 'multi-1', eventTime: 1700000000 };
    const answers = await Promise.all(
      ['1', '2', '3'].map((faceId) => sim.reportAlarm(faceReport({ ...base, objectInfo: target(faceId) }, SAMPLE_JPEG))),
    );
    expect(answers.map((a) => a.body.code)).toEqual([200, 200, 200]);
    // Answered only once stored: the record is there when the answers are.
    const merged = rig.records.slice(before);
    expect(merged).toHaveLength(1);
    const objects = JSON.parse(String(merged[0]!.params.objectInfo)) as Array<{ objectExtInfo: string }>;
    expect(objects.map((o) => JSON.parse(o.objectExtInfo).faceId).sort()).toEqual(['1', '2', '3']);
    // Another eventTime, or another camera, is another event.
    await Promise.all([
      sim.reportAlarm(faceReport({ eventId: 'multi-1', eventTime: 1700000001, objectInfo: target('4') }, SAMPLE_JPEG)),
      sim.reportAlarm(
        faceReport(
          { eventId: 'multi-1', eventTime: 1700000000, ip: '192.168.1.2', deviceType: 3, channel: 1, objectInfo: target('5') },
          SAMPLE_JPEG,
        ),
      ),
    ]);
    const more = rig.records.slice(before + 1);
    expect(more.map((r) => `${r.deviceKey} ${r.params.eventTime}`).sort()).toEqual([
      'PESecurityCamera/IPC-01 2023-11-15 06:13:21',
      'PESecurityCamera/NVR-CH1 2023-11-15 06:13:20',
    ]);
  });

  it('answers 810 when the event cannot be stored, and stores it when the adapter sends it again', async () => {
    const before = rig.records.length;
    rig.failing.on = true;
    const r = await sim.reportAlarm(faceReport({ eventId: 'retry-1' }, SAMPLE_JPEG));
    expect(r.body).toEqual({ code: 810, message: 'abnormal communication' });
    rig.failing.on = false;
    expect((await sim.reportAlarm(faceReport({ eventId: 'retry-1' }, SAMPLE_JPEG))).body.code).toBe(200);
    expect(rig.records.slice(before).map((x) => x.params.eventId)).toEqual(['retry-1']);
  });
});

describe('capture/report → securityCapture', () => {
  it('stores the picture and records the capture in UTC seconds', async () => {
    const before = rig.records.length;
    const r = await sim.reportCapture({
      ip: '192.168.1.2',
      channel: 1,
      deviceType: 3,
      taskId: 't1',
      captureTime: 1631798285,
      picBase64: SAMPLE_JPEG,
      picType: 'JPG',
    });
    expect(r.body).toEqual({ code: 200, message: 'success' });
    const rec = rig.records[before]!;
    expect(rec).toMatchObject({ deviceKey: 'PESecurityCamera/NVR-CH1', eventId: 'securityCapture', time: 1631798285_000 });
    expect(rec.params).toEqual({
      productKey: 'PESecurityCamera',
      deviceName: 'NVR-CH1',
      taskId: 't1',
      captureTime: 1631798285,
      picUrl: expect.stringMatching(/^local:pictures\/2021-09-16\/capture-t1-/),
    });
    expect(readFileSync(local(rec.params.picUrl)).toString('base64')).toBe(SAMPLE_JPEG);
    expect(
      (await sim.reportCapture({ ip: '192.168.1.2', channel: 1, deviceType: 1, captureTime: 1, picBase64: SAMPLE_JPEG, picType: 'JPG' }))
        .body.message,
    ).toBe("param check error: /'deviceType/'");
  });
});
