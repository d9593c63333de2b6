/**
 * Hosted apps from the console (docs/apps.md): state, memory, restarts and last error of each,
 * start / stop / restart, and the tail of its log (the drivers' log viewer: `limit`, `level`, `q`).
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { auditOf, type ConsoleDeps } from '../deps.js';
import { fail } from '../http-errors.js';
import { LogQuery, readLog } from '../log-view.js';

const NameParams = Type.Object({ name: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,39}$' }) });
const ActionParams = Type.Object({
  name: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,39}$' }),
  action: Type.Union([Type.Literal('start'), Type.Literal('stop'), Type.Literal('restart')]),
});
const missing = 'hosted apps';

export async function appRoutes(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const service = () => deps.ctx.services.apps;

  app.get('/apps', async (_req, reply) => service()?.status() ?? fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing));

  app.post<{ Params: Static<typeof ActionParams> }>('/apps/:name/:action', { schema: { params: ActionParams } }, async (req, reply) => {
    const s = service();
    if (!s) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
    const ok = await s.act(req.params.name, req.params.action);
    auditOf(deps, req, `app.${req.params.action}`, req.params.name, ok);
    if (!ok) return fail(reply, 'EDGE_ERR_APP_UNKNOWN', req.params.name);
    return s.status().find((a) => a.name === req.params.name);
  });

  app.get<{ Params: Static<typeof NameParams>; Querystring: Static<typeof LogQuery> }>(
    '/apps/:name/log',
    { schema: { params: NameParams, querystring: LogQuery } },
    async (req, reply) => {
      const s = service();
      if (!s) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
      const file = s.logFile(req.params.name);
      if (!file) return fail(reply, 'EDGE_ERR_APP_UNKNOWN', req.params.name);
      // The drivers' log viewer (filter by level and text); the lines oldest first, as written.
      const lines = await readLog(file, { level: req.query.level, q: req.query.q, limit: req.query.limit ?? 200 });
      return { app: req.params.name, lines: lines.reverse().map((l) => l.raw) };
    },
  );
}
