/**
 * The cloud link: the box as a gateway device of the IoT Platform (or any MQTT 3.1.1/5
 * broker). Wires the connection, the outbox and its sender, sub-device sessions, the uplink
 * of device reports and the downlink of calls; exposes link state and outbox depth on the
 * metrics registry and as a retained local-bus topic. docs/cloud.md describes it.
 */
import type { MqttClient } from 'mqtt';
import type { Registry } from 'prom-client';
import type { BoxConfig } from '../config/schema.js';
import { ALINK, type Answer } from '../errors.js';
import type { DeployDiffSummary, EventBus } from '../events.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/db.js';
import type { DeviceRegistry } from '../thing/registry.js';
import type { CloudConfig } from './config.js';
import { applyConfigPush } from './config-push.js';
import { Connection } from './connection.js';
import { Downlink, type GatewayService } from './downlink.js';
import { Lifecycle } from './lifecycle.js';
import { Outbox } from './outbox/outbox.js';
import { ReplyTracker, replyKey, requestPathOf } from './replies.js';
import { Sender } from './sender.js';
import { Sessions } from './sessions.js';
import { Uplink } from './uplink.js';
import { registerCloudMetrics } from './cloud-metrics.js';
import { DropReporter } from './drop-report.js';
import type { CloudExtension } from './extension.js';
import { type CloudStatus, LocalStateTopic } from './link-status.js';
import { PlatformClock } from './platform-clock.js';
import { deviceKey } from '../host/sdk/device-key.js';

export type { CloudStatus } from './link-status.js';

const OWNER = 'cloud-link';
const PACK_TOPIC_SUFFIX = '/thing/event/property/pack/post';

export interface CloudDeps {
  db: Db;
  events: EventBus;
  registry: DeviceRegistry;
  host: { callService(pk: string, dn: string, serviceId: string, params: unknown, timeoutMs?: number): Promise<Answer> };
  log: Logger;
  config(): BoxConfig;
  redeploy(config: BoxConfig, source: string): Promise<DeployDiffSummary>;
  /** Publish on the local bus (retained state); optional. */
  publishLocal?(topic: string, payload: string, retain: boolean): void;
  /** Services of the box itself, called on the gateway's own service topics. */
  gatewayServices?: ReadonlyMap<string, GatewayService>;
  /** Topics served outside the thing model (OTA). */
  extension?: CloudExtension;
}

export class CloudLink {
  readonly outbox: Outbox;
  readonly #deps: CloudDeps;
  readonly #cfg: CloudConfig;
  readonly #log: Logger;
  readonly #connection: Connection;
  readonly #sender: Sender;
  readonly #sessions: Sessions;
  readonly #uplink: Uplink;
  readonly #downlink: Downlink;
  readonly #lifecycle: Lifecycle;
  readonly #replies: ReplyTracker;
  #requestId = Date.now() % 1_000_000_000;
  #stateTimer: NodeJS.Timeout | undefined;
  readonly #stateTopic: LocalStateTopic | undefined;
  readonly #drops: DropReporter;
  readonly #clock: PlatformClock;
  rejected = 0;

  /** Platform time minus box time (platform-clock.ts); undefined before the first answer. */
  get clockOffsetMs(): number | undefined {
    return this.#clock.offsetMs;
  }

  /** Connected to the platform now (cheap: no outbox queries, unlike `status()`). */
  get online(): boolean {
    return this.#connection.state === 'online';
  }

  /** The box's own identity on the platform. */
  get gateway(): { productKey: string; deviceName: string } {
    return { productKey: this.#cfg.productKey, deviceName: this.#cfg.deviceName };
  }

  constructor(deps: CloudDeps, cfg: CloudConfig) {
    this.#deps = deps;
    this.#cfg = cfg;
    this.#log = deps.log;
    const gateway = { productKey: cfg.productKey, deviceName: cfg.deviceName };
    this.#clock = new PlatformClock(deps.log, deps.events, gateway);
    this.#stateTopic = deps.publishLocal && new LocalStateTopic(deps.publishLocal, () => this.status());
    this.outbox = new Outbox({ db: deps.db, log: deps.log }, { quotaBytes: Math.round(cfg.outbox.quotaMb * 1024 * 1024) });
    this.#drops = new DropReporter({ outbox: this.outbox, gateway, log: deps.log });
    this.#replies = new ReplyTracker({ timeoutMs: cfg.replyTimeoutMs });
    this.#lifecycle = new Lifecycle({
      db: deps.db,
      log: deps.log,
      config: deps.config,
      redeploy: deps.redeploy,
      dropQueued: (pk, dn) => this.outbox.dropDevice(pk, dn),
    });
    const isBlocked = (pk: string, dn: string) => this.#lifecycle.isBlocked(pk, dn);
    this.#sessions = new Sessions(
      {
        db: deps.db,
        registry: deps.registry,
        replies: this.#replies,
        log: deps.log,
        isBlocked,
        nextId: () => this.#nextId(),
        ...(deps.extension ? { extraFilters: (pk: string, dn: string) => deps.extension?.deviceFilters(pk, dn) ?? [] } : {}),
      },
      cfg,
    );
    this.#sender = this.#newSender(cfg);
    this.#uplink = new Uplink(
      {
        events: deps.events,
        outbox: this.outbox,
        linkOnline: () => this.#connection.state === 'online',
        isBlocked,
        isLoggedIn: (pk, dn) => this.#sessions.isLoggedIn(pk, dn),
        gateway,
      },
      { coalesceMs: cfg.coalesceMs, packPost: cfg.packPost },
    );
    this.#downlink = this.#newDownlink(deps, cfg);
    this.#connection = new Connection({ log: deps.log }, cfg, {
      onOnline: (client) => void this.#online(client),
      onOffline: () => {
        this.#sender.detach();
        this.#sessions.onOffline();
      },
      onMessage: (topic, payload) => {
        if (!deps.extension?.handle(topic, payload)) this.#downlink.handle(topic, payload);
      },
      onState: () => this.#stateTopic?.publish(),
    });
  }

  /** The outbox sender; a pack's failed reply makes its values go again per device. */
  #newSender(cfg: CloudConfig): Sender {
    return new Sender(
      {
        outbox: this.outbox,
        log: this.#log,
        hooks: {
          onPublished: (row, topic) => {
            const key = replyKey(row.device, requestPathOf(topic), row.alinkId);
            if (!topic.endsWith(PACK_TOPIC_SUFFIX)) return this.#replies.track(key);
            // The platform fails a pack whole when one sub-device fails its check: the others' values go again, per device.
            void this.#replies.expect(key).then((r) => {
              if (r && r.code !== ALINK.SUCCESS) this.#uplink.salvagePack(row.payload);
            });
          },
          onAcked: () => undefined, // state goes out on the timer; per-ack would cost a query per tick
          onDrained: () => this.#stateTopic?.publish(),
        },
      },
      { window: cfg.outbox.window, historyAfterMs: cfg.historyAfterMs, maxPerSecond: cfg.outbox.maxPerSecond },
    );
  }

  /** Downlink messages: services, config pushes, topology lifecycle, rejections, the platform clock. */
  #newDownlink(deps: CloudDeps, cfg: CloudConfig): Downlink {
    return new Downlink(
      {
        log: deps.log,
        replies: this.#replies,
        client: () => this.#connection.client,
        host: deps.host,
        ...(deps.gatewayServices ? { gatewayServices: deps.gatewayServices } : {}),
        configPush: (params) => applyConfigPush({ log: deps.log, config: deps.config, redeploy: deps.redeploy }, params),
        lifecycle: async (pk, dn, action) => {
          // Before the redeploy it causes: a device the platform deleted is never detached again.
          if (action === 'delete') this.#sessions.deletedByPlatform(pk, dn);
          await this.#lifecycle.apply(pk, dn, action);
          if (action === 'create') this.#sessions.topologyCreated(pk, dn);
          else if (action !== 'enable') this.#sessions.forget(pk, dn);
          else void this.#sessions.deviceOnline(pk, dn);
        },
        onRejected: (pk, dn, r) => {
          this.rejected++;
          this.#log.warn({ dev: deviceKey(pk, dn), id: r.id, code: r.code, message: r.message }, 'cloud rejected a message');
          if (r.code === ALINK.SUBDEVICE_NO_SESSION) this.#sessions.relogin(pk, dn);
        },
        onClock: (offset) => this.#clock.heard(offset),
      },
      cfg,
    );
  }

  async start(): Promise<void> {
    this.outbox.onEnqueued(() => this.#sender.wake());
    this.#replies.start();
    this.#uplink.start();
    this.#deps.events.on(OWNER, 'device.status', ({ productKey, deviceName, status }) => {
      if (status === 'online') void this.#sessions.deviceOnline(productKey, deviceName);
      else this.#sessions.deviceOffline(productKey, deviceName);
    });
    // A redeploy that removed devices: log them out and detach what the box attached. After the
    // platform's own lifecycle changes (serialised redeploys) settle.
    this.#deps.events.on(OWNER, 'deploy.finished', async ({ ok }) => {
      if (!ok) return;
      await this.#lifecycle.idle();
      await this.#sessions.devicesRemoved();
    });
    await this.#lifecycle.reapply();
    this.#stateTimer = setInterval(() => {
      this.outbox.resync();
      this.#stateTopic?.publish();
    }, 2000).unref();
    this.#connection.start();
  }

  async stop(): Promise<void> {
    this.#deps.events.removeAll(OWNER);
    if (this.#stateTimer) clearInterval(this.#stateTimer);
    this.#uplink.stop();
    await this.#sender.settle(2000);
    await this.#connection.stop();
    this.#sender.detach();
    this.#replies.stop();
    this.#stateTopic?.publish();
  }

  status(): CloudStatus {
    return {
      state: this.#connection.state,
      since: this.#connection.since,
      lastError: this.#connection.lastError,
      outboxDepth: this.outbox.depth,
      outboxBytes: this.outbox.bytes,
      oldestQueuedAt: this.outbox.depth > 0 ? this.outbox.oldestQueuedAt() : undefined,
      inflight: this.#sender.inflight,
      loggedIn: this.#sessions.loggedIn,
      dropped: this.outbox.dropped(),
      clockOffsetMs: this.clockOffsetMs,
      reconnects: this.#connection.reconnects,
    };
  }

  /** Link state and outbox figures on the box's Prometheus registry (cloud-metrics.ts). */
  registerMetrics(registry: Registry): void {
    registerCloudMetrics(registry, {
      outbox: this.outbox,
      linkUp: () => this.#connection.state === 'online',
      inflight: () => this.#sender.inflight,
      loggedIn: () => this.#sessions.loggedIn,
      published: () => this.#sender.published,
      acked: () => this.#sender.acked,
      reconnects: () => this.#connection.reconnects,
      replyTimeouts: () => this.#replies.timeouts,
      rejected: () => this.rejected,
      downErrors: () => this.#downlink.errors,
    });
  }

  async #online(client: MqttClient): Promise<void> {
    this.#sender.attach(client);
    try {
      await this.#sessions.onOnline(client);
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'session setup incomplete; sending anyway');
    }
    if (this.#connection.client !== client) return;
    this.#clock.ask(client); // after the subscriptions (sessions.onOnline)
    this.#drops.report(client, this.#nextId());
    this.#sender.open();
    await this.#deps.extension?.onOnline({
      wildcard: this.#cfg.subscribe === 'wildcard',
      subscribe: async (filters) => void (await client.subscribeAsync(filters, { qos: 1 })),
      current: () => this.#connection.client === client,
    });
  }

  /**
   * Publish now, outside the outbox (QoS 1), for messages that are worthless later (OTA
   * progress and version reports); false when the link is down.
   */
  publishNow(topic: string, body: string): boolean {
    const client = this.#connection.client;
    if (this.#connection.state !== 'online' || !client) return false;
    client.publish(topic, body, { qos: 1 });
    return true;
  }

  /** A request id of the gateway's sequence. */
  nextRequestId(): string {
    return this.#nextId();
  }

  #nextId(): string {
    this.#requestId = (this.#requestId + 1) % 4_294_967_296;
    return String(this.#requestId);
  }
}
