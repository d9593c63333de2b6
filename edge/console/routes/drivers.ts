/**
 * Drivers: state, restarts, last error, a searchable log tail (by device name or any text),
 * restart, and redeploy of an edited config with every validation problem returned inline.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { ConfigError } from '../../config/load.js';
import { auditOf, type ConsoleDeps } from '../deps.js';
import { fail } from '../http-errors.js';
import { writeConfigFile } from '../../config/config-file.js';
import { LogQuery, readLog, tailLines } from '../log-view.js';
import { placeProblems } from '../config-text.js';

/** The last 512 KB of a log as a download (JSON lines, as written). */
async function sendLogFile(reply: FastifyReply, file: string, name: string) {
  const lines = await tailLines(file);
  void reply
    .header('content-type', 'application/x-ndjson; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.log"`);
  return `${lines.join('\n')}\n`;
}

const NameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });
// `base`: the config text a form preview was made from; the deploy is refused when the config changed since.
const ConfigBody = Type.Object(
  { text: Type.String({ maxLength: 2 * 1024 * 1024 }), base: Type.Optional(Type.String({ maxLength: 2 * 1024 * 1024 })) },
  { additionalProperties: false },
);

export async function driverRoutes(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const { ctx } = deps;

  app.get('/drivers', async () => ctx.host.status().map(({ logFile: _logFile, ...rest }) => rest));

  const logFileOf = (name: string) => ctx.host.status().find((x) => x.name === name)?.logFile;

  app.get<{ Params: Static<typeof NameParams>; Querystring: Static<typeof LogQuery> }>(
    '/drivers/:name/log',
    { schema: { params: NameParams, querystring: LogQuery } },
    async (req, reply) => {
      const file = logFileOf(req.params.name);
      if (!file) return fail(reply, 'EDGE_ERR_DRIVER_UNAVAILABLE', req.params.name, 'not deployed');
      return {
        driver: req.params.name,
        lines: await readLog(file, { level: req.query.level, q: req.query.q, limit: req.query.limit ?? 200 }),
      };
    },
  );

  app.get<{ Params: Static<typeof NameParams> }>('/drivers/:name/log.txt', { schema: { params: NameParams } }, async (req, reply) => {
    const file = logFileOf(req.params.name);
    if (!file) return fail(reply, 'EDGE_ERR_DRIVER_UNAVAILABLE', req.params.name, 'not deployed');
    return sendLogFile(reply, file, `driver-${req.params.name}`);
  });

  app.get<{ Querystring: Static<typeof LogQuery> }>('/logs/box', { schema: { querystring: LogQuery } }, async (req) => {
    const file = ctx.boxLogFile();
    if (!file) return { file: null, lines: [] }; // the daemon logs to stdout (journald)
    return { file, lines: await readLog(file, { level: req.query.level, q: req.query.q, limit: req.query.limit ?? 200 }) };
  });

  app.get('/logs/box.txt', async (_req, reply) => {
    const file = ctx.boxLogFile();
    if (!file) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', 'a box log file (log.file)');
    return sendLogFile(reply, file, 'box');
  });

  app.post<{ Params: Static<typeof NameParams> }>('/drivers/:name/restart', { schema: { params: NameParams } }, async (req, reply) => {
    const ok = await ctx.host.restartDriver(req.params.name);
    auditOf(deps, req, 'driver.restart', req.params.name, ok);
    if (!ok) return fail(reply, 'EDGE_ERR_DRIVER_UNAVAILABLE', req.params.name, 'not deployed');
    return { ok: true };
  });

  app.get('/config', async () => ({ file: ctx.configFile() ?? null, text: ctx.configText() }));

  app.post<{ Body: Static<typeof ConfigBody> }>('/config/redeploy', { schema: { body: ConfigBody } }, async (req, reply) => {
    if (req.body.base !== undefined && req.body.base !== ctx.configText()) {
      auditOf(deps, req, 'config.redeploy', ctx.configFile(), false, 'changed since the preview');
      return fail(reply, 'EDGE_ERR_CONSOLE_CONFIG_CHANGED', 'check and preview again');
    }
    try {
      const diff = await ctx.redeploy(req.body.text, 'console');
      const file = ctx.configFile();
      if (file) writeConfigFile(file, req.body.text); // what was deployed survives a restart
      auditOf(deps, req, 'config.redeploy', ctx.configFile(), true, JSON.stringify(diff));
      return { ok: true, diff };
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      auditOf(deps, req, 'config.redeploy', ctx.configFile(), false, `${err.problems.length} problems`);
      // Each problem with its line: the YAML view marks them (edge/console/config-text.ts).
      return reply
        .code(400)
        .send({ error: { code: err.code, message: err.message, problems: placeProblems(req.body.text, err.problems) } });
    }
  });
}
