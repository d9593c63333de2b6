/**
 * Shared pieces of the benchmarks, one import for all: spawning the real daemon (lib/daemon.ts),
 * reading its CPU and memory (lib/proc.ts) and its metrics (lib/metrics.ts), figures and the JSON
 * last line (lib/figures.ts).
 */
import { createServer } from 'node:net';

export * from './lib/daemon.js';
export * from './lib/figures.js';
export * from './lib/metrics.js';
export * from './lib/proc.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A TCP port free on 127.0.0.1 right now (for listeners a config names before they start). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Ask `probe` every `everyMs` until it gives a value; throws naming `what` after `timeoutMs`. */
export async function poll<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  everyMs: number,
  what: string,
): Promise<T> {
  for (const until = Date.now() + timeoutMs; ; await sleep(everyMs)) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  }
}
