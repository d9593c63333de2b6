/**
 * The box's port-10000 endpoints (seed 001 §2-§9, every D→E row). Each route checks the token
 * the box issued (code 4), validates the body (code 5), then maps the message to the access core
 * (decisions, pass records) and to the thing model (events, properties) of the logical device.
 */
import type { Logger } from 'pino';
import {
  DoorCode, LIMITS, TokenTable, checkVersion, failure, parse, parseAlarmEvent, parseCardPass, parseCheckPhoneNumber,
  parseConnectRequest, parseFacePassFields, parseGetGroupId, parseQrCode, parseRecognizeFields, parseReportOpenDoor,
  parseRuleReport, parseRunStates, photoProblem, success, verifySign, type DoorReply, type DoorRequest, type DoorRoute, type Obj,
} from '../../protocols/door-standard/index.js';
import type { DriverSettings, Role } from './config.js';
import type { AccessGateway } from './gateway.js';
import type { PassRetryQueue } from './pass-retry.js';
import type { IntercomStore } from './intercom-store.js';
import { deviceKeyOf, report, reportProps } from './thing.js';
import type { Terminal } from './terminal.js';

export interface EdgeRouteDeps {
  settings: DriverSettings;
  terminals: Map<string, Terminal>;
  tokens: TokenTable<Terminal>;
  gateway: AccessGateway;
  /** Passes the door already let through are recorded through this queue (retried, never dropped silently). */
  passes: PassRetryQueue;
  intercom: IntercomStore;
  /** Temperature window of edge-side face checks, per terminal IP (set by setTempCheckRule or config). */
  tempRule(t: Terminal): { min: number; max: number } | undefined;
  log: Logger;
}

const ALARM_ROLES: Role[] = ['qr', 'card', 'face', 'ble', 'intercom'];

export function edgeRoutes(deps: EdgeRouteDeps): Record<string, DoorRoute> {
  const { settings, terminals, tokens, gateway, passes, intercom, log } = deps;

  function authed<T>(parser: (o: Obj) => T, fn: (t: Terminal, v: T, req: DoorRequest) => DoorReply | Promise<DoorReply>): DoorRoute {
    return (req) => {
      const token = typeof req.json.token === 'string' ? req.json.token : undefined;
      const t = tokens.lookup(token);
      if (!t) {
        log.warn({ peer: req.remoteAddress, path: req.path }, 'unknown or expired token');
        return failure(DoorCode.TOKEN_INVALID);
      }
      t.seen();
      const p = parse(parser, req.json);
      if (!p.ok) {
        t.log.warn({ path: req.path, reason: p.error }, 'invalid request');
        return failure(DoorCode.PARAM_ERROR, p.error);
      }
      return fn(t, p.value, req);
    };
  }
  const none = (): null => null;

  function photoOf(t: Terminal, req: DoorRequest): Buffer | DoorReply {
    const photo = req.form?.files.photo?.data;
    const problem = photo ? photoProblem(photo, LIMITS.photoMaxBytes) : 'photo is required';
    if (problem || !photo) {
      t.log.warn({ path: req.path, reason: problem }, 'invalid photo');
      return failure(DoorCode.PARAM_ERROR, problem);
    }
    return photo;
  }

  /** Access-core failures never crash a route: the door gets code 99 and may retry. */
  async function guarded(t: Terminal, what: string, fn: () => Promise<DoorReply>): Promise<DoorReply> {
    try {
      return await fn();
    } catch (err) {
      t.log.error({ err: (err as Error).message, what }, 'access core call failed');
      return failure(DoorCode.OTHER, `${what} unavailable`);
    }
  }

  return {
    '/connect': (req) => {
      const p = parse(parseConnectRequest, req.json);
      if (!p.ok) {
        log.warn({ peer: req.remoteAddress, reason: p.error }, 'connect refused: invalid parameters');
        return failure(DoorCode.PARAM_ERROR, p.error);
      }
      const c = p.value;
      const t = terminals.get(c.ip);
      // [seed 001 L34948] the ip must be configured; we also require it to be the socket's source.
      if (!t || (settings.matchSourceIp && req.remoteAddress !== c.ip)) {
        log.warn({ peer: req.remoteAddress, ip: c.ip, sn: c.sn }, 'connect refused: device ip not configured');
        return failure(DoorCode.DEVICE_ILLEGAL);
      }
      if (!verifySign(c.signMethod, c, c.sign, settings.signForms)) {
        t.log.warn({ sn: c.sn, signMethod: c.signMethod }, 'connect refused: wrong sign');
        return failure(DoorCode.SIGN_ERROR);
      }
      const token = tokens.issue(t.cfg.ip, t.cfg.ip, t);
      t.accepted(c.sn, c.keepalive);
      return success({ token });
    },

    '/keepalive': authed(none, () => success()),

    '/alarmEvent': authed(parseAlarmEvent, (t, a) => {
      const role = a.alarmType === 2 && t.has('card') ? 'card' : a.alarmType === 3 && t.has('ble') ? 'ble' : ALARM_ROLES.find((r) => t.has(r));
      const params = { alarmType: a.alarmType, ...(a.cardId !== undefined ? { cardId: a.cardId } : {}) };
      if (role) report(t, role, 'alarmEvent', params);
      // The card and BLE sync capabilities have their own abnormal-swipe events (spec 000 §3.7).
      if (a.alarmType === 2 && t.has('card')) report(t, 'card', 'abnormalCreditCard', { cardId: a.cardId ?? '' });
      if (a.alarmType === 3 && t.has('ble')) report(t, 'ble', 'abnormalBleCard', { cardId: a.cardId ?? '' });
      t.log.info({ alarmType: a.alarmType }, 'alarm');
      return success();
    }),

    '/recognize': authed(parseRecognizeFields, (t, f, req) => {
      const photo = photoOf(t, req);
      if (!Buffer.isBuffer(photo)) return photo;
      const temperature = f.temperature !== undefined ? Number(f.temperature) : undefined;
      const rule = deps.tempRule(t);
      // [seed 001 L35434] temperature outside the normal range: passage denied.
      if (rule && temperature !== undefined && (temperature < rule.min || temperature > rule.max)) {
        t.log.info({ temperature }, 'face refused: temperature out of range');
        return failure(DoorCode.AUTH_FAILED, 'temperature out of range');
      }
      return guarded(t, 'face decision', async () => {
        const d = await gateway.decideFace(deviceKeyOf(t, 'face'), photo, { detect: f.disableEdgeDetectFace === '1', ...(temperature !== undefined ? { temperature } : {}) });
        if (!d.allow || !d.faceId) return failure(DoorCode.AUTH_FAILED, d.reason);
        const data = { faceId: d.faceId, name: d.name ?? '', photoId: d.photoId ?? '', userId: d.userId ?? '' };
        report(t, 'face', 'OnMatched', { ...data, ...(temperature !== undefined ? { temperature } : {}) });
        report(t, 'face', 'passEvent', { type: 'FACE', userId: data.userId, credential: data.faceId, photoId: data.photoId });
        return success(data);
      });
    }),

    '/faceAC/passEvent': authed(parseFacePassFields, (t, f, req) => {
      const photo = photoOf(t, req);
      if (!Buffer.isBuffer(photo)) return photo;
      const similarity = Number(f.similarity);
      const temperature = f.temperature !== undefined ? Number(f.temperature) : undefined;
      return guarded(t, 'pass record', async () => {
        const rec = await gateway.recordPass({ deviceKey: deviceKeyOf(t, 'face'), kind: 'face', faceId: f.faceId, credential: f.faceId, similarity, ...(temperature !== undefined ? { temperature } : {}), photo: photo.toString('base64'), time: Date.now() });
        const photoId = rec.photoId ?? '';
        report(t, 'face', 'OnMatched', { faceId: f.faceId, photoId, similarity, ...(temperature !== undefined ? { temperature } : {}) });
        report(t, 'face', 'passEvent', { type: 'FACE', credential: f.faceId, photoId, similarity });
        return success({ photoId });
      });
    }),

    '/qrcode': authed(parseQrCode, (t, q) =>
      guarded(t, 'QR decision', async () => {
        if (!t.has('qr')) return failure(DoorCode.AUTH_FAILED, 'this door has no QR device');
        const d = await gateway.decideQr(deviceKeyOf(t, 'qr'), q.qrCode);
        if (!d.allow) {
          t.log.info({ reason: d.reason }, 'QR refused');
          return failure(DoorCode.AUTH_FAILED, d.reason);
        }
        report(t, 'qr', 'passEvent', { type: 'QRCODE', userId: d.userId ?? '', credential: q.qrCode });
        return success({ userId: d.userId ?? '' });
      }),
    ),

    '/cardAC/passEvent': authed(parseCardPass, (t, c) => pass(t, 'card', c.cardId)),
    '/bleAC/passEvent': authed(parseCardPass, (t, c) => pass(t, 'ble', c.cardId)),

    '/visualIntercom/getGroupId': authed(parseGetGroupId, (t, r) => {
      const groupId = intercom.groupOf(r.roomId);
      if (!groupId) return failure(DoorCode.OTHER, `no SIP group for room ${r.roomId}`);
      return success(undefined, { groupId }); // groupId at the top level (L36339, L36355)
    }),

    '/visualIntercom/checkPhoneNumber': authed(parseCheckPhoneNumber, (t, p) => {
      // The reply only says the check was handed on; the result comes by verifyPhoneResult (L36370-36373).
      if (!t.has('intercom')) return failure(DoorCode.OTHER, 'this door has no intercom device');
      report(t, 'intercom', 'checkPhoneNumber', { phoneNumber: p.phoneNumber });
      return success();
    }),

    '/visualIntercom/reportOpenDoor': authed(parseReportOpenDoor, (t, r) => {
      if (t.has('intercom')) report(t, 'intercom', 'doorOpenEvent', { type: r.type, number: r.number, roomId: r.roomId ?? '' });
      passes.submit({ deviceKey: deviceKeyOf(t, 'intercom'), kind: 'intercom', credential: r.number, time: Date.now() });
      return success();
    }),

    '/elevator/reportRunState': authed(
      (o) => (checkVersion(o), parseRunStates(o)),
      (t, states) => {
        const first = states[0];
        if (first && t.has('elevator')) reportProps(t, 'elevator', { CurrentFloor: first.currentFloor, CarState: first.carState, CarDirection: first.carDirection, RunStates: JSON.stringify(states) });
        return success();
      },
    ),

    '/elevator/rule/report': authed(
      (o) => (checkVersion(o), parseRuleReport(o)),
      (t, r) => {
        if (t.has('elevator')) {
          report(t, 'elevator', 'linkageReport', { ruleId: r.ruleId, userId: r.userId, authType: r.authType, controlMode: r.controlMode, startFloor: r.startFloor ?? '', targetFloors: (r.targetFloorRoomList ?? []).map((f) => f.floor).join(',') });
        }
        return success();
      },
    ),
  };

  function pass(t: Terminal, role: 'card' | 'ble', cardId: string): DoorReply {
    // The door already decided and opened; the report is accepted at once. Card and BLE passes
    // carry no time (spec 001f A9): the receive time is stamped here.
    report(t, role, 'passEvent', { type: role === 'card' ? 'CARD' : 'BLE', credential: cardId });
    passes.submit({ deviceKey: deviceKeyOf(t, role), kind: role, credential: cardId, time: Date.now() });
    return success();
  }
}
