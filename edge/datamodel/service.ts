/**
 * The edge data-model API (docs/apps.md, "Edge data-model API"): the records (./records.ts), their
 * cloud upload (./cloud-outbox.ts), their local subscribers (./deliveries.ts), the file uploads
 * (./uploads.ts) and the HTTP listener at `iot.hosting.api.domain` (./routes.ts). A record, its
 * outbox row and its pending deliveries are written in one transaction, so each either happens
 * whole or not at all.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpListener, type RefusalBody } from '../../protocols/common/http-listener.js';
import type { FileService } from '../files/service.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/db.js';
import { dmError } from './codes.js';
import type { DataModelConfig } from './config.js';
import { mayRead, type AppCredentials, type AppCredentialsLookup } from './credentials.js';
import { dataIdsOf, type RecordOutbox } from './cloud-outbox.js';
import { Deliveries, type Publisher, type Subscriber } from './deliveries.js';
import { checkModelId, checkProperties } from './properties.js';
import { parseQuery } from './query.js';
import { RecordStore, type DataRecord, type QueryPage } from './records.js';
import { dataModelRequestHandler } from './routes.js';
import { NonceCache } from './signature.js';
import { Uploads } from './uploads.js';

const DAY_MS = 86_400_000;
const PRUNE_INTERVAL_MS = 3_600_000;
const QUEUE_BATCH = 500;

const busyRefusal = (): RefusalBody => ({
  contentType: 'application/json; charset=utf-8',
  body: JSON.stringify(dmError('busy', 'too many requests.').answer()),
});

export interface DataModelDeps {
  db: Db;
  log: Logger;
  credentials: AppCredentialsLookup;
  /** The file service, when it runs (uploads need it). */
  files(): FileService | undefined;
  /** The local bus, when it runs (subscribers need it). */
  publisher(): Publisher | undefined;
  now?: () => number;
}

export class DataModelService {
  readonly config: DataModelConfig;
  readonly records: RecordStore;
  readonly deliveries: Deliveries;
  readonly uploads: Uploads;
  readonly #deps: DataModelDeps;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #nonces = new NonceCache();
  #listener: HttpListener | undefined;
  #outbox: RecordOutbox | undefined;
  #pruner: NodeJS.Timeout | undefined;
  #host = '';
  port = 0;

  constructor(deps: DataModelDeps, config: DataModelConfig) {
    this.config = config;
    this.#deps = deps;
    this.#log = deps.log;
    this.#now = deps.now ?? Date.now;
    this.records = new RecordStore(deps.db, {
      retentionMs: config.retentionDays * DAY_MS,
      maxRecords: config.maxRecords,
      maxBytes: Math.round(config.maxMb * 1024 * 1024),
    });
    this.deliveries = new Deliveries(
      { db: deps.db, records: this.records, log: deps.log, publisher: deps.publisher, now: this.#now },
      {
        ackTimeoutMs: config.ackTimeoutS * 1000,
        maxBackoffMs: config.maxBackoffS * 1000,
        maxDeliveries: config.maxDeliveries,
        maxPendingPerSubscriber: config.maxPendingPerSubscriber,
      },
    );
    this.deliveries.setSubscribers(config.subscribers as Subscriber[]);
    this.uploads = new Uploads(deps.db, this.#now);
  }

  /** `http://host:port` as upload URLs name the API. */
  get baseUrl(): string {
    return `http://${this.#host}:${this.port}`;
  }

  /** `host:port`, the hosted apps' `iot.hosting.api.domain`. */
  get domain(): string {
    return `${this.#host}:${this.port}`;
  }

  async start(): Promise<void> {
    const c = this.config;
    const startedAt = this.#now();
    const handler = dataModelRequestHandler({
      api: {
        insert: (app, modelId, properties) => this.insert(app, modelId, properties),
        query: (creds, params) => this.query(creds, params),
        upload: (creds, params) => this.upload(creds, params),
        putFile: (req, res, pathname) => this.#putFile(req, res, pathname),
        getFile: (req, res, pathname) => this.uploads.get(req, res, this.#files(), pathname),
      },
      credentials: this.#deps.credentials,
      nonces: this.#nonces,
      maxBodyBytes: c.limits.maxBodyBytes,
      now: this.#now,
      startedAt,
      log: this.#log,
    });
    this.#listener = new HttpListener(handler, { ...c.limits, host: c.host, port: c.port, log: this.#log, refusal: busyRefusal });
    this.port = (await this.#listener.listen()).port;
    const h = c.publicHost ?? (c.host === '0.0.0.0' || c.host === '::' ? '127.0.0.1' : c.host);
    this.#host = h.includes(':') && !h.startsWith('[') ? `[${h}]` : h;
    this.deliveries.start();
    this.prune();
    this.#pruner = setInterval(() => this.prune(), PRUNE_INTERVAL_MS);
    this.#pruner.unref();
    this.#log.info({ host: c.host, port: this.port, records: this.records.count }, 'data-model API listening');
  }

  async stop(): Promise<void> {
    clearInterval(this.#pruner);
    this.deliveries.stop();
    await this.#listener?.close();
    this.#listener = undefined;
  }

  /** Store a record of `app` (validated here: any caller, the HTTP API or a part of the box, gets the same checks). */
  insert(app: string, modelIdRaw: unknown, propertiesRaw: unknown): DataRecord {
    const modelId = checkModelId(modelIdRaw);
    const props = checkProperties(propertiesRaw, this.config.maxPropertiesKb * 1024);
    const createdAt = this.#now();
    const outbox = this.#outbox;
    const { record, subscribers } = this.#deps.db.transaction(() => {
      const dataId = this.records.insert({ modelId, app, json: props.json, createdAt, queued: outbox !== undefined });
      const r: DataRecord = { dataId, modelId, app, properties: props.value, createdAt };
      outbox?.enqueue(r, this.#fileUrls(r));
      return { record: r, subscribers: this.deliveries.enqueue(r) };
    })();
    this.deliveries.sendNew(record, subscribers);
    if (this.records.count > this.config.maxRecords || this.records.bytes > this.config.maxMb * 1024 * 1024) this.prune();
    return record;
  }

  query(creds: AppCredentials, params: Record<string, unknown>): DataRecord | QueryPage {
    const q = parseQuery(params);
    if (q.kind === 'byId') {
      const r = this.records.get(q.dataId);
      if (!r) throw dmError('notFound', `no record ${q.dataId}`);
      if (!mayRead(creds, r.modelId)) throw dmError('forbidden', `request forbidden.: app ${creds.app} may not read ${r.modelId}`);
      return r;
    }
    if (!mayRead(creds, q.modelId)) throw dmError('forbidden', `request forbidden.: app ${creds.app} may not read ${q.modelId}`);
    return this.records.query(q);
  }

  upload(creds: AppCredentials, params: Record<string, unknown>): { fileName: string; url: string } {
    const files = this.#files();
    const maxFile = files.store.options.maxFileBytes;
    if (typeof params.fileSize === 'number' && params.fileSize > maxFile)
      throw dmError('tooLarge', `fileSize larger than ${maxFile} bytes`);
    const slot = this.uploads.create({
      app: creds.app,
      fileName: params.fileName,
      fileType: params.fileType,
      ttlMs: this.config.uploadUrlTtlS * 1000,
    });
    return { fileName: slot.fileName, url: `${this.baseUrl}${this.uploads.urlPath(slot.token, slot.fileName)}` };
  }

  /**
   * The download URLs of a record's file attributes: a property whose value is the name of a file
   * its app uploaded (seed R10: the record holds `data.fileName`) → the file service's URL of it,
   * so the cloud can fetch the picture the name stands for. None without the file service.
   */
  #fileUrls(r: DataRecord): Record<string, string> | undefined {
    const files = this.#deps.files();
    if (!files || typeof r.properties !== 'object' || r.properties === null) return undefined;
    const out: Record<string, string> = {};
    for (const [attr, value] of Object.entries(r.properties as Record<string, unknown>)) {
      if (typeof value !== 'string' || value === '' || value.length > 255 || value.includes('/')) continue;
      const path = this.uploads.storedPath(r.app, value);
      if (path !== undefined) out[attr] = files.urlOf(path);
    }
    return out;
  }

  #files(): FileService {
    const files = this.#deps.files();
    if (!files) throw dmError('unsupported', 'file upload needs the edge file service: add a files: section to the box config');
    return files;
  }

  #putFile(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    return this.uploads.put(req, res, this.#files(), pathname, this.config.fileKeepDays * DAY_MS);
  }

  /** Records made while no outbox was attached are queued now (history form when offline). */
  attachOutbox(outbox: RecordOutbox): number {
    this.#outbox = outbox;
    let queued = 0;
    let after = 0;
    for (;;) {
      const batch = this.records.unqueued(after, QUEUE_BATCH);
      if (batch.length === 0) break;
      this.#deps.db.transaction(() => {
        for (const r of batch) {
          outbox.enqueue(r, this.#fileUrls(r));
          this.records.markQueued(r.dataId);
        }
      })();
      queued += batch.length;
      after = batch[batch.length - 1]!.dataId;
    }
    return queued;
  }

  detachOutbox(): void {
    this.#outbox = undefined;
  }

  /** The platform acknowledged these outbox refs (`datamodel:<dataId>`). */
  acknowledged(refs: readonly string[]): void {
    const ids = dataIdsOf(refs);
    if (ids.length > 0) this.records.acknowledged(ids);
  }

  /** For /healthz: the records kept and the deliveries waiting for an ack, per subscriber. */
  status(): { port: number; records: number; bytes: number; pendingDeliveries: Record<string, number> } {
    return { port: this.port, records: this.records.count, bytes: this.records.bytes, pendingDeliveries: this.deliveries.pending() };
  }

  /** Retention of records and of upload slots. */
  prune(): void {
    try {
      const removed = this.records.prune(this.#now());
      this.uploads.prune(this.config.fileKeepDays * DAY_MS);
      if (removed > 0) {
        this.deliveries.recount(); // their pending deliveries went with them
        this.#log.info({ records: removed }, 'data-model records beyond retention removed');
      }
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'data-model retention failed; retried at the next run');
    }
  }
}
