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
