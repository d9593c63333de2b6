/**
 * Alarm notifications (GB/T 28181-2016 §9.4, Annex A.2.5.4 Notify CmdType=Alarm) and the box's
 * answer: after the SIP 200, the SIP server sends the device an alarm-notification Response
 * (§9.4.2 step 3, A.2.6.8: CmdType Alarm, Result OK). AlarmMethod (A.2.5.4): 1 phone, 2 device,
 * 3 SMS, 4 GPS, 5 video, 6 device fault, 7 other; with method 5 AlarmType 2 is motion detection
 * (运动目标检测报警, 2016 edition's table of Info/AlarmType).
 */
import { XMLBuilder } from 'fast-xml-parser';

export interface AlarmNotify {
  deviceId: string;
  sn: number;
  /** 1 (first, highest) … 4. */
  priority: number;
  method: number;
  /** Info/AlarmType, 0 when absent. */
  type: number;
  /** As the device wrote it: local time `YYYY-MM-DDTHH:MM:SS`. */
  time: string;
  description: string;
}

export const ALARM_METHOD_VIDEO = 5;
export const ALARM_TYPE_MOTION = 2;

const int = (v: unknown, lo: number, hi: number, dflt: number): number => {
  const n = typeof v === 'string' && /^\s*\d{1,3}\s*$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= lo && n <= hi ? n : dflt;
};

/** The alarm in a Notify's fields, or a reason it is not one. */
export function alarmOf(
  deviceId: string,
  sn: number,
  fields: Record<string, unknown>,
): { ok: true; value: AlarmNotify } | { ok: false; reason: string } {
  const method = int(fields.AlarmMethod, 1, 7, 0);
  if (!method) return { ok: false, reason: 'Alarm without an AlarmMethod 1-7' };
  const info = typeof fields.Info === 'object' && fields.Info !== null ? (fields.Info as Record<string, unknown>) : {};
  const time = typeof fields.AlarmTime === 'string' ? fields.AlarmTime.trim() : '';
  return {
    ok: true,
    value: {
      deviceId,
      sn,
      priority: int(fields.AlarmPriority, 1, 4, 4),
      method,
      type: int(info.AlarmType ?? fields.AlarmType, 0, 99, 0),
      time: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(time) ? time.slice(0, 19) : '',
      description: typeof fields.AlarmDescription === 'string' ? fields.AlarmDescription.trim().slice(0, 128) : '',
    },
  };
}

export function isMotion(a: AlarmNotify): boolean {
  return a.method === ALARM_METHOD_VIDEO && a.type === ALARM_TYPE_MOTION;
}

const builder = new XMLBuilder({ format: true });

/** The box's Response to an alarm notification (A.2.6.8). */
export function buildAlarmResponse(deviceId: string, sn: number): Buffer {
  const xml = builder.build({ Response: { CmdType: 'Alarm', SN: sn, DeviceID: deviceId, Result: 'OK' } }) as string;
  return Buffer.from(`<?xml version="1.0" encoding="GB2312"?>\n${xml}`, 'latin1');
}

/** UTC milliseconds of a GB local time (the box's zone, UTC+8, as for the REGISTER Date); undefined when unreadable. */
export function gbTimeMs(t: string): number | undefined {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)/.exec(t);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) - 8 * 3600_000;
  return Number.isFinite(ms) ? ms : undefined;
}

/** A GB local time (UTC+8, no zone, seconds) of UTC milliseconds. */
export function gbTime(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19);
}
