/**
 * The box's calls to a unit's own server `http://<unit ip>:<port>` (L40671, L41066):
 * `GET /alarm/ping` after a connect (R14) and `POST /alarm/setZoneAlertState` (R20). Requests
 * say `Connection: close` (L40659): protocols/common/json-call.ts, answers under a small cap.
 */
import { callJson, type JsonCallResult } from '../common/json-call.js';
import { aesEncrypt } from './crypto.js';
import { PROTOCOL_VERSION, type ZoneAlertState } from './messages.js';

const MAX_ANSWER_BYTES = 16 * 1024;

export interface UnitAddress {
  ip: string;
  port: number;
  /** The unit's connect `protocol` (the `version` of the box's requests, L41092). */
  protocol?: string;
  aesKey?: Buffer;
}

export type CallResult = JsonCallResult;

export function callUnit(u: UnitAddress, method: 'GET' | 'POST', path: string, body: unknown, timeoutMs: number): Promise<CallResult> {
  return callJson(u, method, path, body, timeoutMs, MAX_ANSWER_BYTES);
}

/** Did the unit answer its ping with exactly `{"code":0,"message":"pong"}` (L40695-40705)? */
export async function pingUnit(u: UnitAddress, timeoutMs: number): Promise<boolean> {
  const r = await callUnit(u, 'GET', '/alarm/ping', undefined, timeoutMs);
  const b = r.body as { code?: unknown; message?: unknown } | undefined;
  return r.status === 200 && b?.code === 0 && b.message === 'pong';
}

/**
 * The body of setZoneAlertState: `version` = the unit's protocol, no token (L41086-41130); the
 * zone list in clear, or as Base64(AES(JSON)) in `ciphertext` on an encrypted connection.
 */
export function setZoneAlertStateBody(u: UnitAddress, zones: ZoneAlertState[]): Record<string, unknown> {
  const version = u.protocol ?? PROTOCOL_VERSION;
  return u.aesKey ? { version, ciphertext: aesEncrypt(u.aesKey, JSON.stringify(zones)) } : { version, zoneInfo: zones };
}

export async function setZoneAlertState(
  u: UnitAddress,
  zones: ZoneAlertState[],
  timeoutMs: number,
): Promise<{ code: number; message: string }> {
  const r = await callUnit(u, 'POST', '/alarm/setZoneAlertState', setZoneAlertStateBody(u, zones), timeoutMs);
  const b = r.body as { code?: unknown; message?: unknown } | undefined;
  if (r.status !== 200 || typeof b?.code !== 'number') throw new Error(`unit answered HTTP ${r.status} without a protocol answer`);
  return { code: b.code, message: typeof b.message === 'string' ? b.message : '' };
}

/**
 * `time` of the box's requests to one unit: ms now, but always above the last one sent, because
 * the unit drops a request whose time is not above the last it recorded (L41100-41109).
 */
export class StrictClock {
  #last = 0;
  constructor(private readonly now: () => number = Date.now) {}
  next(): number {
    this.#last = Math.max(this.now(), this.#last + 1);
    return this.#last;
  }
  /** Never go below a time already used (e.g. the last one persisted before a restart). */
  atLeast(t: number): void {
    this.#last = Math.max(this.#last, t);
  }
  get last(): number {
    return this.#last;
  }
}
