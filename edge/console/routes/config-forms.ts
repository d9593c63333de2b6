/**
 * Driver and device forms: what the forms are built from (each installed driver's settings
 * schemas, the products with a thing model, the drivers as written in the config), the preview
 * of one form edit (the new config text, its line diff, and the daemon's own check with every
 * problem on its line), the config check with lines for the YAML view, and a driver's
 * `discover` (BACnet Who-Is, ONVIF WS-Discovery) so a found device goes into a form.
 * The deploy itself is `POST /config/redeploy` (routes/drivers.ts) with the previewed text.
 */
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { parse as parseYaml } from 'yaml';
import { blocking } from '../../config/load.js';
import { BUILTIN_DRIVERS_DIR, BUILTIN_TSL_DIR, resolveDriverModule } from '../../config/paths.js';
import { DeviceSchema } from '../../config/schema.js';
import { ALINK, ERRORS, type ErrorCode } from '../../errors.js';
import { settingsOfDriver } from '../../host/driver-settings.js';
import { DRIVER_ERRORS } from '../../host/sdk/answer.js';
import { ThingModelLibrary } from '../../thing/library.js';
import { auditOf, type ConsoleDeps } from '../deps.js';
import { fail } from '../http-errors.js';
import { applyDriverEdit, EditError, lineDiff, placeProblems, YAML_OPTIONS } from '../config-text.js';
import { validateConfigText } from './maintenance.js';

const Settings = Type.Record(Type.String(), Type.Unknown());
const DriverForm = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    type: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    module: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    config: Type.Optional(Settings),
    devices: Type.Array(DeviceSchema, { maxItems: 10_000 }),
  },
  { additionalProperties: false },
);
const EditBody = Type.Object(
  { of: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), driver: Type.Optional(DriverForm) },
  { additionalProperties: false },
);
const TextBody = Type.Object({ text: Type.String({ maxLength: 2 * 1024 * 1024 }) }, { additionalProperties: false });
const NameParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });
const DiscoverBody = Type.Object(
  {
    targets: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Za-z0-9_.-]+(:\\d{1,5})?$' }), { maxItems: 64 })),
    broadcast: Type.Optional(Type.String({ pattern: '^[0-9.]+(:\\d{1,5})?$' })),
    waitMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 30_000 })),
  },
  { additionalProperties: false },
);

/** The built-in driver types with their settings schemas (JSON; TypeBox schemas are JSON Schema). */
async function driverTypes(): Promise<Array<{ type: string; products: readonly string[] | null; config: unknown; device: unknown }>> {
  const out = [];
  for (const type of readdirSync(BUILTIN_DRIVERS_DIR).sort()) {
    const entry = resolveDriverModule({ type });
    if (!existsSync(entry)) continue; // a shared folder (eba-shared, face-shared), not a driver
    const s = await settingsOfDriver(entry);
    if (s) out.push({ type, products: s.products ?? null, config: s.config, device: s.device });
  }
  return out;
}

/**
 * The error a driver's answer code stands for (the answer's own message kept): looked up in the
 * codes a driver answers with, so 460 is a bad request and not, say, an invalid box config.
 */
function errorOfAnswer(code: number): ErrorCode {
  const found = (Object.keys(DRIVER_ERRORS) as Array<keyof typeof DRIVER_ERRORS>).find((k) => DRIVER_ERRORS[k].alink === code);
  return found && found in ERRORS ? (found as ErrorCode) : 'EDGE_ERR_DRIVER_FAILED';
}

export async function configFormRoutes(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const { ctx } = deps;
  const types = driverTypes();

  app.get('/config/forms', async () => {
    const raw = (parseYaml(ctx.configText(), YAML_OPTIONS) ?? {}) as { drivers?: unknown[]; thingModels?: string[] };
    const models = ThingModelLibrary.fromDirs([BUILTIN_TSL_DIR, ...(raw.thingModels ?? []).map((d) => resolve(ctx.baseDir, d))]);
    return { drivers: raw.drivers ?? [], types: await types, products: models.productKeys().sort() };
  });

  app.post<{ Body: Static<typeof EditBody> }>('/config/forms/preview', { schema: { body: EditBody } }, async (req, reply) => {
    if (!req.body.of && !req.body.driver) return fail(reply, 'EDGE_ERR_REQUEST_INVALID', 'name a driver (of) or give one (driver)');
    const before = ctx.configText();
    let text: string;
    try {
      text = applyDriverEdit(before, req.body);
    } catch (err) {
      if (err instanceof EditError) return fail(reply, 'EDGE_ERR_REQUEST_INVALID', err.message);
      throw err;
    }
    const problems = placeProblems(text, await validateConfigText(text, ctx.baseDir));
    return { ok: blocking(problems).length === 0, base: before, text, diff: lineDiff(before, text), problems };
  });

  // The YAML view's check: the maintenance check's problems with their lines.
  app.post<{ Body: Static<typeof TextBody> }>('/config/check', { schema: { body: TextBody } }, async (req) => {
    const problems = placeProblems(req.body.text, await validateConfigText(req.body.text, ctx.baseDir));
    return { ok: blocking(problems).length === 0, problems };
  });

  app.post<{ Params: Static<typeof NameParams>; Body: Static<typeof DiscoverBody> }>(
    '/drivers/:name/discover',
    { schema: { params: NameParams, body: DiscoverBody } },
    async (req, reply) => {
      const wait = req.body.waitMs ?? 2000;
      const answer = await ctx.host.discover(req.params.name, req.body, wait + 30_000);
      auditOf(deps, req, 'driver.discover', req.params.name, answer.code === ALINK.SUCCESS);
      if (answer.code !== ALINK.SUCCESS) {
        // The driver's own message says why (no discovery, a probe that failed).
        const code = errorOfAnswer(answer.code);
        return reply.code(ERRORS[code].status).send({ error: { code, message: answer.message } });
      }
      return { devices: Array.isArray(answer.data) ? answer.data : [] };
    },
  );
}
