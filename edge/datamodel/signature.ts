/**
 * APPSIGN: the Alibaba Cloud API Gateway signature the apps' SDK (iotx-api-gateway-client) puts on
 * every call [Alibaba API Gateway "signature mechanism", doc 143207]:
 *
 *     stringToSign = METHOD "\n" Accept "\n" Content-MD5 "\n" Content-Type "\n" Date "\n"
 *                    (for each signed header, sorted by name: lowercase-name ":" value "\n")
 *                    path ["?" query params sorted by name, "k=v" joined by "&" ("k" when empty)]
 *     X-Ca-Signature = base64(HMAC-SHA256(appSecret, stringToSign))
 *
 * The signed headers are those named in X-Ca-Signature-Headers; the box requires x-ca-key,
 * x-ca-nonce, x-ca-signature-method and x-ca-timestamp among them, so none of them can be
 * swapped. A timestamp more than 15 minutes away from the box's clock (either way), or older than
 * the service's start (the nonces seen before it are gone), is refused, and so is a nonce seen
 * within the window. Content-MD5 (base64 MD5 of the body) is required on a body and checked
 * against it. Secrets never reach a log.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { dmError } from './codes.js';

export const WINDOW_MS = 15 * 60_000;
const REQUIRED_SIGNED = ['x-ca-key', 'x-ca-nonce', 'x-ca-signature-method', 'x-ca-timestamp'] as const;
const NONCE = /^[A-Za-z0-9-]{8,64}$/;
const APP_KEY = /^[A-Za-z0-9_-]{1,64}$/;

/** What the signature covers, as the server sees the request. */
export interface SignedRequest {
  method: string;
  /** The request target: path and query, undecoded (`/data/model/data/insert?a=1`). */
  url: string;
  headers: Record<string, string | undefined>;
}

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** The path and its sorted query, as signed. */
export function canonicalUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const path = url.slice(0, q);
  const params = new URLSearchParams(url.slice(q + 1));
  const keys = [...new Set(params.keys())].sort();
  if (keys.length === 0) return path;
  return `${path}?${keys.map((k) => (params.get(k) ? `${k}=${params.get(k)}` : k)).join('&')}`;
}

export function stringToSign(r: SignedRequest, signedHeaders: readonly string[]): string {
  const h = (name: string): string => r.headers[name] ?? '';
  const headers = [...signedHeaders]
    .sort()
    .map((n) => `${n}:${h(n)}\n`)
    .join('');
  return `${r.method.toUpperCase()}\n${h('accept')}\n${h('content-md5')}\n${h('content-type')}\n${h('date')}\n${headers}${canonicalUrl(r.url)}`;
}

export const signatureOf = (appSecret: string, text: string): string =>
  createHmac('sha256', appSecret).update(text, 'utf8').digest('base64');

export const contentMd5 = (body: Buffer): string => createHash('md5').update(body).digest('base64');

/** The signed headers a request names (comma-separated; the gateway's documents also show colons). */
export function signedHeaderNames(raw: string | undefined): string[] {
  if (!raw) return [];
  return raw
    .split(/[,:]/)
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
}

/** The headers of a node request as the signature reads them (lowercase names, first value). */
export function headerMap(headers: IncomingHttpHeaders): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = one(v);
  return out;
}

/** Nonces seen within the window, oldest first; bounded, so a flood cannot grow it without end. */
export class NonceCache {
  readonly #seen = new Map<string, number>();
  constructor(readonly max = 200_000) {}

  /** False when the nonce was seen (a replay); throws 429 when the table is full of live nonces. */
  use(key: string, now: number): boolean {
    for (const [k, at] of this.#seen) {
      if (at > now - WINDOW_MS) break;
      this.#seen.delete(k);
    }
    if (this.#seen.has(key)) return false;
    if (this.#seen.size >= this.max) throw dmError('busy', 'too many requests.');
    this.#seen.set(key, now);
    return true;
  }

  get size(): number {
    return this.#seen.size;
  }
}

export interface VerifyDeps {
  secretOf(appKey: string): string | undefined;
  nonces: NonceCache;
  now: number;
  /** Timestamps before this (the service's start) are refused: the nonces of before are not known. */
  notBefore: number;
}

/** The signature headers, checked before the body is read: a request without them is not read further. */
export function checkSignatureHeaders(
  h: Record<string, string | undefined>,
  now: number,
  notBefore: number,
): { appKey: string; given: string; signed: string[]; nonce: string } {
  const appKey = h['x-ca-key'];
  if (!appKey || !APP_KEY.test(appKey)) throw dmError('auth', 'X-Ca-Key is missing or malformed');
  const given = h['x-ca-signature'];
  if (!given) throw dmError('auth', 'X-Ca-Signature is missing');
  if ((h['x-ca-signature-method'] ?? '').toLowerCase() !== 'hmacsha256') throw dmError('auth', 'X-Ca-Signature-Method must be HmacSHA256');
  const signed = signedHeaderNames(h['x-ca-signature-headers']);
  const missing = REQUIRED_SIGNED.filter((n) => !signed.includes(n));
  if (missing.length > 0) throw dmError('auth', `X-Ca-Signature-Headers must name ${missing.join(', ')}`);
  const ts = h['x-ca-timestamp'] ?? '';
  if (!/^\d{1,15}$/.test(ts)) throw dmError('auth', 'X-Ca-Timestamp must be milliseconds since 1970');
  const at = Number(ts);
  if (Math.abs(now - at) > WINDOW_MS) throw dmError('auth', 'X-Ca-Timestamp is more than 15 minutes from the box clock');
  if (at < notBefore) throw dmError('auth', 'X-Ca-Timestamp is older than the service start; sign the request again');
  const nonce = h['x-ca-nonce'] ?? '';
  if (!NONCE.test(nonce)) throw dmError('auth', 'X-Ca-Nonce is missing or malformed (a UUID)');
  return { appKey, given, signed, nonce };
}

/** The app key of a correctly signed, fresh, unreplayed request whose body is the one signed; else 401. */
export function verifySignature(r: SignedRequest, body: Buffer | undefined, d: VerifyDeps): string {
  const h = r.headers;
  const { appKey, given, signed, nonce } = checkSignatureHeaders(h, d.now, d.notBefore);
  if (body && body.length > 0) {
    const md5 = h['content-md5'];
    if (!md5) throw dmError('auth', 'Content-MD5 is missing');
    if (md5 !== contentMd5(body)) throw dmError('auth', 'Content-MD5 does not match the body');
  }
  const secret = d.secretOf(appKey);
  // An unknown key and a wrong signature answer alike: the answer does not tell which keys exist.
  const expected = Buffer.from(signatureOf(secret ?? '\u0000unknown', stringToSign(r, signed)));
  const got = Buffer.from(given);
  if (secret === undefined || got.length !== expected.length || !timingSafeEqual(got, expected)) throw dmError('auth', 'Invalid Signature');
  // Only a correct signature spends a nonce, so a forger cannot burn the nonces of real requests.
  if (!d.nonces.use(`${appKey}\n${nonce}`, d.now)) throw dmError('auth', 'X-Ca-Nonce was already used');
  return appKey;
}
