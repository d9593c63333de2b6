/**
 * The APPSIGN request signature of Alibaba Cloud API Gateway, which the data-model API checks
 * (help.aliyun.com document 143207, "Signature mechanism"):
 *
 *   stringToSign = METHOD \n Accept \n Content-MD5 \n Content-Type \n Date \n
 *                  (each signed header, sorted by name: lowercase-name ":" value \n) path[?sorted query]
 *   X-Ca-Signature = base64(HMAC-SHA256(appSecret, stringToSign))
 *
 * Empty Accept/Content-MD5/Content-Type/Date still contribute their "\n"; a query parameter with an
 * empty value contributes its key only.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';

export const SIGNED_HEADER_NAMES = ['x-ca-key', 'x-ca-nonce', 'x-ca-signature-method', 'x-ca-timestamp'] as const;

export interface StringToSignInput {
  method: string;
  accept?: string;
  contentMd5?: string;
  contentType?: string;
  date?: string;
  /** The signed headers, any case; sorted and lower-cased here. */
  headers: Record<string, string>;
  path: string;
  query?: Record<string, string>;
}

export function contentMd5(body: Buffer | string): string {
  return createHash('md5').update(body).digest('base64');
}

export function stringToSign(i: StringToSignInput): string {
  const headers = Object.entries(i.headers)
    .map(([k, v]) => [k.toLowerCase(), v] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}:${v}\n`)
    .join('');
  const q = Object.entries(i.query ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => (v === '' ? k : `${k}=${v}`))
    .join('&');
  return (
    [i.method.toUpperCase(), i.accept ?? '', i.contentMd5 ?? '', i.contentType ?? '', i.date ?? ''].join('\n') +
    '\n' +
    headers +
    i.path +
    (q ? `?${q}` : '')
  );
}

export function signature(appSecret: string, toSign: string): string {
  return createHmac('sha256', appSecret).update(toSign, 'utf8').digest('base64');
}

export interface SignRequestInput {
  appKey: string;
  appSecret: string;
  method: string;
  path: string;
  query?: Record<string, string>;
  accept: string;
  contentType: string;
  body: Buffer | string;
  /** Milliseconds since the epoch; now when absent (fixed in tests). */
  timestamp?: number;
  /** A UUID; random when absent (fixed in tests). */
  nonce?: string;
}

/** The headers to send with a signed request (Accept and Content-Type included, as signed). */
export function signRequest(i: SignRequestInput): Record<string, string> {
  const signed: Record<string, string> = {
    'x-ca-key': i.appKey,
    'x-ca-nonce': i.nonce ?? randomUUID(),
    'x-ca-signature-method': 'HmacSHA256',
    'x-ca-timestamp': String(i.timestamp ?? Date.now()),
  };
  const md5 = contentMd5(i.body);
  const toSign = stringToSign({
    method: i.method,
    accept: i.accept,
    contentMd5: md5,
    contentType: i.contentType,
    headers: signed,
    path: i.path,
    ...(i.query ? { query: i.query } : {}),
  });
  return {
    accept: i.accept,
    'content-type': i.contentType,
    'content-md5': md5,
    ...signed,
    'x-ca-signature-headers': SIGNED_HEADER_NAMES.join(','),
    'x-ca-signature': signature(i.appSecret, toSign),
  };
}
