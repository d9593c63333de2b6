/**
 * Reading log files for the console: the last bytes of a pino file, each line parsed into time,
 * level, message and the remaining fields, filtered by minimum level and text, newest first.
 */
import { open } from 'node:fs/promises';
import { Type } from '@sinclair/typebox';

export const TAIL_BYTES = 512 * 1024;

/** The last lines of a file (at most TAIL_BYTES read), oldest first. */
export async function tailLines(file: string): Promise<string[]> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch {
    return [];
  }
  try {
    const { size } = await fh.stat();
    const start = Math.max(0, size - TAIL_BYTES);
    const buf = Buffer.alloc(size - start);
    await fh.read(buf, 0, buf.length, start);
    const lines = buf.toString('utf8').split('\n');
    if (start > 0) lines.shift(); // first line is cut
    return lines.filter((l) => l.trim() !== '');
  } finally {
    await fh.close();
  }
}

export interface LogLine {
  time?: number | undefined;
  level?: string | undefined;
  msg: string;
  /** Every other field, for `key=value` display (pid and hostname left out: the same on every line). */
  fields: Record<string, unknown>;
  raw: string;
}

export const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const RANK: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

export function parseLine(raw: string): LogLine {
  try {
    const { time, level, msg, pid: _pid, hostname: _host, ...fields } = JSON.parse(raw) as Record<string, unknown>;
    return {
      time: typeof time === 'number' ? time : undefined,
      level: typeof level === 'number' ? LEVELS[level] : undefined,
      msg: typeof msg === 'string' ? msg : '',
      fields,
      raw,
    };
  } catch {
    return { msg: raw, fields: {}, raw }; // a crash's stack trace is plain text
  }
}

export const LogQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  level: Type.Optional(Type.Union(['', 'trace', 'debug', 'info', 'warn', 'error', 'fatal'].map((l) => Type.Literal(l)))),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000, default: 200 })),
});

export interface LogFilter {
  /** Minimum level; lines without one (plain text) are kept. */
  level?: string | undefined;
  q?: string | undefined;
  limit: number;
}

/** The newest `limit` lines of a file that pass the filter, newest first. */
export async function readLog(file: string, f: LogFilter): Promise<LogLine[]> {
  const q = f.q?.toLowerCase();
  const min = f.level ? (RANK[f.level] ?? 0) : 0; // '' = every level
  const out: LogLine[] = [];
  const lines = await tailLines(file);
  for (let i = lines.length - 1; i >= 0 && out.length < f.limit; i--) {
    const raw = lines[i]!;
    if (q && !raw.toLowerCase().includes(q)) continue;
    const line = parseLine(raw);
    if (min && line.level !== undefined && (RANK[line.level] ?? 0) < min) continue;
    out.push(line);
  }
  return out;
}
