/**
 * Alink signing, shared by the MQTT CONNECT of the gateway and the topo/add and login of every
 * sub-device: sort the parameters by name, concatenate name+value without separators, HMAC it
 * with the device's deviceSecret, hex. Pure: imports nothing from the runtime.
 */
import { createHash, createHmac } from 'node:crypto';

export type SignMethod = 'hmacsha256' | 'hmacsha1' | 'hmacmd5' | 'sha256';

const HASH: Record<SignMethod, string> = { hmacsha256: 'sha256', hmacsha1: 'sha1', hmacmd5: 'md5', sha256: 'sha256' };

/** Accepts the platform's spellings (`hmacSha1`, `HmacSHA256`, `Sha256`). */
export function normalizeSignMethod(name: string): SignMethod | undefined {
  const m = name.toLowerCase();
  return m in HASH ? (m as SignMethod) : undefined;
}

/**
 * The signed content: every param except the ones named in `exclude`, sorted by name,
 * concatenated as name+value. Doc 89300: `clientIdal12345****&device1234deviceNamedevice1234productKeyal12345****timestamp1581417203000`.
 */
export function signContent(
  params: Record<string, string>,
  exclude: readonly string[] = ['sign', 'signMethod', 'signmethod', 'cleanSession'],
): string {
  return Object.keys(params)
    .filter((k) => !exclude.includes(k))
    .sort()
    .map((k) => `${k}${params[k]}`)
    .join('');
}

export function sign(method: SignMethod, secret: string, content: string): string {
  // 'sha256' (without hmac) signs content+secret per the platform's topo/add table.
  if (method === 'sha256')
    return createHash('sha256')
      .update(content + secret)
      .digest('hex');
  return createHmac(HASH[method], secret).update(content).digest('hex');
}

export interface DeviceIdentity {
  productKey: string;
  deviceName: string;
  deviceSecret: string;
}

export interface MqttCredentials {
  clientId: string;
  username: string;
  password: string;
}

/**
 * MQTT CONNECT credentials of a device (doc 73742): clientId `<id>|securemode=<2 TLS,3 TCP>,
 * signmethod=<m>,timestamp=<ms>|`, username `deviceName&productKey`, password the HMAC of
 * clientId, deviceName, productKey and timestamp.
 */
export function mqttCredentials(
  id: DeviceIdentity,
  opts: { clientId?: string; tls: boolean; signMethod: Exclude<SignMethod, 'sha256'>; timestamp: number },
): MqttCredentials {
  const clientId = opts.clientId ?? `${id.productKey}.${id.deviceName}`;
  const timestamp = String(opts.timestamp);
  const content = signContent({ clientId, deviceName: id.deviceName, productKey: id.productKey, timestamp });
  return {
    clientId: `${clientId}|securemode=${opts.tls ? 2 : 3},signmethod=${opts.signMethod},timestamp=${timestamp}|`,
    username: `${id.deviceName}&${id.productKey}`,
    password: sign(opts.signMethod, id.deviceSecret, content),
  };
}

/** The signed identity of a sub-device as topo/add and combine/login carry it. */
export function subDeviceSignature(
  id: DeviceIdentity,
  timestamp: number,
  method: SignMethod = 'hmacsha256',
): { productKey: string; deviceName: string; clientId: string; timestamp: string; sign: string } {
  const base = {
    productKey: id.productKey,
    deviceName: id.deviceName,
    clientId: `${id.productKey}&${id.deviceName}`,
    timestamp: String(timestamp),
  };
  return { ...base, sign: sign(method, id.deviceSecret, signContent(base)) };
}

/** The platform's spelling of a sign method in message bodies. */
export const SIGN_METHOD_WIRE: Record<SignMethod, string> = {
  hmacsha256: 'hmacSha256',
  hmacsha1: 'hmacSha1',
  hmacmd5: 'hmacMd5',
  sha256: 'Sha256',
};
