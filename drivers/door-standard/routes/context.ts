/**
 * What every port-10000 handler shares: its dependencies and the steps each one is built from
 * — the token check and body validation (`authed`), the photo of a multipart request, the
 * guard that turns an access-core failure into code 99, and a pass recorded before the answer.
 */
import type { Logger } from 'pino';
import {
  DoorCode,
  type DoorReply,
  type DoorRequest,
  type DoorRoute,
  failure,
  LIMITS,
  type Obj,
  parse,
  photoProblem,
  success,
  type TokenTable,
} from '../../../protocols/door-standard/index.js';
import type { DriverSettings } from '../config.js';
import type { DoorAccess, PassRecordArgs } from '../gateway.js';
import type { IntercomStore } from '../intercom-store.js';
import type { Terminal } from '../terminal.js';
import { deviceKeyOf } from '../thing.js';
import { platformNow } from '../../../edge/host/sdk/clock.js';

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

export type Handler<T> = (t: Terminal, v: T, req: DoorRequest) => DoorReply | Promise<DoorReply>;

export interface RouteContext {
  deps: EdgeRouteDeps;
  /** A route that needs the token the box issued (code 4) and a body `parser` accepts (code 5). */
  authed<T>(parser: (o: Obj) => T, fn: Handler<T>): DoorRoute;
  /** The request's photo, or the reply refusing it. */
  photoOf(t: Terminal, req: DoorRequest): Buffer | DoorReply;
  /** Access-core failures never crash a route and never answer success: the door gets code 99 and may retry. */
  guarded(t: Terminal, what: string, fn: () => Promise<DoorReply>): Promise<DoorReply>;
  /** A pass the door decided itself: answered once its record is committed. */
  recorded(
    t: Terminal,
    what: string,
    args: PassRecordArgs,
    reply?: (r: { passId: string; photoId?: string }) => DoorReply,
  ): Promise<DoorReply>;
  /** A card or BLE pass the door allowed (no time in the message: stamped on receipt). */
  pass(t: Terminal, role: 'card' | 'ble', cardId: string): Promise<DoorReply>;
}

/** A body with no fields to check. */
export const none = (): null => null;

function authed<T>({ tokens, log }: EdgeRouteDeps, parser: (o: Obj) => T, fn: Handler<T>): DoorRoute {
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

function photoOf(t: Terminal, req: DoorRequest): Buffer | DoorReply {
  const photo = req.form?.files.photo?.data;
  const problem = photo ? photoProblem(photo, LIMITS.photoMaxBytes) : 'photo is required';
  if (problem || !photo) {
    t.log.warn({ path: req.path, reason: problem }, 'invalid photo');
    return failure(DoorCode.PARAM_ERROR, problem);
  }
  return photo;
}

export function routeContext(deps: EdgeRouteDeps): RouteContext {
  const { gateway } = deps;

  async function guarded(t: Terminal, what: string, fn: () => Promise<DoorReply>): Promise<DoorReply> {
    try {
      return await fn();
    } catch (err) {
      t.log.error({ err: (err as Error).message, what }, 'access core call failed; door answered busy');
      return failure(DoorCode.OTHER, `${what} not recorded, try again`);
    }
  }

  function recorded(
    t: Terminal,
    what: string,
    args: PassRecordArgs,
    reply: (r: { passId: string; photoId?: string }) => DoorReply = () => success(),
  ): Promise<DoorReply> {
    return guarded(t, what, async () => {
      const r = await gateway.recordPass(args);
      t.log.info({ pass: r.passId, kind: args.kind, duplicate: r.duplicate || undefined }, 'pass recorded');
      return reply(r);
    });
  }

  function pass(t: Terminal, role: 'card' | 'ble', cardId: string): Promise<DoorReply> {
    // The door already decided and opened. Card and BLE passes carry no time (spec 001f A9): the
    // receive time is stamped here.
    return recorded(t, `${role} pass`, {
      deviceKey: deviceKeyOf(t, role),
      kind: role === 'card' ? 'tradCard' : 'bleCard',
      content: cardId,
      code: 0,
      time: platformNow(),
    });
  }

  return { deps, authed: (parser, fn) => authed(deps, parser, fn), photoOf, guarded, recorded, pass };
}
