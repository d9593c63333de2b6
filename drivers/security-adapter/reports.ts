/**
 * The adapter's reports (reportAlarmEvent, capture/report) into the camera's cloud records. The
 * pictures are stored first (./pictures.ts), then the event (merged with the other targets of the
 * same event, ./merge.ts) or the capture is stored by the host with its cloud upload
 * (`security.recordAlarm`): only then is the adapter answered. A failure answers 810, and the
 * adapter sends the report again.
 */
import type { Logger } from 'pino';
import type { DriverContext } from '../../edge/host/sdk/driver.js';
import {
  EseCode,
  EseError,
  type AdapterSession,
  type AlarmEventReport,
  type CameraAddress,
  type CaptureReport,
} from '../../protocols/edge-security-event/index.js';
import type { Camera } from './book.js';
import { toSecurityAlarmEvent, type StoredReport } from './event-map.js';
import { EventMerger } from './merge.js';
import { storePicture, type PictureTarget } from './pictures.js';
import { ALARM_EVENT, CAPTURE_EVENT } from './products.js';
import { keyOf } from '../../edge/host/sdk/device-key.js';

export interface ReporterDeps {
  ctx: Pick<DriverContext, 'dataDir' | 'host'>;
  cfg: { mergeWindowMs: number; timezoneOffsetMinutes: number };
  log: Logger;
  cameraOf(s: AdapterSession, a: CameraAddress): Camera;
}

/** Over 60 lines: the two report handlers share the merger, the picture steps and the store call. */
export function createReporter(d: ReporterDeps) {
  const { ctx, cfg, log } = d;

  async function record(cam: Camera, eventId: string, params: Record<string, unknown>, time: number): Promise<void> {
    const deviceKey = keyOf(cam.handle);
    const r = await ctx.host.call('security.recordAlarm', { deviceKey, eventId, params, time });
    if (r.code !== 200) {
      log.error({ camera: deviceKey, code: r.code, message: r.message }, 'record not stored; the adapter is told to send it again');
      throw new EseError(EseCode.COMMUNICATION);
    }
  }

  const pictureTarget = (cam: Camera): PictureTarget => ({ dataDir: ctx.dataDir, host: ctx.host, deviceKey: keyOf(cam.handle) });

  const merger = new EventMerger<{ cam: Camera; stored: StoredReport }>(
    async (items) => {
      const cam = items[0]!.cam;
      const params = toSecurityAlarmEvent(
        cam.handle,
        items.map((i) => i.stored),
        cfg.timezoneOffsetMinutes,
      );
      await record(cam, ALARM_EVENT, params, items[0]!.stored.report.eventTime * 1000);
      log.info({ camera: cam.handle.deviceName, eventId: params.eventId, targets: items.length }, 'security alarm stored');
    },
    { windowMs: cfg.mergeWindowMs },
  );

  /** The pictures stored; the report kept without them (it may wait in the merge window). */
  async function pictures(cam: Camera, r: AlarmEventReport): Promise<StoredReport> {
    const at = r.eventTime * 1000;
    const { scene: _scene, target: t, ...rest } = r;
    const report: AlarmEventReport = rest;
    if (t) {
      const { picture: _p, facePicture: _f, ...coords } = t;
      report.target = coords;
    }
    const stored: StoredReport = { report, target: {} };
    const to = pictureTarget(cam);
    if (r.scene) stored.scene = await storePicture(to, r.scene, at, `${r.eventId}-scene`);
    if (r.target?.picture) stored.target.obj = await storePicture(to, r.target.picture, at, `${r.eventId}-object`);
    if (r.target?.facePicture) stored.target.face = await storePicture(to, r.target.facePicture, at, `${r.eventId}-face`);
    return stored;
  }

  const stored = <T>(p: Promise<T>): Promise<T> =>
    p.catch((err: unknown) => {
      if (err instanceof EseError) throw err;
      log.error({ err: (err as Error).message }, 'picture not stored; the adapter is told to send it again');
      throw new EseError(EseCode.COMMUNICATION);
    });

  return {
    async alarmEvent(s: AdapterSession, r: AlarmEventReport): Promise<void> {
      const cam = d.cameraOf(s, r);
      const st = await stored(pictures(cam, r));
      const key = `${cam.handle.productKey}/${cam.handle.deviceName}|${r.eventId}|${r.eventTime}|${r.eventType}`;
      await stored(merger.add(key, { cam, stored: st }));
    },

    async capture(s: AdapterSession, r: CaptureReport): Promise<void> {
      const cam = d.cameraOf(s, r);
      const picUrl = await stored(storePicture(pictureTarget(cam), r.picture, r.captureTime * 1000, `capture-${r.taskId ?? 'manual'}`));
      // securityCapture v1.0 (L29080-29102): captureTime stays UTC seconds.
      const params = {
        productKey: cam.handle.productKey,
        deviceName: cam.handle.deviceName,
        ...(r.taskId !== undefined ? { taskId: r.taskId } : {}),
        captureTime: r.captureTime,
        picUrl,
      };
      await stored(record(cam, CAPTURE_EVENT, params, r.captureTime * 1000));
    },

    flush: () => merger.flushAll(),
  };
}
