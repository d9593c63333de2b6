/** Fixture apps for the app-host tests: a folder with app.json and one of fixtures/*.cjs as main.cjs. */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { AppHostSchema, type AppHostConfig, type ConfiguredApp } from '../../edge/apps/config.js';
import { checkManifest } from '../../edge/apps/manifest.js';

export const APP_FIXTURES = resolve(import.meta.dirname, 'fixtures');

export interface FixtureApp {
  name: string;
  fixture: 'serve' | 'crash' | 'hang' | 'leak' | 'slow' | 'ignore-term';
  version?: string;
  provides?: Array<{ serviceModelId: string; port: number }>;
  listens?: Array<{ port: number; what: string }>;
  env?: Record<string, string>;
  memoryMb?: number;
  write?: string[];
}

/** Writes the app's folder under `root` (root/name, or root/name/version with `versioned`); returns its manifest. */
export function writeApp(root: string, a: FixtureApp, folder = join(root, a.name)): ConfiguredApp {
  mkdirSync(folder, { recursive: true });
  copyFileSync(join(APP_FIXTURES, `${a.fixture}.cjs`), join(folder, 'main.cjs'));
  const manifest = {
    name: a.name,
    version: a.version ?? '1.0.0',
    command: ['node', 'main.cjs'],
    provides: a.provides ?? [],
    ...(a.listens ? { listens: a.listens } : {}),
    dataModels: { write: a.write ?? [], read: [] },
    resources: { memoryMb: a.memoryMb ?? 128 },
    env: { PORT: String(a.provides?.[0]?.port ?? 0), ...a.env },
  };
  writeFileSync(join(folder, 'app.json'), JSON.stringify(manifest));
  const checked = checkManifest(manifest);
  if (!checked.ok) throw new Error(checked.problems.join('; '));
  return { entry: { name: a.name, path: folder, enabled: true, env: {} }, dir: folder, manifest: checked.manifest };
}

/** Supervision settings fast enough for tests. */
export function fastHost(
  over: Partial<Omit<AppHostConfig, 'serviceBus'>> & { serviceBus?: Partial<AppHostConfig['serviceBus']> } = {},
): AppHostConfig {
  const { serviceBus, ...rest } = over;
  return Value.Default(AppHostSchema, {
    restartBaseMs: 100,
    restartMaxMs: 400,
    stableAfterMs: 60_000,
    stopTimeoutMs: 1000,
    startTimeoutMs: 5000,
    probeIntervalMs: 100,
    upAfterMs: 300,
    hangTimeoutMs: 1000,
    memoryPollMs: 100,
    maxMemoryRestarts: 2,
    deployDeadlineMs: 3000,
    ...rest,
    serviceBus: { host: '127.0.0.1', port: 0, timeoutMs: 800, maxBodyKb: 64, maxConcurrent: 64, ...serviceBus },
  }) as AppHostConfig;
}
