/**
 * Alink OTA: topics, the upgrade notice checked at the boundary, and the bodies the box sends
 * (version inform, progress, firmware request). Pure. Sources: Alibaba IoT Platform "OTA升级"
 * device topics (`/ota/device/inform|upgrade|progress/${pk}/${dn}`,
 * `/sys/${pk}/${dn}/thing/ota/firmware/get`) and help.aliyun.com 178043 for the step codes.
 */

export const otaTopics = {
  inform: (pk: string, dn: string) => `/ota/device/inform/${pk}/${dn}`,
  upgrade: (pk: string, dn: string) => `/ota/device/upgrade/${pk}/${dn}`,
  progress: (pk: string, dn: string) => `/ota/device/progress/${pk}/${dn}`,
  firmwareGet: (pk: string, dn: string) => `/sys/${pk}/${dn}/thing/ota/firmware/get`,
  firmwareGetReply: (pk: string, dn: string) => `/sys/${pk}/${dn}/thing/ota/firmware/get_reply`,
} as const;

/**
 * Negative progress steps (help.aliyun.com 178043: "-1 升级操作失败, -2 固件文件下载失败,
 * -3 固件文件校验失败, -4 固件文件烧写失败"); 1..100 is a percentage.
 */
export const OTA_STEP = {
  UPGRADE_FAILED: -1,
  DOWNLOAD_FAILED: -2,
  VERIFY_FAILED: -3,
  INSTALL_FAILED: -4,
} as const;
export type FailStep = (typeof OTA_STEP)[keyof typeof OTA_STEP];

/** A failure carrying the step it is reported with. */
export class OtaError extends Error {
  readonly step: FailStep;
  constructor(step: FailStep, message: string) {
    super(message);
    this.step = step;
  }
}

export type SignMethod = 'Md5' | 'SHA256';

/** One firmware to install, as the platform announced it (checked). */
export interface Firmware {
  /** The module (`default` when the platform gives none): box, a driver package, or a terminal's firmware. */
  module: string;
  version: string;
  url: string;
  size: number;
  signMethod: SignMethod;
  /** Lower-case hex digest of the whole file. */
  sign: string;
  extData: Record<string, unknown>;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const MAX_SIZE = 4 * 1024 ** 3;
const VERSION_RE = /^[A-Za-z0-9._+-]{1,64}$/;
const MODULE_RE = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The `data` of an upgrade notice or a firmware/get reply. Everything is refused that would be
 * unsafe to act on: a version that could climb out of a folder, a non-HTTP URL, a digest of the
 * wrong length, a size the box cannot check.
 */
export function parseFirmware(data: unknown): Parsed<Firmware> {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return { ok: false, reason: 'data must be an object' };
  const d = data as Record<string, unknown>;
  const version = d.version;
  if (typeof version !== 'string' || !VERSION_RE.test(version) || version === '.' || version === '..')
    return { ok: false, reason: 'data.version must be 1-64 characters of A-Z a-z 0-9 . _ + -' };
  const module = d.module === undefined || d.module === '' ? 'default' : d.module;
  if (typeof module !== 'string' || !MODULE_RE.test(module))
    return { ok: false, reason: 'data.module must be 1-64 characters of A-Z a-z 0-9 . _ -' };
  if (typeof d.url !== 'string' || d.url.length > 4096) return { ok: false, reason: 'data.url must be a string' };
  let url: URL;
  try {
    url = new URL(d.url);
  } catch {
    return { ok: false, reason: 'data.url is not a URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: 'data.url must be http(s)' };
  const size = typeof d.size === 'string' && /^\d+$/.test(d.size) ? Number(d.size) : d.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size <= 0 || size > MAX_SIZE)
    return { ok: false, reason: 'data.size must be a positive byte count' };
  const method = d.signMethod === undefined ? 'Md5' : d.signMethod;
  if (method !== 'Md5' && method !== 'SHA256') return { ok: false, reason: 'data.signMethod must be Md5 or SHA256' };
  // The platform sends the MD5 in `md5` (older notices) and the digest in `sign`.
  const sign = typeof d.sign === 'string' && d.sign !== '' ? d.sign : method === 'Md5' ? d.md5 : undefined;
  const hexLen = method === 'Md5' ? 32 : 64;
  if (typeof sign !== 'string' || !new RegExp(`^[0-9a-fA-F]{${hexLen}}$`).test(sign))
    return { ok: false, reason: `data.sign must be the file's ${method} digest (${hexLen} hex digits)` };
  const ext = d.extData;
  if (ext !== undefined && (ext === null || typeof ext !== 'object' || Array.isArray(ext)))
    return { ok: false, reason: 'data.extData must be an object' };
  return {
    ok: true,
    value: {
      module,
      version,
      url: url.toString(),
      size,
      signMethod: method,
      sign: sign.toLowerCase(),
      extData: (ext ?? {}) as Record<string, unknown>,
    },
  };
}

/** An upgrade notice: `{code: "1000", data: {...}, id, message}`. */
export function parseUpgrade(body: Record<string, unknown>): Parsed<Firmware> {
  if (body.code !== undefined && String(body.code) !== '1000')
    return { ok: false, reason: `upgrade notice code ${String(body.code)} is not 1000` };
  return parseFirmware(body.data);
}

export function informBody(id: string, version: string, module: string): string {
  return JSON.stringify({ id, params: { version, module } });
}

export function progressBody(id: string, step: number, desc: string, module: string): string {
  return JSON.stringify({ id, params: { step: String(step), desc: desc.slice(0, 128), module } });
}

export function firmwareGetBody(id: string, module: string): string {
  return JSON.stringify({ id, version: '1.0', params: { module }, method: 'thing.ota.firmware.get' });
}

/** A URL for logs: the query (signed URLs carry their token there) cut off. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '(bad url)';
  }
}
