/** docs/config.md's per-driver tables are generated from the drivers' settings.ts: they must be current. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOC, generate } from '../../scripts/docs/config-tables.js';

describe('docs/config.md', () => {
  it('holds the driver settings tables as the drivers declare them (npm run docs:config)', async () => {
    const next = await generate();
    expect(next).toContain('### `door-standard`');
    expect(next).toContain('| `custom.ip` | IPv4 address | **required** |');
    expect(readFileSync(DOC, 'utf8'), 'stale: run npm run docs:config').toBe(next);
  });
});
