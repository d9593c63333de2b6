/**
 * The stand-in's own Alink signature check, written apart from the box's signer
 * (edge/cloud/alink/sign.ts) so a test compares two implementations of the platform's rule:
 * params sorted by name, name+value concatenated, HMAC with the deviceSecret, hex.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

const ALGO: Record<string, string> = { hmacsha1: 'sha1', hmacsha256: 'sha256', hmacmd5: 'md5' };

export function expectedSign(secret: string, method: string, fields: Record<string, string>): string | undefined {
  const text = Object.entries(fields)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .reduce((acc, [k, v]) => acc + k + v, '');
  const m = method.toLowerCase();
  if (m === 'sha256')
    return createHash('sha256')
      .update(text + secret)
      .digest('hex');
  const algo = ALGO[m];
  return algo ? createHmac(algo, secret).update(text).digest('hex') : undefined;
}

export function signMatches(secret: string, method: string, fields: Record<string, string>, sign: unknown): boolean {
  const want = expectedSign(secret, method, fields);
  if (!want || typeof sign !== 'string' || sign.length !== want.length) return false;
  return timingSafeEqual(Buffer.from(want.toLowerCase()), Buffer.from(sign.toLowerCase()));
}

/** The MQTT password the platform expects from a device (the harness writes it into mosquitto's password file). */
export function gatewayPassword(
  g: { productKey: string; deviceName: string; deviceSecret: string },
  clientId: string,
  timestamp: number,
  method = 'hmacsha256',
): { username: string; password: string } {
  const password = expectedSign(g.deviceSecret, method, {
    clientId,
    deviceName: g.deviceName,
    productKey: g.productKey,
    timestamp: String(timestamp),
  });
  if (!password) throw new Error(`unknown sign method ${method}`);
  return { username: `${g.deviceName}&${g.productKey}`, password };
}
