/**
 * Scheduled backups (issue 21): at a time of day or every N hours into a folder, keeping the
 * newest N. Secrets go in only with a passphrase read from a file at backup time
 * (`passphraseFile`, e.g. a systemd credential: `LoadCredentialEncrypted=backup-passphrase:…`
 * and `passphraseFile: ${CREDENTIALS_DIRECTORY}/backup-passphrase`): the box config never holds
 * the passphrase, and the file need not be readable outside the unit.
 */
import { createHash } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { problemsOfError, registerSectionCheck } from '../config/sections.js';
import type { Logger } from '../log.js';
import { writeFileAtomic } from '../store/atomic-file.js';

export const BackupScheduleSchema = Type.Object(
  {
    /** Folder of the backups (relative: to the config file's folder). */
    folder: Type.String({ minLength: 1 }),
    /** Backups kept; older ones are deleted after each new one. */
    keep: Type.Integer({ minimum: 1, maximum: 1000, default: 7 }),
    /** Local time of day `HH:MM` … */
    at: Type.Optional(Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' })),
    /** … or every this many hours (one of the two; neither: only on request). */
    everyH: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 24 * 365 })),
    /** A file whose first line is the passphrase that seals the secrets; without it they are left out. */
    passphraseFile: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);
export type BackupSchedule = Static<typeof BackupScheduleSchema>;

export function parseBackupSchedule(raw: unknown): BackupSchedule {
  const v = Value.Default(BackupScheduleSchema, Value.Clone(raw ?? {}));
  const problems = [...Value.Errors(BackupScheduleSchema, v)].map((e) => `backup${e.path}: ${e.message}`);
  const s = v as BackupSchedule;
  if (problems.length === 0 && s.at !== undefined && s.everyH !== undefined) problems.push('backup: give at or everyH, not both');
  if (problems.length > 0) throw new Error(problems.join('; '));
  return s;
}

/** Milliseconds from `now` to the next backup, or undefined when none is scheduled. */
export function nextBackupDelayMs(s: Pick<BackupSchedule, 'at' | 'everyH'>, now: Date): number | undefined {
  if (s.everyH !== undefined) return Math.round(s.everyH * 3_600_000);
  if (s.at === undefined) return undefined;
  const [h, m] = s.at.split(':').map(Number) as [number, number];
  const next = new Date(now);
  next.setHours(h, m, 0, 0);
  if (next.getTime() <= now.getTime()) next.setDate(next.getDate() + 1);
  return next.getTime() - now.getTime();
}

export interface TakenBackup {
  file: string;
  size: number;
  sha256: string;
  createdAt: string;
}

/** `backup-<UTC time to the millisecond>.tar.gz`: names sort by time. */
const NAME = /^backup-\d{8}T\d{9}Z\.tar\.gz$/;

export class BackupScheduler {
  readonly #o: BackupSchedule & { folder: string };
  readonly #take: (passphrase: string | undefined) => Promise<Buffer>;
  readonly #log: Logger;
  readonly #readPassphrase: (file: string) => string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<TakenBackup> | undefined;
  #lastAt = 0;
  last: TakenBackup | undefined;
  lastError: string | undefined;

  constructor(
    deps: { take(passphrase: string | undefined): Promise<Buffer>; log: Logger; readPassphrase(file: string): string | undefined },
    o: BackupSchedule,
  ) {
    this.#o = o;
    this.#take = deps.take;
    this.#log = deps.log;
    this.#readPassphrase = deps.readPassphrase;
  }

  start(): void {
    const delay = nextBackupDelayMs(this.#o, new Date());
    if (delay === undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.takeNow()
        .catch(() => undefined)
        .finally(() => this.start());
    }, delay);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** One backup now (one at a time: a second request gets the running one's result). */
  takeNow(): Promise<TakenBackup> {
    this.#running ??= this.#takeOne().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #takeOne(): Promise<TakenBackup> {
    try {
      const passphrase = this.#o.passphraseFile ? this.#readPassphrase(this.#o.passphraseFile) : undefined;
      const data = await this.#take(passphrase);
      // Strictly later than the previous one, so a newer backup never sorts before an older.
      this.#lastAt = Math.max(Date.now(), this.#lastAt + 1);
      const stamp = new Date(this.#lastAt).toISOString().replace(/[-:.]/g, '');
      const file = join(this.#o.folder, `backup-${stamp}.tar.gz`);
      writeFileAtomic(file, data, 0o600);
      const taken = {
        file,
        size: data.length,
        sha256: createHash('sha256').update(data).digest('hex'),
        createdAt: new Date().toISOString(),
      };
      this.last = taken;
      this.lastError = undefined;
      const removed = this.#prune();
      this.#log.info({ file, size: taken.size, secrets: Boolean(passphrase), removed }, 'scheduled backup written');
      return taken;
    } catch (err) {
      this.lastError = (err as Error).message;
      this.#log.error({ err: this.lastError }, 'backup failed');
      throw err;
    }
  }

  #list(): string[] {
    try {
      return readdirSync(this.#o.folder).filter((n) => NAME.test(n));
    } catch {
      return [];
    }
  }

  /** Keep the newest `keep` (names sort by time); only files this scheduler names are touched. */
  #prune(): number {
    const names = this.#list().sort();
    const old = names.slice(0, Math.max(0, names.length - this.#o.keep));
    for (const n of old) rmSync(join(this.#o.folder, n), { force: true });
    return old.length;
  }
}

// `edge check` and every redeploy report this section's problems with the core's.
registerSectionCheck('backup', (raw) => {
  if (raw === undefined) return [];
  try {
    parseBackupSchedule(raw);
    return [];
  } catch (err) {
    return problemsOfError(err, 'backup');
  }
});
