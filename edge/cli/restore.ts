/**
 * `edge restore file -c box.yaml [--force] [--passphrase-file f]`: check the backup whole, then
 * replace the box's data folder atomically (edge/backup/apply.ts) and write its config (the
 * backup's, keeping this box's data folder and listen ports: edge/backup/local-config.ts).
 * The daemon must be stopped; at its next start every device gets everything again.
 */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { finishRestore, readRestoreState, stageRestore, writeRestoreState } from '../backup/apply.js';
import { checkBackup } from '../backup/check.js';
import { ensureRestoreSpace } from '../backup/disk.js';
import { withLocalSettings } from '../backup/local-config.js';
import { writeConfigFile } from '../config/config-file.js';
import { parseConfig } from '../config/load.js';
import { VERSION } from '../version.js';
import { readPassphrase } from './backup.js';

const USAGE = `usage: edge restore <file> -c box.yaml [--force] [--passphrase-file f]
  refuses a damaged backup, one from a newer product (unless --force) and a full disk; the box
  must be stopped; its old data folder is kept as <dataDir>.before-restore-<time>
`;

/**
 * A test stops the process at a named step (EDGE_RESTORE_HALT_AT=<step>) to kill it there;
 * the step names are printed on stderr as they pass only then.
 */
function haltHook(step: string): void {
  if (process.env.EDGE_RESTORE_HALT_AT !== step) return;
  process.stderr.write(`restore halted at ${step}\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
}

/** Where a config file puts its box's data folder (relative paths from the file's folder). */
function dataDirOf(configFile: string, text: string): string {
  const c = parseConfig(text, configFile);
  return resolve(dirname(configFile), c.box.dataDir);
}

/** Finish a committed restore: swap the folder in, then write the config it carries. Idempotent. */
export function completeRestore(
  configFile: string | undefined,
  dataDir: string,
  hook: (step: string) => void = () => undefined,
): { kept?: string; configWritten: boolean } {
  const kept = finishRestore(dataDir, hook);
  hook('swapped');
  const state = readRestoreState(dataDir);
  let configWritten = false;
  if (state?.config !== undefined && configFile) {
    writeConfigFile(configFile, state.config);
    const { config: _written, ...rest } = state;
    writeRestoreState(dataDir, rest);
    configWritten = true;
  }
  return { ...(kept ? { kept } : {}), configWritten };
}

/** Something answers on the box's HTTP port: the daemon runs. */
function daemonAnswers(host: string, port: number): Promise<boolean> {
  const target = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return new Promise((done) => {
    const s = connect({ host: target, port, timeout: 1000 });
    const end = (up: boolean) => {
      s.destroy();
      done(up);
    };
    s.once('connect', () => end(true));
    s.once('error', () => end(false));
    s.once('timeout', () => end(false));
  });
}

export async function restoreCommand(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { config: { type: 'string', short: 'c' }, force: { type: 'boolean' }, 'passphrase-file': { type: 'string' } },
    });
  } catch (err) {
    process.stderr.write(`edge restore: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const configFile = values.config ?? process.env.EDGE_CONFIG;
  if (positionals.length !== 1 || !configFile) {
    process.stderr.write(USAGE);
    return 2;
  }
  try {
    return await restore(positionals[0]!, resolve(configFile), values.force === true, readPassphrase(values['passphrase-file']));
  } catch (err) {
    process.stderr.write(`edge restore: ${(err as Error).message}\n`);
    return 1;
  }
}

/**
 * The config file is rewritten after the data folder is swapped: a restore run by a user who
 * cannot write it (the service user `edge` under /etc/property-edge) would leave new data under
 * the old config. Checked before anything is staged.
 */
function ensureConfigWritable(configFile: string): void {
  try {
    accessSync(dirname(configFile), constants.W_OK);
    if (existsSync(configFile)) accessSync(configFile, constants.W_OK);
  } catch (err) {
    throw new Error(
      `cannot write the box config ${configFile} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): run edge restore as the config file's owner (sudo); nothing was changed`,
    );
  }
}

async function restore(backupFile: string, configFile: string, force: boolean, passphrase: string | undefined): Promise<number> {
  ensureConfigWritable(configFile);
  const localText = existsSync(configFile) ? readFileSync(configFile, 'utf8') : undefined;
  if (localText !== undefined) {
    const http = (parseYaml(localText) as { http?: { host?: string; port?: number } } | null)?.http;
    if (await daemonAnswers(http?.host ?? '127.0.0.1', http?.port ?? 8080))
      throw new Error(`the box answers on its HTTP port (${http?.port ?? 8080}): stop the daemon first (systemctl stop property-edge)`);
    completeRestore(configFile, dataDirOf(configFile, localText)); // an earlier restore killed after its commit
  }
  const backup = await checkBackup(readFileSync(backupFile), {
    maxUnpackedBytes: 2 ** 32, // zlib's ceiling: a backup is read whole into memory
    productVersion: VERSION,
    force,
    ...(passphrase !== undefined ? { passphrase } : {}),
  });
  const config = withLocalSettings(backup.configText, localText);
  const dataDir = dataDirOf(configFile, config);
  ensureRestoreSpace(dataDir, backup);
  stageRestore(dataDir, backup, config, haltHook);
  const done = completeRestore(configFile, dataDir, haltHook);
  const m = backup.manifest;
  process.stdout.write(
    `restored ${m.box} (backup of ${new Date(m.createdAt).toISOString()}, product ${m.productVersion}) into ${dataDir}\n` +
      (done.kept ? `  the previous data folder is kept as ${done.kept}\n` : '') +
      (backup.missingSecrets.length > 0 ? `  not restored (secrets): ${backup.missingSecrets.join(', ')}\n` : '') +
      '  start the box: every device is sent its permissions, faces and rules again (GET /api/maintenance/resync)\n',
  );
  return 0;
}
