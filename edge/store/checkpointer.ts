/**
 * Bounds what a power cut can take. The box database runs WAL with synchronous=NORMAL: every
 * commit is in the WAL file at once (a killed process loses nothing), but the WAL is fsynced only
 * at checkpoints. This worker thread checkpoints every `intervalMs` on its own connection, so the
 * fsync never blocks the event loop, and at most one interval of commits is exposed to a power
 * cut. It is the only other connection to the file, and it only checkpoints.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type { Db } from './db.js';

const require = createRequire(import.meta.url);

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 1000');
// Reports a failure once, not every interval (a full disk fails every checkpoint until freed),
// and the first success after it (the store's write health counts recovery per area).
let failing = false;
const tick = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    if (failing) parentPort.postMessage({ recovered: true });
    failing = false;
  } catch (err) {
    if (!failing) parentPort.postMessage({ error: String(err && err.message || err) });
    failing = true;
  }
};
const timer = setInterval(tick, workerData.intervalMs);
parentPort.on('message', (m) => { if (m === 'stop') { clearInterval(timer); tick(); db.close(); parentPort.postMessage({ stopped: true }); } });
`;

export class Checkpointer {
  readonly #worker: Worker;

  constructor(file: string, intervalMs: number, onError: (message: string) => void, onRecovered: () => void = () => undefined) {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, intervalMs, sqlite: require.resolve('better-sqlite3') } });
    this.#worker.on('message', (m: { error?: string; recovered?: boolean }) => {
      if (m.error) onError(m.error);
      else if (m.recovered) onRecovered();
    });
    this.#worker.on('error', (err) => onError(err.message));
    this.#worker.unref();
  }

  /** A last checkpoint, then the worker ends. */
  async stop(): Promise<void> {
    const done = new Promise<void>((resolve) => {
      this.#worker.on('message', (m: { stopped?: boolean }) => m.stopped && resolve());
      this.#worker.once('exit', () => resolve());
    });
    this.#worker.postMessage('stop');
    await Promise.race([done, new Promise((r) => setTimeout(r, 2000))]);
    await this.#worker.terminate();
  }
}

/**
 * Hand the box database's checkpoints to a worker: the main connection's own automatic
 * checkpoint (every 1000 WAL pages, inside whichever commit crosses it) is turned off, so no
 * passage decision or outbox write ever waits for checkpoint I/O.
 */
export function startCheckpointing(
  db: Db,
  file: string,
  intervalMs: number,
  onError: (message: string) => void,
  onRecovered?: () => void,
): Checkpointer {
  db.pragma('wal_autocheckpoint = 0');
  return new Checkpointer(file, intervalMs, onError, onRecovered);
}
