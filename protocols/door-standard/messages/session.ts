/** `/connect` and `/keepalive` (seed 001 L34933-35100). */
import { LIMITS } from '../endpoints.js';
import { parseSignMethod, type SignMethod } from '../sign.js';
import { ParamError, int, str, type Obj } from '../validate.js';

export interface ConnectRequest {
  sn: string;
  time: number;
  ip: string;
  mac: string;
  keepalive: number;
  signMethod: SignMethod;
  sign: string;
}

/** 4-32 chars of letters, digits and `-_@.:` (L34960-34966). */
export const SN_PATTERN = /^[A-Za-z0-9\-_@.:]{4,32}$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
// The example is dash separated (00-16-EA-AE-3D-40, L35025); colons are accepted too.
const MAC = /^[0-9A-Fa-f]{2}([-:][0-9A-Fa-f]{2}){5}$/;

export function parseConnectRequest(o: Obj): ConnectRequest {
  const signMethodRaw = str(o, 'signMethod', { max: 16 });
  const signMethod = parseSignMethod(signMethodRaw);
  if (!signMethod) throw new ParamError('signMethod must be one of md5, sha1, sha256');
  return {
    sn: str(o, 'sn', { pattern: SN_PATTERN }),
    time: int(o, 'time', { min: 0, max: 2 ** 32 }),
    ip: str(o, 'ip', { pattern: IPV4 }),
    mac: str(o, 'mac', { pattern: MAC }),
    keepalive: int(o, 'keepalive', { min: LIMITS.keepaliveMinS, max: LIMITS.keepaliveMaxS }),
    signMethod,
    sign: str(o, 'sign', { pattern: /^[0-9a-fA-F]{32,64}$/ }),
  };
}

export interface ConnectReplyData {
  token: string;
}

export function parseConnectReplyData(o: Obj): ConnectReplyData {
  return { token: str(o, 'token', { min: 1, maxBytes: LIMITS.tokenMaxBytes }) };
}

/** Every request after /connect: the receiving side's token (L35059). */
export function parseToken(o: Obj): string {
  return str(o, 'token', { min: 1, maxBytes: LIMITS.tokenMaxBytes });
}
