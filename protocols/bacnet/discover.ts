/**
 * Finding BACnet devices on site: Who-Is (broadcast on the NIC's subnet, or directed at given
 * ip:port), the I-Am answers, and each device's object list with object names, so a point table
 * can be written from what is really there. Used by the driver's `discover` and by
 * `edge discover bacnet`.
 */
import { BacnetTimeout } from './errors.js';
import { objectTypeName } from './point.js';
import type { BacnetSession, IAm } from './session.js';
import { planBatches } from './batch.js';

export interface DiscoveredObject {
  objectType: number;
  typeName: string;
  instance: number;
  name?: string;
}

export interface DiscoveredDevice extends IAm {
  objects?: DiscoveredObject[];
  error?: string;
}

export interface DiscoverOptions {
  broadcast?: string;
  targets?: string[];
  lowLimit?: number;
  highLimit?: number;
  waitMs: number;
  objects: boolean;
}

const OBJECT_LIST = 76;
const OBJECT_NAME = 77;

export async function discoverDevices(session: BacnetSession, o: DiscoverOptions): Promise<DiscoveredDevice[]> {
  const found = new Map<string, DiscoveredDevice>();
  const onIAm = (i: IAm): void => {
    found.set(`${i.deviceId}@${i.address}`, { ...i });
  };
  session.on('iAm', onIAm);
  const limits = o.lowLimit !== undefined ? { lowLimit: o.lowLimit, highLimit: o.highLimit ?? o.lowLimit } : {};
  try {
    for (const t of o.targets ?? []) session.whoIs({ target: t, ...limits });
    if (o.broadcast) session.whoIs({ broadcast: o.broadcast, ...limits });
    await new Promise((r) => setTimeout(r, o.waitMs));
  } finally {
    session.off('iAm', onIAm);
  }
  const devices = [...found.values()].sort((a, b) => a.deviceId - b.deviceId);
  if (o.objects) await Promise.all(devices.map((d) => readObjects(session, d)));
  return devices;
}

async function readObjects(session: BacnetSession, d: DiscoveredDevice): Promise<void> {
  try {
    let ids: { type: number; instance: number }[];
    try {
      ids = idsOf(await session.readProperty(d.address, 8, d.deviceId, OBJECT_LIST));
    } catch (err) {
      if (err instanceof BacnetTimeout) throw err;
      // Too long for one APDU: read the array length (index 0), then element by element.
      const n = Number((await session.readPropertyIndex(d.address, 8, d.deviceId, OBJECT_LIST, 0))[0]?.value ?? 0);
      ids = [];
      for (let i = 1; i <= n; i++) ids.push(...idsOf(await session.readPropertyIndex(d.address, 8, d.deviceId, OBJECT_LIST, i)));
    }
    d.objects = ids.map((id) => ({ objectType: id.type, typeName: objectTypeName(id.type), instance: id.instance }));
    const refs = ids.map((id) => ({
      key: `${id.type}:${id.instance}`,
      objectType: id.type,
      instance: id.instance,
      property: OBJECT_NAME,
      dataType: 'text' as const,
    }));
    for (const b of planBatches(refs, Math.min(d.maxApdu || 480, 1476))) {
      try {
        for (const r of await session.readMultiple(d.address, b, Math.min(d.maxApdu || 480, 1476))) {
          const obj = d.objects.find((x) => x.objectType === r.objectType && x.instance === r.instance);
          const v = r.value?.[0]?.value;
          if (obj && typeof v === 'string') obj.name = v;
        }
      } catch {
        // Names are a convenience: a device without RPM still lists its objects.
      }
    }
  } catch (err) {
    d.error = (err as Error).message;
  }
}

function idsOf(values: { type: number; value: unknown }[]): { type: number; instance: number }[] {
  return values
    .map((v) => v.value)
    .filter((v): v is { type: number; instance: number } => typeof v === 'object' && v !== null && 'instance' in v);
}
