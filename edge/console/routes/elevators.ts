/**
 * Person-elevator linkage from the console: relations (trigger door → elevator), the persons and
 * credentials each may travel with, and the call records. Checks are the cloud services' own
 * (edge/elevators/validate.ts), so a refused field reads the same wherever it was typed.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { auditOf, type ConsoleDeps } from '../deps.js';
import { fail } from '../http-errors.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const Body = Type.Record(Type.String(), Type.Unknown(), { maxProperties: 32 });
const UsersQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 1024 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});
const RecordsQuery = Type.Object({
  dataId: Type.Optional(Type.String({ maxLength: 64 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
});
const missing = 'elevator linkage';

export async function elevatorRoutes(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const service = () => deps.ctx.services.elevators;

  app.get(
    '/elevators/relations',
    async (_req, reply) => service()?.relations() ?? fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing),
  );

  app.post<{ Body: Static<typeof Body> }>('/elevators/relations', { schema: { body: Body } }, async (req, reply) => {
    const s = service();
    if (!s) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
    const dataId = s.addRelation(req.body);
    auditOf(deps, req, 'elevator.relation.add', dataId, true);
    return { dataId };
  });

  app.put<{ Params: Static<typeof IdParams>; Body: Static<typeof Body> }>(
    '/elevators/relations/:id',
    { schema: { params: IdParams, body: Body } },
    async (req, reply) => {
      const s = service();
      if (!s) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
      s.updateRelation({ ...req.body, dataId: req.params.id });
      auditOf(deps, req, 'elevator.relation.update', req.params.id, true);
      return { ok: true };
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>('/elevators/relations/:id', { schema: { params: IdParams } }, async (req, reply) => {
    const s = service();
    if (!s) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
    s.deleteRelation(req.params.id);
    auditOf(deps, req, 'elevator.relation.delete', req.params.id, true);
    return { ok: true };
  });

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof UsersQuery> }>(
    '/elevators/relations/:id/users',
    { schema: { params: IdParams, querystring: UsersQuery } },
    async (req, reply) => {
      const s = service();
      return s
        ? s.users(req.params.id, req.query.q ?? '', req.query.limit ?? 100)
        : fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof Body> }>(
    '/elevators/relations/:id/users',
    { schema: { params: IdParams, body: Body } },
    async (req, reply) => {
      const s = service();
      if (!s) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
      s.saveUser({ ...req.body, dataId: req.params.id });
      auditOf(deps, req, 'elevator.user.save', req.params.id, true); // no person id in the audit: personal data
      return { ok: true };
    },
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof Body> }>(
    '/elevators/relations/:id/users/delete',
    { schema: { params: IdParams, body: Body } },
    async (req, reply) => {
      const s = service();
      if (!s) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
      s.deleteUser({ ...req.body, dataId: req.params.id });
      auditOf(deps, req, 'elevator.user.delete', req.params.id, true);
      return { ok: true };
    },
  );

  app.get<{ Querystring: Static<typeof RecordsQuery> }>(
    '/elevators/records',
    { schema: { querystring: RecordsQuery } },
    async (req, reply) => {
      const s = service();
      return s ? s.records(req.query.limit ?? 50, req.query.dataId) : fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
    },
  );
}
