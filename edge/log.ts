import pino, { type Logger, type LevelWithSilent } from 'pino';
import { RotatingFile } from './rotating-file.js';
import { REDACT_PATHS } from './host/sdk/redact.js';

export type { Logger };

export interface LogOptions {
  level?: LevelWithSilent;
  /** Per-namespace levels, e.g. `{ 'host:modbus-v3': 'debug' }`; a namespace is a child's `comp` binding. */
  levels?: Record<string, LevelWithSilent>;
  /** Write to this file instead of stdout; it rotates by size like the drivers' logs. */
  file?: string;
  fileMaxBytes?: number;
  fileKeep?: number;
}

export function createLogger(options: LogOptions = {}): Logger {
  let destination: pino.DestinationStream;
  if (options.file) {
    destination = new RotatingFile(options.file, {
      maxBytes: options.fileMaxBytes ?? 20 * 1024 * 1024,
      keep: options.fileKeep ?? 5,
      sync: true,
    });
  } else {
    const stdout = pino.destination({ fd: 1, sync: false });
    stdout.on('error', () => undefined); // a closed stdout must not take the box down
    destination = stdout;
  }
  const root = pino(
    {
      level: options.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { pid: process.pid },
    },
    destination,
  );
  return root;
}

/** A child logger for one component; honours the namespaced level table. */
export function childLogger(
  parent: Logger,
  comp: string,
  levels: Record<string, LevelWithSilent> = {},
  bindings: Record<string, unknown> = {},
): Logger {
  const child = parent.child({ comp, ...bindings });
  const level = levels[comp];
  if (level) child.level = level;
  return child;
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
