/**
 * Register signature of the face-terminal push protocol (seed 003 L101-104):
 * `sign = MD5(deviceNo + registerTime + rand + deviceNo)`, as an upper-case hex string.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export function registerSign(deviceNo: string, registerTime: string, rand: string): string {
  return createHash('md5').update(`${deviceNo}${registerTime}${rand}${deviceNo}`, 'utf8').digest('hex').toUpperCase();
}

/**
 * True when `sign` is the register signature. Upper case is what the seed asks for; a lower-case
 * sign from a sloppy firmware is accepted too (the digest is the same, only its spelling differs).
 */
export function verifyRegisterSign(deviceNo: string, registerTime: string, rand: string, sign: string): boolean {
  const want = Buffer.from(registerSign(deviceNo, registerTime, rand));
  const got = Buffer.from(sign.trim().toUpperCase());
  return got.length === want.length && timingSafeEqual(got, want);
}
