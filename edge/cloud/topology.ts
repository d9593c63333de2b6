/**
 * The gateway's topology on the platform (doc 89299 "管理拓扑关系"): which sub-devices hang
 * under this gateway. topo/get asks the platform for its list, topo/add attaches (signed,
 * ≤ 30 per request), topo/delete detaches (≤ 30 per request). Every request is tracked by its
 * id through the reply tracker.
 *
 * Ownership: the box records in `cloud_topology_owned` every sub-device it attached itself.
 * Only those are ever detached, when the box stops hosting them; a sub-device somebody else
 * attached (console, another tool, topo/change status 0) is never touched, and one the
 * platform deleted itself is disowned so it is not deleted a second time.
 */
import type { MqttClient } from 'mqtt';
import type { Logger } from '../log.js';
import type { Db } from '../store/db.js';
import { deviceKey } from '../thing/registry.js';
import { request, type AlinkReply } from './alink/messages.js';
import { SIGN_METHOD_WIRE, subDeviceSignature, type DeviceIdentity } from './alink/sign.js';
import { alinkTopics } from './alink/topics.js';
import type { CloudConfig } from './config.js';
import { replyKey, type ReplyTracker } from './replies.js';
import { ALINK, succeeded } from '../errors.js';

export const TOPO_ADD_BATCH = 30; // doc 89299: at most 30 sub-devices per topo/add
export const TOPO_DELETE_BATCH = 30; // doc 89299 (删除拓扑关系): at most 30 per topo/delete

export interface DeviceRef {
  productKey: string;
  deviceName: string;
}

export interface TopologyDeps {
  db: Db;
  log: Logger;
  replies: ReplyTracker;
  nextId(): string;
}

export class Topology {
  readonly #deps: TopologyDeps;
  readonly #cfg: CloudConfig;
  /** Sub-devices known to be attached on the platform (topo/get, add replies, topo/change). */
  readonly #attached = new Set<string>();
  readonly #owned = new Set<string>();
  /** topo/get answered on this connection: `#attached` is the platform's own list. */
  #listed = false;
  readonly #stmt;
  added = 0;
  deleted = 0;

  constructor(deps: TopologyDeps, cfg: CloudConfig) {
    this.#deps = deps;
    this.#cfg = cfg;
    this.#stmt = {
      all: deps.db.prepare('SELECT device FROM cloud_topology_owned').pluck(),
      own: deps.db.prepare('INSERT INTO cloud_topology_owned (device, at) VALUES (?, ?) ON CONFLICT(device) DO NOTHING'),
      disown: deps.db.prepare('DELETE FROM cloud_topology_owned WHERE device = ?'),
    };
    for (const d of this.#stmt.all.all() as string[]) this.#owned.add(d);
  }

  isAttached(productKey: string, deviceName: string): boolean {
    return this.#attached.has(deviceKey(productKey, deviceName));
  }

  /** Sub-devices this box attached itself and has not detached yet ('pk/dn'). */
  owned(): string[] {
    return [...this.#owned];
  }

  /** The platform attached a device itself (topo/change status 0): known, not owned. */
  attachedByPlatform(productKey: string, deviceName: string): void {
    this.#attached.add(deviceKey(productKey, deviceName));
  }

  /** The platform detached or deleted the device itself: never detach it again. */
  removedByPlatform(productKey: string, deviceName: string): void {
    const key = deviceKey(productKey, deviceName);
    this.#attached.delete(key);
    this.#disown(key);
  }

  /**
   * topo/get: the platform's list of this gateway's sub-devices (doc "获取拓扑关系": params {},
   * reply data [{productKey, deviceName}]). Replaces what the box knew; undefined when the
   * platform does not answer (a plain broker), and the box keeps what it knew.
   */
  async fetch(client: MqttClient): Promise<Set<string> | undefined> {
    const id = this.#deps.nextId();
    const wait = this.#deps.replies.expect(this.#replyKey('thing/topo/get', id));
    client.publish(alinkTopics.topoGet(this.#cfg.productKey, this.#cfg.deviceName), request(id, 'thing.topo.get', {}), { qos: 1 });
    const reply = await wait;
    if (!succeeded(reply) || !Array.isArray(reply?.data)) {
      this.#listed = false;
      this.#deps.log.warn({ code: reply?.code, message: reply?.message ?? 'no reply' }, 'topo/get failed; topology taken as known');
      return undefined;
    }
    const list = refsOf(reply.data);
    this.#listed = true;
    this.#attached.clear();
    for (const key of list) this.#attached.add(key);
    // Owned devices the platform no longer lists were removed there: nothing left to detach.
    for (const key of [...this.#owned]) if (!this.#attached.has(key)) this.#disown(key);
    return new Set(list);
  }

  /**
   * topo/add, signed per sub-device, ≤ 30 per request. What the platform confirms becomes
   * owned; when the platform's own list said these are missing, they are owned before the
   * request goes out, so a reply lost to a crash or a stop still leaves the box owning what
   * it attached (a device that did not make it is disowned by the next topo/get).
   */
  async add(client: MqttClient, devices: DeviceIdentity[]): Promise<void> {
    const topic = alinkTopics.topoAdd(this.#cfg.productKey, this.#cfg.deviceName);
    for (let i = 0; i < devices.length; i += TOPO_ADD_BATCH) {
      const batch = devices.slice(i, i + TOPO_ADD_BATCH);
      const id = this.#deps.nextId();
      const now = Date.now();
      const params = batch.map((d) => ({
        ...subDeviceSignature(d, now, this.#cfg.signMethod),
        signmethod: SIGN_METHOD_WIRE[this.#cfg.signMethod],
      }));
      if (this.#listed) this.#own(batch.map((d) => deviceKey(d.productKey, d.deviceName)));
      const wait = this.#deps.replies.expect(this.#replyKey('thing/topo/add', id));
      client.publish(topic, request(id, 'thing.topo.add', params), { qos: 1 });
      const reply = await wait;
      if (!succeeded(reply)) {
        this.#deps.log.warn({ code: reply?.code, message: reply?.message ?? 'no reply', devices: batch.length }, 'topo/add failed');
        continue;
      }
      const confirmed = Array.isArray(reply.data) ? refsOf(reply.data) : batch.map((d) => deviceKey(d.productKey, d.deviceName));
      for (const key of confirmed) this.#attached.add(key);
      this.#own(confirmed);
      this.added += confirmed.length;
    }
  }

  /**
   * topo/delete (doc "删除拓扑关系": params [{productKey, deviceName}], reply data lists the
   * detached ones), ≤ 30 per request. Only owned devices are sent. A device the platform no
   * longer knows (6100, asked one by one) is disowned too: nothing is left to detach.
   */
  async remove(client: MqttClient, devices: DeviceRef[]): Promise<string[]> {
    const mine = devices.filter((d) => this.#owned.has(deviceKey(d.productKey, d.deviceName)));
    const topic = alinkTopics.topoDelete(this.#cfg.productKey, this.#cfg.deviceName);
    const done: string[] = [];
    for (let i = 0; i < mine.length; i += TOPO_DELETE_BATCH) {
      const batch = mine.slice(i, i + TOPO_DELETE_BATCH).map((d) => ({ productKey: d.productKey, deviceName: d.deviceName }));
      const id = this.#deps.nextId();
      const wait = this.#deps.replies.expect(this.#replyKey('thing/topo/delete', id));
      client.publish(topic, request(id, 'thing.topo.delete', batch), { qos: 1 });
      const reply: AlinkReply | undefined = await wait;
      const keys = batch.map((d) => deviceKey(d.productKey, d.deviceName));
      if (reply?.code === ALINK.DEVICE_UNKNOWN && batch.length > 1) {
        // Which one is unknown is not said: ask again one by one.
        for (const d of batch) done.push(...(await this.remove(client, [d])));
        continue;
      }
      if (succeeded(reply) || reply?.code === ALINK.DEVICE_UNKNOWN) {
        for (const key of keys) {
          this.#attached.delete(key);
          this.#disown(key);
        }
        done.push(...keys);
        this.deleted += keys.length;
        this.#deps.log.info({ devices: keys, code: reply.code }, 'sub-devices detached from the gateway (topo/delete)');
      } else {
        // Kept as owned: the next connect (or the next removal) tries again.
        this.#deps.log.warn(
          { code: reply?.code, message: reply?.message ?? 'no reply', devices: keys },
          'topo/delete failed; retried at the next connect',
        );
      }
    }
    return done;
  }

  #own(keys: string[]): void {
    const at = Date.now();
    for (const key of keys) {
      if (this.#owned.has(key)) continue;
      this.#owned.add(key);
      this.#stmt.own.run(key, at);
    }
  }

  #disown(key: string): void {
    if (this.#owned.delete(key)) this.#stmt.disown.run(key);
  }

  #replyKey(path: string, id: string): string {
    return replyKey(deviceKey(this.#cfg.productKey, this.#cfg.deviceName), path, id);
  }
}

/** Validated `[{productKey, deviceName}]` from a reply's data (anything else is skipped). */
function refsOf(data: unknown[]): string[] {
  const out: string[] = [];
  for (const d of data as Array<{ productKey?: unknown; deviceName?: unknown } | null>) {
    if (typeof d?.productKey === 'string' && typeof d.deviceName === 'string' && d.productKey !== '' && d.deviceName !== '')
      out.push(deviceKey(d.productKey, d.deviceName));
  }
  return out;
}
