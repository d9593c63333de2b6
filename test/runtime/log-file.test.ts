/** The daemon's own log file rotates by size, holds whole JSON lines, and is on disk at once (synchronous, like pino's file destination). */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../edge/log.js';
import { RotatingFile } from '../../edge/rotating-file.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('daemon log file', () => {
  it('rotates at the configured size, keeps the configured number of files, and never splits a line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pe-log-'));
    dirs.push(dir);
    const file = join(dir, 'logs', 'edge.log');
    const log = createLogger({ file, fileMaxBytes: 8_000, fileKeep: 2 });
    for (let i = 0; i < 500; i++) log.info({ i, pad: 'x'.repeat(40) }, 'line');
    // Synchronous: the last line is in the file without a flush.
    expect(readFileSync(file, 'utf8')).toContain('"i":499');
    expect(existsSync(`${file}.1`)).toBe(true);
    expect(existsSync(`${file}.2`)).toBe(true);
    expect(existsSync(`${file}.3`)).toBe(false);
    const kept: number[] = [];
    for (const f of [`${file}.2`, `${file}.1`, file]) {
      expect(statSync(f).size).toBeLessThan(8_000 + 200); // at most the line that crosses the size
      for (const l of readFileSync(f, 'utf8').split('\n').filter(Boolean)) kept.push((JSON.parse(l) as { i: number }).i);
    }
    // The newest lines survive, in order, none missing between the oldest kept and the last.
    expect(kept.at(-1)).toBe(499);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, k) => 500 - kept.length + k));
  });

  it('splits one large chunk over several files, each ending at the first line end past the size', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pe-log-'));
    dirs.push(dir);
    const file = join(dir, 'driver.log');
    const rf = new RotatingFile(file, { maxBytes: 10_000, keep: 20 });
    const lines = Array.from({ length: 1000 }, (_, i) => `{"n":${i},"pad":"${'y'.repeat(60)}"}\n`);
    rf.write(lines.join('')); // ~75 KB at once, as a busy pipe delivers it
    await rf.end();
    const files = [...Array.from({ length: 20 }, (_, i) => `${file}.${20 - i}`), file].filter((f) => existsSync(f));
    expect(files.length).toBeGreaterThanOrEqual(7);
    const all: number[] = [];
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      expect(text.length).toBeLessThan(10_000 + 100);
      if (f !== file) expect(text.length).toBeGreaterThanOrEqual(10_000 - 100);
      for (const l of text.split('\n').filter(Boolean)) all.push((JSON.parse(l) as { n: number }).n);
    }
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i)); // nothing lost, nothing split
  });

  it('a secret or card number in a log call never reaches the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pe-log-'));
    dirs.push(dir);
    const file = join(dir, 'edge.log');
    createLogger({ file }).info({ deviceSecret: 'gw-secret-0123456789', cardNo: '12345678' }, 'x');
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('gw-secret-0123456789');
    expect(text).not.toContain('12345678');
    expect(text).toContain('[redacted]');
  });
});
