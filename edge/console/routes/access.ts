/** Access control: counts, person lookup, per-device sync status with retry, pass records with photos, alarms. */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { auditOf, type ConsoleDeps } from '../deps.js';
import { fail } from '../http-errors.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });
const DeviceParams = Type.Object({ device: Type.String({ minLength: 1, maxLength: 130 }) });
const RecordsQuery = Type.Object({
  device: Type.Optional(Type.String({ maxLength: 130 })),
  personId: Type.Optional(Type.String({ maxLength: 128 })),
  from: Type.Optional(Type.Integer({ minimum: 0 })),
  to: Type.Optional(Type.Integer({ minimum: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
});

export async function accessRoutes(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const missing = 'access control';

  app.get('/access/summary', async (_req, reply) => {
    const a = deps.ctx.services.access;
    if (!a) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
    return { counts: a.counts(), sync: a.syncStatus(), alarms: a.alarms(20) };
  });

  app.get<{ Params: Static<typeof IdParams> }>('/access/persons/:id', { schema: { params: IdParams } }, async (req, reply) => {
    const a = deps.ctx.services.access;
    if (!a) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
    const p = a.findPerson(req.params.id);
    if (!p) return reply.code(404).send({ error: { code: 'EDGE_ERR_REQUEST_INVALID', message: 'invalid request: no such person' } });
    return p;
  });

  app.post<{ Params: Static<typeof DeviceParams> }>(
    '/access/sync/:device/retry',
    { schema: { params: DeviceParams } },
    async (req, reply) => {
      const a = deps.ctx.services.access;
      if (!a) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
      await a.retrySync(req.params.device);
      auditOf(deps, req, 'access.sync.retry', req.params.device, true);
      return { ok: true };
    },
  );

  app.get<{ Querystring: Static<typeof RecordsQuery> }>(
    '/access/records',
    { schema: { querystring: RecordsQuery } },
    async (req, reply) => {
      const a = deps.ctx.services.access;
      if (!a) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
      const { limit, ...rest } = req.query;
      return a.passRecords({ ...rest, limit: limit ?? 50 });
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>('/access/records/:id/photo', { schema: { params: IdParams } }, async (req, reply) => {
    const photo = deps.ctx.services.access?.passPhoto?.(req.params.id);
    if (!photo) return reply.code(404).send({ error: { code: 'EDGE_ERR_REQUEST_INVALID', message: 'invalid request: no photo' } });
    void reply.header('content-type', 'image/jpeg').header('cache-control', 'private, max-age=3600');
    return reply.send(photo);
  });
}
