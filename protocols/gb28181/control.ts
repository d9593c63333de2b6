/**
 * DeviceControl (GB/T 28181-2016 §9.3, Annex A.2.3.1): the box's `Control` MESSAGE bodies and the
 * device's `Response` to them. PTZ (and presets, which travel as PTZCmd, A.3.4) and TeleBoot are
 * commands without a MANSCDP answer (§9.3.2: the SIP 200 is all a device sends); RecordCmd and
 * GuardCmd are answered by a `Response` with `Result` OK/ERROR (A.2.6.1). IFameCmd (A.2.3.1,
 * the standard's own spelling: "强制关键帧命令", the device sends an IDR frame at once) has no
 * Response either.
 */
import { XMLBuilder } from 'fast-xml-parser';

export type ControlCommand =
  | { PTZCmd: string }
  | { RecordCmd: 'Record' | 'StopRecord' }
  | { GuardCmd: 'SetGuard' | 'ResetGuard' }
  | { TeleBoot: 'Boot' }
  | { IFameCmd: 'Send' };

/** Whether the device answers the command with a Response MESSAGE (A.2.6.1). */
export function expectsResponse(cmd: ControlCommand): boolean {
  return 'RecordCmd' in cmd || 'GuardCmd' in cmd;
}

const builder = new XMLBuilder({ format: true });

/** PTZ control priority (A.2.3.1 Info/ControlPriority, 1 highest … 5 lowest): the box as the lowest, so a guard's keyboard wins. */
const PTZ_PRIORITY = 5;

export function buildControl(deviceId: string, sn: number, cmd: ControlCommand): Buffer {
  const info = 'PTZCmd' in cmd ? { Info: { ControlPriority: PTZ_PRIORITY } } : {};
  const xml = builder.build({ Control: { CmdType: 'DeviceControl', SN: sn, DeviceID: deviceId, ...cmd, ...info } }) as string;
  return Buffer.from(`<?xml version="1.0" encoding="GB2312"?>\n${xml}`, 'latin1');
}

/** `Result` of a Response body's fields: OK, ERROR, or undefined when the device wrote neither. */
export function resultOf(fields: Record<string, unknown>): 'OK' | 'ERROR' | undefined {
  const r = typeof fields.Result === 'string' ? fields.Result.trim().toUpperCase() : undefined;
  return r === 'OK' || r === 'ERROR' ? r : undefined;
}

/** What a control body asks (the simulator reads it back), or undefined when it asks nothing known. */
export function controlOf(fields: Record<string, unknown>): ControlCommand | undefined {
  const s = (k: string) => (typeof fields[k] === 'string' ? (fields[k] as string).trim() : undefined);
  const ptz = s('PTZCmd');
  if (ptz) return { PTZCmd: ptz };
  const rec = s('RecordCmd');
  if (rec === 'Record' || rec === 'StopRecord') return { RecordCmd: rec };
  const guard = s('GuardCmd');
  if (guard === 'SetGuard' || guard === 'ResetGuard') return { GuardCmd: guard };
  if (s('TeleBoot') === 'Boot') return { TeleBoot: 'Boot' };
  if (s('IFameCmd') === 'Send') return { IFameCmd: 'Send' };
  return undefined;
}
