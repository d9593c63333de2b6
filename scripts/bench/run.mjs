#!/usr/bin/env node
// Runs one benchmark scenario: `npm run bench -- <name> [args]` → dist/scripts/bench/<name>.js.
// Scenarios are separate files with the same shape (figures, same-run baseline ratio, JSON last line).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = join(root, 'dist', 'scripts', 'bench');
const [name, ...args] = process.argv.slice(2);
const available = existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith('.js'))
      .map((f) => f.slice(0, -3))
  : [];
if (!name || !available.includes(name)) {
  process.stderr.write(`usage: npm run bench -- <name>\navailable: ${available.join(', ') || '(none built)'}\n`);
  process.exit(2);
}
const r = spawnSync(process.execPath, ['--enable-source-maps', '--expose-gc', join(dir, `${name}.js`), ...args], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(r.status ?? 1);
