/**
 * The records of each push, kept in the app's data folder until the data-model API took them, and
 * delivered strictly in arrival order. One job per push: `<seq>.json` (its records, how far it got)
 * and `<seq>.jpg` (the plate picture). A job's progress is written after each step, so a restart
 * or a retry neither loses a record nor uploads or inserts one twice. When the API fails, the
 * drain stops at that job and retries after a growing delay; later jobs wait behind it.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PendingRecord } from './push-mapping.js';

export interface Job {
  seq: number;
  /** The push's GUID: a push sent twice is one job. */
  guid: string;
  hasImage: boolean;
  /** Set once the picture is uploaded. */
  fileName?: string;
  /** Records inserted so far. */
  done: number;
  records: PendingRecord[];
}

export interface Delivery {
  upload(fileName: string, bytes: Buffer): Promise<string>;
  insert(modelId: string, properties: Record<string, unknown>): Promise<void>;
}

export interface OutboxOptions {
  dir: string;
  delivery: Delivery;
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Jobs kept at most; beyond, a push is refused (the system keeps it and sends it again). */
  maxJobs?: number;
  onError?: (err: unknown, job: Job) => void;
}

type Waiter = (delivered: boolean) => void;

const name = (seq: number): string => String(seq).padStart(12, '0');

export class Outbox {
  readonly #o: Required<Omit<OutboxOptions, 'onError'>> & Pick<OutboxOptions, 'onError'>;
  #jobs: Job[] = [];
  #seq = 0;
  #draining: Promise<void> | undefined;
  #retry: NodeJS.Timeout | undefined;
  #delayMs: number;
  #waiters = new Map<number, Waiter[]>();
  #stopped = false;
  /** GUIDs delivered recently, so a push sent again after its answer is not recorded twice. */
  #delivered = new Set<string>();
  /** GUID → seq of every job queued or being written. */
  #accepted = new Map<string, number>();
  #writes: Promise<void> = Promise.resolve();

  constructor(options: OutboxOptions) {
    this.#o = { retryMinMs: 1000, retryMaxMs: 60_000, maxJobs: 10_000, ...options };
    this.#delayMs = this.#o.retryMinMs;
  }

  get pending(): number {
    return this.#jobs.length;
  }

  /** Loads the jobs a previous run left, in order, and starts delivering them. */
  async start(): Promise<void> {
    await mkdir(this.#o.dir, { recursive: true });
    const files = (await readdir(this.#o.dir)).filter((f) => /^\d{12}\.json$/.test(f)).sort();
    for (const f of files) {
      try {
        const job = JSON.parse(await readFile(join(this.#o.dir, f), 'utf8')) as Job;
        this.#jobs.push(job);
        this.#accepted.set(job.guid, job.seq);
        this.#seq = Math.max(this.#seq, job.seq);
      } catch (err) {
        // A torn write cannot happen (write + rename); anything else unreadable is set aside, not retried forever.
        this.#o.onError?.(err, { seq: -1, guid: f, hasImage: false, done: 0, records: [] });
        await rename(join(this.#o.dir, f), join(this.#o.dir, `${f}.bad`)).catch(() => undefined);
      }
    }
    this.kick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    await this.#draining;
    for (const ws of this.#waiters.values()) for (const w of ws) w(false);
    this.#waiters.clear();
  }

  /**
   * Keeps a push's records (and picture) on disk and starts delivering; resolves true once they
   * are all in the data-model API, false when delivery stopped before them (they stay queued).
   */
  async add(guid: string, records: PendingRecord[], image: Buffer | undefined): Promise<boolean> {
    if (this.#delivered.has(guid)) return true;
    const queued = this.#accepted.get(guid);
    if (queued !== undefined) return this.#await(queued);
    if (this.#accepted.size >= this.#o.maxJobs) return false;
    const job: Job = { seq: ++this.#seq, guid, hasImage: image !== undefined, done: 0, records };
    this.#accepted.set(guid, job.seq);
    const result = this.#await(job.seq);
    // Writes are chained so jobs join the queue in the order they arrived, whichever write finishes first.
    const written = this.#writes.then(async () => {
      if (image) await writeFile(join(this.#o.dir, `${name(job.seq)}.jpg`), image);
      await this.#save(job);
      this.#jobs.push(job);
    });
    this.#writes = written.catch(() => undefined);
    try {
      await written;
    } catch (err) {
      this.#accepted.delete(guid);
      this.#waiters.delete(job.seq);
      throw err;
    }
    this.kick();
    return result;
  }

  /** Delivers now (also cancels a waiting retry): after a push, and when the API is back. */
  kick(): void {
    if (this.#stopped || this.#draining) return;
    clearTimeout(this.#retry);
    this.#retry = undefined;
    this.#draining = this.#drain().finally(() => {
      this.#draining = undefined;
      // A job added while the drain was ending: retry already armed → it hears "not yet"; otherwise deliver it now.
      if (this.#stopped || this.#jobs.length === 0) return;
      if (this.#retry) for (const j of this.#jobs) this.#settle(j.seq, false);
      else this.kick();
    });
  }

  #await(seq: number): Promise<boolean> {
    return new Promise((resolve) => this.#waiters.set(seq, [...(this.#waiters.get(seq) ?? []), resolve]));
  }

  #settle(seq: number, delivered: boolean): void {
    for (const w of this.#waiters.get(seq) ?? []) w(delivered);
    this.#waiters.delete(seq);
  }

  async #drain(): Promise<void> {
    while (!this.#stopped && this.#jobs.length > 0) {
      const job = this.#jobs[0]!;
      try {
        await this.#deliver(job);
      } catch (err) {
        this.#o.onError?.(err, job);
        // Everyone waiting hears "not yet" now; their records stay queued.
        for (const j of this.#jobs) this.#settle(j.seq, false);
        if (!this.#stopped) {
          this.#retry = setTimeout(() => this.kick(), this.#delayMs);
          this.#delayMs = Math.min(this.#o.retryMaxMs, this.#delayMs * 2);
        }
        return;
      }
      this.#jobs.shift();
      this.#accepted.delete(job.guid);
      this.#remember(job.guid);
      this.#delayMs = this.#o.retryMinMs;
      this.#settle(job.seq, true);
    }
  }

  async #deliver(job: Job): Promise<void> {
    const base = join(this.#o.dir, name(job.seq));
    if (job.hasImage && job.fileName === undefined) {
      job.fileName = await this.#o.delivery.upload(`${job.guid}.jpg`, await readFile(`${base}.jpg`));
      await this.#save(job);
    }
    while (job.done < job.records.length) {
      const r = job.records[job.done]!;
      const properties = { ...r.properties };
      if (job.fileName !== undefined) for (const a of r.imageAttrs) properties[a] = job.fileName;
      await this.#o.delivery.insert(r.modelId, properties);
      job.done++;
      if (job.done < job.records.length) await this.#save(job);
    }
    await rm(`${base}.json`, { force: true });
    await rm(`${base}.jpg`, { force: true });
  }

  async #save(job: Job): Promise<void> {
    const path = join(this.#o.dir, `${name(job.seq)}.json`);
    await writeFile(`${path}.tmp`, JSON.stringify(job));
    await rename(`${path}.tmp`, path);
  }

  #remember(guid: string): void {
    this.#delivered.add(guid);
    if (this.#delivered.size > 1000) this.#delivered.delete(this.#delivered.values().next().value as string);
  }
}
