/**
 * EBA point tables (the three-sheet template of ModbusV3 and BACnetV3: channels, points,
 * devices): view, import (one .xlsx, or one .csv per sheet; check-only or apply) with progress
 * and the per-row error report (also as CSV, the CLI's `--report` format), export and the blank
 * template. Import progress is polled: a box on a LAN answers in milliseconds, and polling
 * survives a flaky Wi-Fi better than a held stream.
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { PROFILES } from '../../eba/profiles/index.js';
import { reportCsv } from '../../eba/workbook-io.js';
import { auditOf, type ConsoleDeps } from '../deps.js';
import { fail } from '../http-errors.js';
import type { EbaRowError, EbaUpload } from '../services.js';

const TypeQuery = Type.Object({
  type: Type.Optional(Type.Union([...PROFILES.keys()].map((k) => Type.Literal(k)))),
});
const SheetParams = Type.Object({ sheet: Type.Union([Type.Literal('channels'), Type.Literal('points'), Type.Literal('devices')]) });
const JobParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const ImportQuery = Type.Object({ ...TypeQuery.properties, check: Type.Optional(Type.Literal('yes')) });
const ExportQuery = Type.Object({ ...TypeQuery.properties, template: Type.Optional(Type.Literal('yes')) });
/** CSV sheets need several files in one import: JSON with each file Base64-encoded. */
const UploadBody = Type.Object(
  {
    files: Type.Array(
      Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), data: Type.String() }, { additionalProperties: false }),
      { minItems: 1, maxItems: 3 },
    ),
  },
  { additionalProperties: false },
);
const uploadCheck = TypeCompiler.Compile(UploadBody);
const DEFAULT_TYPE = 'modbus-v3';

interface ImportJob {
  id: number;
  type: string;
  checkOnly: boolean;
  state: 'running' | 'done' | 'failed';
  done: number;
  total: number;
  counts?: Record<string, number>;
  errors?: EbaRowError[];
  message?: string;
}

/** The uploaded files: a raw .xlsx body, or the JSON form (then the files' Base64 must be strict). */
function uploadsOf(body: unknown): EbaUpload[] | string {
  if (Buffer.isBuffer(body)) return [{ name: 'upload.xlsx', data: body }];
  const b = body as Static<typeof UploadBody>;
  const files: EbaUpload[] = [];
  for (const f of b.files) {
    if (!/\.(xlsx|csv)$/i.test(f.name)) return `${f.name}: give one .xlsx workbook or one .csv file per sheet`;
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(f.data) || f.data.length % 4 !== 0) return `${f.name}: data is not Base64`;
    files.push({ name: f.name, data: Buffer.from(f.data, 'base64') });
  }
  return files;
}

export async function ebaRoutes(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const jobs = new Map<number, ImportJob>();
  let nextId = 1;
  const invalid = (message: string) => ({ error: { code: 'EDGE_ERR_REQUEST_INVALID', message: `invalid request: ${message}` } });

  app.get('/eba/available', async () => {
    const eba = deps.ctx.services.eba;
    return { available: eba !== undefined, types: eba?.types() ?? [] };
  });

  app.get<{ Params: Static<typeof SheetParams>; Querystring: Static<typeof TypeQuery> }>(
    '/eba/:sheet',
    { schema: { params: SheetParams, querystring: TypeQuery } },
    async (req, reply) => {
      const eba = deps.ctx.services.eba;
      if (!eba) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', 'EBA point tables');
      return { sheet: req.params.sheet, ...(await eba.view(req.query.type ?? DEFAULT_TYPE, req.params.sheet)) };
    },
  );

  app.post<{ Querystring: Static<typeof ImportQuery> }>(
    '/eba/import',
    { schema: { querystring: ImportQuery }, bodyLimit: Math.ceil(deps.options.uploadLimitMb * 1024 * 1024 * 1.4) },
    async (req, reply) => {
      const eba = deps.ctx.services.eba;
      if (!eba) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', 'EBA point tables');
      const files = Buffer.isBuffer(req.body) || uploadCheck.Check(req.body) ? uploadsOf(req.body) : undefined;
      if (files === undefined)
        return reply
          .code(415)
          .send(invalid('send one .xlsx workbook as application/octet-stream, or {"files":[{"name","data" (Base64)}]} as JSON'));
      if (typeof files === 'string') return reply.code(400).send(invalid(files));
      const type = req.query.type ?? DEFAULT_TYPE;
      const checkOnly = req.query.check === 'yes';
      const job: ImportJob = { id: nextId++, type, checkOnly, state: 'running', done: 0, total: 0 };
      jobs.set(job.id, job);
      for (const old of jobs.keys()) if (old < job.id - 20) jobs.delete(old); // keep the last few reports only
      eba
        .importWorkbook(type, files, { checkOnly }, (done, total) => Object.assign(job, { done, total }))
        .then((r) => {
          if (r.ok) Object.assign(job, { state: 'done', counts: r.counts, done: job.total });
          else Object.assign(job, { state: 'failed', errors: r.errors });
          if (!checkOnly) auditOf(deps, req, 'eba.import', type, r.ok, r.ok ? JSON.stringify(r.counts) : `${r.errors.length} row errors`);
        })
        .catch((err: unknown) => {
          Object.assign(job, { state: 'failed', message: (err as Error).message, errors: [] });
          if (!checkOnly) auditOf(deps, req, 'eba.import', type, false, (err as Error).message);
        });
      return reply.code(202).send({ id: job.id });
    },
  );

  app.get<{ Params: Static<typeof JobParams> }>('/eba/import/:id', { schema: { params: JobParams } }, async (req, reply) => {
    const job = jobs.get(req.params.id);
    if (!job) return reply.code(404).send(invalid('no such import'));
    return job;
  });

  // The error report as the CLI writes it (`edge import points --report`): opens in Excel, UTF-8 with BOM.
  app.get<{ Params: Static<typeof JobParams> }>('/eba/import/:id/report', { schema: { params: JobParams } }, async (req, reply) => {
    const job = jobs.get(req.params.id);
    if (job?.state !== 'failed') return reply.code(404).send(invalid('no failed import with this id'));
    const problems = (job.errors ?? []).map((e) => ({
      sheet: e.sheet,
      row: e.row,
      column: e.column ?? '',
      value: e.value ?? '',
      reason: e.message,
    }));
    if (job.message) problems.unshift({ sheet: '-', row: 0, column: '', value: '', reason: job.message });
    void reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${job.type}-import-errors.csv"`);
    return reply.send(reportCsv(problems));
  });

  app.get<{ Querystring: Static<typeof ExportQuery> }>('/eba/export', { schema: { querystring: ExportQuery } }, async (req, reply) => {
    const eba = deps.ctx.services.eba;
    if (!eba) return fail(reply, 'EDGE_ERR_CONSOLE_SERVICE_MISSING', 'EBA point tables');
    const type = req.query.type ?? DEFAULT_TYPE;
    const template = req.query.template === 'yes';
    const data = await eba.exportWorkbook(type, { template });
    if (!template) auditOf(deps, req, 'eba.export', type, true);
    void reply
      .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="${type}-${template ? 'template' : 'points'}.xlsx"`);
    return reply.send(data);
  });
}
