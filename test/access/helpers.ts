import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessCore, type AccessDeps } from '../../edge/access/access-core.js';
import { parseAccessConfig } from '../../edge/access/config.js';
import type { OutboxMessage, OutboxWriter } from '../../edge/access/outbox.js';
import { silentLogger } from '../../edge/log.js';
import { openDatabase, type Db } from '../../edge/store/db.js';

export class MemoryOutbox implements OutboxWriter {
  readonly messages: OutboxMessage[] = [];
  online = true;
  constructor(readonly db?: Db) {}
  enqueue(m: OutboxMessage): void {
    if (this.db && !this.db.inTransaction) throw new Error('outbox enqueue outside a transaction');
    this.messages.push(m);
  }
  isOnline(): boolean {
    return this.online;
  }
  of(identifier: string): OutboxMessage[] {
    return this.messages.filter((m) => m.identifier === identifier);
  }
}

export interface TestCore {
  core: AccessCore;
  db: Db;
  dir: string;
  outbox: MemoryOutbox;
  close(): void;
}

export function makeCore(config: Record<string, unknown> = {}, deps: Partial<AccessDeps> = {}, withOutbox = true): TestCore {
  const dir = mkdtempSync(join(tmpdir(), 'access-'));
  const db = openDatabase(join(dir, 'edge.db'));
  const outbox = new MemoryOutbox(db);
  const core = new AccessCore({ db, log: silentLogger(), dataDir: dir, ...(withOutbox ? { outbox } : {}), ...deps }, parseAccessConfig({ sync: { retries: 0, retryDelayMs: 0, timeoutMs: 3000 }, ...config }));
  return {
    core, db, dir, outbox,
    close: () => {
      core.records.flush();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A loopback file server: path → body (or a handler). */
export async function fileServer(files: Map<string, Buffer | string | ((res: import('node:http').ServerResponse) => void)>): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const f = files.get(req.url ?? '');
    if (f === undefined) return void res.writeHead(404).end('not found');
    if (typeof f === 'function') return f(res);
    res.writeHead(200).end(f);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, server, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}
