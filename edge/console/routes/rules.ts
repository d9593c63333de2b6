/**
 * EBA alarm rules and alarms (docs/rules.md): list, detail, add/edit with the cloud's validation,
 * start/stop, delete, dry run against the devices' last values; open alarms, history, acknowledge.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { auditOf, type ConsoleDeps } from '../deps.js';
import { fail, failWith } from '../http-errors.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const ListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 128 })),
  status: Type.Optional(Type.Integer({ minimum: 0, maximum: 1 })),
  productKey: Type.Optional(Type.String({ maxLength: 64 })),
  pageNo: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
});
const SaveBody = Type.Object({ rule: Type.Unknown() });
const StatusBody = Type.Object({ status: Type.Union([Type.Literal(0), Type.Literal(1)]) });
const DryRunBody = Type.Union([
  Type.Object({ alarmRuleId: Type.String({ minLength: 1, maxLength: 64 }) }),
  Type.Object({ rule: Type.Unknown() }),
]);
const AlarmsQuery = Type.Object({
  device: Type.Optional(Type.String({ maxLength: 130 })),
  alarmRuleId: Type.Optional(Type.String({ maxLength: 64 })),
  from: Type.Optional(Type.Integer({ minimum: 0 })),
  to: Type.Optional(Type.Integer({ minimum: 0 })),
  open: Type.Optional(Type.Boolean()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
});
const ConfirmBody = Type.Object({
  confirmType: Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3)], {
    description: '1 fault, 2 false alarm, 3 real alarm (H7)',
  }),
  confirmComment: Type.Optional(Type.String({ maxLength: 500 })),
});
const AlarmParams = Type.Object({ alarmId: Type.String({ minLength: 1, maxLength: 64 }) });

export async function rulesRoutes(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const missing = 'EBA alarm rules';
  const svc = () => deps.ctx.services.rules;

  app.get<{ Querystring: Static<typeof ListQuery> }>('/rules', { schema: { querystring: ListQuery } }, async (req, reply) => {
    const r = svc();
    if (!r) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
    const { q, pageNo, pageSize, ...rest } = req.query;
    return r.list({ ...rest, ...(q ? { nameLike: q } : {}), pageNo: pageNo ?? 1, pageSize: pageSize ?? 50 });
  });

  app.get<{ Params: Static<typeof IdParams> }>('/rules/:id', { schema: { params: IdParams } }, async (req, reply) => {
    const r = svc();
    if (!r) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
    return r.detail(req.params.id) ?? fail(reply, 'EDGE_ERR_RULE_UNKNOWN', req.params.id);
  });

  app.post<{ Body: Static<typeof SaveBody> }>('/rules', { schema: { body: SaveBody } }, async (req, reply) => {
    const r = svc();
    if (!r) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
    const saved = r.save(req.body.rule);
    const id = (req.body.rule as { alarmRuleId?: unknown } | null)?.alarmRuleId;
    if (!saved.ok) {
      auditOf(deps, req, 'rules.save', typeof id === 'string' ? id : undefined, false, `${saved.problems.length} problems`);
      return failWith(
        reply,
        'EDGE_ERR_RULE_INVALID',
        { problems: saved.problems },
        saved.problems.map((p) => `${p.field}: ${p.message}`).join('; '),
      );
    }
    auditOf(deps, req, 'rules.save', saved.alarmRuleId, true, saved.created ? 'created' : 'updated');
    return saved;
  });

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof StatusBody> }>(
    '/rules/:id/status',
    { schema: { params: IdParams, body: StatusBody } },
    async (req, reply) => {
      const r = svc();
      if (!r) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
      if (!r.setStatus(req.params.id, req.body.status)) return fail(reply, 'EDGE_ERR_RULE_UNKNOWN', req.params.id);
      auditOf(deps, req, req.body.status ? 'rules.start' : 'rules.stop', req.params.id, true);
      return { ok: true };
    },
  );

  app.delete<{ Params: Static<typeof IdParams> }>('/rules/:id', { schema: { params: IdParams } }, async (req, reply) => {
    const r = svc();
    if (!r) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
    if (!r.remove(req.params.id)) return fail(reply, 'EDGE_ERR_RULE_UNKNOWN', req.params.id);
    auditOf(deps, req, 'rules.delete', req.params.id, true);
    return { ok: true };
  });

  app.post<{ Body: Static<typeof DryRunBody> }>('/rules/dry-run', { schema: { body: DryRunBody } }, async (req, reply) => {
    const r = svc();
    if (!r) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
    const out = r.dryRun(req.body);
    if (!out.ok)
      return failWith(
        reply,
        'EDGE_ERR_RULE_INVALID',
        { problems: out.problems },
        out.problems.map((p) => `${p.field}: ${p.message}`).join('; '),
      );
    return out;
  });

  app.get('/alarms/open', async (_req, reply) => {
    const r = svc();
    if (!r) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
    return r.open(200);
  });

  app.get<{ Querystring: Static<typeof AlarmsQuery> }>('/alarms', { schema: { querystring: AlarmsQuery } }, async (req, reply) => {
    const r = svc();
    if (!r) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
    const { limit, ...rest } = req.query;
    return r.history({ ...rest, limit: limit ?? 100 });
  });

  app.post<{ Params: Static<typeof AlarmParams>; Body: Static<typeof ConfirmBody> }>(
    '/alarms/:alarmId/confirm',
    { schema: { params: AlarmParams, body: ConfirmBody } },
    async (req, reply) => {
      const r = svc();
      if (!r) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
      const operator = req.consoleSession?.user ?? '-';
      const rec = r.confirm(req.params.alarmId, {
        confirmType: req.body.confirmType,
        ...(req.body.confirmComment ? { comment: req.body.confirmComment } : {}),
        operator,
      });
      if (!rec) return fail(reply, 'EDGE_ERR_ALARM_UNKNOWN', req.params.alarmId);
      auditOf(deps, req, 'alarms.confirm', req.params.alarmId, true, `confirmType ${req.body.confirmType}`);
      return rec;
    },
  );
}
