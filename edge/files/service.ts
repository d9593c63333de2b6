/**
 * The edge file service (docs/files.md): the store, its listeners (the seed's port 9102 inside
 * the host, and optionally 32012 outside it [seed 001 L39731]) and the sweeper that removes files
 * once their expiry has passed, never before.
 */
import { networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import { HttpListener, type RefusalBody } from '../../protocols/common/http-listener.js';
import { fileError } from './codes.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/db.js';
import type { FilesConfig } from './config.js';
import { urlPathOf } from './paths.js';
import { fileRequestHandler } from './routes.js';
import { FileStore, type Committed } from './store.js';

const MB = 1024 * 1024;

/** A source over its request rate is answered in the service's shape, with the platform's 429 [seed 001 L47010-47050]. */
const busyRefusal = (): RefusalBody => ({
  contentType: 'application/json; charset=utf-8',
  body: JSON.stringify(fileError('busy', 'too many requests.').answer),
});

export interface FileServiceDeps {
  db: Db;
  log: Logger;
  /** `box.dataDir`: `files.dir` is relative to it. */
  dataDir: string;
  now?: () => number;
}

/** The host named in download URLs: `publicHost`, else the listener's own, else (a wildcard) the first LAN IPv4. */
export function urlHost(cfg: Pick<FilesConfig, 'host' | 'publicHost'>): string {
  if (cfg.publicHost) return cfg.publicHost;
  if (cfg.host !== '0.0.0.0' && cfg.host !== '::') return cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host;
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return '127.0.0.1';
}

export class FileService {
  readonly store: FileStore;
  readonly config: FilesConfig;
  readonly #log: Logger;
  readonly #listeners: HttpListener[] = [];
  #sweeper: NodeJS.Timeout | undefined;
  #host = '';
  /** Bound ports: the main one, and the outside one (0 when not configured). */
  port = 0;
  outsidePort = 0;

  constructor(deps: FileServiceDeps, config: FilesConfig) {
    this.config = config;
    this.#log = deps.log;
    this.store = new FileStore(
      { db: deps.db, log: deps.log, ...(deps.now ? { now: deps.now } : {}) },
      {
        dir: resolve(deps.dataDir, config.dir),
        maxFileBytes: Math.round(config.maxFileMb * MB),
        quotaBytes: Math.round(config.quotaMb * MB),
      },
    );
  }

  /** The download URL of a stored file: `http://<host>:<port>/oss/<filePath>` [seed 001 L39777]. */
  urlOf(filePath: string): string {
    return `${this.baseUrl}${urlPathOf(filePath)}`;
  }

  /** `http://<host>:<port>` as download URLs name the service. */
  get baseUrl(): string {
    return `http://${this.#host}:${this.config.publicPort ?? this.port}`;
  }

  /** Store bytes the box itself holds (pictures); the same store, index and expiry as uploads. */
  putBytes(filePath: string, bytes: Buffer, expireMs: number): Committed {
    return this.store.putBytes(filePath, bytes, expireMs);
  }

  async start(): Promise<void> {
    const c = this.config;
    this.store.open();
    this.#host = urlHost(c);
    const handler = fileRequestHandler({
      store: this.store,
      options: { maxFileBytes: this.store.options.maxFileBytes, defaultExpireS: c.defaultExpireS, maxBodyBytes: c.limits.maxBodyBytes },
      urlOf: (p) => this.urlOf(p),
      log: this.#log,
    });
    const listen = async (port: number): Promise<number> => {
      const l = new HttpListener(handler, { ...c.limits, host: c.host, port, log: this.#log, refusal: busyRefusal });
      this.#listeners.push(l);
      return (await l.listen()).port;
    };
    this.port = await listen(c.port);
    if (c.outsidePort !== undefined) this.outsidePort = await listen(c.outsidePort);
    this.sweep();
    this.#sweeper = setInterval(() => this.sweep(), c.sweepIntervalS * 1000);
    this.#sweeper.unref();
    this.#log.info(
      { host: c.host, port: this.port, ...(this.outsidePort ? { outsidePort: this.outsidePort } : {}) },
      'file service listening',
    );
  }

  /** Remove what has expired (in batches, so one sweep never holds the event loop long). */
  sweep(now?: number): number {
    try {
      return this.store.sweep(now);
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'file sweep failed; retried at the next one');
      return 0;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.#sweeper);
    await Promise.all(this.#listeners.splice(0).map((l) => l.close()));
  }
}
