/**
 * Access control: counts, persons (search by name or partial id; cards masked, faces as
 * thumbnails), per-device sync status with retry, pass records (filters by door name or alias,
 * with the person, CSV export) with photos, alarms.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { auditOf, type ConsoleDeps } from '../deps.js';
import { keyOf } from '../../thing/registry.js';
import { fail } from '../http-errors.js';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });
const DeviceParams = Type.Object({ device: Type.String({ minLength: 1, maxLength: 130 }) });
const ShaParams = Type.Object({ sha: Type.String({ pattern: '^[0-9a-f]{64}$' }) });
const PersonsQuery = Type.Object({
  q: Type.String({ minLength: 1, maxLength: 64 }),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
});
const recordsQuery = (maxLimit: number) =>
  Type.Object({
    /** A device key, or part of a device's key or alias. */
    device: Type.Optional(Type.String({ maxLength: 130 })),
    personId: Type.Optional(Type.String({ maxLength: 128 })),
    from: Type.Optional(Type.Integer({ minimum: 0 })),
    to: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: maxLimit, default: 50 })),
  });
const RecordsQuery = recordsQuery(500);
const ExportQuery = recordsQuery(10_000);
const notFound = (what: string) => ({ error: { code: 'EDGE_ERR_REQUEST_INVALID', message: `invalid request: ${what}` } });

const csvCell = (v: unknown): string => {
  const s = v === undefined || v === null ? '' : String(v);
  // A leading = + - @ would run as a formula in Excel: quoted and prefixed.
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\r\n']/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

export async function accessRoutes(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const missing = 'access control';

  app.get('/access/summary', async (_req, reply) => {
    const a = deps.ctx.services.access;
    if (!a) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
    return { counts: a.counts(), sync: a.syncStatus(), alarms: a.alarms(20) };
  });

  app.get<{ Querystring: Static<typeof PersonsQuery> }>(
    '/access/persons',
    { schema: { querystring: PersonsQuery } },
    async (req, reply) => {
      const a = deps.ctx.services.access;
      if (!a) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
      return a.searchPersons({ text: req.query.q, limit: req.query.limit ?? 50, offset: req.query.offset ?? 0 });
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>('/access/persons/:id', { schema: { params: IdParams } }, async (req, reply) => {
    const a = deps.ctx.services.access;
    if (!a) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
    const p = a.findPerson(req.params.id);
    if (!p) return reply.code(404).send(notFound('no such person'));
    return p;
  });

  app.get<{ Params: Static<typeof ShaParams> }>('/access/faces/:sha/thumb', { schema: { params: ShaParams } }, async (req, reply) => {
    const thumb = deps.ctx.services.access?.faceThumb(req.params.sha);
    if (!thumb) return reply.code(404).send(notFound('no such face picture'));
    void reply.header('content-type', 'image/jpeg').header('cache-control', 'private, max-age=86400');
    return reply.send(thumb);
  });

  app.post<{ Params: Static<typeof DeviceParams> }>(
    '/access/sync/:device/retry',
    { schema: { params: DeviceParams } },
    async (req, reply) => {
      const a = deps.ctx.services.access;
      if (!a) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
      const queued = await a.retrySync(req.params.device);
      auditOf(deps, req, 'access.sync.retry', req.params.device, true, `${queued} queued`);
      return { ok: true, queued };
    },
  );

  /** The doors a filter text names: the exact key, else every device whose key or alias contains it. */
  const devicesOf = (text: string | undefined): string[] | undefined => {
    if (!text) return undefined;
    const all = deps.ctx.registry.list().map((d) => ({ key: keyOf(d), alias: d.alias ?? '' }));
    if (all.some((d) => d.key === text)) return [text];
    const needle = text.toLowerCase();
    return all.filter((d) => d.key.toLowerCase().includes(needle) || d.alias.toLowerCase().includes(needle)).map((d) => d.key);
  };
  const recordsOf = (a: NonNullable<typeof deps.ctx.services.access>, q: Static<typeof RecordsQuery>) => {
    const { limit, device, ...rest } = q;
    const devices = devicesOf(device);
    return devices?.length === 0 ? [] : a.passRecords({ ...rest, ...(devices ? { devices } : {}), limit: limit ?? 50 });
  };

  app.get<{ Querystring: Static<typeof RecordsQuery> }>(
    '/access/records',
    { schema: { querystring: RecordsQuery } },
    async (req, reply) => {
      const a = deps.ctx.services.access;
      if (!a) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
      return recordsOf(a, req.query);
    },
  );

  // Pass records as CSV for Excel (UTF-8 with BOM): the same filters, up to 10 000 rows.
  app.get<{ Querystring: Static<typeof ExportQuery> }>(
    '/access/records.csv',
    { schema: { querystring: ExportQuery } },
    async (req, reply) => {
      const a = deps.ctx.services.access;
      if (!a) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
      const alias = new Map(deps.ctx.registry.list().map((d) => [keyOf(d), d.alias ?? '']));
      const rows = recordsOf(a, req.query);
      const lines = [
        ['time', 'device', 'alias', 'personId', 'personName', 'method', 'result'].join(','),
        ...rows.map((r) =>
          [new Date(r.time).toISOString(), r.device, alias.get(r.device), r.personId, r.personName, r.method, r.result]
            .map(csvCell)
            .join(','),
        ),
      ];
      auditOf(deps, req, 'access.records.export', req.query.device, true, `${rows.length} records`);
      void reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="pass-records.csv"');
      return reply.send(`\uFEFF${lines.join('\r\n')}\r\n`);
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>('/access/records/:id/photo', { schema: { params: IdParams } }, async (req, reply) => {
    const photo = deps.ctx.services.access?.passPhoto?.(req.params.id);
    if (!photo) return reply.code(404).send({ error: { code: 'EDGE_ERR_REQUEST_INVALID', message: 'invalid request: no photo' } });
    void reply.header('content-type', 'image/jpeg').header('cache-control', 'private, max-age=3600');
    return reply.send(photo);
  });
}
