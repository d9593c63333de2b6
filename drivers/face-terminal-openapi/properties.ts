/**
 * Terminal properties: the configuration objects (network, smartface, perpara) and the device
 * information, read from the terminal on demand and written back whole (read, merge, write).
 */
import { type Answer, type DeviceHandle, ok } from '../../edge/host/sdk/driver.js';
import { type ConfigGroup, DEVICE_FIELDS, GROUP_FIELDS, groupOf } from '../../protocols/face-openapi/index.js';
import { readOnly } from '../face-shared/answers.js';
import { failure } from './answers.js';
import type { OpenApiTerminal } from './terminal.js';

type Args = Record<string, unknown>;

const read = async (t: OpenApiTerminal, g: ConfigGroup) =>
  g === 'network' ? t.client.network() : g === 'smartface' ? t.client.smartface() : t.client.perpara();
const write = async (t: OpenApiTerminal, g: ConfigGroup, o: Args) =>
  g === 'network' ? t.client.setNetwork(o) : g === 'smartface' ? t.client.setSmartface(o) : t.client.setPerpara(o);

export function pick(o: Args, keys: readonly string[]): Args {
  return Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));
}

/** Fetch the groups the keys belong to (and the device information if asked), report them, answer the keys. */
export async function readProperties(t: OpenApiTerminal, keys: string[]): Promise<Answer<Record<string, unknown>>> {
  try {
    const groups = new Set(keys.map(groupOf).filter((g): g is ConfigGroup => g !== undefined));
    for (const g of groups) t.report(pick(await read(t, g), Object.keys(GROUP_FIELDS[g])));
    if (keys.some((k) => DEVICE_FIELDS.includes(k))) t.report(pick(await t.client.information(), DEVICE_FIELDS));
  } catch (err) {
    return failure(err) as Answer<Record<string, unknown>>;
  }
  return ok(pick(t.props, keys)) as Answer<Record<string, unknown>>;
}

export async function writeProperties(t: OpenApiTerminal, h: DeviceHandle, values: Args): Promise<Answer> {
  const byGroup = new Map<ConfigGroup, Args>();
  for (const [k, v] of Object.entries(values)) {
    const g = groupOf(k);
    if (!g) return readOnly(k, h.productKey);
    byGroup.set(g, { ...(byGroup.get(g) ?? {}), [k]: v });
  }
  try {
    // The cfg endpoints take the whole object (L439, L511, L583): read, merge, write.
    for (const [g, changes] of byGroup) {
      const merged = { ...pick(await read(t, g), Object.keys(GROUP_FIELDS[g])), ...changes };
      await write(t, g, merged);
      t.report(changes);
    }
  } catch (err) {
    return failure(err);
  }
  return ok();
}
