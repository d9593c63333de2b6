import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const inDist = here.includes(`${'/'}dist${'/'}`);
/** The repository (or installed package) root, whether running from source or from dist/. */
export const APP_ROOT = resolve(here, '..', '..', ...(inDist ? ['..'] : []));
/** Thing models shipped with the box. */
export const BUILTIN_TSL_DIR = resolve(APP_ROOT, 'config', 'tsl');
