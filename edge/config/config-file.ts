import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../store/atomic-file.js';

/** Write a config file atomically, keeping the previous one as `<file>.bak`. */
export function writeConfigFile(file: string, text: string): void {
  if (existsSync(file)) writeFileAtomic(`${file}.bak`, readFileSync(file), 0o600);
  writeFileAtomic(file, text, 0o600);
}
