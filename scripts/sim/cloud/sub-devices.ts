/**
 * The platform's side of a gateway's sub-devices, as the cloud stand-in plays it: the topology
 * (topo/add, topo/get, topo/delete), dynamic registration (thing/sub/register) and sessions
 * (login, batch_login, logout), each request's signature checked with the sub-device's secret,
 * every request recorded for the tests to read.
 */
import type { Identity } from './stand-in.js';
import { signMatches } from './verify.js';

export const key = (pk: string, dn: string): string => `${pk}/${dn}`;

function splitKey(k: string): [string, string] {
  const i = k.indexOf('/');
  return [k.slice(0, i), k.slice(i + 1)];
}

/** Publishes a reply body on a topic. */
export type Publish = (topic: string, body: unknown) => void;

export class SubDevicePlatform {
  readonly loggedIn = new Set<string>();
  readonly topology = new Set<string>();
  /** Every topo/delete the box sent, as received (valid or not). */
  readonly topoDeletes: Array<{ id: string; devices: string[]; code: number }> = [];
  /** Every topo/get the box sent (its id). */
  readonly topoGets: string[] = [];
  /** Every thing/sub/register the box sent: the devices in it. */
  readonly registrations: string[][] = [];
  /** Every topo/add the box sent: the devices in it. */
  readonly topoAdds: string[][] = [];
  readonly authFailures: string[] = [];
  readonly #gateway: Identity;
  readonly #subDevices: Identity[];
  readonly #secrets = new Map<string, string>();
  readonly #publish: Publish;

  constructor(gateway: Identity, subDevices: Identity[], publish: Publish) {
    this.#gateway = gateway;
    this.#subDevices = subDevices;
    this.#publish = publish;
    for (const d of subDevices) this.#secrets.set(key(d.productKey, d.deviceName), d.deviceSecret);
  }

  topoAdd(topic: string, id: string, params: unknown): void {
    const list = Array.isArray(params) ? (params as Array<Record<string, string>>) : [];
    const bad = list.filter((d) => !this.#verify(d, d.signmethod ?? ''));
    if (list.length === 0 || list.length > 30 || bad.length > 0) {
      this.authFailures.push(...bad.map((d) => key(d.productKey ?? '', d.deviceName ?? '')));
      this.#publish(`${topic}_reply`, {
        id,
        code: list.length > 30 ? 460 : 401,
        message: list.length > 30 ? 'too many sub-devices' : 'request auth error',
        data: bad.map((d) => ({ productKey: d.productKey, deviceName: d.deviceName })),
      });
      return;
    }
    for (const d of list) this.topology.add(key(d.productKey!, d.deviceName!));
    this.topoAdds.push(list.map((d) => key(d.productKey!, d.deviceName!)));
    this.#publish(`${topic}_reply`, {
      id,
      code: 200,
      message: 'success',
      data: list.map((d) => ({ productKey: d.productKey, deviceName: d.deviceName })),
    });
  }

  /**
   * Dynamic registration of sub-devices (method thing.sub.register): params [{productKey,
   * deviceName}]; data [{iotId, productKey, deviceName, deviceSecret}] for each device the
   * platform knows (the stand-in's sub-device list); 460 for a malformed request, 6402 when the
   * gateway names itself.
   */
  subRegister(topic: string, id: string, params: unknown): void {
    const list = Array.isArray(params) ? (params as Array<Record<string, unknown>>) : [];
    const wellFormed =
      list.length > 0 && list.length <= 30 && list.every((d) => typeof d?.productKey === 'string' && typeof d.deviceName === 'string');
    const gw = this.#gateway;
    if (!wellFormed) return this.#publish(`${topic}_reply`, { id, code: 460, message: 'request parameter error', data: {} });
    if (list.some((d) => d.productKey === gw.productKey && d.deviceName === gw.deviceName))
      return this.#publish(`${topic}_reply`, { id, code: 6402, message: 'topo relation cannot add by self', data: {} });
    const known = list
      .map((d) => this.#subDevices.find((s) => s.productKey === d.productKey && s.deviceName === d.deviceName))
      .filter((s): s is Identity => s !== undefined);
    this.registrations.push(list.map((d) => key(d.productKey as string, d.deviceName as string)));
    this.#publish(`${topic}_reply`, {
      id,
      code: 200,
      message: 'success',
      data: known.map((s) => ({
        iotId: `iot-${s.deviceName}`,
        productKey: s.productKey,
        deviceName: s.deviceName,
        deviceSecret: s.deviceSecret,
      })),
    });
  }

  /** Doc "获取拓扑关系": reply data [{productKey, deviceName}] of every attached sub-device. */
  topoGet(topic: string, id: string): void {
    this.topoGets.push(id);
    const data = [...this.topology].map((k) => {
      const [productKey, deviceName] = splitKey(k);
      return { productKey, deviceName };
    });
    this.#publish(`${topic}_reply`, { id, code: 200, message: 'success', data });
  }

  /**
   * Doc "删除拓扑关系": params [{productKey, deviceName}], at most 30; 460 for a malformed
   * request, 6100 when a listed device is not attached (nothing is deleted then).
   */
  topoDelete(topic: string, id: string, params: unknown): void {
    const list = Array.isArray(params) ? (params as Array<Record<string, unknown>>) : [];
    const wellFormed =
      list.length > 0 && list.length <= 30 && list.every((d) => typeof d?.productKey === 'string' && typeof d.deviceName === 'string');
    const devices = wellFormed ? list.map((d) => key(d.productKey as string, d.deviceName as string)) : [];
    const code = !wellFormed ? 460 : devices.some((k) => !this.topology.has(k)) ? 6100 : 200;
    this.topoDeletes.push({ id, devices, code });
    if (code === 200) {
      for (const k of devices) {
        this.topology.delete(k);
        this.loggedIn.delete(k);
      }
    }
    const message = code === 200 ? 'success' : code === 460 ? 'request parameter error' : 'device not found';
    this.#publish(`${topic}_reply`, {
      id,
      code,
      message,
      data: code === 200 ? list.map((d) => ({ productKey: d.productKey, deviceName: d.deviceName })) : {},
    });
  }

  session(topic: string, action: string, id: string, params: unknown): void {
    const reply = (code: number, message: string, data: unknown) => this.#publish(`${topic}_reply`, { id, code, message, data });
    if (action === 'login' || action === 'batch_login') {
      const p = params as { deviceList?: Array<Record<string, string>>; signMethod?: string } & Record<string, string>;
      const list = action === 'login' ? [p] : Array.isArray(p?.deviceList) ? p.deviceList : [];
      // A batch succeeds or fails whole (doc 89300); at most 50.
      const bad = list.filter(
        (d) => !this.#verify(d, d.signMethod ?? p?.signMethod ?? '') || !this.topology.has(key(d.productKey ?? '', d.deviceName ?? '')),
      );
      if (list.length === 0 || list.length > 50 || bad.length > 0) {
        this.authFailures.push(...bad.map((d) => key(d.productKey ?? '', d.deviceName ?? '')));
        reply(
          list.length > 50 ? 460 : 401,
          'request auth error',
          bad.map((d) => ({ productKey: d.productKey, deviceName: d.deviceName })),
        );
        return;
      }
      for (const d of list) this.loggedIn.add(key(d.productKey!, d.deviceName!));
      reply(
        200,
        'success',
        action === 'login'
          ? { productKey: p.productKey, deviceName: p.deviceName }
          : list.map((d) => ({ productKey: d.productKey, deviceName: d.deviceName })),
      );
      return;
    }
    if (action === 'logout' || action === 'batch_logout') {
      const list = (Array.isArray(params) ? params : [params]) as Array<{ productKey?: string; deviceName?: string }>;
      for (const d of list) this.loggedIn.delete(key(d.productKey ?? '', d.deviceName ?? ''));
      reply(200, 'success', {});
    }
  }

  #verify(d: Record<string, string>, method: string): boolean {
    const secret = this.#secrets.get(key(d.productKey ?? '', d.deviceName ?? ''));
    if (!secret || typeof d.timestamp !== 'string') return false;
    const fields: Record<string, string> = { productKey: d.productKey!, deviceName: d.deviceName!, timestamp: d.timestamp };
    if (typeof d.clientId === 'string') fields.clientId = d.clientId;
    return signMatches(secret, method, fields, d.sign);
  }
}
