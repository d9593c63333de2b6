/**
 * `edge backup` (the built CLI, another process) while a real box decides QR passes from a
 * simulated door: the box keeps answering, the snapshot is a consistent whole (every pass answered
 * before the backup began is in it, ids without holes, SQLite's check passes) and nothing written
 * during the backup is lost from the box.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTar } from '../../edge/backup/tar.js';
import { SimulatedDoor } from '../../scripts/sim/door-standard/door.js';
import { connectDoor, freePort, startBox, type TestBox } from '../helpers/runtime.js';
import { observeFor, waitFor } from '../helpers/wait.js';

const MAIN = resolve(import.meta.dirname, '..', '..', 'dist', 'edge', 'main.js');
const CODES = 600;
const qr = (i: number) => `BKQ${String(i).padStart(29, '0')}`;

let box: TestBox;
let door: SimulatedDoor;

beforeAll(async () => {
  const boxPort = await freePort();
  door = new SimulatedDoor({ sn: 'BK-DOOR-01', ip: '127.0.0.1', port: 0, edgeUrl: `http://127.0.0.1:${boxPort}`, keepaliveS: 10 });
  await door.start();
  box = await startBox(`
drivers:
  - name: Property_Door_PerAccess_Standard
    type: door-standard
    config: { host: 127.0.0.1, port: ${boxPort}, boxIp: 127.0.0.1 }
    devices:
      - { productKey: PEDoorQr, deviceName: BK-DOOR-01.2, custom: { ip: 127.0.0.1, port: ${door.port} } }
`);
  await connectDoor(door);
  const now = Date.now();
  box.runtime.access!.applyPermissionText(
    'PEDoorQr/BK-DOOR-01.2',
    JSON.stringify({
      qrCodePermissionList: Array.from({ length: CODES }, (_, i) => ({
        type: 1,
        qrCode: qr(i),
        startTime: String(now - 60_000),
        endTime: String(now + 3_600_000),
        maxScanTimes: 5,
        maxScanScope: 'DEVICE',
      })),
    }),
  );
}, 60_000);

afterAll(async () => {
  await door?.stop();
  await box?.close();
});

function runCli(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  return new Promise((r) => child.on('exit', (code) => r({ code, out })));
}

describe('edge backup while passes happen', () => {
  it('answers every pass during the backup; the snapshot is consistent; nothing written meanwhile is lost', async () => {
    const config = join(box.dir, 'box.yaml');
    writeFileSync(config, `box: { name: live-box, dataDir: ${box.dir} }\n`);
    const out = join(box.dir, 'live.tar.gz');
    const answered: number[] = [];
    let stopAt = CODES;
    const scans = (async () => {
      for (let i = 0; i < Math.min(stopAt, CODES); i++) {
        answered.push((await door.scanQr(qr(i))).code);
        await observeFor(25); // under the door server's 50 requests/s per address
      }
    })();
    await waitFor(() => answered.length >= 30); // the backup starts once passes flow
    const before = answered.length;
    const backup = await runCli(['backup', '-c', config, '-o', out]);
    stopAt = answered.length + 20; // a few more after it
    await scans;
    expect(backup.code, backup.out).toBe(0);
    expect(answered.filter((c) => c !== 0)).toEqual([]);

    const tmp = await mkdtemp(join(tmpdir(), 'pe-live-'));
    try {
      const db = readTar(gunzipSync(readFileSync(out))).find((e) => e.name === 'edge.db')!.data;
      await writeFile(join(tmp, 'edge.db'), db);
      const snap = new Database(join(tmp, 'edge.db'), { readonly: true });
      const ids = snap.prepare('SELECT id FROM access_pass_records ORDER BY id').pluck().all() as number[];
      expect(snap.pragma('quick_check', { simple: true })).toBe('ok');
      snap.close();
      expect(ids.length).toBeGreaterThanOrEqual(before);
      expect(ids.at(-1)! - ids[0]! + 1).toBe(ids.length); // no holes: one moment's state
      const live = box.runtime.db.prepare('SELECT count(*) FROM access_pass_records').pluck().get() as number;
      expect(live).toBe(answered.length); // every answered pass stored, also those during the backup
      expect(answered.length).toBeGreaterThan(ids.length); // passes went on while it ran
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
