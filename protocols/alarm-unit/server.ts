/**
 * The box's side of the indoor alarm unit protocol (seed 001 L40647-41298) as an HTTP server on
 * port 10070 (R10): parses, checks and decrypts each request and hands the result to the driver.
 *
 * Order of checks, cheapest first: path and method; the protocol's rate limits per unit address
 * (connect ≤ 10 QPS, the rest ≤ 100 QPS, R13); the source address must be a configured unit
 * (L40719, before the body is read); the body under the cap; JSON; fields; then the connect's
 * key block or the token (bound to the address it was issued to) and the payload's decryption.
 * Every answer says `Connection: close` (L40659). Time limits, connection caps and the body cap
 * are the shared device-facing listener's (protocols/common/http-listener.ts).
 */
import type { KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, RequestAbortedError, readBody } from '../common/body.js';
import { LISTENER_LIMITS, type Endpoint, type ListenerLimits, type ListenerLog } from '../common/http-listener.js';
import { DeviceHttpServer } from '../common/device-http-server.js';
import { peerAddress } from '../common/source-address.js';
import { SourceLimits } from '../common/source-limits.js';
import { AlarmCode, AlarmProtocolError, failure, PONG, success, type AlarmReply } from './codes.js';
import { aesDecrypt, decryptKeyBlock } from './crypto.js';
import {
  checkAlarmInfo,
  checkConnect,
  checkTokened,
  checkZoneInfo,
  type AlarmInfo,
  type Checked,
  type ConnectRequest,
  type ZoneInfo,
} from './messages.js';
import { SessionTable, type UnitSession } from './sessions.js';

/** The port the units call (L40655). */
export const ALARM_UNIT_PORT = 10070;

export const ALARM_PATHS = {
  ping: '/alarm/ping',
  connect: '/alarm/connect',
  keepalive: '/alarm/keepalive',
  reportZoneInfo: '/alarm/reportZoneInfo',
  reportAlarm: '/alarm/reportAlarm',
  setZoneAlertState: '/alarm/setZoneAlertState',
} as const;

/** What the units call on the box (the listener registry lists them). */
export const ALARM_UNIT_ENDPOINTS: readonly Endpoint[] = [
  { method: 'GET', path: ALARM_PATHS.ping },
  { method: 'POST', path: ALARM_PATHS.connect },
  { method: 'POST', path: ALARM_PATHS.keepalive },
  { method: 'POST', path: ALARM_PATHS.reportZoneInfo },
  { method: 'POST', path: ALARM_PATHS.reportAlarm },
];

/** QPS limits of the seed (L40747, L40890, L40957, L41187), per unit address. */
export const CONNECT_QPS = 10;
export const REQUEST_QPS = 100;

/**
 * Listener defaults: a unit's bodies are a few KiB (≤ 100 zones); one address may make the
 * protocol's connect and request rates together; units keep no connections open (Connection: close).
 */
export const alarmUnitServerDefaults: ListenerLimits = {
  ...LISTENER_LIMITS,
  maxBodyBytes: 64 * 1024,
  perSourceConnections: 16,
  perSourceRequestsPerS: CONNECT_QPS + REQUEST_QPS,
  perSourceBurst: CONNECT_QPS + REQUEST_QPS,
};

export interface AlarmUnitHandlers {
  /** Is `source` the address of a configured unit? */
  isConfigured(source: string): boolean;
  /** Why the configured unit at this address refuses this connect (e.g. another sn), or undefined. */
  connectProblem?(req: ConnectRequest): string | undefined;
  /** The box's RSA private key (encrypted mode). */
  privateKey(): KeyObject;
  /** A unit connected (after its answer was written): ping it, mark it online. */
  connected(s: UnitSession, req: ConnectRequest): void;
  keepalive(s: UnitSession): void;
  zoneInfo(s: UnitSession, zones: ZoneInfo[]): void | Promise<void>;
  /** One alarm report; `receivedAt` (ms) is the time of elements without alarmTime (R19). */
  alarms(s: UnitSession, alarms: AlarmInfo[], receivedAt: number): void | Promise<void>;
}

export interface AlarmUnitServerOptions extends Partial<ListenerLimits> {
  host: string;
  port: number;
  /** Keep-alive periods without a request before a token expires. */
  offlineMisses: number;
  log?: ListenerLog;
  now?: () => number;
}

const JSON_TYPE = 'application/json';

type Out = { status: number; reply: AlarmReply | typeof PONG; after?: () => void };

export class AlarmUnitServer extends DeviceHttpServer {
  readonly sessions: SessionTable;
  readonly #h: AlarmUnitHandlers;
  readonly #maxBody: number;
  readonly #connectRate: SourceLimits;
  readonly #requestRate: SourceLimits;
  readonly #now: () => number;
  /** Refusals by the protocol's own rate limits (the listener's are in listener.stats). */
  rateLimited = 0;

  constructor(handlers: AlarmUnitHandlers, o: AlarmUnitServerOptions) {
    const limits = { ...alarmUnitServerDefaults, ...o };
    super({
      ...limits,
      keepAliveTimeoutMs: 1,
      refusal: (r) => ({ contentType: JSON_TYPE, body: JSON.stringify(failure(AlarmCode.OTHER, r.reason)) }),
      ...(o.log ? { log: o.log } : {}),
    });
    this.#h = handlers;
    this.#now = o.now ?? Date.now;
    this.sessions = new SessionTable(o.offlineMisses, this.#now);
    this.#maxBody = limits.maxBodyBytes;
    this.#connectRate = new SourceLimits({
      connections: Infinity,
      requestsPerS: CONNECT_QPS,
      burst: CONNECT_QPS,
      trackedSources: limits.trackedSources,
    });
    this.#requestRate = new SourceLimits({
      connections: Infinity,
      requestsPerS: REQUEST_QPS,
      burst: REQUEST_QPS,
      trackedSources: limits.trackedSources,
    });
  }

  protected async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let out: Out;
    try {
      out = await this.#route(req);
    } catch (err) {
      if (err instanceof BodyTooLargeError) out = { status: 413, reply: failure(AlarmCode.OTHER, `body larger than ${err.limit} bytes`) };
      else if (err instanceof RequestAbortedError) {
        res.destroy();
        return;
      } else if (err instanceof AlarmProtocolError) out = { status: 200, reply: failure(err.code, err.detail) };
      else out = { status: 200, reply: failure(AlarmCode.OTHER, 'internal error') };
    }
    const body = JSON.stringify(out.reply);
    const headers: Record<string, string | number> = {
      'Content-Type': JSON_TYPE,
      'Content-Length': Buffer.byteLength(body),
      Connection: 'close',
    };
    if (out.status === 429) headers['Retry-After'] = 1;
    res.writeHead(out.status, headers);
    res.end(body, () => out.after?.());
  }

  async #route(req: IncomingMessage): Promise<Out> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const source = peerAddress(req.socket);
    const endpoint = ALARM_UNIT_ENDPOINTS.find((e) => e.path === path);
    if (!endpoint) return { status: 404, reply: failure(AlarmCode.OTHER, `unknown path ${path}`) };
    if (req.method !== endpoint.method)
      return { status: 405, reply: failure(AlarmCode.OTHER, `${path} is called with ${endpoint.method}`) };
    const rate = path === ALARM_PATHS.connect ? this.#connectRate : this.#requestRate;
    if (path !== ALARM_PATHS.ping && !rate.take(source).ok) {
      this.rateLimited++;
      return {
        status: 429,
        reply: failure(
          AlarmCode.OTHER,
          `too many requests: at most ${path === ALARM_PATHS.connect ? CONNECT_QPS : REQUEST_QPS} per second`,
        ),
      };
    }
    // An oversized body is refused from its declared length whoever sends it (the listener's 413).
    if (Number(req.headers['content-length']) > this.#maxBody) throw new BodyTooLargeError(this.#maxBody);
    if (!this.#h.isConfigured(source)) return { status: 200, reply: failure(AlarmCode.DEVICE_ILLEGAL, 'not a configured unit address') };
    if (path === ALARM_PATHS.ping) return { status: 200, reply: PONG };
    const raw = await readBody(req, this.#maxBody);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new AlarmProtocolError(AlarmCode.PARAM_ERROR, 'body is not JSON');
    }
    if (path === ALARM_PATHS.connect) return this.#connect(body, source);
    const t = ok(checkTokened(body));
    const s = this.sessions.use(t.token, source);
    if (!s) throw new AlarmProtocolError(AlarmCode.TOKEN_INVALID, 'connect again');
    if (path === ALARM_PATHS.keepalive) {
      this.#h.keepalive(s);
      return { status: 200, reply: success({ time: String(this.#now()) }) };
    }
    if (path === ALARM_PATHS.reportZoneInfo) {
      await this.#h.zoneInfo(s, ok(checkZoneInfo(payload(s, t.body, 'zoneInfo'))));
      return { status: 200, reply: success() };
    }
    const receivedAt = this.#now();
    await this.#h.alarms(s, ok(checkAlarmInfo(payload(s, t.body, 'alarmInfo'))), receivedAt);
    return { status: 200, reply: success() };
  }

  #connect(body: unknown, source: string): Out {
    const c = ok(checkConnect(body));
    // The connect names its own address (L40719): it must be the configured one it comes from.
    if (c.ip !== source) throw new AlarmProtocolError(AlarmCode.DEVICE_ILLEGAL, "ip is not the request's source address");
    const problem = this.#h.connectProblem?.(c);
    if (problem) throw new AlarmProtocolError(AlarmCode.DEVICE_ILLEGAL, problem);
    let aesKey: Buffer | undefined;
    if (c.encrypted === 1) {
      aesKey = decryptKeyBlock(this.#h.privateKey(), c.ciphertext!);
      if (!aesKey) throw new AlarmProtocolError(AlarmCode.DECRYPT_ERROR, "ciphertext is not an RSA block of the box's key");
    }
    const s = this.sessions.issue({
      ip: source,
      sn: c.sn,
      vendor: c.vendor,
      ...(c.model ? { model: c.model } : {}),
      port: c.port,
      protocol: c.protocol,
      keepaliveS: c.keepalive,
      ...(aesKey ? { aesKey } : {}),
    });
    return { status: 200, reply: success({ token: s.token }), after: () => this.#h.connected(s, c) };
  }
}

function ok<T>(c: Checked<T>): T {
  if (!c.ok) throw new AlarmProtocolError(AlarmCode.PARAM_ERROR, c.problem);
  return c.value;
}

/**
 * The array a report carries: in encrypted mode Base64(AES(JSON of the array)) in `ciphertext`
 * (L41008-41019, L41233-41243) and nothing in clear; in plain mode the field itself.
 */
function payload(s: UnitSession, body: Record<string, unknown>, field: 'zoneInfo' | 'alarmInfo'): unknown {
  if (!s.aesKey) {
    if (body.ciphertext !== undefined) throw new AlarmProtocolError(AlarmCode.PARAM_ERROR, 'ciphertext on a plain connection');
    return body[field];
  }
  if (body[field] !== undefined) throw new AlarmProtocolError(AlarmCode.PARAM_ERROR, `${field} in clear on an encrypted connection`);
  if (typeof body.ciphertext !== 'string')
    throw new AlarmProtocolError(AlarmCode.PARAM_ERROR, 'ciphertext: required on an encrypted connection');
  const text = aesDecrypt(s.aesKey, body.ciphertext);
  if (text === undefined) throw new AlarmProtocolError(AlarmCode.DECRYPT_ERROR, "ciphertext does not decrypt with the connection's key");
  try {
    return JSON.parse(text);
  } catch {
    throw new AlarmProtocolError(AlarmCode.PARAM_ERROR, `decrypted ${field} is not JSON`);
  }
}
