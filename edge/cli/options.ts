import { parseArgs } from 'node:util';

/** The `-c/--config` option shared by commands; EDGE_CONFIG is the fallback. */
export function configOption(args: string[]): { file: string | undefined; positionals: string[] } {
  const { values, positionals } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } }, allowPositionals: true });
  return { file: values.config ?? process.env.EDGE_CONFIG, positionals };
}
