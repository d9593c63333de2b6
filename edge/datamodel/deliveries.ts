/**
 * Records to local subscribers over the local bus, acknowledged. A subscriber (declared in
 * `dataModel.subscribers`, or added by the apps part) gets each new record of its models on
 * `/edge/datamodel/<name>/data/<modelId>` and acknowledges it on `/datamodel/<name>/ack`; one
 * that has not acknowledged within `ackTimeoutS` (30 s, the seed's "≥ 30 s means failed",
 * L40585) gets it again, waiting twice as long each time up to `maxBackoffS`, at most
 * `maxDeliveries` times. Each pending delivery is a row written in the record's own transaction,
 * so neither a crash nor a restart loses one; a subscriber can therefore see a record twice and
 * must be idempotent by `dataId` (R50). A subscriber with a `callbackUrl` gets the same message by
 * HTTP POST instead (./callbacks.ts): its 2xx answer is the acknowledgement.
 */
import type { Db } from '../store/db.js';
import type { Logger } from '../log.js';
import type { DataRecord, RecordStore } from './records.js';
import { CallbackSender } from './callbacks.js';

export interface Subscriber {
  name: string;
  /** Model ids, or `*` for every model. */
  models: readonly string[];
  /** Delivered by HTTP POST here (./callbacks.ts) instead of the local bus. */
  callbackUrl?: string | undefined;
}

export interface DeliveryOptions {
  ackTimeoutMs: number;
  maxBackoffMs: number;
  maxDeliveries: number;
  maxPendingPerSubscriber: number;
}

/** What `enqueue` queued: the subscribers to send to at once, and how many wait for the bus. */
export interface NewDeliveries {
  names: string[];
  waiting: number;
}

export interface Publisher {
  publish(topic: string, payload: string): void;
}

export const deliveryTopic = (subscriber: string, modelId: string): string => `/edge/datamodel/${subscriber}/data/${modelId}`;
export const ackTopic = (subscriber: string): string => `/datamodel/${subscriber}/ack`;
export const ACK_FILTER = '/datamodel/+/ack';

const BATCH = 500;
const MAX_ACK_IDS = 1000;

interface DueRow {
  subscriber: string;
  data_id: number;
  attempts: number;
}

export class Deliveries {
  readonly #db: Db;
  readonly #records: RecordStore;
  readonly #log: Logger;
  readonly #o: DeliveryOptions;
  readonly #now: () => number;
  readonly #publisher: () => Publisher | undefined;
  readonly #subscribers = new Map<string, Subscriber>();
  readonly #pending = new Map<string, number>();
  readonly #callbacks: CallbackSender;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #running = false;
  /** Deliveries given up on since the last log line. */
  #expired = 0;
  readonly #stmt;

  constructor(
    deps: { db: Db; records: RecordStore; log: Logger; publisher: () => Publisher | undefined; now?: () => number },
    options: DeliveryOptions,
  ) {
    this.#db = deps.db;
    this.#records = deps.records;
    this.#log = deps.log;
    this.#publisher = deps.publisher;
    this.#now = deps.now ?? Date.now;
    this.#o = options;
    this.#callbacks = new CallbackSender({ log: deps.log }, options.ackTimeoutMs);
    const db = deps.db;
    this.#stmt = {
      add: db.prepare('INSERT OR IGNORE INTO datamodel_deliveries (subscriber, data_id, attempts, next_at) VALUES (?, ?, ?, ?)'),
      due: db.prepare(
        'SELECT subscriber, data_id, attempts FROM datamodel_deliveries WHERE next_at <= ? ORDER BY next_at, data_id LIMIT ?',
      ),
      next: db.prepare('SELECT MIN(next_at) AS at FROM datamodel_deliveries'),
      sent: db.prepare('UPDATE datamodel_deliveries SET attempts = ?, next_at = ? WHERE subscriber = ? AND data_id = ?'),
      remove: db.prepare('DELETE FROM datamodel_deliveries WHERE subscriber = ? AND data_id = ?'),
      dropOldest: db.prepare(
        'DELETE FROM datamodel_deliveries WHERE subscriber = ? AND data_id IN (SELECT data_id FROM datamodel_deliveries WHERE subscriber = ? ORDER BY data_id LIMIT ?)',
      ),
      counts: db.prepare('SELECT subscriber, COUNT(*) AS n FROM datamodel_deliveries GROUP BY subscriber'),
    };
  }

  /** Replace the subscriber list; pending deliveries of a subscriber no longer listed are kept until it returns or they expire. */
  setSubscribers(list: readonly Subscriber[]): void {
    this.#subscribers.clear();
    for (const s of list) this.#subscribers.set(s.name, s);
  }

  addSubscriber(s: Subscriber): void {
    this.#subscribers.set(s.name, s);
  }

  removeSubscriber(name: string): void {
    this.#subscribers.delete(name);
  }

  get subscribers(): Subscriber[] {
    return [...this.#subscribers.values()];
  }

  /** Unacknowledged deliveries per subscriber. */
  pending(): Record<string, number> {
    return Object.fromEntries(this.#pending);
  }

  start(): void {
    this.recount();
    this.#arm(this.#now());
  }

  /** Count the pending deliveries again (after retention removed records, and with them their deliveries). */
  recount(): void {
    for (const k of this.#pending.keys()) this.#pending.set(k, 0);
    for (const r of this.#stmt.counts.all() as Array<{ subscriber: string; n: number }>) this.#pending.set(r.subscriber, r.n);
  }

  stop(): void {
    this.#callbacks.stop();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  /**
   * Queue a new record for its subscribers; call inside the record's transaction. With the bus up
   * the first send is counted here and made by `sendNew` right after the commit (no second
   * transaction per record); without it the record waits for the bus like a redelivery.
   */
  enqueue(record: Pick<DataRecord, 'dataId' | 'modelId'>): NewDeliveries {
    const names: string[] = [];
    let waiting = 0;
    const now = this.#now();
    const bus = this.#publisher() !== undefined;
    for (const s of this.#subscribers.values()) {
      if (!s.models.includes('*') && !s.models.includes(record.modelId)) continue;
      const live = bus || s.callbackUrl !== undefined;
      if (this.#stmt.add.run(s.name, record.dataId, live ? 1 : 0, live ? now + this.#o.ackTimeoutMs : now).changes === 0) continue;
      if (live) names.push(s.name);
      else waiting++;
      const pending = (this.#pending.get(s.name) ?? 0) + 1;
      if (pending > this.#o.maxPendingPerSubscriber) {
        // A subscriber that is gone for good must not grow the table without end: its oldest go.
        const dropped = this.#stmt.dropOldest.run(s.name, s.name, pending - this.#o.maxPendingPerSubscriber).changes;
        this.#expired += dropped;
        this.#pending.set(s.name, pending - dropped);
      } else this.#pending.set(s.name, pending);
    }
    return { names, waiting };
  }

  /** After the commit of a new record: its first send to the subscribers `enqueue` named, and the timer for the rest. */
  sendNew(record: DataRecord, n: NewDeliveries): void {
    const publisher = this.#publisher();
    for (const name of n.names) this.#deliver(publisher, name, record, 1);
    if (n.waiting > 0) this.#arm(this.#now());
    else if (n.names.length > 0) this.#arm(this.#now() + this.#o.ackTimeoutMs);
  }

  /** A subscriber acknowledged these records; unknown or already acknowledged ids are ignored. */
  acknowledge(subscriber: string, dataIds: readonly number[]): number {
    let n = 0;
    this.#db.transaction(() => {
      for (const id of dataIds) n += this.#stmt.remove.run(subscriber, id).changes;
    })();
    if (n > 0) this.#pending.set(subscriber, Math.max(0, (this.#pending.get(subscriber) ?? 0) - n));
    return n;
  }

  /** An ack message from the bus: `{"dataId": 1}` or `{"dataIds": [1, 2]}` on `/datamodel/<name>/ack`. */
  onAckMessage(topic: string, payload: Buffer): void {
    const m = /^\/datamodel\/([A-Za-z0-9_-]{1,64})\/ack$/.exec(topic);
    if (!m) return;
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      this.#log.debug({ subscriber: m[1] }, 'data-model ack that is not JSON ignored');
      return;
    }
    const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const raw = b.dataIds ?? (b.dataId !== undefined ? [b.dataId] : []);
    const ids = Array.isArray(raw)
      ? raw
          .slice(0, MAX_ACK_IDS)
          .map(Number)
          .filter((n) => Number.isSafeInteger(n) && n > 0)
      : [];
    if (ids.length === 0) {
      this.#log.debug({ subscriber: m[1] }, 'data-model ack without dataId ignored');
      return;
    }
    this.acknowledge(m[1]!, ids);
  }

  /** Send what is due; returns how many messages went out. */
  run(): number {
    if (this.#running) return 0;
    this.#running = true;
    let sent = 0;
    try {
      const now = this.#now();
      const publisher = this.#publisher();
      for (;;) {
        const due = this.#stmt.due.all(now, BATCH) as DueRow[];
        if (due.length === 0) break;
        this.#db.transaction(() => {
          for (const d of due) sent += this.#send(publisher, d, now);
        })();
        if (due.length < BATCH) break;
      }
      if (this.#expired > 0) {
        this.#log.warn({ deliveries: this.#expired }, 'data-model deliveries never acknowledged were given up');
        this.#expired = 0;
      }
    } catch (err) {
      this.#log.warn({ err: (err as Error).message }, 'data-model delivery failed; retried');
    } finally {
      this.#running = false;
    }
    this.#scheduleNext();
    return sent;
  }

  #send(publisher: Publisher | undefined, d: DueRow, now: number): number {
    if (!publisher && this.#subscribers.get(d.subscriber)?.callbackUrl === undefined) {
      // No bus (disabled, or not up yet): nothing is spent; looked at again after one ack timeout.
      this.#stmt.sent.run(d.attempts, now + this.#o.ackTimeoutMs, d.subscriber, d.data_id);
      return 0;
    }
    const record = this.#records.get(d.data_id);
    if (!record || d.attempts >= this.#o.maxDeliveries) {
      this.#stmt.remove.run(d.subscriber, d.data_id);
      this.#pending.set(d.subscriber, Math.max(0, (this.#pending.get(d.subscriber) ?? 0) - 1));
      if (record) this.#expired++;
      return 0;
    }
    const attempt = d.attempts + 1;
    const wait = Math.min(this.#o.ackTimeoutMs * 2 ** Math.min(d.attempts, 30), Math.max(this.#o.ackTimeoutMs, this.#o.maxBackoffMs));
    this.#stmt.sent.run(attempt, now + wait, d.subscriber, d.data_id);
    this.#deliver(publisher, d.subscriber, record, attempt);
    return 1;
  }

  /** One delivery: to the callback of a subscriber that has one, else on the bus (when it is up). */
  #deliver(publisher: Publisher | undefined, name: string, record: DataRecord, attempt: number): void {
    const url = this.#subscribers.get(name)?.callbackUrl;
    if (url !== undefined)
      this.#callbacks.post(name, url, this.#message(record, name, attempt, false), () => this.acknowledge(name, [record.dataId]));
    else publisher?.publish(deliveryTopic(name, record.modelId), this.#message(record, name, attempt));
  }

  #message(record: DataRecord, subscriber: string, attempt: number, viaBus = true): string {
    return JSON.stringify({
      dataId: record.dataId,
      modelId: record.modelId,
      properties: record.properties,
      gmtCreate: record.createdAt,
      app: record.app,
      attempt,
      ...(viaBus ? { ackTopic: ackTopic(subscriber) } : {}),
    });
  }

  #scheduleNext(): void {
    const at = (this.#stmt.next.get() as { at: number | null }).at;
    if (at !== null) this.#arm(at);
  }

  #arm(at: number): void {
    if (this.#timer && this.#timerAt <= at) return;
    clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = Number.POSITIVE_INFINITY;
        this.run();
      },
      Math.max(0, at - this.#now()),
    );
    this.#timer.unref();
  }
}
