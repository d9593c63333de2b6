/**
 * Alarm notifications into thing-model events (GB/T 28181-2016 §9.4): each Notify Alarm becomes
 * the event `alarm` of the camera or channel its DeviceID names (else of the registered device),
 * and also `motion` when it is a video alarm of type motion detection (AlarmMethod 5, AlarmType 2);
 * the device then gets the alarm Response the standard asks for (§9.4.2, A.2.6.8).
 */
import type { DeviceHandle } from '../../edge/host/sdk/driver.js';
import { alarmOf, buildAlarmResponse, gbTimeMs, isMotion } from '../../protocols/gb28181/alarm.js';
import type { Gb28181Server, Manscdp } from '../../protocols/gb28181/index.js';
import type { GbDevice } from './devices.js';

export interface AlarmSink {
  server: Gb28181Server;
  byId: ReadonlyMap<string, GbDevice>;
  /** A notify that could not be read (rate-limited log by the caller). */
  refused(id: string, reason: string): void;
}

/** True when `m` was an alarm notification (handled). */
export function takeAlarm(sink: AlarmSink, id: string, m: Manscdp): boolean {
  if (!('other' in m) || m.root !== 'Notify' || m.cmd !== 'Alarm') return false;
  const a = alarmOf(m.deviceId, m.sn, m.fields);
  if (!a.ok) {
    sink.refused(id, a.reason);
    return true;
  }
  const d = sink.byId.get(a.value.deviceId);
  const handle: DeviceHandle | undefined = (d && (d.gbId === id || d.parent === id) ? d : sink.byId.get(id))?.handle;
  const at = gbTimeMs(a.value.time) ?? Date.now();
  const params = {
    priority: a.value.priority,
    method: a.value.method,
    type: a.value.type,
    time: String(at),
    description: a.value.description,
    gbId: a.value.deviceId.slice(0, 20),
  };
  handle?.reportEvent('alarm', params, at);
  if (isMotion(a.value)) handle?.reportEvent('motion', { priority: a.value.priority, time: String(at) }, at);
  sink.server.send(id, buildAlarmResponse(m.deviceId, m.sn), m.deviceId).catch(() => undefined); // the device may resend; nothing else to do
  return true;
}
