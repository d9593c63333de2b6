import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AccessCore } from '../../edge/access/access-core.js';
import { parseAccessConfig } from '../../edge/access/config.js';
import { silentLogger } from '../../edge/log.js';
import { openDatabase } from '../../edge/store/db.js';

const dir = mkdtempSync(join(tmpdir(), 'access-crash-'));
const D = 'PK/door-crash';
const N = 50_000;

function bigFile(tag: string): string {
  const qr = Array.from({ length: N / 2 }, (_, i) => ({
    type: 1,
    qrCode: `${tag}Q${String(i).padStart(6, '0')}`,
    startTime: '0',
    endTime: '9999999999999',
    maxScanTimes: -1,
  }));
  const cards = Array.from({ length: N / 2 }, (_, i) => ({ type: 1, cardId: `${tag}C${i}`, endTime: '9999999999999', userId: `u${i}` }));
  return JSON.stringify({ qrCodePermissionList: qr, tradCardPermissionList: cards });
}

function counts(): { qr: number; cards: number; newQr: number } {
  const db = openDatabase(join(dir, 'edge.db'));
  const core = new AccessCore({ db, log: silentLogger(), dataDir: dir }, parseAccessConfig({}));
  const t = core.permissions.totals();
  const newQr = db.prepare("SELECT COUNT(*) FROM access_qr WHERE code LIKE 'NEWQ%'").pluck().get() as number;
  db.close();
  return { qr: t.qr, cards: t.tradCard, newQr };
}

/** Run the child; kill -9 it `killAfterMs` after it says it starts the transaction. */
function runChild(file: string, killAfterMs: number | undefined): Promise<{ killed: boolean; out: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', resolve('test/access/fixtures/sync-child.ts'), join(dir, 'edge.db'), dir, file, D],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (killAfterMs !== undefined && out.includes('applying')) setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolveRun({ killed: true, out });
      else if (code === 0) resolveRun({ killed: false, out });
      else reject(new Error(`child failed: ${code} ${err}`));
    });
  });
}

describe('kill -9 during a 50,000-entry sync', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves the store in the old or the new state, never half', async () => {
    const oldFile = join(dir, 'old.json');
    const newFile = join(dir, 'new.json');
    writeFileSync(oldFile, bigFile('OLD'));
    writeFileSync(newFile, bigFile('NEW'));
    const first = await runChild(oldFile, undefined);
    expect(first.out).toContain('done 0');
    const before = counts();
    expect(before).toEqual({ qr: N / 2, cards: N / 2, newQr: 0 });
    const seen = new Set<string>();
    // Kill at different moments: early in the transaction, later, and (likely) after commit.
    for (const delay of [5, 60, 150, 400]) {
      const r = await runChild(newFile, delay);
      const c = counts();
      const state =
        c.newQr === 0 && c.qr === N / 2 && c.cards === N / 2 ? 'old' : c.newQr === N / 2 && c.qr === N && c.cards === N ? 'new' : 'half';
      expect(state, `kill after ${delay} ms (${r.killed ? 'killed' : 'finished'}): ${JSON.stringify(c)}`).not.toBe('half');
      seen.add(state);
      if (state === 'new') break;
    }
    expect(seen.has('old')).toBe(true);
  }, 120_000);
});
