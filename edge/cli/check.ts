import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { blocking } from '../config/load.js';
import { configProblems } from '../config-check.js';

export { configProblems };

/**
 * `edge check <file> [--json]`: runs every check the daemon runs before it starts. Exit 0: the
 * box would start (advisories printed as warnings); 1: errors; 2: the file cannot be read.
 */
export async function checkCommand(args: string[]): Promise<number> {
  const json = args.includes('--json');
  const file = args.find((a) => !a.startsWith('--'));
  if (!file) {
    process.stderr.write('usage: edge check <box.yaml> [--json]\n');
    return 2;
  }
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    if (json) process.stdout.write(`${JSON.stringify({ file: path, ok: false, readable: false, error: reason, problems: [] })}\n`);
    else process.stderr.write(`${path}: cannot read the file (${reason})\n`);
    return 2;
  }
  const problems = await configProblems(text, path);
  const errors = blocking(problems);
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ file: path, ok: errors.length === 0, readable: true, problems: problems.map((p) => ({ ...p, advisory: p.advisory === true })) })}\n`,
    );
    return errors.length === 0 ? 0 : 1;
  }
  for (const p of problems) process.stdout.write(`${path} ${p.path}: ${p.advisory ? 'warning: ' : ''}${p.message}\n    hint: ${p.hint}\n`);
  if (errors.length === 0) {
    const warnings = problems.length;
    process.stdout.write(`${path}: ok${warnings > 0 ? ` (${warnings} warning${warnings === 1 ? '' : 's'}: the box starts)` : ''}\n`);
    return 0;
  }
  process.stdout.write(
    `${errors.length} error${errors.length === 1 ? '' : 's'}${problems.length > errors.length ? `, ${problems.length - errors.length} warning${problems.length - errors.length === 1 ? '' : 's'}` : ''}\n`,
  );
  return 1;
}
