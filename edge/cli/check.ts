import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { checkSemantics, ConfigError, parseConfig, type ConfigProblem } from '../config/load.js';

/** `edge check <file>`: exit 0 when valid, 1 with one line per problem otherwise. */
export async function checkCommand(args: string[]): Promise<number> {
  const file = args[0];
  if (!file) {
    process.stderr.write('usage: edge check <box.yaml>\n');
    return 2;
  }
  const path = resolve(file);
  let problems: ConfigProblem[];
  try {
    const cfg = parseConfig(readFileSync(path, 'utf8'), path);
    problems = checkSemantics(cfg, dirname(path));
  } catch (err) {
    if (err instanceof ConfigError) problems = err.problems;
    else {
      process.stderr.write(`${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
      return 1;
    }
  }
  if (problems.length === 0) {
    process.stdout.write(`${path}: ok\n`);
    return 0;
  }
  for (const p of problems) process.stdout.write(`${path} ${p.path}: ${p.advisory ? '(advisory: the box still starts) ' : ''}${p.message}\n    hint: ${p.hint}\n`);
  process.stdout.write(`${problems.length} problem${problems.length === 1 ? '' : 's'}\n`);
  return 1;
}
