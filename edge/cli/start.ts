import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, parseConfig } from '../config/load.js';
import { completeRestore } from './restore.js';
import { type Runtime, createRuntime } from '../runtime.js';
import { startWatchdog } from '../systemd.js';
import { configOption } from './options.js';
import { cloudWanted, parseCloudConfig } from '../cloud/config.js';
import { APP_ROOT } from '../config/paths.js';
import { installDirOf } from '../ota/box-target.js';
import { type TrialBoot, watchTrialBoot } from '../ota/trial.js';
import { VERSION } from '../version.js';

/** The exit status that asks the supervisor for a restart (EX_TEMPFAIL; `RestartForceExitStatus=75` in the unit). */
export const RESTART_EXIT_CODE = 75;

/** `edge start`: run until SIGTERM/SIGINT; SIGHUP reloads the config file. */
export async function startCommand(args: string[]): Promise<number | undefined> {
  // Everything the daemon creates (database, WAL, logs, keys, credentials, face images) is the
  // box user's alone, whatever umask it was started with.
  process.umask(0o077);
  const { file } = configOption(args);
  let runtime: Runtime;
  try {
    finishRestoreAtStart(file);
    runtime = createRuntime(file);
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const p of err.problems) process.stderr.write(`config ${p.path}: ${p.message} (hint: ${p.hint})\n`);
      return 1;
    }
    throw err;
  }
  const trial = trialBoot(runtime);
  try {
    await runtime.start();
  } catch (err) {
    // The runtime stopped what had started; whatever a half-started part left (a socket, a
    // timer) must not keep a failed daemon alive: systemd restarts only a process that exits.
    process.stderr.write(`edge: cannot start: ${startFailure(err)}\n`);
    await new Promise<void>((r) => runtime.log.flush(() => r()));
    process.exit(1);
  }
  trial?.ready();
  const stopWatchdog = startWatchdog();
  process.stdout.write(readyBanner(runtime, file));
  handleSignals(runtime, stopWatchdog);
  return undefined;
}

/** A trial start of a new box release (edge/ota/trial.ts); its deadline is `cloud.ota.readyDeadlineS`. */
function trialBoot(runtime: Runtime): TrialBoot | undefined {
  const ota = cloudWanted(runtime.config.cloud) ? parseCloudConfig(runtime.config.cloud).ota : undefined;
  if (!ota?.enabled) return undefined;
  return watchTrialBoot({
    installDir: ota.installDir ?? installDirOf(APP_ROOT),
    version: VERSION,
    deadlineMs: ota.readyDeadlineS * 1000,
    log: runtime.log,
    expired: () => process.exit(1),
  });
}

/** An `edge restore` killed after its commit point is completed before the config is read. */
function finishRestoreAtStart(file: string | undefined): void {
  if (!file || !existsSync(file)) return;
  const text = readFileSync(file, 'utf8');
  const dataDir = resolve(dirname(resolve(file)), parseConfig(text, file).box.dataDir);
  completeRestore(resolve(file), dataDir);
}

/** The addresses an installer needs, on stdout once the daemon is ready; the commands name the config it runs. */
export function readyBanner(
  runtime: Pick<Runtime, 'readyMs' | 'config' | 'httpPort' | 'consoleUrl' | 'console' | 'busPort' | 'dataDir' | 'files'>,
  configFile: string | undefined,
): string {
  const config = configFile ? ` -c ${shellWord(configFile)}` : '';
  return (
    `property-edge ready in ${runtime.readyMs} ms\n` +
    `  console/health: http://${runtime.config.http.host}:${runtime.httpPort}/healthz\n` +
    (runtime.consoleUrl()
      ? `  web console:    ${runtime.consoleUrl()}${runtime.console?.setupToken ? '  (first run: open this URL to set the admin password)' : ''}\n`
      : '') +
    (runtime.busPort
      ? `  local bus:      mqtt://${runtime.config.bus.host}:${runtime.busPort} (credentials: ${runtime.dataDir}/bus-credentials.json unless configured)\n`
      : '') +
    (runtime.files ? `  file service:   ${runtime.files.baseUrl}/home/paas/file/add (docs/files.md)\n` : '') +
    `  watch values:   npm run edge -- tail${config}\n`
  );
}

/** A path as one shell word: quoted only when it needs it. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * SIGTERM/SIGINT stop the runtime (exit 1 if that takes over 20 s), SIGHUP reloads the config;
 * an unhandled rejection is logged, an uncaught exception stops cleanly with exit 1.
 */
function handleSignals(runtime: Runtime, stopWatchdog: () => void): void {
  let stopping = false;
  // A new box release was switched in: exit 75, which the unit restarts (RestartForceExitStatus).
  runtime.requestRestart = () => shutdown('ota-restart', RESTART_EXIT_CODE);
  const shutdown = (signal: string, exitCode = 0): void => {
    if (stopping) return;
    stopping = true;
    runtime.log.info({ signal }, 'shutting down');
    stopWatchdog();
    const force = setTimeout(() => {
      runtime.log.error('shutdown took too long; exiting');
      process.exit(1);
    }, 20_000);
    runtime.stop().then(
      () => {
        clearTimeout(force);
        process.exit(exitCode);
      },
      () => process.exit(1),
    );
  };
  // A promise rejected with nobody listening is a fault in one feature, not a reason to stop the
  // doors: log it with its stack and go on. An uncaught exception leaves state unknown: stop
  // cleanly (the store keeps everything committed) and exit 1 so systemd starts the box again.
  process.on('unhandledRejection', (err) => runtime.log.error({ err }, 'unhandled promise rejection'));
  process.on('uncaughtException', (err) => {
    runtime.log.fatal({ err }, 'uncaught exception; stopping for a clean restart');
    shutdown('uncaughtException', 1);
  });
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGHUP', () => {
    runtime.reload().then(
      (diff) => runtime.log.info({ diff }, 'config reloaded'),
      (err: unknown) => runtime.log.error({ err: (err as Error).message }, 'config reload refused'),
    );
  });
}

/** Where a part is configured, for the message of a listener that cannot bind. */
const LISTENER_KEYS: Record<string, string> = {
  bus: 'the local bus (bus.port)',
  http: 'the HTTP server for the console and /healthz (http.port)',
};

/** A start failure as an installer can act on it: which listener, which address, what to do. */
export function startFailure(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number; part?: string };
  const what = (e.part && LISTENER_KEYS[e.part]) ?? e.part ?? 'a part of the box';
  if (e.code === 'EADDRINUSE')
    return `${what} cannot listen on ${e.address ?? ''}:${e.port ?? ''}: the port is taken by another program (stop it, or choose another port)`;
  if (e.code === 'EACCES')
    return `${what} may not listen on ${e.address ?? ''}:${e.port ?? ''}: ports below 1024 need privileges (choose a port above 1023)`;
  if (e.code === 'EADDRNOTAVAIL')
    return `${what} cannot listen on ${e.address ?? ''}: this machine has no such address (check the host setting)`;
  return `${what}: ${e.message}`;
}
