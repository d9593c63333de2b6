/**
 * The MQTT connection to the cloud as a small explicit state machine (MQTT.js style):
 * `connecting → online → offline → connecting ...`, one `#scheduleReconnect()` that is the only
 * place arming the timer, jittered exponential backoff, a fresh client (and a freshly signed
 * CONNECT) per attempt so nothing of a dead session is reused.
 */
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from '../log.js';
import { mqttCredentials, type DeviceIdentity } from './alink/sign.js';
import type { CloudConfig } from './config.js';
import { RetryTimer } from '../../protocols/common/backoff.js';

/** CONNACK codes that mean the credentials were refused: MQTT 3.1.1 4 and 5, MQTT 5 0x86 and 0x87. */
const CONNACK_AUTH_REFUSED: readonly number[] = [4, 5, 134, 135];
export type LinkState = 'idle' | 'connecting' | 'online' | 'offline' | 'stopped';

export interface ConnectionHandlers {
  onOnline(client: MqttClient): void;
  onOffline(reason: string): void;
  onMessage(topic: string, payload: Buffer): void;
  onState(state: LinkState): void;
}

export class Connection {
  readonly #log: Logger;
  readonly #cfg: CloudConfig;
  readonly #handlers: ConnectionHandlers;
  readonly #identity: DeviceIdentity;
  #client: MqttClient | undefined;
  readonly #retry: RetryTimer;
  /** The connect error last logged; the same one again is not logged until the link was up. */
  #loggedError: string | undefined;
  state: LinkState = 'idle';
  since = Date.now();
  lastError: string | undefined;
  reconnects = 0;

  constructor(deps: { log: Logger }, cfg: CloudConfig, handlers: ConnectionHandlers) {
    this.#log = deps.log;
    this.#cfg = cfg;
    this.#handlers = handlers;
    this.#retry = new RetryTimer(() => ({ minMs: this.#cfg.reconnectMinMs, maxMs: this.#cfg.reconnectMaxMs }));
    this.#identity = { productKey: cfg.productKey, deviceName: cfg.deviceName, deviceSecret: cfg.deviceSecret };
  }

  get client(): MqttClient | undefined {
    return this.state === 'online' ? this.#client : undefined;
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.#connect();
  }

  async stop(): Promise<void> {
    this.#clearReconnect();
    this.#setState('stopped');
    const client = this.#client;
    this.#client = undefined;
    if (client) await client.endAsync(false).catch(() => client.end(true));
  }

  #connect(): void {
    if (this.state === 'stopped') return;
    this.#setState('connecting');
    const { options, clientId } = this.#clientOptions();
    const client = mqtt.connect(this.#cfg.url, options);
    this.#client = client;
    let wasOnline = false;
    client.on('connect', () => {
      if (this.#client !== client) return;
      wasOnline = true;
      this.#retry.reset();
      if (this.#loggedError) this.#log.info({ after: this.#loggedError }, 'cloud link connects again');
      this.lastError = undefined;
      this.#loggedError = undefined;
      this.#setState('online');
      this.#log.info({ url: this.#cfg.url, clientId }, 'cloud link online');
      this.#handlers.onOnline(client);
    });
    client.on('message', (topic, payload) => {
      if (this.#client === client) this.#handlers.onMessage(topic, payload);
    });
    client.on('error', (err: Error & { code?: number }) => this.#onError(err));
    client.on('close', () => {
      if (this.#client !== client) return;
      client.removeAllListeners('message');
      client.end(true);
      this.#client = undefined;
      if (this.state === 'stopped') return;
      const reason = this.lastError ?? 'connection closed';
      if (wasOnline) {
        this.#log.warn({ reason }, 'cloud link offline');
        this.#handlers.onOffline(reason);
      }
      this.#setState('offline');
      this.#scheduleReconnect();
    });
  }

  /** MQTT options with the Alink credentials signed now (a new timestamp at every attempt). */
  #clientOptions(): { options: IClientOptions; clientId: string } {
    const tls = this.#cfg.url.startsWith('mqtts://');
    const creds = mqttCredentials(this.#identity, {
      tls,
      signMethod: this.#cfg.signMethod,
      timestamp: this.#cfg.signTimestamp ?? Date.now(),
      ...(this.#cfg.clientId ? { clientId: this.#cfg.clientId } : {}),
    });
    const options: IClientOptions = {
      ...creds,
      keepalive: this.#cfg.keepaliveS,
      clean: true,
      reconnectPeriod: 0, // the backoff below owns reconnects
      connectTimeout: this.#cfg.connectTimeoutMs,
      protocolVersion: this.#cfg.protocolVersion,
      ...(tls ? { rejectUnauthorized: !this.#cfg.insecure, ...(this.#cfg.caFile ? { ca: readFileSync(this.#cfg.caFile) } : {}) } : {}),
    };
    return { options, clientId: creds.clientId };
  }

  #onError(err: Error & { code?: number }): void {
    const refused = err.code !== undefined && CONNACK_AUTH_REFUSED.includes(err.code);
    this.lastError = refused ? `refused: ${err.message} (check productKey/deviceName/deviceSecret)` : err.message;
    // Logged once per episode (not at every reconnect): a wrong secret would otherwise be
    // either silent or a flood. The episode ends when the link comes up.
    if (this.lastError !== this.#loggedError) {
      this.#loggedError = this.lastError;
      if (refused)
        this.#log.error(
          { url: this.#cfg.url, code: err.code, reason: err.message },
          "the platform refused the box's credentials: check cloud.productKey, cloud.deviceName and cloud.deviceSecret (and the clock when signTimestamp is not set); retrying with backoff",
        );
      else this.#log.warn({ url: this.#cfg.url, reason: err.message }, 'cloud link cannot connect; retrying with backoff');
    }
  }

  #scheduleReconnect(): void {
    if (this.state === 'stopped') return;
    const delay = this.#retry.schedule(() => this.#connect());
    if (delay === undefined) return;
    this.reconnects++;
    this.#log.debug({ delay, attempt: this.#retry.attempt, lastError: this.lastError }, 'scheduleReconnect');
  }

  #clearReconnect(): void {
    this.#retry.cancel();
  }

  #setState(state: LinkState): void {
    if (this.state === state) return;
    this.state = state;
    this.since = Date.now();
    this.#handlers.onState(state);
  }
}
