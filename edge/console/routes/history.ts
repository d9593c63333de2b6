/**
 * History (edge/history): a point's values by range (raw or 1-minute, chosen by the store) as
 * JSON for the trend chart or CSV for a spreadsheet; device events and status changes, per
 * device or box-wide, newest first with paging; retention and size for the dashboard.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { ConsoleDeps } from '../deps.js';
import { fail } from '../http-errors.js';

const RANGES_MS = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;

const SeriesQuery = Type.Object(
  {
    device: Type.String({ minLength: 3, maxLength: 130, pattern: '^[^/]+/[^/]+$' }),
    prop: Type.String({ minLength: 1, maxLength: 64 }),
    range: Type.Optional(Type.Union(Object.keys(RANGES_MS).map((r) => Type.Literal(r)))),
    from: Type.Optional(Type.Integer({ minimum: 0 })),
    to: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
const EventsQuery = Type.Object(
  {
    device: Type.Optional(Type.String({ maxLength: 130 })),
    kind: Type.Optional(Type.Union([Type.Literal('event'), Type.Literal('status'), Type.Literal('')])),
    from: Type.Optional(Type.Integer({ minimum: 0 })),
    to: Type.Optional(Type.Integer({ minimum: 0 })),
    before: Type.Optional(Type.Integer({ minimum: 1 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  },
  { additionalProperties: false },
);

type SeriesQ = Static<typeof SeriesQuery>;

/** [from, to) of a query: an explicit window, or the named range ending now (default 1 h). */
function window(q: SeriesQ): { from: number; to: number } {
  const to = q.to ?? Date.now() + 1;
  return { from: q.from ?? to - RANGES_MS[(q.range ?? '1h') as keyof typeof RANGES_MS], to };
}

/** A CSV field: quoted when it holds a separator, quote or line break (RFC 4180). */
const csvField = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export async function historyRoutes(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const missing = 'history';
  const history = () => deps.ctx.services.history;

  app.get('/history/status', async (_req, reply) => {
    const h = history();
    if (!h) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
    return h.status();
  });

  app.get<{ Querystring: SeriesQ }>('/history/series', { schema: { querystring: SeriesQuery } }, async (req, reply) => {
    const h = history();
    if (!h) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
    const { from, to } = window(req.query);
    return { device: req.query.device, prop: req.query.prop, from, to, ...h.series(req.query.device, req.query.prop, from, to) };
  });

  app.get<{ Querystring: SeriesQ }>('/history/series.csv', { schema: { querystring: SeriesQuery } }, async (req, reply) => {
    const h = history();
    if (!h) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
    const { from, to } = window(req.query);
    const s = h.series(req.query.device, req.query.prop, from, to);
    const head = s.resolution === 'raw' ? 'time,value' : 'time,avg,min,max';
    const rows = s.points.map((p) => [new Date(p[0]).toISOString(), ...p.slice(1)].map(csvField).join(','));
    const name = `${req.query.device}-${req.query.prop}-${new Date(from).toISOString().slice(0, 16)}`.replace(/[^A-Za-z0-9_.-]/g, '_');
    void reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`);
    return `${[head, ...rows].join('\r\n')}\r\n`;
  });

  app.get<{ Querystring: Static<typeof EventsQuery> }>('/history/events', { schema: { querystring: EventsQuery } }, async (req, reply) => {
    const h = history();
    if (!h) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', missing);
    const q = req.query;
    return h.events({
      device: q.device || undefined,
      kind: q.kind || undefined,
      from: q.from,
      to: q.to,
      before: q.before,
      limit: q.limit ?? 50,
    });
  });
}
