/** Maintenance: backup download, restore (preview, then confirm), config view and check, audit trail. */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { blocking, type ConfigProblem } from '../../config/load.js';
import { configProblems } from '../../config-check.js';
import { auditOf, type ConsoleDeps } from '../deps.js';
import { createBackup } from '../../backup/create.js';
import { checkBackup } from '../../backup/check.js';
import { ensureRestoreSpace } from '../../backup/disk.js';
import { pendingRestore, readRestoreState, stageRestore } from '../../backup/apply.js';
import { resyncProgress } from '../../backup/resync.js';
import { writeConfigFile } from '../../config/config-file.js';

const ConfigBody = Type.Object({ text: Type.String({ maxLength: 2 * 1024 * 1024 }) }, { additionalProperties: false });
const RestoreQuery = Type.Object({ confirm: Type.Optional(Type.Literal('yes')), force: Type.Optional(Type.Literal('yes')) });
const AuditQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })) });

/** The daemon's own check of a config text (edge/config-check.ts): the page shows what a deploy would refuse. */
export function validateConfigText(text: string, baseDir: string): Promise<ConfigProblem[]> {
  return configProblems(text, '<console>', baseDir);
}

export async function maintenanceRoutes(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const { ctx } = deps;
  const uploadLimit = deps.options.uploadLimitMb * 1024 * 1024;

  app.get('/maintenance/status', async () => ({ pendingRestore: pendingRestore(ctx.dataDir), configFile: ctx.configFile() ?? null }));

  app.get('/maintenance/backup', async (req, reply) => {
    const id = ctx.identity();
    // Secrets stay out of a console download (no passphrase asked here): the manifest lists them.
    const data = await createBackup({
      snapshot: async (file) => void (await ctx.db.backup(file)),
      dataDir: ctx.dataDir,
      configText: ctx.configText(),
      box: id.name,
      productVersion: id.version,
    });
    const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
    auditOf(deps, req, 'backup.download', undefined, true, `${data.length} bytes`);
    void reply
      .header('content-type', 'application/gzip')
      .header('content-disposition', `attachment; filename="${id.name.replace(/[^A-Za-z0-9_.-]/g, '_')}-${stamp}.tar.gz"`);
    return reply.send(data);
  });

  app.post<{ Querystring: Static<typeof RestoreQuery> }>(
    '/maintenance/restore',
    { schema: { querystring: RestoreQuery }, bodyLimit: uploadLimit },
    async (req, reply) => {
      if (!Buffer.isBuffer(req.body))
        return reply.code(415).send({
          error: { code: 'EDGE_ERR_REQUEST_INVALID', message: 'invalid request: send the backup file as application/octet-stream' },
        });
      let backup;
      try {
        backup = await checkBackup(req.body, {
          maxUnpackedBytes: uploadLimit * 8,
          productVersion: ctx.identity().version,
          force: req.query.force === 'yes',
        });
      } catch (err) {
        auditOf(deps, req, 'backup.restore', undefined, false, (err as Error).message);
        throw err;
      }
      const preview = {
        box: backup.manifest.box,
        createdAt: backup.manifest.createdAt,
        productVersion: backup.manifest.productVersion,
        areas: backup.areas,
        missingSecrets: backup.missingSecrets,
      };
      if (req.query.confirm !== 'yes') return { confirmed: false, preview };
      ensureRestoreSpace(ctx.dataDir, backup);
      stageRestore(ctx.dataDir, backup);
      let configApplied = false;
      const file = ctx.configFile();
      if (file) {
        await ctx.redeploy(backup.configText, 'restore');
        writeConfigFile(file, backup.configText);
        configApplied = true;
      }
      auditOf(deps, req, 'backup.restore', backup.manifest.box, true, `created ${new Date(backup.manifest.createdAt).toISOString()}`);
      return { confirmed: true, preview, configApplied, restartRequired: true };
    },
  );

  // After a restore: each device's re-sync (permissions and rules delivered, pending, failed).
  app.get('/maintenance/resync', async () => ({ restore: readRestoreState(ctx.dataDir) ?? null, devices: resyncProgress(ctx.db) }));

  app.get('/maintenance/config', async () => ({
    file: ctx.configFile() ?? null,
    text: ctx.configText(),
    problems: await validateConfigText(ctx.configText(), ctx.baseDir),
  }));

  app.post<{ Body: Static<typeof ConfigBody> }>('/maintenance/config/validate', { schema: { body: ConfigBody } }, async (req) => {
    const problems = await validateConfigText(req.body.text, ctx.baseDir);
    return { ok: blocking(problems).length === 0, problems }; // advisories (e.g. a factory password) are listed, not refused
  });

  app.get<{ Querystring: Static<typeof AuditQuery> }>('/maintenance/audit', { schema: { querystring: AuditQuery } }, async (req) =>
    deps.audit.recent(req.query.limit ?? 100),
  );
}
