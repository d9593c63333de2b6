#!/usr/bin/env node
/** The `edge` command line: parses arguments and hands over to one command module. */
import { runCli } from './cli/index.js';

runCli(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`edge: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
