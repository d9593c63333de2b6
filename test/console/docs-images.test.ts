/** docs/console.md shows the pages as the browser tests saw them: every picture it names is in the repository. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const DOC = resolve(import.meta.dirname, '..', '..', 'docs', 'console.md');

describe('console screens in the docs', () => {
  it('names pictures that exist, and enough of them to show every page', () => {
    const pictures = [...readFileSync(DOC, 'utf8').matchAll(/!\[[^\]]*\]\((img\/console\/[^)]+\.jpg)\)/g)].map((m) => m[1]!);
    expect(pictures.length).toBeGreaterThanOrEqual(30);
    const missing = pictures.filter((p) => !existsSync(join(dirname(DOC), p)));
    expect(missing).toEqual([]);
    // A JPEG, not an empty placeholder.
    for (const p of pictures) {
      const file = join(dirname(DOC), p);
      expect(statSync(file).size, p).toBeGreaterThan(5_000);
      expect(readFileSync(file).subarray(0, 3).toString('hex'), p).toBe('ffd8ff');
    }
  });
});
