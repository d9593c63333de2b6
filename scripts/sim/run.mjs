#!/usr/bin/env node
// Runs one device simulator: `npm run sim -- <name> [args]` → dist/scripts/sim/<name>/index.js (or <name>.js).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = join(root, 'dist', 'scripts', 'sim');
const [name, ...args] = process.argv.slice(2);
const entry = (n) => [join(dir, n, 'index.js'), join(dir, `${n}.js`)].find((p) => existsSync(p));
const available = existsSync(dir)
  ? readdirSync(dir)
      .map((f) => f.replace(/\.js$/, ''))
      .filter((n) => entry(n))
  : [];
if (!name || !entry(name)) {
  process.stderr.write(`usage: npm run sim -- <name> [args]\navailable: ${available.join(', ') || '(none built)'}\n`);
  process.exit(2);
}
const r = spawnSync(process.execPath, ['--enable-source-maps', entry(name), ...args], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
