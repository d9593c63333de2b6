/**
 * Sub-device secrets: from `cloud.subDevices` in the config, or — for a hosted device the config
 * has no secret for — by dynamic registration (`/sys/{gw}/thing/sub/register`, method
 * `thing.sub.register`, params [{productKey, deviceName}]; the reply's data carries each
 * device's deviceSecret). Every later login is signed with it and the platform asks the gateway
 * to persist it, so it is stored in the box database (`cloud_subdevice_secrets`, part of a console
 * backup) and never logged. The product on the platform must allow dynamic
 * registration and know the deviceName; otherwise the reply is an error, logged once per device,
 * and the registration is tried again at the next connect.
 */
import type { MqttClient } from 'mqtt';
import type { Logger } from '../log.js';
import type { Db } from '../store/db.js';
import { deviceKey, splitDeviceKey } from '../thing/registry.js';
import { request } from './alink/messages.js';
import type { DeviceIdentity } from './alink/sign.js';
import { alinkTopics } from './alink/topics.js';
import type { CloudConfig } from './config.js';
import type { ReplyTracker } from './replies.js';
import type { DeviceRef } from './topology.js';
import { succeeded } from '../errors.js';

/** IoT Platform limits ("Quantities of sub-devices attached to a gateway"): at most 30 dynamic registrations per batch. */
export const SUB_REGISTER_BATCH = 30;

export class SubDeviceSecrets {
  readonly #deps: { db: Db; log: Logger; replies: ReplyTracker; nextId(): string };
  readonly #cfg: CloudConfig;
  readonly #secrets = new Map<string, DeviceIdentity>();
  readonly #refused = new Set<string>();
  readonly #save;
  registered = 0;

  constructor(deps: { db: Db; log: Logger; replies: ReplyTracker; nextId(): string }, cfg: CloudConfig) {
    this.#deps = deps;
    this.#cfg = cfg;
    this.#save = deps.db.prepare(
      'INSERT INTO cloud_subdevice_secrets (device, secret, iot_id, at) VALUES (?, ?, ?, ?) ON CONFLICT(device) DO UPDATE SET secret = excluded.secret, iot_id = excluded.iot_id, at = excluded.at',
    );
    for (const r of deps.db.prepare('SELECT device, secret FROM cloud_subdevice_secrets').all() as Array<{
      device: string;
      secret: string;
    }>) {
      const [productKey, deviceName] = splitDeviceKey(r.device);
      this.#secrets.set(r.device, { productKey, deviceName, deviceSecret: r.secret });
    }
    // The config wins over a stored registration (an installer's correction).
    for (const s of cfg.subDevices) this.#secrets.set(deviceKey(s.productKey, s.deviceName), s);
  }

  get(productKey: string, deviceName: string): DeviceIdentity | undefined {
    return this.#secrets.get(deviceKey(productKey, deviceName));
  }

  /** Register the devices that have no secret yet (when dynamic registration is on). */
  async register(client: MqttClient, devices: readonly DeviceRef[]): Promise<void> {
    if (!this.#cfg.dynamicRegister) return;
    const missing = devices.filter((d) => !this.get(d.productKey, d.deviceName));
    const topic = alinkTopics.subRegister(this.#cfg.productKey, this.#cfg.deviceName);
    for (let i = 0; i < missing.length; i += SUB_REGISTER_BATCH) {
      const batch = missing.slice(i, i + SUB_REGISTER_BATCH).map((d) => ({ productKey: d.productKey, deviceName: d.deviceName }));
      const id = this.#deps.nextId();
      const wait = this.#deps.replies.expect(`${this.#cfg.productKey}/${this.#cfg.deviceName}|thing/sub/register|${id}`);
      client.publish(topic, request(id, 'thing.sub.register', batch), { qos: 1 });
      const reply = await wait;
      const got = succeeded(reply) && Array.isArray(reply?.data) ? this.#store(reply.data) : [];
      const failed = batch.filter((d) => !got.includes(deviceKey(d.productKey, d.deviceName)));
      const unreported = failed.filter((d) => !this.#refused.has(deviceKey(d.productKey, d.deviceName)));
      for (const d of failed) this.#refused.add(deviceKey(d.productKey, d.deviceName));
      if (unreported.length > 0)
        this.#deps.log.warn(
          {
            code: reply?.code,
            message: reply?.message ?? 'no reply',
            devices: unreported.map((d) => deviceKey(d.productKey, d.deviceName)),
          },
          'dynamic registration of sub-devices failed; retried at the next connect (is dynamic registration enabled for the product?)',
        );
    }
  }

  /** Keep the secrets of a register reply; returns the devices it registered. */
  #store(data: unknown[]): string[] {
    const done: string[] = [];
    const now = Date.now();
    for (const raw of data) {
      const d = raw as { productKey?: unknown; deviceName?: unknown; deviceSecret?: unknown; iotId?: unknown } | null;
      if (
        typeof d?.productKey !== 'string' ||
        typeof d.deviceName !== 'string' ||
        typeof d.deviceSecret !== 'string' ||
        d.deviceSecret.length === 0 ||
        d.deviceSecret.length > 128
      )
        continue;
      const key = deviceKey(d.productKey, d.deviceName);
      this.#save.run(key, d.deviceSecret, typeof d.iotId === 'string' ? d.iotId : null, now);
      this.#secrets.set(key, { productKey: d.productKey, deviceName: d.deviceName, deviceSecret: d.deviceSecret });
      this.#refused.delete(key);
      done.push(key);
    }
    this.registered += done.length;
    if (done.length > 0) this.#deps.log.info({ devices: done }, 'sub-devices registered dynamically; secrets stored');
    return done;
  }
}
