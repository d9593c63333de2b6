/**
 * Sub-device sessions (docs 89299, 89300): at each connect the topology is compared with the
 * platform's (topo/get), what the box attached and no longer hosts is detached (topo/delete),
 * what it hosts and the platform lacks is attached (topo/add); then combine/batch_login in
 * batches of at most 50 (QoS 0 only, a batch succeeds or fails whole), single login/logout as
 * the driver host reports devices on/offline, and the per-device subscriptions once a device
 * is logged in. A redeploy that removes devices logs them out and detaches them.
 */
import type { MqttClient } from 'mqtt';
import type { Logger } from '../log.js';
import { deviceKey, type DeviceRegistry, splitDeviceKey } from '../thing/registry.js';
import type { Db } from '../store/db.js';
import { request } from './alink/messages.js';
import { SIGN_METHOD_WIRE, subDeviceSignature, type DeviceIdentity } from './alink/sign.js';
import { alinkTopics, deviceFilters, gatewayFilters } from './alink/topics.js';
import type { CloudConfig } from './config.js';
import { replyKey, type ReplyTracker } from './replies.js';
import { SubDeviceSecrets } from './registration.js';
import { Topology, type DeviceRef } from './topology.js';
import { succeeded } from '../errors.js';

export const LOGIN_BATCH = 50; // doc 89300: at most 50 per batch login/logout
const SUBSCRIBE_BATCH = 100;

export interface SessionDeps {
  db: Db;
  registry: DeviceRegistry;
  replies: ReplyTracker;
  log: Logger;
  /** A device the platform disabled or deleted: no topology, no login. */
  isBlocked(productKey: string, deviceName: string): boolean;
  nextId(): string;
  /** More per-device filters subscribed at login (the OTA topics of a sub-device). */
  extraFilters?(productKey: string, deviceName: string): string[];
}

export class Sessions {
  readonly #deps: SessionDeps;
  readonly #cfg: CloudConfig;
  readonly secrets: SubDeviceSecrets;
  readonly topology: Topology;
  readonly #loggedIn = new Set<string>();
  readonly #warnedNoSecret = new Set<string>();
  #client: MqttClient | undefined;
  #ready = false;
  /** Topology rounds (connect, removals) run one at a time. */
  #round: Promise<unknown> = Promise.resolve();
  logins = 0;
  loginFailures = 0;

  constructor(deps: SessionDeps, cfg: CloudConfig) {
    this.#deps = deps;
    this.#cfg = cfg;
    this.secrets = new SubDeviceSecrets({ db: deps.db, log: deps.log, replies: deps.replies, nextId: deps.nextId }, cfg);
    this.topology = new Topology({ db: deps.db, log: deps.log, replies: deps.replies, nextId: deps.nextId }, cfg);
  }

  isLoggedIn(productKey: string, deviceName: string): boolean {
    return this.#loggedIn.has(deviceKey(productKey, deviceName));
  }

  get loggedIn(): number {
    return this.#loggedIn.size;
  }

  /**
   * A new connection: compare the topology with the platform's (topo/get), detach what the box
   * attached and no longer hosts, attach what it hosts and the platform lacks, log in every
   * online device, subscribe.
   */
  onOnline(client: MqttClient): Promise<void> {
    this.#client = client;
    this.#ready = false;
    this.#loggedIn.clear();
    return this.#serial(async () => {
      const filters = gatewayFilters(this.#cfg.productKey, this.#cfg.deviceName);
      if (this.#cfg.subscribe === 'wildcard') filters.push(...deviceFilters('+', '+'));
      // A round of a connection that died meanwhile stops at the next step (the new one has its own).
      const current = () => this.#client === client;
      await client.subscribeAsync(filters, { qos: 1 });
      if (current()) await this.topology.fetch(client);
      if (current()) await this.topology.remove(client, this.#noLongerHosted());
      const hosted = this.#hosted(this.#deps.registry.list().filter((d) => d.status !== 'disabled'));
      if (current()) await this.secrets.register(client, hosted);
      const devices = this.#eligible(hosted);
      if (current())
        await this.topology.add(
          client,
          devices.filter((d) => !this.topology.isAttached(d.productKey, d.deviceName)),
        );
      if (current()) await this.#login(devices.filter((d) => this.#deps.registry.get(d.productKey, d.deviceName)?.status === 'online'));
      this.#ready = this.#client === client;
    });
  }

  /**
   * After a redeploy: devices the box no longer hosts are logged out, and those it attached
   * itself are detached (topo/delete). Offline, the next connect's round does it.
   */
  devicesRemoved(): Promise<void> {
    return this.#serial(async () => {
      const client = this.#client;
      if (!client || !this.#ready) return;
      for (const key of [...this.#loggedIn]) {
        const [productKey, deviceName] = splitDeviceKey(key);
        if (!this.#deps.registry.get(productKey, deviceName)) this.deviceOffline(productKey, deviceName);
      }
      await this.topology.remove(client, this.#noLongerHosted());
    });
  }

  onOffline(): void {
    this.#client = undefined;
    this.#ready = false;
    this.#loggedIn.clear();
  }

  /**
   * The driver host brought a device online: add its topology if needed and log it in. In
   * turn with the other rounds, so a removal never overtakes a login still in flight.
   */
  deviceOnline(productKey: string, deviceName: string): Promise<void> {
    if (!this.#ready) return Promise.resolve(); // the next onOnline round logs it in
    return this.#serial(async () => {
      const client = this.#client;
      if (!client || !this.#ready || this.#deps.registry.get(productKey, deviceName)?.status !== 'online') return;
      const hosted = this.#hosted([{ productKey, deviceName }]);
      await this.secrets.register(client, hosted);
      const [id] = this.#eligible(hosted);
      if (!id || this.isLoggedIn(productKey, deviceName)) return;
      if (!this.topology.isAttached(productKey, deviceName)) await this.topology.add(client, [id]);
      await this.#login([id]);
    });
  }

  deviceOffline(productKey: string, deviceName: string): void {
    const key = deviceKey(productKey, deviceName);
    if (!this.#loggedIn.delete(key) || !this.#client) return;
    this.#client.publish(
      alinkTopics.logout(this.#cfg.productKey, this.#cfg.deviceName),
      request(this.#deps.nextId(), 'combine.logout', { productKey, deviceName }),
      { qos: 0 },
    );
  }

  /** The platform answered 520 (no session): log the device in again. */
  relogin(productKey: string, deviceName: string): void {
    this.#loggedIn.delete(deviceKey(productKey, deviceName));
    void this.deviceOnline(productKey, deviceName);
  }

  /** The platform created the topology itself (topo/change status 0). */
  topologyCreated(productKey: string, deviceName: string): void {
    this.topology.attachedByPlatform(productKey, deviceName);
    if (this.#deps.registry.get(productKey, deviceName)?.status === 'online') void this.deviceOnline(productKey, deviceName);
  }

  /** The platform disabled the device: the session is gone, the topology stays. */
  forget(productKey: string, deviceName: string): void {
    this.#loggedIn.delete(deviceKey(productKey, deviceName));
  }

  /** The platform deleted the device or its topology: gone, and never detached again by the box. */
  deletedByPlatform(productKey: string, deviceName: string): void {
    this.forget(productKey, deviceName);
    this.topology.removedByPlatform(productKey, deviceName);
  }

  /** Owned (attached by this box) and not in the registry any more. */
  #noLongerHosted(): Array<{ productKey: string; deviceName: string }> {
    return this.topology
      .owned()
      .map(splitDeviceKey)
      .filter(([pk, dn]) => !this.#deps.registry.get(pk, dn))
      .map(([productKey, deviceName]) => ({ productKey, deviceName }));
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#round.then(fn);
    this.#round = run.catch(() => undefined);
    return run;
  }

  /** Sub-devices the box speaks for: not the gateway itself, not blocked by the platform. */
  #hosted(devices: ReadonlyArray<{ productKey: string; deviceName: string }>): DeviceRef[] {
    return devices
      .filter(
        (d) =>
          !(d.productKey === this.#cfg.productKey && d.deviceName === this.#cfg.deviceName) &&
          !this.#deps.isBlocked(d.productKey, d.deviceName),
      )
      .map((d) => ({ productKey: d.productKey, deviceName: d.deviceName }));
  }

  /** Hosted sub-devices with a secret (configured or registered). */
  #eligible(devices: readonly DeviceRef[]): DeviceIdentity[] {
    const out: DeviceIdentity[] = [];
    for (const d of devices) {
      const key = deviceKey(d.productKey, d.deviceName);
      const id = this.secrets.get(d.productKey, d.deviceName);
      if (!id) {
        if (!this.#warnedNoSecret.has(key))
          this.#deps.log.warn({ dev: key }, 'no deviceSecret for sub-device (cloud.subDevices, or dynamic registration); not logged in');
        this.#warnedNoSecret.add(key);
        continue;
      }
      out.push(id);
    }
    return out;
  }

  async #login(devices: DeviceIdentity[]): Promise<void> {
    const client = this.#client;
    if (!client) return;
    for (let i = 0; i < devices.length; i += LOGIN_BATCH) {
      const batch = devices.slice(i, i + LOGIN_BATCH);
      const id = this.#deps.nextId();
      const now = Date.now();
      const signMethod = SIGN_METHOD_WIRE[this.#cfg.signMethod];
      const entries = batch.map((d) => ({ ...subDeviceSignature(d, now, this.#cfg.signMethod), signMethod, cleanSession: 'true' }));
      const single = batch.length === 1;
      const topic = single
        ? alinkTopics.login(this.#cfg.productKey, this.#cfg.deviceName)
        : alinkTopics.batchLogin(this.#cfg.productKey, this.#cfg.deviceName);
      const wait = this.#deps.replies.expect(this.#replyKey(single ? 'combine/login' : 'combine/batch_login', id));
      // Login and logout are QoS 0 only (doc 89300).
      client.publish(
        topic,
        single ? request(id, 'combine.login', entries[0]) : request(id, 'combine.batch_login', { signMethod, deviceList: entries }),
        { qos: 0 },
      );
      const reply = await wait;
      if (!succeeded(reply)) {
        this.loginFailures += batch.length;
        this.#deps.log.warn(
          { code: reply?.code, message: reply?.message ?? 'no reply', devices: batch.map((d) => deviceKey(d.productKey, d.deviceName)) },
          'sub-device login failed',
        );
        continue;
      }
      if (this.#client !== client) return;
      for (const d of batch) this.#loggedIn.add(deviceKey(d.productKey, d.deviceName));
      this.logins += batch.length;
      if (this.#cfg.subscribe === 'wildcard') continue;
      const filters = batch.flatMap((d) => [
        ...deviceFilters(d.productKey, d.deviceName),
        ...(this.#deps.extraFilters?.(d.productKey, d.deviceName) ?? []),
      ]);
      for (let j = 0; j < filters.length; j += SUBSCRIBE_BATCH)
        await client.subscribeAsync(filters.slice(j, j + SUBSCRIBE_BATCH), { qos: 1 });
    }
  }

  #replyKey(request: string, id: string): string {
    return replyKey(deviceKey(this.#cfg.productKey, this.#cfg.deviceName), request, id);
  }
}
