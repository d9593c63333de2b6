/**
 * The GB28181 cameras in the console (docs/video.md): `GET /api/cameras` the configured cameras
 * and NVRs with their channels and registry status and the discovered list; `POST
 * /api/cameras/accept` turns a discovered device or channel into a configured one — the same
 * config edit as `edge cameras accept` (edge/video/cameras.ts), deployed at once and saved like
 * the config editor's redeploy.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { writeConfigFile } from '../../config/config-file.js';
import { ConfigError, parseConfig } from '../../config/load.js';
import { keyOf } from '../../host/sdk/device-key.js';
import { AcceptError, acceptCamera, cameraView, type CameraView } from '../../video/cameras.js';
import { auditOf, type ConsoleDeps } from '../deps.js';
import { fail } from '../http-errors.js';

const AcceptBody = Type.Object(
  {
    gbId: Type.String({ pattern: '^\\d{20}$' }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    alias: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    nvr: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export async function cameraRoutes(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const { ctx } = deps;

  /** The view with each configured device's state from the registry (the box knows better than its log). */
  function view(): CameraView {
    const v = cameraView(parseConfig(ctx.configText()), ctx.dataDir);
    const status = new Map(ctx.registry.list().map((d) => [keyOf(d), d.status]));
    const stateOf = (pk: string, dn: string) => {
      const s = status.get(keyOf({ productKey: pk, deviceName: dn }));
      return s === 'online' ? ('online' as const) : s === undefined ? ('unknown' as const) : ('offline' as const);
    };
    for (const c of v.configured) {
      c.state = stateOf(c.productKey, c.deviceName);
      for (const ch of c.channels) ch.state = stateOf(ch.productKey, ch.deviceName);
    }
    return v;
  }

  app.get('/cameras', async () => view());

  app.post<{ Body: Static<typeof AcceptBody> }>('/cameras/accept', { schema: { body: AcceptBody } }, async (req, reply) => {
    const { gbId, ...o } = req.body;
    let r: ReturnType<typeof acceptCamera>;
    try {
      r = acceptCamera(ctx.configText(), view(), gbId, o);
    } catch (err) {
      if (err instanceof AcceptError) return fail(reply, 'EDGE_ERR_CONFIG_INVALID', err.message);
      throw err;
    }
    try {
      const diff = await ctx.redeploy(r.text, 'console');
      const file = ctx.configFile();
      if (file) writeConfigFile(file, r.text);
      auditOf(deps, req, 'cameras.accept', gbId, true, JSON.stringify(r.device));
      return { ok: true, device: r.device, driver: r.driver, diff };
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      auditOf(deps, req, 'cameras.accept', gbId, false, `${err.problems.length} problems`);
      return reply.code(400).send({ error: { code: err.code, message: err.message, problems: err.problems } });
    }
  });
}
