/**
 * EBA point tables (ModbusV3 three-sheet workbook: channels, points, devices): view, import
 * with progress and the per-row error report, export. Import progress is polled: a box on a
 * LAN answers in milliseconds, and polling survives a flaky Wi-Fi better than a held stream.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { auditOf, type ConsoleDeps } from '../deps.js';
import { fail } from '../http-errors.js';
import type { EbaRowError } from '../services.js';

const SheetParams = Type.Object({ sheet: Type.Union([Type.Literal('channels'), Type.Literal('points'), Type.Literal('devices')]) });
const JobParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

interface ImportJob {
  id: number;
  state: 'running' | 'done' | 'failed';
  done: number;
  total: number;
  counts?: Record<string, number>;
  errors?: EbaRowError[];
  message?: string;
}

export async function ebaRoutes(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const jobs = new Map<number, ImportJob>();
  let nextId = 1;

  app.get('/eba/available', async () => ({ available: deps.ctx.services.eba !== undefined }));

  app.get<{ Params: Static<typeof SheetParams> }>('/eba/:sheet', { schema: { params: SheetParams } }, async (req, reply) => {
    const eba = deps.ctx.services.eba;
    if (!eba) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', 'EBA point tables');
    return { sheet: req.params.sheet, rows: await eba.view(req.params.sheet) };
  });

  app.post('/eba/import', { bodyLimit: deps.options.uploadLimitMb * 1024 * 1024 }, async (req, reply) => {
    const eba = deps.ctx.services.eba;
    if (!eba) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', 'EBA point tables');
    if (!Buffer.isBuffer(req.body))
      return reply
        .code(415)
        .send({ error: { code: 'EDGE_ERR_REQUEST_INVALID', message: 'invalid request: send the workbook as application/octet-stream' } });
    const job: ImportJob = { id: nextId++, state: 'running', done: 0, total: 0 };
    jobs.set(job.id, job);
    for (const old of jobs.keys()) if (old < job.id - 20) jobs.delete(old); // keep the last few reports only
    const data = req.body;
    eba
      .importWorkbook(data, (done, total) => Object.assign(job, { done, total }))
      .then((r) => {
        if (r.ok) Object.assign(job, { state: 'done', counts: r.counts, done: job.total });
        else Object.assign(job, { state: 'failed', errors: r.errors });
        auditOf(deps, req, 'eba.import', undefined, r.ok, r.ok ? JSON.stringify(r.counts) : `${r.errors.length} row errors`);
      })
      .catch((err: unknown) => {
        Object.assign(job, { state: 'failed', message: (err as Error).message, errors: [] });
        auditOf(deps, req, 'eba.import', undefined, false, (err as Error).message);
      });
    return reply.code(202).send({ id: job.id });
  });

  app.get<{ Params: Static<typeof JobParams> }>('/eba/import/:id', { schema: { params: JobParams } }, async (req, reply) => {
    const job = jobs.get(req.params.id);
    if (!job) return reply.code(404).send({ error: { code: 'EDGE_ERR_REQUEST_INVALID', message: 'invalid request: no such import' } });
    return job;
  });

  app.get('/eba/export', async (req, reply) => {
    const eba = deps.ctx.services.eba;
    if (!eba) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', 'EBA point tables');
    const data = await eba.exportWorkbook();
    auditOf(deps, req, 'eba.export', undefined, true);
    void reply
      .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', 'attachment; filename="modbus-v3-points.xlsx"');
    return reply.send(data);
  });
}
