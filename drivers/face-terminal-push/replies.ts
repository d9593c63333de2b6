/** The replies of the box as platform that carry no decision: register, a command handed out, nothing to do, unknown terminal. */
import type { Logger } from 'pino';
import { formatSetTime, type Msg, PushCode, SERVICE_NAMES, SERVICES, type ServiceName } from '../../protocols/face-push/index.js';
import { intervalOf, type PushDriverSettings } from './config.js';
import type { QueuedCommand } from './host-calls.js';
import type { PushTerminal } from './terminal.js';

export function registerResp(settings: PushDriverSettings, t: PushTerminal): Record<string, unknown> {
  const services: Record<string, string> = {
    recordService: '1',
    getDevInfoService: '1',
    heatbeatService: '1',
    heatbeatServiceInterval: String(settings.intervalsS.heartbeat),
  };
  for (const s of SERVICE_NAMES) {
    services[SERVICES[s].switch] = '1';
    services[`${SERVICES[s].switch}Interval`] = String(intervalOf(settings, s));
  }
  // registerTime is the box's clock in ms, so the terminal syncs its clock once (L622-630 of registerResp).
  return { msgType: 'registerResp', deviceNo: t.deviceNo, registerTime: String(Date.now()), errorCode: PushCode.OK, ...services };
}

/** The answer to a poll that carries a command. */
export function commandReply(
  settings: PushDriverSettings,
  t: PushTerminal,
  service: ServiceName,
  c: QueuedCommand,
  more: boolean,
): Record<string, unknown> {
  const svc = SERVICES[service];
  const base = { msgType: svc.resp, msgID: c.msgId, deviceNo: t.deviceNo, [svc.flag]: '1' };
  const p = c.payload;
  switch (service) {
    case 'person':
      // "如需同步人员，将该值调小" (L3477-3485): 1 s while more persons wait, the normal interval after.
      return {
        ...base,
        registerInterval: String(more ? 1 : settings.intervalsS.person),
        personInfoCount: '1',
        personInfoData: [p.person as Record<string, string>],
      };
    case 'open':
      return { ...base, msg: String(p.msg ?? '欢迎光临') };
    case 'setTime':
      return { ...base, timeStamp: formatSetTime(Date.now(), settings.tzOffsetMinutes) }; // the time when handed out, not when queued
    case 'photo':
      return { ...base, photoType: String(p.photoType ?? '0') };
    default:
      return { ...base, ...(p as Record<string, unknown>) };
  }
}

/** The answer to a poll when nothing waits. */
export function idle(settings: PushDriverSettings, t: PushTerminal, service: ServiceName): Record<string, unknown> {
  const svc = SERVICES[service];
  return {
    msgType: svc.resp,
    msgID: '',
    deviceNo: t.deviceNo,
    [svc.flag]: '0',
    ...(service === 'person' ? { registerInterval: String(settings.intervalsS.person) } : {}),
  };
}

export function unknownDevice(log: Logger, msgType: string, msg: Msg): Record<string, unknown> {
  log.warn({ dev: msg.deviceNo }, 'message from an unknown terminal');
  return { msgType, deviceNo: msg.deviceNo ?? '', errorCode: PushCode.REGISTER_ERROR, msg: 'unknown device number' };
}
