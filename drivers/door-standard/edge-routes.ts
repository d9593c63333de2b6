/**
 * The box's port-10000 endpoints (seed 001 §2-§9, every D→E row). Each route checks the token
 * the box issued (code 4), validates the body (code 5), then maps the message to the access core
 * (decisions, pass records) and to the thing model (events, properties) of the logical device.
 *
 * Passes: a pass is answered success only after its record is committed by the access core,
 * which also sends it to the cloud through the durable outbox (the driver reports no pass event
 * of its own). When the record cannot be made in time the door gets 99 (other error), never 0.
 */
import type { Logger } from 'pino';
import {
  DoorCode, LIMITS, type TokenTable, checkVersion, failure, parse, parseAlarmEvent, parseCardPass, parseCheckPhoneNumber,
  parseConnectRequest, parseFacePassFields, parseGetGroupId, parseQrCode, parseRecognizeFields, parseReportOpenDoor,
  parseRuleReport, parseRunStates, photoProblem, success, verifySign, type DoorReply, type DoorRequest, type DoorRoute, type Obj,
} from '../../protocols/door-standard/index.js';
import { PASS } from '../../protocols/door-service/pass-codes.js';
import type { DriverSettings, Role } from './config.js';
import { ELEVATOR_GATEWAY_PRODUCT } from './config.js';
import { toElevatorStatus, type ElevatorStatusEntry } from './elevator-services.js';
import type { DoorAccess, PassRecordArgs } from './gateway.js';
import type { IntercomStore } from './intercom-store.js';
import { deviceKeyOf, report, reportProps } from './thing.js';
import type { Terminal } from './terminal.js';

export interface EdgeRouteDeps {
  settings: DriverSettings;
  terminals: Map<string, Terminal>;
  tokens: TokenTable<Terminal>;
  gateway: DoorAccess;
  intercom: IntercomStore;
  /** Temperature window of edge-side face checks, per terminal IP (set by setTempCheckRule or config). */
  tempRule(t: Terminal): { min: number; max: number } | undefined;
  log: Logger;
}

const ALARM_ROLES: Role[] = ['qr', 'card', 'face', 'ble', 'intercom'];

export function edgeRoutes(deps: EdgeRouteDeps): Record<string, DoorRoute> {
  const { settings, terminals, tokens, gateway, intercom, log } = deps;
  /** Latest run state per car, per terminal IP (the thing model's ElevatorStatus property). */
  const runStates = new Map<string, Map<string, ElevatorStatusEntry>>();

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

  /** Access-core failures never crash a route and never answer success: the door gets code 99 and may retry. */
  async function guarded(t: Terminal, what: string, fn: () => Promise<DoorReply>): Promise<DoorReply> {
    try {
      return await fn();
    } catch (err) {
      t.log.error({ err: (err as Error).message, what }, 'access core call failed; door answered busy');
      return failure(DoorCode.OTHER, `${what} not recorded, try again`);
    }
  }

  /** A pass the door decided itself: answered once its record is committed. */
  function recorded(t: Terminal, what: string, args: PassRecordArgs, reply: (r: { passId: string; photoId?: string }) => DoorReply = () => success()): Promise<DoorReply> {
    return guarded(t, what, async () => {
      const r = await gateway.recordPass(args);
      t.log.info({ pass: r.passId, kind: args.kind, duplicate: r.duplicate || undefined }, 'pass recorded');
      return reply(r);
    });
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
      // An invalid card or BLE card is the door's refused pass (spec 001f A9: failed swipes come
      // only as alarms): it is a pass record like any other, stored before the door is answered.
      // The door does not say why; "does not exist" is the code of a card it does not hold.
      if ((a.alarmType === 2 && t.has('card')) || (a.alarmType === 3 && t.has('ble'))) {
        const card = a.alarmType === 2;
        const refused = card ? PASS.CARD_NOT_FOUND : PASS.BLE_NOT_FOUND;
        return recorded(t, `refused ${card ? 'card' : 'BLE'} pass`, { deviceKey: deviceKeyOf(t, card ? 'card' : 'ble'), kind: card ? 'tradCard' : 'bleCard', content: a.cardId ?? '', ...refused, time: Date.now() });
      }
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
        t.log.info({ pass: d.passId, code: d.code }, 'face decided');
        if (d.code !== 0 || !d.faceId) return failure(DoorCode.AUTH_FAILED, d.message);
        return success({ faceId: d.faceId, name: d.name ?? '', photoId: d.photoId ?? '', userId: d.identityId });
      });
    }),

    '/faceAC/passEvent': authed(parseFacePassFields, (t, f, req) => {
      const photo = photoOf(t, req);
      if (!Buffer.isBuffer(photo)) return photo;
      const score = Number(f.similarity);
      const temperature = f.temperature !== undefined ? Number(f.temperature) : undefined;
      const args: PassRecordArgs = {
        deviceKey: deviceKeyOf(t, 'face'), kind: 'face', content: '', code: 0, faceId: f.faceId, photo: photo.toString('base64'), time: Date.now(),
        ...(Number.isFinite(score) ? { score } : {}), ...(temperature !== undefined ? { temperature } : {}),
      };
      return recorded(t, 'face pass', args, (r) => success({ photoId: r.photoId ?? '' }));
    }),

    '/qrcode': authed(parseQrCode, (t, q) =>
      guarded(t, 'QR decision', async () => {
        if (!t.has('qr')) return failure(DoorCode.AUTH_FAILED, 'this door has no QR device');
        const d = await gateway.decideQr(deviceKeyOf(t, 'qr'), q.qrCode);
        if (d.code !== 0) {
          t.log.info({ pass: d.passId, code: d.code, reason: d.message }, 'QR refused');
          return failure(DoorCode.AUTH_FAILED, d.message);
        }
        t.log.info({ pass: d.passId }, 'QR allowed');
        return success({ userId: d.identityId });
      }),
    ),

    '/cardAC/passEvent': authed(parseCardPass, (t, c) => pass(t, 'card', c.cardId)),
    '/bleAC/passEvent': authed(parseCardPass, (t, c) => pass(t, 'ble', c.cardId)),

    '/visualIntercom/getGroupId': authed(parseGetGroupId, (_t, r) => {
      const groupId = intercom.groupOf(r.roomId);
      if (!groupId) return failure(DoorCode.OTHER, `no SIP group for room ${r.roomId}`);
      return success(undefined, { groupId }); // groupId at the top level (L36339, L36355)
    }),

    '/visualIntercom/checkPhoneNumber': authed(parseCheckPhoneNumber, (t, p) =>
      // The reply says only whether the check was handed on to the cloud; the result comes by
      // verifyPhoneResult (L36370-36373). Without a connected cloud link it cannot be.
      guarded(t, 'phone number check', async () => {
        if (!t.has('intercom')) return failure(DoorCode.OTHER, 'this door has no intercom device');
        if (!(await gateway.cloudOnline())) {
          t.log.warn('phone number check refused: the box has no connected cloud link');
          return failure(DoorCode.OTHER, 'the box cannot reach the cloud to check the number');
        }
        report(t, 'intercom', 'checkPhoneNumber', { phoneNumber: p.phoneNumber });
        return success();
      }),
    ),

    '/visualIntercom/reportOpenDoor': authed(parseReportOpenDoor, (t, r) => {
      if (t.has('intercom')) report(t, 'intercom', 'doorOpenEvent', { type: r.type, number: r.number, roomId: r.roomId ?? '' });
      return recorded(t, 'intercom pass', { deviceKey: deviceKeyOf(t, 'intercom'), kind: 'intercom', content: r.number, code: 0, time: Date.now() });
    }),

    '/elevator/reportRunState': authed(
      (o) => {
        checkVersion(o);
        return parseRunStates(o);
      },
      (t, states) => {
        const first = states[0];
        if (!first || !t.has('elevator')) return success();
        if (t.device('elevator')?.productKey === ELEVATOR_GATEWAY_PRODUCT) {
          // A report may carry only the cars that changed (L36558): the property is every car's latest.
          const all = runStates.get(t.cfg.ip) ?? new Map<string, ElevatorStatusEntry>();
          runStates.set(t.cfg.ip, all);
          for (const s of states) all.set(s.elevatorId ?? '', toElevatorStatus(s));
          reportProps(t, 'elevator', { ElevatorStatus: [...all.values()].slice(0, 64) });
        } else {
          reportProps(t, 'elevator', { CurrentFloor: first.currentFloor, CarState: first.carState, CarDirection: first.carDirection, RunStates: JSON.stringify(states) });
        }
        return success();
      },
    ),

    '/elevator/rule/report': authed(
      (o) => {
        checkVersion(o);
        return parseRuleReport(o);
      },
      (t, r) => {
        if (t.has('elevator')) {
          report(t, 'elevator', 'linkageReport', { ruleId: r.ruleId, userId: r.userId, authType: r.authType, controlMode: r.controlMode, startFloor: r.startFloor ?? '', targetFloors: (r.targetFloorRoomList ?? []).map((f) => f.floor).join(',') });
        }
        return success();
      },
    ),
  };

  function pass(t: Terminal, role: 'card' | 'ble', cardId: string): Promise<DoorReply> {
    // The door already decided and opened. Card and BLE passes carry no time (spec 001f A9): the
    // receive time is stamped here.
    return recorded(t, `${role} pass`, { deviceKey: deviceKeyOf(t, role), kind: role === 'card' ? 'tradCard' : 'bleCard', content: cardId, code: 0, time: Date.now() });
  }
}
