/**
 * The box as the terminals' platform: one handler per message of seed 003, fed to the
 * protocol's PushServer. Commands come from the host-side queue (faceQueue.*), permission
 * changes from the access core; results go back to both.
 */
import { fromConfiguredAddress } from '../../protocols/common/source-address.js';
import type { Logger } from 'pino';
import { PushCode, SERVICES, SERVICE_NAMES, formatSetTime, verifyRegisterSign, type Msg, type PushHandlers, type ServiceName } from '../../protocols/face-push/index.js';
import { intervalOf, type PushDriverSettings } from './config.js';
import type { FaceDeployments } from './deployments.js';
import type { HostCalls, QueuedCommand } from './host-calls.js';
import { passOf } from './records.js';
import type { PushTerminal } from './terminal.js';

/** Fields of uploadDevInfo that are secrets: never reported or logged. */
const SECRET_FIELDS = ['devicePassword', 'wirelessPassword', 'loginKey', 'deviceKey'];

export interface Finished {
  terminal: PushTerminal;
  command: QueuedCommand;
  state: 'done' | 'failed';
  /** The terminal's message as received (photos included). */
  raw: Msg;
}

export interface PlatformDeps {
  settings: PushDriverSettings;
  calls: HostCalls;
  log: Logger;
  terminal(deviceNo: string): PushTerminal | undefined;
  /** A command reached its end (result from the terminal). */
  finished(f: Finished): void;
  /** Commands that ended without a result (attempts used up, or expired). */
  ended(t: PushTerminal, commands: QueuedCommand[]): void;
  deployments: FaceDeployments;
}

const strip = (m: Msg): Record<string, string> => {
  const o: Record<string, string> = { ...m };
  for (const k of ['registerPhoto1', 'registerPhoto2', 'RegisterPhoto2', 'registerPhoto3', 'RegisterPhoto3', 'recognitionPhoto', 'comparePhoto', 'photo']) if (o[k]) o[k] = `<${o[k]!.length} chars>`;
  return o;
};

export function pushPlatform(deps: PlatformDeps): PushHandlers {
  const { settings, calls, log } = deps;

  function registerResp(t: PushTerminal): Record<string, unknown> {
    const services: Record<string, string> = { recordService: '1', getDevInfoService: '1', heatbeatService: '1', heatbeatServiceInterval: String(settings.intervalsS.heartbeat) };
    for (const s of SERVICE_NAMES) {
      services[SERVICES[s].switch] = '1';
      services[`${SERVICES[s].switch}Interval`] = String(intervalOf(settings, s));
    }
    // registerTime is the box's clock in ms, so the terminal syncs its clock once (L622-630 of registerResp).
    return { msgType: 'registerResp', deviceNo: t.deviceNo, registerTime: String(Date.now()), errorCode: PushCode.OK, ...services };
  }

  /** The answer to a poll that carries a command. */
  function commandReply(t: PushTerminal, service: ServiceName, c: QueuedCommand, more: boolean): Record<string, unknown> {
    const svc = SERVICES[service];
    const base = { msgType: svc.resp, msgID: c.msgId, deviceNo: t.deviceNo, [svc.flag]: '1' };
    const p = c.payload;
    switch (service) {
      case 'person':
        // "如需同步人员，将该值调小" (L3477-3485): 1 s while more persons wait, the normal interval after.
        return { ...base, registerInterval: String(more ? 1 : settings.intervalsS.person), personInfoCount: '1', personInfoData: [p.person as Record<string, string>] };
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

  function idle(t: PushTerminal, service: ServiceName): Record<string, unknown> {
    const svc = SERVICES[service];
    return { msgType: svc.resp, msgID: '', deviceNo: t.deviceNo, [svc.flag]: '0', ...(service === 'person' ? { registerInterval: String(settings.intervalsS.person) } : {}) };
  }

  const unknownDevice = (msgType: string, msg: Msg): Record<string, unknown> => {
    log.warn({ dev: msg.deviceNo }, 'message from an unknown terminal');
    return { msgType, deviceNo: msg.deviceNo ?? '', errorCode: PushCode.REGISTER_ERROR, msg: 'unknown device number' };
  };

  return {
    sourceAllowed(deviceNo, source) {
      const ip = deps.terminal(deviceNo)?.ip;
      return ip === undefined || source === undefined || fromConfiguredAddress(ip, source);
    },

    async register(msg) {
      const t = deps.terminal(msg.deviceNo!);
      if (!t) return unknownDevice('registerResp', msg);
      if (!verifyRegisterSign(msg.deviceNo!, msg.registerTime!, msg.rand!, msg.sign!)) {
        log.warn({ dev: t.deviceNo }, 'register refused: wrong sign');
        return { msgType: 'registerResp', deviceNo: t.deviceNo, errorCode: PushCode.REGISTER_ERROR, msg: 'sign check failed' };
      }
      t.touch();
      t.report({ FirmwareVersion: msg.softwareVersion ?? '', HardwareVersion: msg.hardwareVersion ?? '', FaceAlgorithmVersion: msg.algVersion ?? '', ProtocolVersion: msg.protocolVersion ?? '', SupportFaceFeature: 1 });
      log.info({ dev: t.deviceNo }, 'terminal registered');
      return registerResp(t);
    },

    async keepAlive(msg) {
      const t = deps.terminal(msg.deviceNo!);
      if (!t) return { msgType: 'keepAliveResp', deviceNo: msg.deviceNo ?? '', errorCode: PushCode.FAILED, msg: 'unknown device number' }; // 200: the server closes it (L626-628)
      t.touch();
      return { msgType: 'keepAliveResp', deviceNo: t.deviceNo, registerTime: String(Math.floor(Date.now() / 1000)), errorCode: PushCode.OK };
    },

    async uploadDevInfo(msg) {
      const t = deps.terminal(msg.deviceNo!);
      if (!t) return unknownDevice('uploadDevInfoResp', msg);
      t.touch();
      const info: Record<string, string> = { ...msg };
      for (const k of SECRET_FIELDS) if (k in info) info[k] = '***';
      t.report({ DeviceInfo: JSON.stringify(info).slice(0, 10240) });
      return { msgType: 'uploadDevInfoResp', deviceNo: t.deviceNo, errorCode: PushCode.OK, msg: '调用成功' };
    },

    async record(msg) {
      const t = deps.terminal(msg.deviceNo!);
      if (!t) return unknownDevice('uploadRecordResp', msg);
      t.touch();
      const reply = { msgType: 'uploadRecordResp', msgID: msg.msgID, deviceNo: t.deviceNo };
      const pass = passOf(msg, t.deviceKey, settings.tzOffsetMinutes, (id) => deps.deployments.faceUsers.get(id));
      if (!pass) return { ...reply, errorCode: PushCode.FAILED, msg: 'passTime must be yyyy-MM-dd HH:mm:ss.SSS' };
      try {
        const r = await calls.recordPass(pass);
        log.info({ dev: t.deviceNo, msgID: msg.msgID, pass: r.passId, duplicate: r.duplicate || undefined }, 'pass recorded');
        // A resent record (its answer was lost) is acknowledged again but stored once.
        if (r.duplicate) return { ...reply, errorCode: PushCode.OK, msg: 'duplicate record, already stored' };
      } catch (err) {
        // Not stored: answer failed so the terminal keeps the record and sends it again (L4817-4821).
        log.warn({ dev: t.deviceNo, msgID: msg.msgID, err: (err as Error).message }, 'pass record not stored');
        return { ...reply, errorCode: PushCode.FAILED, msg: 'record not stored, send again' };
      }
      return { ...reply, errorCode: PushCode.OK };
    },

    async poll(service, msg) {
      const t = deps.terminal(msg.deviceNo!);
      if (!t) return { ...unknownDevice(SERVICES[service].resp, msg), [SERVICES[service].flag]: '0' };
      t.touch();
      let n = await calls.next(t.deviceKey, service);
      if (n.ended.length > 0) deps.ended(t, n.ended);
      if (!n.command && !n.busy && service === 'person' && (await deps.deployments.pull(t)) > 0) n = await calls.next(t.deviceKey, service);
      if (!n.command) return idle(t, service);
      log.debug({ dev: t.deviceNo, service, msgId: n.command.msgId, attempt: n.command.attempts }, 'command handed out');
      return commandReply(t, service, n.command, service === 'person');
    },

    async result(service, msg) {
      const t = deps.terminal(msg.deviceNo!);
      const svc = SERVICES[service];
      if (!t) return unknownDevice(svc.resp, msg);
      t.touch();
      const errorCode = (msg.errorCode ?? '').trim();
      let final: boolean | undefined;
      if (svc.itemResult) {
        // info/get answer item by item, index 0..num-1 (L4467, L5429); the last one ends the command.
        const num = Number(msg.personNum ?? msg.recordNum);
        const index = Number(msg.index);
        final = !(Number.isInteger(num) && Number.isInteger(index) && index < num - 1);
      }
      const inProgress = service === 'update' && ['500', '501'].includes(errorCode);
      const out = await calls.result(t.deviceKey, msg.msgID!, errorCode, strip(msg), { ...(final !== undefined ? { final } : {}), inProgress });
      if (out.status === 'unknown' || out.status === 'duplicate') {
        log.warn({ dev: t.deviceNo, service, msgID: msg.msgID, status: out.status }, 'result refused');
        const why = out.status === 'unknown' ? `no command with msgID ${msg.msgID}` : `duplicate result for msgID ${msg.msgID} (already ${out.command?.state})`;
        return svc.itemResult
          ? { msgType: svc.itemResult, msgID: msg.msgID, deviceNo: t.deviceNo, errorCode: PushCode.FAILED, index: msg.index ?? '', msg: why }
          : { msgType: svc.resp, msgID: msg.msgID, deviceNo: t.deviceNo, errorCode: PushCode.FAILED, msg: why };
      }
      if ((out.status === 'done' || out.status === 'failed') && out.command) deps.finished({ terminal: t, command: out.command, state: out.status, raw: msg });
      if (svc.itemResult) return { msgType: svc.itemResult, msgID: msg.msgID, deviceNo: t.deviceNo, errorCode: PushCode.OK, index: msg.index ?? '' };
      return { msgType: svc.resp, msgID: msg.msgID, deviceNo: t.deviceNo, errorCode: PushCode.OK, msg: '' };
    },
  };
}
