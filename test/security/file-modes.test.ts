/**
 * Issue 14 part 4: what the daemon creates is mode 0600 (files) / 0700 (folders) whatever umask
 * it was started with — database, WAL, logs, credentials, driver folders.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/runtime.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'pe-modes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every path below `root`, with its permission bits. */
function modes(root: string): Array<[string, number, boolean]> {
  return readdirSync(root, { withFileTypes: true, recursive: true }).map((e) => {
    const p = join(e.parentPath, e.name);
    return [p.slice(root.length), statSync(p).mode & 0o777, e.isDirectory()] as [string, number, boolean];
  });
}

describe('file modes', () => {
  it('a daemon started with umask 022 creates nothing readable by others', async () => {
    const file = join(dir, 'box.yaml');
    writeFileSync(
      file,
      'box: { name: modes, dataDir: ./data }\nhttp: { host: 127.0.0.1, port: 0 }\nbus: { host: 127.0.0.1, port: 0 }\nlog: { file: logs/edge.log }\ndrivers:\n  - { name: Demo, type: demo-sim, config: { intervalMs: 100 }, devices: [ { productKey: PEDemoMeter, deviceName: m1, custom: { kind: meter } } ] }\n',
    );
    // The shell sets the permissive umask a careless unit file or a login shell would.
    const child = spawn(
      '/bin/sh',
      ['-c', `umask 022 && exec "${process.execPath}" "${join(ROOT, 'dist', 'edge', 'main.js')}" start -c "${file}"`],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    try {
      await waitFor(() => out.includes('ready in'), 20_000);
      await waitFor(
        () => readdirSync(join(dir, 'data'), { recursive: true }).some((p) => String(p).endsWith('.log') && String(p).includes('drivers')),
        10_000,
      );
      const all = modes(join(dir, 'data'));
      for (const name of ['/edge.db', '/edge.db-wal', '/bus-credentials.json', '/logs/edge.log'])
        expect(
          all.map((m) => m[0]),
          name,
        ).toContain(name);
      const open = all.filter(([, mode]) => (mode & 0o077) !== 0);
      expect(open.map(([p, m]) => `${p} ${m.toString(8)}`)).toEqual([]);
      expect(statSync(join(dir, 'data')).mode & 0o777).toBe(0o700);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
    }
  }, 40_000);
});
