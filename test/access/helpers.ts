import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessCore, type AccessDeps } from '../../edge/access/access-core.js';
import { parseAccessConfig } from '../../edge/access/config.js';
import type { OutboxTopicKind, OutboxWriter } from '../../edge/access/outbox.js';
import { cloudOutboxWriter } from '../../edge/cloud/access-outbox.js';
import { Outbox, type OutboxRow } from '../../edge/cloud/outbox/outbox.js';
import { silentLogger } from '../../edge/log.js';
import { openDatabase, type Db } from '../../edge/store/db.js';

/** The box's gateway identity in these tests (business reports go out as its events). */
export const TEST_GATEWAY = { productKey: 'PEGateway', deviceName: 'box-test' };

/** One cloud-outbox row as the platform would read it: which event, of which device, with which params. */
export interface QueuedMessage {
  seq: number;
  /** `productKey/deviceName` the row is published for (the door; the gateway for business reports). */
  device: string;
  topic: string;
  topicKind: OutboxTopicKind;
  /** Event identifier (`passEvent`, `OnMatched`), or the bizType of a BizDataPush report. */
  identifier: string;
  /** The event's params (`value`), or the BizDataPushModel object. */
  payload: Record<string, unknown>;
  time: number;
  /** `pass:<passId>` for pass records. */
  ref: string | null;
  alinkId: string;
}

/** Decode the Alink message of an outbox row (event post, history post or BizDataPush). */
export function decodeRow(row: OutboxRow): QueuedMessage[] {
  const m = JSON.parse(row.payload) as { method: string; params: unknown };
  const base = { seq: row.seq, device: row.device, topic: row.topic, ref: row.ref, alinkId: row.alinkId };
  if (m.method === 'thing.event.property.history.post') {
    const out: QueuedMessage[] = [];
    for (const part of m.params as Array<{ events?: Array<Record<string, { value: Record<string, unknown>; time: number }>> }>) {
      for (const events of part.events ?? [])
        for (const [identifier, e] of Object.entries(events))
          out.push({ ...base, topicKind: 'eventHistory', identifier, payload: e.value, time: e.time });
    }
    return out;
  }
  const event = /^thing\.event\.(.+)\.post$/.exec(m.method)?.[1];
  if (!event) return [];
  const { value, time } = m.params as { value: Record<string, unknown>; time: number };
  if (event === 'BizDataPush') return [{ ...base, topicKind: 'bizData', identifier: String(value.bizType), payload: value, time }];
  return [{ ...base, topicKind: 'event', identifier: event, payload: value, time }];
}

/**
 * The real cloud outbox (edge/cloud/outbox) on the box database, fed by the real access adapter
 * (`cloudOutboxWriter`, edge/cloud/access-outbox.ts) and read back row by row. No MQTT: nothing
 * is sent; `acknowledge()` plays the platform's acknowledgement (marks pass records uploaded).
 */
export class TestOutbox {
  readonly store: Outbox;
  readonly writer: OutboxWriter;
  /** The cloud link's state as the adapter sees it: realtime events when true, history when false. */
  online = true;

  constructor(db: Db) {
    this.store = new Outbox({ db, log: silentLogger() }, { quotaBytes: 256 * 1024 * 1024 });
    // What the runtime gives the adapter from the CloudLink, without MQTT.
    this.writer = cloudOutboxWriter({ outbox: this.store, gateway: TEST_GATEWAY, isOnline: () => this.online });
  }

  rows(limit = 1_000_000): OutboxRow[] {
    return this.store.after(0, limit);
  }

  /** Every queued message, oldest first, decoded from the rows. */
  get messages(): QueuedMessage[] {
    return this.rows().flatMap(decodeRow);
  }

  of(identifier: string): QueuedMessage[] {
    return this.messages.filter((m) => m.identifier === identifier);
  }

  /** The message queued for a pass (`pass:<passId>`), if any. */
  ofPass(passId: string): QueuedMessage | undefined {
    return this.messages.find((m) => m.ref === `pass:${passId}`);
  }

  /** The platform acknowledged these rows (default: all): they leave the outbox and their owners are told. */
  acknowledge(rows: OutboxRow[] = this.rows()): number {
    this.store.acknowledge(rows);
    return rows.length;
  }
}

export interface TestCore {
  core: AccessCore;
  db: Db;
  dir: string;
  outbox: TestOutbox;
  close(): void;
}

/**
 * A real access core on a temporary SQLite file, its records going to the real cloud outbox on
 * the same database (written in the record's own transaction), acknowledgements wired back as
 * the runtime wires them. `withOutbox = false`: no outbox attached (records stay `uploaded = 0`;
 * `core.attachOutbox(t.outbox.writer)` hands them over later).
 */
export function makeCore(config: Record<string, unknown> = {}, deps: Partial<AccessDeps> = {}, withOutbox = true): TestCore {
  const dir = mkdtempSync(join(tmpdir(), 'access-'));
  const db = openDatabase(join(dir, 'edge.db'));
  const outbox = new TestOutbox(db);
  const core = new AccessCore(
    { db, log: silentLogger(), dataDir: dir, ...(withOutbox ? { outbox: outbox.writer } : {}), ...deps },
    parseAccessConfig({ sync: { retries: 0, retryDelayMs: 0, timeoutMs: 3000 }, ...config }),
  );
  outbox.store.onAcknowledged((refs) => core.records.acknowledged(refs));
  return {
    core,
    db,
    dir,
    outbox,
    close: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A loopback file server: path → body (or a handler). */
export async function fileServer(
  files: Map<string, Buffer | string | ((res: import('node:http').ServerResponse) => void)>,
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const f = files.get(req.url ?? '');
    if (f === undefined) return void res.writeHead(404).end('not found');
    if (typeof f === 'function') return f(res);
    res.writeHead(200).end(f);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
