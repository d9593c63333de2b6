/**
 * The box as the terminals' platform: one handler per message of seed 003, fed to the
 * protocol's PushServer. Commands come from the host-side queue (faceQueue.*), permission
 * changes from the access core; results go back to both.
 */
import { fromConfiguredAddress } from '../../protocols/common/source-address.js';
import type { Logger } from 'pino';
import { PushCode, SERVICES, verifyRegisterSign, type Msg, type PushHandlers, type ServiceName } from '../../protocols/face-push/index.js';
import type { PushDriverSettings } from './config.js';
import type { FaceDeployments } from './deployments.js';
import type { HostCalls, QueuedCommand } from './host-calls.js';
import { passOf } from './records.js';
import { commandReply, idle, registerResp, unknownDevice } from './replies.js';
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
  for (const k of [
    'registerPhoto1',
    'registerPhoto2',
    'RegisterPhoto2',
    'registerPhoto3',
    'RegisterPhoto3',
    'recognitionPhoto',
    'comparePhoto',
    'photo',
  ])
    if (o[k]) o[k] = `<${o[k]!.length} chars>`;
  return o;
};

/** `register`: a configured terminal with the right sign is answered with every service switched on. */
async function register(deps: PlatformDeps, msg: Msg): Promise<Record<string, unknown>> {
  const t = deps.terminal(msg.deviceNo!);
  if (!t) return unknownDevice(deps.log, 'registerResp', msg);
  if (!verifyRegisterSign(msg.deviceNo!, msg.registerTime!, msg.rand!, msg.sign!)) {
    deps.log.warn({ dev: t.deviceNo }, 'register refused: wrong sign');
    return { msgType: 'registerResp', deviceNo: t.deviceNo, errorCode: PushCode.REGISTER_ERROR, msg: 'sign check failed' };
  }
  t.touch();
  t.report({
    FirmwareVersion: msg.softwareVersion ?? '',
    HardwareVersion: msg.hardwareVersion ?? '',
    FaceAlgorithmVersion: msg.algVersion ?? '',
    ProtocolVersion: msg.protocolVersion ?? '',
    SupportFaceFeature: 1,
  });
  deps.log.info({ dev: t.deviceNo }, 'terminal registered');
  return registerResp(deps.settings, t);
}

async function keepAlive(deps: PlatformDeps, msg: Msg): Promise<Record<string, unknown>> {
  const t = deps.terminal(msg.deviceNo!);
  if (!t) return { msgType: 'keepAliveResp', deviceNo: msg.deviceNo ?? '', errorCode: PushCode.FAILED, msg: 'unknown device number' }; // 200: the server closes it (L626-628)
  t.touch();
  return { msgType: 'keepAliveResp', deviceNo: t.deviceNo, registerTime: String(Math.floor(Date.now() / 1000)), errorCode: PushCode.OK };
}

/** `uploadDevInfo`: the terminal's information as a property, secrets masked. */
async function uploadDevInfo(deps: PlatformDeps, msg: Msg): Promise<Record<string, unknown>> {
  const t = deps.terminal(msg.deviceNo!);
  if (!t) return unknownDevice(deps.log, 'uploadDevInfoResp', msg);
  t.touch();
  const info: Record<string, string> = { ...msg };
  for (const k of SECRET_FIELDS) if (k in info) info[k] = '***';
  t.report({ DeviceInfo: JSON.stringify(info).slice(0, 10240) });
  return { msgType: 'uploadDevInfoResp', deviceNo: t.deviceNo, errorCode: PushCode.OK, msg: '调用成功' };
}

/** `uploadRecord`: acknowledged only once the pass record is stored. */
async function record(deps: PlatformDeps, msg: Msg): Promise<Record<string, unknown>> {
  const t = deps.terminal(msg.deviceNo!);
  if (!t) return unknownDevice(deps.log, 'uploadRecordResp', msg);
  t.touch();
  const reply = { msgType: 'uploadRecordResp', msgID: msg.msgID, deviceNo: t.deviceNo };
  const pass = passOf(msg, t.deviceKey, deps.settings.tzOffsetMinutes, (id) => deps.deployments.faceUsers.get(id));
  if (!pass) return { ...reply, errorCode: PushCode.FAILED, msg: 'passTime must be yyyy-MM-dd HH:mm:ss.SSS' };
  try {
    const r = await deps.calls.recordPass(pass);
    deps.log.info({ dev: t.deviceNo, msgID: msg.msgID, pass: r.passId, duplicate: r.duplicate || undefined }, 'pass recorded');
    // A resent record (its answer was lost) is acknowledged again but stored once.
    if (r.duplicate) return { ...reply, errorCode: PushCode.OK, msg: 'duplicate record, already stored' };
  } catch (err) {
    // Not stored: answer failed so the terminal keeps the record and sends it again (L4817-4821).
    deps.log.warn({ dev: t.deviceNo, msgID: msg.msgID, err: (err as Error).message }, 'pass record not stored');
    return { ...reply, errorCode: PushCode.FAILED, msg: 'record not stored, send again' };
  }
  return { ...reply, errorCode: PushCode.OK };
}

/** A poll of one service: the next queued command, after pulling persons to deploy when none waits. */
async function poll(deps: PlatformDeps, service: ServiceName, msg: Msg): Promise<Record<string, unknown>> {
  const t = deps.terminal(msg.deviceNo!);
  if (!t) return { ...unknownDevice(deps.log, SERVICES[service].resp, msg), [SERVICES[service].flag]: '0' };
  t.touch();
  let n = await deps.calls.next(t.deviceKey, service);
  if (n.ended.length > 0) deps.ended(t, n.ended);
  if (!n.command && !n.busy && service === 'person' && (await deps.deployments.pull(t)) > 0)
    n = await deps.calls.next(t.deviceKey, service);
  if (!n.command) return idle(deps.settings, t, service);
  deps.log.debug({ dev: t.deviceNo, service, msgId: n.command.msgId, attempt: n.command.attempts }, 'command handed out');
  return commandReply(deps.settings, t, service, n.command, service === 'person');
}

/** A command's result (item by item for info/get); a final one ends the command. */
async function result(deps: PlatformDeps, service: ServiceName, msg: Msg): Promise<Record<string, unknown>> {
  const t = deps.terminal(msg.deviceNo!);
  const svc = SERVICES[service];
  if (!t) return unknownDevice(deps.log, svc.resp, msg);
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
  const out = await deps.calls.result(t.deviceKey, msg.msgID!, errorCode, strip(msg), {
    ...(final !== undefined ? { final } : {}),
    inProgress,
  });
  if (out.status === 'unknown' || out.status === 'duplicate') {
    deps.log.warn({ dev: t.deviceNo, service, msgID: msg.msgID, status: out.status }, 'result refused');
    const why =
      out.status === 'unknown'
        ? `no command with msgID ${msg.msgID}`
        : `duplicate result for msgID ${msg.msgID} (already ${out.command?.state})`;
    return svc.itemResult
      ? { msgType: svc.itemResult, msgID: msg.msgID, deviceNo: t.deviceNo, errorCode: PushCode.FAILED, index: msg.index ?? '', msg: why }
      : { msgType: svc.resp, msgID: msg.msgID, deviceNo: t.deviceNo, errorCode: PushCode.FAILED, msg: why };
  }
  if ((out.status === 'done' || out.status === 'failed') && out.command)
    deps.finished({ terminal: t, command: out.command, state: out.status, raw: msg });
  if (svc.itemResult)
    return { msgType: svc.itemResult, msgID: msg.msgID, deviceNo: t.deviceNo, errorCode: PushCode.OK, index: msg.index ?? '' };
  return { msgType: svc.resp, msgID: msg.msgID, deviceNo: t.deviceNo, errorCode: PushCode.OK, msg: '' };
}

export function pushPlatform(deps: PlatformDeps): PushHandlers {
  return {
    sourceAllowed(deviceNo, source) {
      const ip = deps.terminal(deviceNo)?.ip;
      return ip === undefined || source === undefined || fromConfiguredAddress(ip, source);
    },
    register: (msg) => register(deps, msg),
    keepAlive: (msg) => keepAlive(deps, msg),
    uploadDevInfo: (msg) => uploadDevInfo(deps, msg),
    record: (msg) => record(deps, msg),
    poll: (service, msg) => poll(deps, service, msg),
    result: (service, msg) => result(deps, service, msg),
  };
}
