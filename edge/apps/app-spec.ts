/** What a hosted app process is (its spec), its time and memory limits (options) and what it reports (status). */
import type { ProcessState } from '../host/process-supervisor.js';

/** The supervisor's states: the console and /healthz read apps and drivers alike. */
export type AppState = ProcessState;

export interface AppSpec {
  name: string;
  version: string;
  /** The app's folder: cwd, and what relative command paths resolve against. */
  dir: string;
  command: readonly string[];
  env: Readonly<Record<string, string>>;
  memoryMb: number;
  /** Ports it serves (its service models); the first is probed. */
  ports: readonly number[];
}

export interface AppProcessOptions {
  restartBaseMs: number;
  restartMaxMs: number;
  stableAfterMs: number;
  stopTimeoutMs: number;
  startTimeoutMs: number;
  /** Without a service port, alive this long counts as running (a crash at start is not). */
  upAfterMs: number;
  probeIntervalMs: number;
  hangTimeoutMs: number;
  memoryPollMs: number;
  maxMemoryRestarts: number;
  logMaxBytes: number;
  logKeep: number;
}

export interface AppStatus {
  name: string;
  version: string;
  state: AppState;
  pid: number | undefined;
  restarts: number;
  memoryStops: number;
  lastError: string | undefined;
  rssMb: number | undefined;
  memoryMb: number;
  provides: readonly number[];
  startedAt: number | undefined;
}
