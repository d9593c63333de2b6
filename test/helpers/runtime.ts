/** Boot a real runtime for a test: temp data dir, ephemeral ports, silent logs, real child drivers. */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ALL_RIGHTS, type BusRights } from '../../edge/bus/acl.js';
import { parseConfig } from '../../edge/config/load.js';
import { silentLogger, type Logger } from '../../edge/log.js';
import { Runtime } from '../../edge/runtime.js';

export const FIXTURES = resolve(import.meta.dirname, '..', 'fixtures');
export const MISBEHAVE = join(FIXTURES, 'drivers', 'misbehave', 'index.ts');

export interface TestBox {
  runtime: Runtime;
  dir: string;
  /** An app's bus user on this box (created on first use), by default with every right. */
  busApp(name?: string, rights?: BusRights): { username: string; password: string };
  close(): Promise<void>;
}

/** A bus user for a test app, added to the running box's user store. */
export function addBusApp(runtime: Runtime, name = 'test-app', rights: BusRights = ALL_RIGHTS): { username: string; password: string } {
  const store = runtime.busUsers;
  if (!store) throw new Error('the box has no embedded bus');
  return { username: name, password: store.add(name, rights).password };
}

/** A runtime (not started) on data folder `dir`: `yaml` is the box config; ports and fixture thing models are filled in. */
export function bootRuntime(dir: string, yaml: string, log: Logger = silentLogger()): Runtime {
  const base = `box: { name: test-box, dataDir: ${dir} }\nhttp: { host: 127.0.0.1, port: 0 }\nthingModels: [${join(FIXTURES, 'tsl')}]\n`;
  const config = parseConfig(`${base}${yaml}`);
  config.bus.port = 0; // ephemeral: tests run in parallel
  return new Runtime({ config, baseDir: dir, file: undefined }, { log });
}

/** `yaml` is the box config, on a fresh temporary data folder. */
export async function startBox(yaml: string, opts: { start?: boolean } = {}): Promise<TestBox> {
  const dir = mkdtempSync(join(tmpdir(), 'pe-test-'));
  const runtime = bootRuntime(dir, yaml);
  if (opts.start !== false) await runtime.start();
  return testBox(runtime, dir);
}

/** A TestBox around a runtime on `dir` (removed at close). */
export function testBox(runtime: Runtime, dir: string): TestBox {
  const apps = new Map<string, { username: string; password: string }>();
  return {
    runtime,
    dir,
    busApp(name = 'test-app', rights = ALL_RIGHTS) {
      if (!apps.has(name)) apps.set(name, addBusApp(runtime, name, rights));
      return apps.get(name)!;
    },
    async close() {
      await runtime.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

import { waitFor } from './wait.js';

export { observeFor, waitFor } from './wait.js';

/** A TCP port free on 127.0.0.1 right now (for servers a test configures before they start). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A simulated door connected to the box's door driver (whose child process needs a moment to listen). */
export async function connectDoor(door: { connect(): Promise<{ code: number }>; waitEdgeConnected(): Promise<unknown> }): Promise<void> {
  await waitFor(async () => ((await door.connect().catch(() => ({ code: -1 }))).code === 0 ? true : undefined), 20_000, 200);
  await door.waitEdgeConnected();
}
