import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BackupScheduler, nextBackupDelayMs, parseBackupSchedule } from '../../edge/backup/schedule.js';
import { silentLogger } from '../../edge/log.js';

const dir = mkdtempSync(join(tmpdir(), 'pe-backups-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scheduled backups', () => {
  it('computes the next time of day or the interval', () => {
    const now = new Date(2026, 11, 7, 22, 30, 0);
    expect(nextBackupDelayMs({ at: '23:00' }, now)).toBe(30 * 60_000);
    expect(nextBackupDelayMs({ at: '03:15' }, now)).toBe((4 * 60 + 45) * 60_000);
    expect(nextBackupDelayMs({ at: '22:30' }, now)).toBe(24 * 3_600_000); // now is past: tomorrow
    expect(nextBackupDelayMs({ everyH: 6 }, now)).toBe(6 * 3_600_000);
    expect(nextBackupDelayMs({}, now)).toBeUndefined();
  });

  it('checks its config: folder, keep, one of at/everyH; the passphrase only as a file', () => {
    expect(parseBackupSchedule({ folder: '/b', at: '02:00' })).toEqual({ folder: '/b', at: '02:00', keep: 7 });
    expect(() => parseBackupSchedule({ folder: '/b', at: '25:00' })).toThrow(/backup\/at/);
    expect(() => parseBackupSchedule({ folder: '/b', at: '02:00', everyH: 1 })).toThrow(/not both/);
    expect(() => parseBackupSchedule({ folder: '/b', passphrase: 'in-plain-text' })).toThrow(/backup/);
  });

  it('writes each backup whole, answers where it is with its size and checksum, keeps the newest N', async () => {
    const passphrases: Array<string | undefined> = [];
    let n = 0;
    const s = new BackupScheduler(
      {
        take: async (p) => {
          passphrases.push(p);
          return Buffer.from(`backup ${++n}`);
        },
        log: silentLogger(),
        readPassphrase: (f) => (f === '/run/credentials/backup-passphrase' ? 'sealed-elsewhere' : undefined),
      },
      parseBackupSchedule({ folder: dir, keep: 2, passphraseFile: '/run/credentials/backup-passphrase' }),
    );
    const taken = [];
    for (let i = 0; i < 4; i++) taken.push(await s.takeNow());
    const last = taken.at(-1)!;
    expect(readFileSync(last.file, 'utf8')).toBe('backup 4');
    expect(last.size).toBe(8);
    expect(last.sha256).toBe(createHash('sha256').update('backup 4').digest('hex'));
    const left = readdirSync(dir).sort();
    expect(left).toHaveLength(2);
    expect(left.map((f) => readFileSync(join(dir, f), 'utf8')).sort()).toEqual(['backup 3', 'backup 4']);
    expect(passphrases).toEqual(Array(4).fill('sealed-elsewhere'));
    // Two requests at once share one backup.
    const [a, b] = await Promise.all([s.takeNow(), s.takeNow()]);
    expect(a.file).toBe(b.file);
    await s.stop();
  });
});
