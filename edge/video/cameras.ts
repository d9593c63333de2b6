/**
 * The GB28181 cameras of a box config for the installer (`edge cameras`, the console): the
 * configured cameras and NVRs of every `gb28181-camera` driver with their channels, their last
 * known state, and the devices the driver heard of but that are not configured (its
 * `discovered.json`, written by drivers/gb28181-camera/discovered.ts); and `acceptCamera`, which
 * turns one discovered entry into a configured device by adding one line to the YAML text,
 * comments and layout kept (the `yaml` document API), for a redeploy to apply.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isSeq, parseDocument, YAMLMap } from 'yaml';
import type { BoxConfig } from '../config/schema.js';
import { DISCOVERED_FILE, type DiscoveredRecord } from '../../protocols/gb28181/discovered.js';

export const GB_DRIVER_TYPE = 'gb28181-camera';

export type DiscoveredCamera = DiscoveredRecord;

export interface ConfiguredCamera {
  driver: string;
  productKey: string;
  deviceName: string;
  alias?: string;
  gbId: string;
  parent?: string;
  /** From the driver's log: the last `device registered` / `device offline` of this GB id. */
  state: 'online' | 'offline' | 'unknown';
  channels: ConfiguredCamera[];
}

export interface CameraView {
  configured: ConfiguredCamera[];
  discovered: Array<DiscoveredCamera & { driver: string }>;
}

function readDiscovered(dataDir: string, driver: string): DiscoveredCamera[] {
  const file = join(dataDir, 'drivers', driver, DISCOVERED_FILE);
  if (!existsSync(file)) return [];
  try {
    const list = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return Array.isArray(list)
      ? list.filter(
          (e): e is DiscoveredCamera => typeof e === 'object' && e !== null && /^\d{20}$/.test(String((e as DiscoveredCamera).gbId)),
        )
      : [];
  } catch {
    return [];
  }
}

/** GB id → the state the driver last logged (its log is JSON lines; only the tail is read). */
function loggedStates(dataDir: string, driver: string): Map<string, 'online' | 'offline'> {
  const file = join(dataDir, 'logs', 'drivers', `${driver}.log`);
  const out = new Map<string, 'online' | 'offline'>();
  if (!existsSync(file)) return out;
  const text = readFileSync(file, 'utf8').slice(-4_000_000);
  for (const line of text.split('\n')) {
    const m = /"gbId":"(\d{20})".*"msg":"device (registered|offline)"/.exec(line);
    if (m) out.set(m[1]!, m[2] === 'registered' ? 'online' : 'offline');
  }
  return out;
}

export function cameraView(config: BoxConfig, dataDir: string): CameraView {
  const view: CameraView = { configured: [], discovered: [] };
  for (const drv of config.drivers.filter((d) => d.type === GB_DRIVER_TYPE)) {
    const states = loggedStates(dataDir, drv.name);
    const all = drv.devices.map((d) => {
      const c = (d.custom ?? {}) as { gbId?: string; parent?: string };
      const gbId = String(c.gbId ?? '');
      return {
        driver: drv.name,
        productKey: d.productKey,
        deviceName: d.deviceName,
        ...(d.alias ? { alias: d.alias } : {}),
        gbId,
        ...(c.parent ? { parent: String(c.parent) } : {}),
        state: states.get(c.parent ? String(c.parent) : gbId) ?? ('unknown' as const),
        channels: [] as ConfiguredCamera[],
      };
    });
    for (const d of all) if (d.parent) all.find((p) => p.gbId === d.parent)?.channels.push(d);
    view.configured.push(...all.filter((d) => !d.parent || !all.some((p) => p.gbId === d.parent)));
    // The file is rewritten only when the driver learns something: an entry accepted since may still be in it.
    const known = new Set(all.map((d) => d.gbId));
    view.discovered.push(
      ...readDiscovered(dataDir, drv.name)
        .filter((e) => !known.has(e.gbId))
        .map((e) => ({ ...e, driver: drv.name })),
    );
  }
  return view;
}

export interface AcceptOptions {
  name?: string;
  alias?: string;
  /** A discovered device that is an NVR (the registration does not tell). */
  nvr?: boolean;
}

export class AcceptError extends Error {}

/** Device names are ASCII (the IoT code rule, docs/video.md): a suggested name with Chinese goes into the alias. */
const ASCII_NAME = /^[A-Za-z0-9_.:@-]{1,64}$/;

/**
 * The config text with discovered `gbId` added as a device of its driver (a channel: `PEGbCamera`
 * with `parent`; a device: `PEGbCamera`, or `PEGbNvr` with `nvr`), and what was added.
 */
export function acceptCamera(
  text: string,
  view: CameraView,
  gbId: string,
  o: AcceptOptions,
): { text: string; device: Record<string, unknown>; driver: string } {
  const found = view.discovered.find((d) => d.gbId === gbId);
  if (!found) throw new AcceptError(`${gbId} is not in the discovered list`);
  if (view.configured.some((c) => c.gbId === gbId || c.channels.some((ch) => ch.gbId === gbId)))
    throw new AcceptError(`${gbId} is already configured`);
  let name = o.name;
  let alias = o.alias;
  if (!name && found.suggestedName) {
    if (ASCII_NAME.test(found.suggestedName)) name = found.suggestedName;
    else {
      const parent = view.configured.find((c) => c.gbId === found.parent);
      name = `${parent?.deviceName ?? found.parent}_${found.suggestedName.split('_').at(-2) ?? gbId.slice(-3)}`;
      alias ??= found.suggestedName;
    }
  }
  if (!name) throw new AcceptError('name the device: --name <deviceName> (ASCII letters, digits, _ . : @ -)');
  if (!ASCII_NAME.test(name)) throw new AcceptError(`device name ${name} must be 1-64 of A-Z a-z 0-9 _ . : @ -`);
  const device: Record<string, unknown> = {
    productKey: found.kind === 'device' && o.nvr ? 'PEGbNvr' : 'PEGbCamera',
    deviceName: name,
    ...(alias ? { alias } : {}),
    custom: { gbId, ...(found.kind === 'channel' && found.parent ? { parent: found.parent } : {}) },
  };
  const doc = parseDocument(text);
  const drivers = doc.get('drivers');
  const drv = isSeq(drivers) ? drivers.items.find((d) => isMap(d) && d.get('name') === found.driver) : undefined;
  if (!isMap(drv)) throw new AcceptError(`driver ${found.driver} is not in the config file`);
  let devices = drv.get('devices');
  if (!isSeq(devices)) {
    drv.set('devices', doc.createNode([]));
    devices = drv.get('devices');
  }
  const node = doc.createNode(device);
  if (node instanceof YAMLMap) node.flow = true; // one line per device, as the examples write them
  if (isSeq(devices)) devices.items.push(node);
  return { text: doc.toString({ lineWidth: 0 }), device, driver: found.driver };
}
