/** An app as the app host (index.ts) runs it, and what a redeploy of the `apps:` list did. */
import type { AppProcess } from './app-process.js';
import type { AppManifest } from './manifest.js';

export interface HostedApp {
  process: AppProcess;
  manifest: AppManifest;
  source: 'config' | 'cloud';
  /** What it was started from (folder, manifest, env, memory): a redeploy restarts it when this changes. */
  key: string;
}

/** What a redeploy of the `apps:` list did, by app name. */
export interface AppsDiff {
  started: string[];
  stopped: string[];
  restarted: string[];
  unchanged: string[];
}

/** What it was started from, as one comparable key. */
export const hostedKey = (
  manifest: AppManifest,
  dir: string,
  env: Readonly<Record<string, string>>,
  memoryMb: number | undefined,
): string => JSON.stringify([manifest, dir, env, memoryMb ?? null]);
