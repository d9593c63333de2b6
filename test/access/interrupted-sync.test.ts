/**
 * A permission or face sync interrupted by a kill (the job row says `downloading`, the process
 * is gone) is closed as failed at the next start and reported to the cloud as DEVICE_SYNC_ERROR
 * — through the real cloud outbox, even though the cloud link attaches after the access core.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AccessCore } from '../../edge/access/access-core.js';
import { parseAccessConfig } from '../../edge/access/config.js';
import { cloudOutboxWriter } from '../../edge/cloud/access-outbox.js';
import { Outbox } from '../../edge/cloud/outbox/outbox.js';
import { silentLogger } from '../../edge/log.js';
import { openDatabase } from '../../edge/store/db.js';
import { waitFor } from '../helpers/runtime.js';

const DOOR = 'PEDoorCard/IRQ-01.3';
const GATEWAY = { productKey: 'PEGateway', deviceName: 'box-01' };
const dirs: string[] = [];
let server: Server | undefined;

afterEach(() => {
  server?.closeAllConnections();
  server?.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const config = parseAccessConfig({ sync: { retries: 0, retryDelayMs: 0, timeoutMs: 60_000 } });

describe('sync jobs interrupted by a kill', () => {
  it('are closed as failed at the next start and the cloud receives DEVICE_SYNC_ERROR', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'irq-'));
    dirs.push(dir);
    // A file server that never finishes the download: the box dies mid-download.
    let asked = false;
    server = createServer(() => void (asked = true));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/perm.json`;

    const db1 = openDatabase(join(dir, 'edge.db'));
    const first = new AccessCore({ db: db1, log: silentLogger(), dataDir: dir }, config);
    await first.start();
    void first.syncPermissions(DOOR, url).catch(() => undefined);
    await waitFor(() => asked);
    expect(first.lastSyncJobs()).toMatchObject([{ device: DOOR, state: 'downloading' }]);
    // The process dies here: nothing more is written by it (kill -9 leaves exactly this row).
    db1.close();

    const db2 = openDatabase(join(dir, 'edge.db'));
    const second = new AccessCore({ db: db2, log: silentLogger(), dataDir: dir }, config);
    await second.start();
    const jobs = second.lastSyncJobs();
    expect(jobs).toMatchObject([{ device: DOOR, state: 'failed' }]);
    expect(jobs[0]!.error).toMatch(/interrupted by a restart/);

    // The cloud link comes up later: the report waited in the box database for it.
    const outbox = new Outbox({ db: db2, log: silentLogger() }, { quotaBytes: 1024 * 1024 });
    second.attachOutbox(cloudOutboxWriter({ outbox, gateway: GATEWAY, isOnline: () => true }));
    const rows = outbox.after(0, 10);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.topic).toBe('/sys/PEGateway/box-01/thing/event/BizDataPush/post');
    const value = (JSON.parse(rows[0]!.payload) as { params: { value: Record<string, unknown> } }).params.value;
    expect(value).toMatchObject({ bizType: 'DEVICE_SYNC_ERROR', bizId: DOOR, bizIdType: 'IOT_ID', eventLevel: 'ERROR' });
    expect(JSON.parse(value.data as string)).toMatchObject({ iotId: DOOR, result: 'INTERRUPTED', code: 2 });
    // Handed over once: a second attach finds nothing left.
    second.attachOutbox(cloudOutboxWriter({ outbox, gateway: GATEWAY, isOnline: () => true }));
    expect(outbox.after(0, 10)).toHaveLength(1);
    await second.stop();
    db2.close();
  });
});
