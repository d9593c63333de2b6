/**
 * PTZCmd, the 8-byte front-end command of GB/T 28181-2016 Annex A.3, written as 16 hex digits in
 * a DeviceControl body:
 *
 *   byte 1  A5h (header)
 *   byte 2  high nibble version (0), low nibble check = (A + 5 + version) mod 16 → 0Fh
 *   byte 3  address, low 8 bits
 *   byte 4  command (A.3.2 PTZ bits, A.3.4 presets)
 *   byte 5  data 1: pan speed (PTZ) / 00 (preset)
 *   byte 6  data 2: tilt speed (PTZ) / preset number 1-255
 *   byte 7  high nibble zoom speed (0-15), low nibble address bits 8-11
 *   byte 8  checksum = (byte 1 + … + byte 7) mod 256
 *
 * PTZ command bits (A.3.2): bit 5 zoom out, bit 4 zoom in, bit 3 up, bit 2 down, bit 1 left,
 * bit 0 right; all zero = stop. Presets (A.3.4): 81h set, 82h call, 83h delete.
 */

export type PtzDirection = 'stop' | 'up' | 'down' | 'left' | 'right' | 'upLeft' | 'upRight' | 'downLeft' | 'downRight';
export type PtzZoom = 'none' | 'in' | 'out';

const DIRECTION_BITS: Readonly<Record<PtzDirection, number>> = {
  stop: 0,
  up: 0x08,
  down: 0x04,
  left: 0x02,
  right: 0x01,
  upLeft: 0x0a,
  upRight: 0x09,
  downLeft: 0x06,
  downRight: 0x05,
};
const ZOOM_BITS: Readonly<Record<PtzZoom, number>> = { none: 0, in: 0x10, out: 0x20 };

export const PRESET_COMMAND = { set: 0x81, call: 0x82, delete: 0x83 } as const;
export type PresetAction = keyof typeof PRESET_COMMAND;

/** The front-end address most platforms write (WVP, vendors' own platforms); 000h is broadcast. */
export const DEFAULT_PTZ_ADDRESS = 1;

/** The 16 hex digits (upper case) of one command; bytes 5-7 as given. */
export function ptzFrame(command: number, data1: number, data2: number, zoomSpeed: number, address = DEFAULT_PTZ_ADDRESS): string {
  const b = [0xa5, 0x0f, address & 0xff, command & 0xff, data1 & 0xff, data2 & 0xff, ((zoomSpeed & 0x0f) << 4) | ((address >> 8) & 0x0f)];
  b.push(b.reduce((s, x) => s + x, 0) % 256);
  return Buffer.from(b).toString('hex').toUpperCase();
}

/** A PTZ move (or stop) with pan/tilt speed 0-255 and zoom speed 0-15. */
export function ptzMove(direction: PtzDirection, zoom: PtzZoom, speed: number, zoomSpeed = Math.min(15, speed >> 4)): string {
  const moving = direction !== 'stop';
  const s = moving ? clamp(speed, 0, 255) : 0;
  return ptzFrame(DIRECTION_BITS[direction] | ZOOM_BITS[zoom], s, s, zoom === 'none' ? 0 : clamp(zoomSpeed, 0, 15));
}

export function ptzPreset(action: PresetAction, index: number): string {
  return ptzFrame(PRESET_COMMAND[action], 0, clamp(index, 1, 255), 0);
}

export type DecodedPtz =
  | { kind: 'move'; direction: PtzDirection; zoom: PtzZoom; panSpeed: number; tiltSpeed: number; zoomSpeed: number; address: number }
  | { kind: 'preset'; action: PresetAction; index: number; address: number }
  | { kind: 'other'; command: number; address: number };

/** A PTZCmd read back (the simulator; a frame from elsewhere), or a reason it is not one. */
export function decodePtz(hex: string): { ok: true; value: DecodedPtz } | { ok: false; reason: string } {
  if (!/^[0-9A-Fa-f]{16}$/.test(hex)) return { ok: false, reason: 'PTZCmd is not 16 hex digits' };
  const b = [...Buffer.from(hex, 'hex')];
  if (b[0] !== 0xa5) return { ok: false, reason: 'PTZCmd does not start with A5' };
  if ((b[1]! & 0x0f) !== (0xa + 0x5 + (b[1]! >> 4)) % 16) return { ok: false, reason: 'PTZCmd byte 2 check digit is wrong' };
  if (b.slice(0, 7).reduce((s, x) => s + x, 0) % 256 !== b[7]) return { ok: false, reason: 'PTZCmd checksum is wrong' };
  const address = b[2]! | ((b[6]! & 0x0f) << 8);
  const cmd = b[3]!;
  const preset = (Object.keys(PRESET_COMMAND) as PresetAction[]).find((a) => PRESET_COMMAND[a] === cmd);
  if (preset) return { ok: true, value: { kind: 'preset', action: preset, index: b[5]!, address } };
  if ((cmd & 0xc0) !== 0) return { ok: true, value: { kind: 'other', command: cmd, address } };
  const dir = (Object.keys(DIRECTION_BITS) as PtzDirection[]).find((d) => DIRECTION_BITS[d] === (cmd & 0x0f));
  const zoom = (Object.keys(ZOOM_BITS) as PtzZoom[]).find((z) => ZOOM_BITS[z] === (cmd & 0x30));
  if (!dir || !zoom) return { ok: true, value: { kind: 'other', command: cmd, address } };
  return { ok: true, value: { kind: 'move', direction: dir, zoom, panSpeed: b[4]!, tiltSpeed: b[5]!, zoomSpeed: b[6]! >> 4, address } };
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.round(v)));
