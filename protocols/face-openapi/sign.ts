/**
 * Request signature of the face-terminal OpenAPI (seed 004 L69-91): `sign = md5(timestamp#password)`,
 * lower-case hex; `timestamp` is UTC milliseconds. The device refuses a timestamp more than
 * 5 minutes from its own clock (L91).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { OpenApiCode } from './errors.js';

export const MAX_SKEW_MS = 5 * 60_000;
/** The terminal's factory password (seed 004 L67); the OpenAPI cannot change it, the terminal's screen can. */
export const FACTORY_PASSWORD = '123456';

export function openApiSign(timestamp: string, password: string): string {
  return createHash('md5').update(`${timestamp}#${password}`, 'utf8').digest('hex');
}

/** `timestamp` and `sign` for a request made now. */
export function signParams(password: string, now = Date.now()): { timestamp: string; sign: string } {
  const timestamp = String(now);
  return { timestamp, sign: openApiSign(timestamp, password) };
}

/** The device's check: 0 when good, else the seed's error code (10003 expired, 10005 bad sign, 30003 missing). */
export function checkSign(timestamp: string | undefined, sign: string | undefined, password: string, now = Date.now()): number {
  if (!timestamp || !sign) return OpenApiCode.MISSING_PARAM;
  if (!/^\d{1,15}$/.test(timestamp)) return OpenApiCode.SIGNATURE_FAILED;
  if (Math.abs(now - Number(timestamp)) > MAX_SKEW_MS) return OpenApiCode.REQUEST_EXPIRED;
  const want = Buffer.from(openApiSign(timestamp, password));
  const got = Buffer.from(sign.toLowerCase());
  return got.length === want.length && timingSafeEqual(got, want) ? 0 : OpenApiCode.SIGNATURE_FAILED;
}
