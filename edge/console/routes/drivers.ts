/**
 * Drivers: state, restarts, last error, a searchable log tail (by device name or any text),
 * restart, and redeploy of an edited config with every validation problem returned inline.
 */
import { open } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { ConfigError } from '../../config/load.js';
import { auditOf, type ConsoleDeps } from '../deps.js';
import { fail } from '../http-errors.js';
import { writeConfigFile } from '../../config/config-file.js';

const TAIL_BYTES = 512 * 1024;
const NameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });
const LogQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })),
});
const ConfigBody = Type.Object({ text: Type.String({ maxLength: 2 * 1024 * 1024 }) }, { additionalProperties: false });

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
  raw: string;
}

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

function parseLine(raw: string): LogLine {
  try {
    const o = JSON.parse(raw) as { time?: number; level?: number; msg?: string };
    return { time: o.time, level: o.level !== undefined ? LEVELS[o.level] : undefined, msg: o.msg ?? '', raw };
  } catch {
    return { msg: raw, raw }; // a crash's stack trace is plain text
  }
}

export async function driverRoutes(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const { ctx } = deps;

  app.get('/drivers', async () => ctx.host.status().map(({ logFile: _logFile, ...rest }) => rest));

  app.get<{ Params: Static<typeof NameParams>; Querystring: Static<typeof LogQuery> }>(
    '/drivers/:name/log',
    { schema: { params: NameParams, querystring: LogQuery } },
    async (req, reply) => {
      const d = ctx.host.status().find((x) => x.name === req.params.name);
      if (!d) return fail(reply, 'EDGE_ERR_DRIVER_UNAVAILABLE', req.params.name, 'not deployed');
      const q = req.query.q?.toLowerCase();
      const lines = (await tailLines(d.logFile)).filter((l) => !q || l.toLowerCase().includes(q));
      return { driver: d.name, lines: lines.slice(-(req.query.limit ?? 200)).map(parseLine) };
    },
  );

  app.post<{ Params: Static<typeof NameParams> }>('/drivers/:name/restart', { schema: { params: NameParams } }, async (req, reply) => {
    const ok = await ctx.host.restartDriver(req.params.name);
    auditOf(deps, req, 'driver.restart', req.params.name, ok);
    if (!ok) return fail(reply, 'EDGE_ERR_DRIVER_UNAVAILABLE', req.params.name, 'not deployed');
    return { ok: true };
  });

  app.get('/config', async () => ({ file: ctx.configFile() ?? null, text: ctx.configText() }));

  app.post<{ Body: Static<typeof ConfigBody> }>('/config/redeploy', { schema: { body: ConfigBody } }, async (req, reply) => {
    try {
      const diff = await ctx.redeploy(req.body.text, 'console');
      const file = ctx.configFile();
      if (file) writeConfigFile(file, req.body.text); // what was deployed survives a restart
      auditOf(deps, req, 'config.redeploy', ctx.configFile(), true, JSON.stringify(diff));
      return { ok: true, diff };
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      auditOf(deps, req, 'config.redeploy', ctx.configFile(), false, `${err.problems.length} problems`);
      return reply.code(400).send({ error: { code: err.code, message: err.message, problems: err.problems } });
    }
  });
}
