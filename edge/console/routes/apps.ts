/**
 * Hosted apps from the console (docs/apps.md): state, memory, restarts and last error of each,
 * start / stop / restart, and the tail of its log.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { auditOf, type ConsoleDeps } from '../deps.js';
import { fail } from '../http-errors.js';
import { tailLines } from '../log-view.js';

const NameParams = Type.Object({ name: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,39}$' }) });
const ActionParams = Type.Object({
  name: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,39}$' }),
  action: Type.Union([Type.Literal('start'), Type.Literal('stop'), Type.Literal('restart')]),
});
const LogQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })) });
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
      return { app: req.params.name, lines: (await tailLines(file)).slice(-(req.query.limit ?? 200)) };
    },
  );
}
