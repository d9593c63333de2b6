import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_ROOT } from './config/paths.js';

/** The product version, from package.json (shown in /healthz, the console and backups). */
export const VERSION: string = (JSON.parse(readFileSync(join(APP_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
