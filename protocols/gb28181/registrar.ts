/**
 * REGISTER (GB/T 28181-2016 §9.1.2; RFC 3261 §10.3). The device id is the user part of From (and
 * To); the digest username must be that id (§9.1.2.1). No or a foreign nonce: 401 with a
 * challenge; a stale one: 401 `stale=true`; a wrong password: 403 (the camera shows "auth
 * failed" instead of trying again forever); an id the box does not know, once it proves the box
 * password: 403 and the `unknown` callback (the installer's "discovered" list); Expires 0
 * (or `Contact: *`): unregister. The 200 carries `Date` so the camera can set its clock (the standard's time-sync, 校时, clause).
 */
import type { DigestAuth } from './digest.js';
import { parseAuthorization } from './digest.js';
import { header, userOf, type SipRequest, type SipResponse } from './message.js';
import { responseTo } from './response.js';
import type { Peer } from './transport.js';

export const GB_ID = /^\d{20}$/;

export interface RegistrarContext {
  auth: DigestAuth;
  /** The password a known device proves; undefined: not a configured device (the box password is then asked for). */
  passwordOf(deviceId: string): string | undefined;
  boxPassword: string;
  minExpiresS: number;
  maxExpiresS: number;
  registered(deviceId: string, from: Peer, expiresS: number): void;
  unregistered(deviceId: string, from: Peer): void;
  unknown(deviceId: string, from: Peer): void;
  refused(deviceId: string, from: Peer, why: string): void;
  now(): number;
}

/** Date header value in GB's local-time ISO form without zone (校时): the box's UTC+8 wall clock. */
export function gbDate(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 23);
}

function expiresOf(req: SipRequest): number | undefined {
  const contact = header(req, 'contact') ?? '';
  const onContact = /;\s*expires=(\d{1,10})/i.exec(contact)?.[1];
  const v = onContact ?? header(req, 'expires');
  if (v === undefined) return undefined;
  return /^\d{1,10}$/.test(v.trim()) ? Number(v.trim()) : Number.NaN;
}

export function handleRegister(ctx: RegistrarContext, req: SipRequest, from: Peer): SipResponse {
  const id = userOf(header(req, 'from'));
  if (!id || !GB_ID.test(id)) return responseTo(req, 400);
  const expires = expiresOf(req) ?? 3600;
  if (Number.isNaN(expires)) return responseTo(req, 400);
  const creds = parseAuthorization(header(req, 'authorization'));
  if (!creds) return responseTo(req, 401, [['WWW-Authenticate', ctx.auth.challenge()]]);
  const known = ctx.passwordOf(id);
  if (creds.username !== id) {
    ctx.refused(id, from, 'digest username is not the device id');
    return responseTo(req, 403);
  }
  const check = ctx.auth.check(creds, 'REGISTER', known ?? ctx.boxPassword);
  if (!check.ok) {
    if (check.why === 'stale' || check.why === 'foreign-nonce')
      return responseTo(req, 401, [['WWW-Authenticate', ctx.auth.challenge(check.why === 'stale')]]);
    ctx.refused(id, from, check.why === 'wrong' ? 'wrong password' : `digest ${check.why}`);
    return responseTo(req, 403);
  }
  if (known === undefined) {
    ctx.unknown(id, from);
    return responseTo(req, 403);
  }
  if (expires === 0 || header(req, 'contact')?.trim() === '*') {
    ctx.unregistered(id, from);
    return responseTo(req, 200, [['Expires', '0']]);
  }
  if (expires < ctx.minExpiresS) return responseTo(req, 423, [['Min-Expires', String(ctx.minExpiresS)]]);
  const granted = Math.min(expires, ctx.maxExpiresS);
  ctx.registered(id, from, granted);
  const contact = header(req, 'contact');
  return responseTo(req, 200, [
    ...(contact ? ([['Contact', `${contact.replace(/;\s*expires=\d+/i, '')};expires=${granted}`]] as Array<[string, string]>) : []),
    ['Expires', String(granted)],
    ['Date', gbDate(ctx.now())],
  ]);
}
