/**
 * Tests wait for what they wait on (test/helpers/wait.ts): a fixed sleep used as
 * synchronisation passes on a fast machine and fails on a slow one. Only `waitFor` and
 * `observeFor` (a measured window) let time pass; this finds any other sleep.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const TEST = resolve(import.meta.dirname);
const ALLOWED = new Set(['helpers/wait.ts', 'no-sleep.test.ts']);
// A promise resolved by a bare timer: `new Promise((r) => setTimeout(r, 500))`.
const SLEEP = /setTimeout\(\s*(r|res|resolve|done)\s*,/;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'fixtures' ? [] : files(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

describe('no fixed sleeps in tests', () => {
  it('lets time pass only through waitFor and observeFor', () => {
    const found = files(TEST).flatMap((f) => {
      const rel = relative(TEST, f);
      if (ALLOWED.has(rel)) return [];
      return readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => (SLEEP.test(line) ? [`test/${rel}:${i + 1}: ${line.trim()}`] : []));
    });
    expect(found, 'use waitFor (the condition) or observeFor (a measured window) from test/helpers/wait.ts').toEqual([]);
  });
});
