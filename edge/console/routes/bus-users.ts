/**
 * The local bus's users: one per local app with its own topic rights (docs/security.md). The
 * password of a new user is shown once; removing or changing a user closes its connections.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { parseFilterList } from '../../bus/acl.js';
import { BusUserError } from '../../bus/users.js';
import { auditOf, type ConsoleDeps } from '../deps.js';
import { fail } from '../http-errors.js';

const Filters = Type.Array(Type.String({ minLength: 1, maxLength: 1024 }), { maxItems: 64 });
const UserBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 64 }), read: Filters, write: Filters },
  { additionalProperties: false },
);
const RightsBody = Type.Object({ read: Filters, write: Filters }, { additionalProperties: false });
const NameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });

const refused = (reply: FastifyReply, err: unknown): FastifyReply => {
  if (!(err instanceof BusUserError)) throw err;
  return reply.code(400).send({ error: { code: 'EDGE_ERR_REQUEST_INVALID', message: `invalid request: ${err.message}` } });
};

function rightsOf(body: { read: string[]; write: string[] }): { read: string[]; write: string[] } {
  const read = parseFilterList(body.read);
  const write = parseFilterList(body.write);
  const problems = [...read.problems, ...write.problems];
  if (problems.length > 0) throw new BusUserError(problems.join('; '));
  return { read: read.filters, write: write.filters };
}

export async function busUserRoutes(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const missing = 'local bus users (the box uses an external broker)';

  app.get('/bus/users', async (_req, reply) => {
    const s = deps.ctx.services.busUsers;
    return s ? s.list() : fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
  });

  app.post<{ Body: Static<typeof UserBody> }>('/bus/users', { schema: { body: UserBody } }, async (req, reply) => {
    const s = deps.ctx.services.busUsers;
    if (!s) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
    try {
      const { password } = s.add(req.body.username, rightsOf(req.body));
      auditOf(deps, req, 'bus.user.add', req.body.username, true);
      return { username: req.body.username, password };
    } catch (err) {
      auditOf(deps, req, 'bus.user.add', req.body.username, false, (err as Error).message);
      return refused(reply, err);
    }
  });

  app.put<{ Params: Static<typeof NameParams>; Body: Static<typeof RightsBody> }>(
    '/bus/users/:name',
    { schema: { params: NameParams, body: RightsBody } },
    async (req, reply) => {
      const s = deps.ctx.services.busUsers;
      if (!s) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
      try {
        s.setRights(req.params.name, rightsOf(req.body));
        auditOf(deps, req, 'bus.user.rights', req.params.name, true);
        return { ok: true };
      } catch (err) {
        return refused(reply, err);
      }
    },
  );

  app.delete<{ Params: Static<typeof NameParams> }>('/bus/users/:name', { schema: { params: NameParams } }, async (req, reply) => {
    const s = deps.ctx.services.busUsers;
    if (!s) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
    try {
      s.remove(req.params.name);
      auditOf(deps, req, 'bus.user.remove', req.params.name, true);
      return { ok: true };
    } catch (err) {
      return refused(reply, err);
    }
  });
}
