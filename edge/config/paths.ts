import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const inDist = here.includes(`${'/'}dist${'/'}`);
/** The repository (or installed package) root, whether running from source or from dist/. */
export const APP_ROOT = resolve(here, '..', '..', ...(inDist ? ['..'] : []));
/** Thing models shipped with the box. */
export const BUILTIN_TSL_DIR = resolve(APP_ROOT, 'config', 'tsl');
/** `drivers/` beside `edge/`: the repo root in source mode, `dist/` when built. */
export const BUILTIN_DRIVERS_DIR = resolve(here, '..', '..', 'drivers');

/**
 * Find a driver's entry file: a file, or a folder with index.js / index.ts.
 * Here, not in the host, because `edge check` tells a driver that is not installed from the
 * config alone.
 */
export function resolveDriverModule(cfg: { type?: string | undefined; module?: string | undefined }, baseDir = process.cwd()): string {
  const target = cfg.module
    ? isAbsolute(cfg.module)
      ? cfg.module
      : resolve(baseDir, cfg.module)
    : join(BUILTIN_DRIVERS_DIR, cfg.type ?? '');
  if (existsSync(target) ? statSync(target).isFile() : /\.(m?js|ts)$/.test(target)) return target;
  for (const entry of ['index.js', 'index.ts']) {
    const p = join(target, entry);
    if (existsSync(p)) return p;
  }
  return join(target, 'index.js');
}
