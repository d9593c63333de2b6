/**
 * The adapter → box messages other than the alarm report (./alarm-event.ts): appAuthentication
 * (L41512-41606), deviceManage/getConfig (L41608-41725), capture/report (L43470-43550), and the
 * camera address every device message carries (ip, channel, deviceType, L42760-42790).
 */
import { EseCode, EseError, paramError } from './codes.js';
import { picture, reqInt, reqIp, reqOneOf, reqSeconds, reqStr, optInt, optStr, type Obj, type PicType } from './fields.js';
import { isSupportedSignMethod } from './sign.js';

/** The vendors of the API (L41530-41538). */
export const MANUFACTURES = ['DH', 'HIK', 'UNIVIEW', 'TIANDY'] as const;
export type Manufacture = (typeof MANUFACTURES)[number];

/** 1 NVR, 2 directly connected IPC, 3 IPC behind an NVR (L41650-41656). */
export const DEVICE_TYPES = [1, 2, 3] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

/** Largest picture, in Base64 characters (3 MiB of image). */
export const MAX_PICTURE_CHARS = 4 * 1024 * 1024;

export interface AuthRequest {
  ip: string;
  mac: string;
  time: number;
  manufacture: Manufacture;
  signMethod: string;
  sign: string;
  alarmAdapterPort: number;
}

export function reqManufacture(o: Obj): Manufacture {
  const v = o.manufacture;
  if (typeof v !== 'string' || !(MANUFACTURES as readonly string[]).includes(v)) throw paramError('manufacture');
  return v as Manufacture;
}

export function checkAuth(o: Obj): AuthRequest {
  const req: AuthRequest = {
    ip: reqIp(o),
    mac: reqStr(o, 'mac', 64),
    time: reqSeconds(o, 'time'),
    manufacture: reqManufacture(o),
    signMethod: reqStr(o, 'signMethod', 16),
    sign: reqStr(o, 'sign', 128),
    alarmAdapterPort: reqInt(o, 'alarmAdapterPort', 1, 65_535),
  };
  // Only MD5 is supported (L41543): another method cannot be verified, so the authentication fails.
  if (!isSupportedSignMethod(req.signMethod)) throw new EseError(EseCode.AUTH_FAILED);
  return req;
}

/** A camera as a device message names it. `channel` counts only for deviceType 3 (L42770). */
export interface CameraAddress {
  ip: string;
  deviceType: DeviceType;
  channel: number;
}

/**
 * The address fields. `channel` is required by the tables but "valid only when deviceType is 3",
 * and the seed's own getStatus example leaves it out for type 2: required for 3, else 0.
 */
export function checkCameraAddress(o: Obj, types: readonly DeviceType[] = DEVICE_TYPES): CameraAddress {
  const ip = reqIp(o);
  const deviceType = reqOneOf(o, 'deviceType', types);
  const channel = deviceType === 3 ? reqInt(o, 'channel', 0, 65_535) : (optInt(o, 'channel', 0, 65_535) ?? 0);
  return { ip, deviceType, channel: deviceType === 3 ? channel : 0 };
}

export interface CaptureReport extends CameraAddress {
  taskId?: string;
  captureTime: number;
  picture: { base64: string; type: PicType };
}

export function checkCaptureReport(o: Obj): CaptureReport {
  const at = checkCameraAddress(o, [2, 3]);
  const taskId = optStr(o, 'taskId', 128);
  return {
    ...at,
    ...(taskId !== undefined ? { taskId } : {}),
    captureTime: reqSeconds(o, 'captureTime'),
    picture: picture(o, 'picBase64', 'picType', true, MAX_PICTURE_CHARS)!,
  };
}

/** One camera of getConfig's answer (L41640-41680); the child fields only for deviceType 3. */
export interface ConfigEntry {
  manufacture: Manufacture;
  deviceType: DeviceType;
  ip: string;
  port: number;
  username: string;
  password: string;
  channel?: number;
  childIp?: string;
  childPort?: number;
  childUsername?: string;
  childPassword?: string;
  extInfo?: string;
}
