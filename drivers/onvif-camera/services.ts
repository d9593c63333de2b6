/**
 * The camera's TSL services (config/tsl/PEOnvifCamera.json). Names follow the GB28181 camera's
 * where they mean the same (`ptz`, `preset`, `snapshot`); `ptzAbsolute` and `getStreamUri` are
 * ONVIF's own. Inputs arrive checked against the thing model; what the model cannot say (which
 * inputs go together) is checked here.
 */
import { DRIVER_ERRORS, fail, ok, type Answer } from '../../edge/host/sdk/driver.js';
import type { Connected } from './camera.js';
import type { Vector } from './client.js';

/** Unit vectors of the `direction` input (ONVIF generic velocity space, -1…1). */
export const DIRECTIONS: Readonly<Record<string, Vector>> = {
  up: { x: 0, y: 1, zoom: 0 },
  down: { x: 0, y: -1, zoom: 0 },
  left: { x: -1, y: 0, zoom: 0 },
  right: { x: 1, y: 0, zoom: 0 },
  upleft: { x: -1, y: 1, zoom: 0 },
  upright: { x: 1, y: 1, zoom: 0 },
  downleft: { x: -1, y: -1, zoom: 0 },
  downright: { x: 1, y: -1, zoom: 0 },
  zoomin: { x: 0, y: 0, zoom: 1 },
  zoomout: { x: 0, y: 0, zoom: -1 },
};

const invalid = (message: string) => fail(DRIVER_ERRORS.EDGE_ERR_REQUEST_INVALID, message);
const failed = (err: unknown) => fail(DRIVER_ERRORS.EDGE_ERR_DRIVER_FAILED, (err as Error).message);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const clamp = (v: number) => Math.max(-1, Math.min(1, v));

/** `ptz`: `stop`, or a `direction` at `speed` (1-100 %), or `pan`/`tilt`/`zoom` velocities; optional `durationMs`. */
export async function ptz(c: Connected, args: Record<string, unknown>): Promise<Answer> {
  const token = c.profile.token;
  const direction = typeof args.direction === 'string' ? args.direction.toLowerCase() : undefined;
  try {
    if (args.stop === true || args.stop === 1 || direction === 'stop') {
      await c.client.stop(token);
      return ok({ moving: false });
    }
    let v: Vector;
    if (direction !== undefined) {
      const unit = DIRECTIONS[direction];
      if (!unit) return invalid(`direction ${direction} is not one of stop, ${Object.keys(DIRECTIONS).join(', ')}`);
      const speed = (num(args.speed) ?? 50) / 100;
      v = { x: unit.x * speed, y: unit.y * speed, zoom: unit.zoom * speed };
    } else {
      const [x, y, zoom] = [num(args.pan), num(args.tilt), num(args.zoom)];
      if (x === undefined && y === undefined && zoom === undefined) return invalid('give stop, a direction, or pan/tilt/zoom speeds');
      v = { x: clamp(x ?? 0), y: clamp(y ?? 0), zoom: clamp(zoom ?? 0) };
    }
    const duration = num(args.durationMs);
    await c.client.continuousMove(token, v, duration);
    return ok({ moving: true });
  } catch (err) {
    return failed(err);
  }
}

/** `ptzAbsolute`: move to pan/tilt/zoom positions (generic space: pan, tilt -1…1, zoom 0…1). */
export async function ptzAbsolute(c: Connected, args: Record<string, unknown>): Promise<Answer> {
  const [x, y, zoom] = [num(args.pan), num(args.tilt), num(args.zoom)];
  if (x === undefined || y === undefined) return invalid('pan and tilt are required');
  try {
    await c.client.absoluteMove(c.profile.token, { x: clamp(x), y: clamp(y), zoom: Math.max(0, Math.min(1, zoom ?? 0)) });
    return ok();
  } catch (err) {
    return failed(err);
  }
}

/**
 * `preset` {action: set|call|delete, index}. A preset is found by its token or its name being
 * the index (Hikvision and Uniview use the number as token; others name it); `set` of a new
 * index names the new preset with it and lets the camera choose the token (ONVIF PTZ service, SetPreset).
 */
export async function preset(c: Connected, args: Record<string, unknown>): Promise<Answer> {
  const action = args.action;
  const index = num(args.index);
  if (action !== 'set' && action !== 'call' && action !== 'delete') return invalid('action is one of set, call, delete');
  if (index === undefined || !Number.isInteger(index) || index < 1 || index > 255) return invalid('index is a whole number from 1 to 255');
  const token = c.profile.token;
  try {
    const presets = await c.client.presets(token);
    const name = String(index);
    const found = presets.find((p) => p.token === name) ?? presets.find((p) => p.name === name);
    if (action === 'set') {
      await c.client.setPreset(token, name, found?.token);
      return ok({ index });
    }
    if (!found) return fail(DRIVER_ERRORS.EDGE_ERR_REQUEST_INVALID, `the camera has no preset ${index}`);
    if (action === 'call') await c.client.gotoPreset(token, found.token);
    else await c.client.removePreset(token, found.token);
    return ok({ index });
  } catch (err) {
    return failed(err);
  }
}
