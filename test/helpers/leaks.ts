/**
 * After each test file, the sockets, servers and child processes it opened must be closed: a
 * leaked handle keeps a box part alive that the test believed stopped, and piles up across the
 * suite. Compared against what the worker held before the file's first test.
 */
import { afterAll, beforeAll } from 'vitest';
import { waitFor } from './wait.js';

const WATCHED = new Set(['TCPServerWrap', 'TCPSocketWrap', 'UDPWrap', 'ProcessWrap', 'FSEventWrap', 'StatWatcher']);

function counts(): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) if (WATCHED.has(r)) m.set(r, (m.get(r) ?? 0) + 1);
  return m;
}

let baseline = new Map<string, number>();
const leaked = (): string[] =>
  [...counts()].filter(([k, n]) => n > (baseline.get(k) ?? 0)).map(([k, n]) => `${k} ×${n - (baseline.get(k) ?? 0)}`);

beforeAll(() => {
  baseline = counts();
});

afterAll(async () => {
  // Closing is asynchronous: give what was closed a moment to go.
  await waitFor(() => leaked().length === 0, { timeoutMs: 3000 }).catch(() => undefined);
  const l = leaked();
  if (l.length > 0)
    throw new Error(`this file left handles open: ${l.join(', ')} (close every server, socket and child process in afterAll)`);
});
