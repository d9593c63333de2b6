/**
 * Apps pushed from the cloud (`DeployApp {name, version, url, sha256 | md5 + size}`): the package
 * is downloaded and its checksum verified before anything is unpacked; it is unpacked under
 * `<dataDir>/<installDir>/<name>/<version>/` beside the versions before it; the app is switched
 * to it and restarted; if it does not reach `running` within `deployDeadlineMs` the previous
 * version is put back and the answer says so. `<name>/current` names the version that runs; the
 * one before it is kept for the next rollback, older ones are removed.
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ALINK, answerOf, edgeError, type Answer } from '../errors.js';
import type { Logger } from '../log.js';
import { writeFileAtomic } from '../store/atomic-file.js';
import type { AppHost } from './index.js';
import { APP_NAME_PATTERN, readManifest, type AppManifest } from './manifest.js';
import { checksumProblem, download, makeExecutable, unpack } from './package.js';

const VERSION = /^[0-9A-Za-z.+-]{1,64}$/;

export interface DeployParams {
  name: string;
  version: string;
  url: string;
  sha256?: string;
  md5?: string;
  size?: number;
}

export function checkDeployParams(raw: unknown): DeployParams | string {
  const p = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  if (typeof p.name !== 'string' || !new RegExp(APP_NAME_PATTERN).test(p.name)) return 'name: an app name is required';
  if (typeof p.version !== 'string' || !VERSION.test(p.version)) return 'version: required';
  if (typeof p.url !== 'string' || !/^https?:\/\/[^\s]{1,2000}$/.test(p.url)) return 'url: an http(s) URL is required';
  const sha256 = typeof p.sha256 === 'string' ? p.sha256 : undefined;
  const md5 = typeof p.md5 === 'string' ? p.md5 : undefined;
  const size = typeof p.size === 'number' && Number.isSafeInteger(p.size) && p.size >= 0 ? p.size : undefined;
  if (sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(sha256)) return 'sha256: 64 hex digits';
  if (md5 !== undefined && !/^[0-9a-fA-F]{32}$/.test(md5)) return 'md5: 32 hex digits';
  if (!sha256 && !(md5 && size !== undefined)) return 'a checksum is required: sha256, or md5 with size';
  return {
    name: p.name,
    version: p.version,
    url: p.url,
    ...(sha256 ? { sha256 } : {}),
    ...(md5 ? { md5 } : {}),
    ...(size !== undefined ? { size } : {}),
  };
}

/** The installed version of each cloud-pushed app that should run (`<name>/current`). */
export function installedApps(dir: string): Array<{ dir: string; manifest: AppManifest }> {
  if (!existsSync(dir)) return [];
  const out: Array<{ dir: string; manifest: AppManifest }> = [];
  for (const name of readdirSync(dir)) {
    if (!new RegExp(APP_NAME_PATTERN).test(name)) continue;
    let version: string;
    try {
      version = readFileSync(join(dir, name, 'current'), 'utf8').trim();
    } catch {
      continue;
    }
    const folder = join(dir, name, version);
    const m = readManifest(folder);
    if (m.ok && m.manifest.name === name) out.push({ dir: folder, manifest: m.manifest });
  }
  return out;
}

export class AppDeployer {
  readonly #host: AppHost;
  readonly #log: Logger;
  readonly #dir: string;
  #busy = false;

  constructor(deps: { host: AppHost; log: Logger; dir: string }) {
    this.#host = deps.host;
    this.#log = deps.log;
    this.#dir = deps.dir;
  }

  /** The gateway service: one deploy at a time. */
  async deploy(raw: unknown): Promise<Answer> {
    const params = checkDeployParams(raw);
    if (typeof params === 'string') return answerOf(edgeError('EDGE_ERR_REQUEST_INVALID', params));
    return this.#exclusive(params, async () => {
      const bytes = await download(params.url, this.#host.config.maxPackageMb * 1024 * 1024, this.#host.config.deployDeadlineMs);
      const bad = checksumProblem(bytes, params);
      if (!bad) return this.#install(params, bytes);
      this.#log.warn({ app: params.name, version: params.version, reason: bad }, 'app package refused');
      return answerOf(edgeError('EDGE_ERR_APP_PACKAGE_INVALID', bad));
    });
  }

  /**
   * A package downloaded and verified by the caller (OTA, edge/ota/app-target.ts): installed,
   * switched and rolled back exactly as a DeployApp.
   */
  installVerified(p: Pick<DeployParams, 'name' | 'version'>, bytes: Buffer): Promise<Answer> {
    if (!new RegExp(APP_NAME_PATTERN).test(p.name) || !VERSION.test(p.version))
      return Promise.resolve(answerOf(edgeError('EDGE_ERR_REQUEST_INVALID', `not an app name and version: ${p.name} ${p.version}`)));
    return this.#exclusive(p, () => this.#install(p, bytes));
  }

  async #exclusive(p: Pick<DeployParams, 'name' | 'version'>, run: () => Promise<Answer>): Promise<Answer> {
    if (this.#busy) return answerOf(edgeError('EDGE_ERR_APP_DEPLOY_FAILED', 'another deploy is running'));
    this.#busy = true;
    try {
      return await run();
    } catch (err) {
      this.#log.error({ app: p.name, version: p.version, err: (err as Error).message }, 'app deploy failed');
      return answerOf(
        err instanceof RangeError
          ? edgeError('EDGE_ERR_APP_PACKAGE_INVALID', err.message)
          : edgeError('EDGE_ERR_APP_DEPLOY_FAILED', (err as Error).message),
      );
    } finally {
      this.#busy = false;
    }
  }

  async #install(p: Pick<DeployParams, 'name' | 'version'>, bytes: Buffer): Promise<Answer> {
    const cfg = this.#host.config;
    const maxBytes = cfg.maxPackageMb * 1024 * 1024;
    const appDir = join(this.#dir, p.name);
    const target = join(appDir, p.version);
    const previous = this.#host.get(p.name);
    if (previous && previous.process.spec.dir === target)
      return { code: ALINK.SUCCESS, message: 'already running', data: { name: p.name, version: p.version } };
    const staging = `${target}.partial`;
    rmSync(staging, { recursive: true, force: true });
    unpack(bytes, staging, maxBytes);
    const m = readManifest(staging);
    if (!m.ok) throw new RangeError(m.problems.join('; '));
    if (m.manifest.name !== p.name || m.manifest.version !== p.version)
      throw new RangeError(`the package holds ${m.manifest.name} ${m.manifest.version}, not ${p.name} ${p.version}`);
    if (this.#host.clashes(m.manifest)) throw new RangeError('a service model or port of the package is taken by another app');
    makeExecutable(staging, m.manifest.command);
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
    this.#log.info({ app: p.name, version: p.version, from: previous?.manifest.version }, 'app package installed; switching');
    const proc = await this.#host.replace(m.manifest, target);
    if (await this.#reachesRunning(p.name, cfg.deployDeadlineMs)) {
      writeFileAtomic(join(appDir, 'current'), `${p.version}\n`);
      this.#prune(appDir, [p.version, previous?.manifest.version]);
      this.#log.info({ app: p.name, version: p.version }, 'app deployed');
      return {
        code: ALINK.SUCCESS,
        message: 'success',
        data: { name: p.name, version: p.version, previous: previous?.manifest.version ?? null },
      };
    }
    const why = proc.lastError ?? proc.state;
    if (previous) {
      await this.#host.replace(previous.manifest, previous.process.spec.dir);
      this.#log.error({ app: p.name, version: p.version, reason: why, rolledBackTo: previous.manifest.version }, 'app deploy rolled back');
      return answerOf(
        edgeError(
          'EDGE_ERR_APP_DEPLOY_FAILED',
          `${p.name} ${p.version} did not run within ${cfg.deployDeadlineMs} ms (${why}); rolled back to ${previous.manifest.version}`,
        ),
      );
    }
    await this.#host.remove(p.name);
    return answerOf(
      edgeError(
        'EDGE_ERR_APP_DEPLOY_FAILED',
        `${p.name} ${p.version} did not run within ${cfg.deployDeadlineMs} ms (${why}); no earlier version, stopped`,
      ),
    );
  }

  async #reachesRunning(name: string, deadlineMs: number): Promise<boolean> {
    const end = Date.now() + deadlineMs;
    for (;;) {
      const app = this.#host.get(name);
      if (app?.process.state === 'running') return true;
      if (Date.now() >= end) return false;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Keeps the running version and the one before it. */
  #prune(appDir: string, keep: ReadonlyArray<string | undefined>): void {
    for (const v of readdirSync(appDir)) {
      if (v === 'current' || keep.includes(v)) continue;
      rmSync(join(appDir, v), { recursive: true, force: true });
    }
  }
}
