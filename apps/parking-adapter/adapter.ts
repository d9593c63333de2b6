/**
 * The parking adapter, wired: the service-model provider (services.ts) on its `provides` port,
 * the push receiver (push-receiver.ts) on its push port, the durable outbox of records
 * (outbox.ts) in the app's data folder, and the heartbeat (heartbeat.ts). It talks to the box
 * only over HTTP (the SDK's data-model client) and to the parking system over its API.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { DataModelClient } from '../sdk/data-model.js';
import { ServiceServer } from '../sdk/service-server.js';
import { CODES } from './codes.js';
import { Heartbeat } from './heartbeat.js';
import { Outbox } from './outbox.js';
import { ParkingClient } from './parking-client.js';
import { PushReceiver } from './push-receiver.js';
import { parkingServices, SERVICE_MODEL_ID } from './services.js';

export interface ParkingAdapterOptions {
  appKey: string;
  appSecret: string;
  apiDomain: string;
  dataDir: string;
  parkingUrl: string;
  servicePort: number;
  pushPort: number;
  /**
   * The service port listens on loopback by default: only the box's service bus (same host) may
   * call it, so the bus's routing and limits cannot be bypassed from the LAN.
   */
  serviceHost?: string;
  /** The push port listens on every interface by default: the parking system pushes over the LAN. */
  pushHost?: string;
  log: Logger;
  retryMinMs?: number;
  retryMaxMs?: number;
  heartbeat?: boolean;
}

export class ParkingAdapter {
  readonly outbox: Outbox;
  readonly services: ServiceServer;
  readonly pushes: PushReceiver;
  readonly heartbeat: Heartbeat;
  readonly #o: ParkingAdapterOptions;

  constructor(o: ParkingAdapterOptions) {
    this.#o = o;
    const log = o.log;
    const dataModel = new DataModelClient({ domain: o.apiDomain, appKey: o.appKey, appSecret: o.appSecret });
    const parking = new ParkingClient(o.parkingUrl);
    this.outbox = new Outbox({
      dir: join(o.dataDir, 'outbox'),
      ...(o.retryMinMs !== undefined ? { retryMinMs: o.retryMinMs } : {}),
      ...(o.retryMaxMs !== undefined ? { retryMaxMs: o.retryMaxMs } : {}),
      delivery: {
        upload: async (fileName, bytes) => (await dataModel.upload(fileName, bytes, 'image/jpeg')).fileName,
        insert: async (modelId, properties) => void (await dataModel.insert(modelId, properties)),
      },
      onError: (err, job) => log.warn({ guid: job.guid, err: (err as Error).message }, 'records kept for a retry'),
    });
    this.services = new ServiceServer({
      serviceModelId: SERVICE_MODEL_ID,
      methods: parkingServices(parking),
      internalError: { ...CODES.unknown, data: null },
      onCall: ({ method, code, ms, err }) =>
        err ? log.error({ method, code, ms, err }, 'service call failed') : log.info({ method, code, ms }, 'service call'),
    });
    this.pushes = new PushReceiver({ outbox: this.outbox, log });
    this.heartbeat = new Heartbeat({
      probe: async () => (await parking.parks()).map((p) => p.parkID),
      insert: async (modelId, properties) => void (await dataModel.insert(modelId, properties)),
      onError: (err) => log.warn({ err: (err as Error).message }, 'heartbeat not delivered'),
    });
  }

  async start(): Promise<void> {
    await this.outbox.start();
    await this.services.listen(this.#o.servicePort, this.#o.serviceHost ?? '127.0.0.1');
    await this.pushes.listen(this.#o.pushPort, this.#o.pushHost ?? '0.0.0.0');
    if (this.#o.heartbeat !== false) this.heartbeat.start();
    this.#o.log.info({ servicePort: this.services.port, pushPort: this.pushes.port, queued: this.outbox.pending }, 'parking adapter ready');
  }

  async stop(): Promise<void> {
    await this.heartbeat.stop();
    await this.pushes.close();
    await this.services.close();
    await this.outbox.stop();
  }
}
