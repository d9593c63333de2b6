/**
 * Configuration objects of the device (seed 004 §8.1.2-8.1.5) with the ranges the seed gives.
 * `int` fields are integers within [min, max]; `text` fields strings.
 */
export type FieldSpec =
  | { type: 'int'; min: number; max: number }
  | { type: 'double'; min: number; max: number }
  | { type: 'text'; max: number };

const i = (min: number, max: number): FieldSpec => ({ type: 'int', min, max });
const t = (max = 32): FieldSpec => ({ type: 'text', max });

/** NetworkObject (L139-147). */
export const NETWORK_FIELDS: Record<string, FieldSpec> = {
  dhcpEnable: i(0, 1),
  ipAddress: t(),
  subMask: t(),
  DNS1: t(),
  DNS2: t(),
  defRout: t(),
};

/** SmartFaceObject (L161-175). */
export const SMARTFACE_FIELDS: Record<string, FieldSpec> = {
  faceEnable: i(0, 1),
  faceCmpEnable: i(0, 1),
  faceThre: i(0, 10),
  faceMinsize: i(30, 300),
  faceMaxsize: i(300, 500),
  faceInterval: i(6, 20),
  imgType: i(0, 2),
  maskDetecEnable: i(0, 1),
  tempDetecEnable: i(0, 1),
  tempWarnThre: { type: 'double', min: 37.0, max: 37.5 },
  ftpPutImgEnable: i(0, 1),
  faceFrame: i(0, 1),
};

/** PerParaObject (L177-188); the seed gives no range for detecTemMod, 0-255 is assumed. */
export const PERPARA_FIELDS: Record<string, FieldSpec> = {
  detecTemMod: i(0, 255),
  alarmType: i(0, 1),
  voiceProswitch: i(0, 1),
  tempNormal: i(0, 1),
  maskNormal: i(0, 1),
  cmpNormal: i(0, 1),
  RecordOpen: i(0, 1),
  unlockControl: i(0, 1),
  unlockOuttime: i(1, 30),
};

/** DeviceObject (L129-137), read only. */
export const DEVICE_FIELDS: readonly string[] = ['deviceID', 'deviceName', 'appVer', 'webVer', 'deviceMoel'];

export type ConfigGroup = 'network' | 'smartface' | 'perpara';
export const GROUP_FIELDS: Record<ConfigGroup, Record<string, FieldSpec>> = {
  network: NETWORK_FIELDS,
  smartface: SMARTFACE_FIELDS,
  perpara: PERPARA_FIELDS,
};

export function groupOf(field: string): ConfigGroup | undefined {
  return (Object.keys(GROUP_FIELDS) as ConfigGroup[]).find((g) => field in GROUP_FIELDS[g]);
}

/** Problems of `obj` against a group's fields (unknown fields and out-of-range values). */
export function checkObject(group: ConfigGroup, obj: Record<string, unknown>, partial = true): string[] {
  const spec = GROUP_FIELDS[group];
  const problems: string[] = [];
  for (const [k, v] of Object.entries(obj)) {
    const s = spec[k];
    if (!s) problems.push(`${k} is not a ${group} field`);
    else if (
      s.type === 'text'
        ? typeof v !== 'string' || v.length > s.max
        : typeof v !== 'number' || (s.type === 'int' && !Number.isInteger(v)) || v < s.min || v > s.max
    ) {
      problems.push(`${k} must be ${s.type === 'text' ? `a string of at most ${s.max}` : `${s.type} in [${s.min}, ${s.max}]`}`);
    }
  }
  if (!partial)
    for (const k of Object.keys(spec)) if (!(k in obj) && !(group === 'perpara' && k === 'alarmType')) problems.push(`${k} is missing`);
  return problems;
}
