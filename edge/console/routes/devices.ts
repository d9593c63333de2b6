/**
 * Devices: list with search and status filter, one device with its thing model and shadow,
 * live values over SSE, property writes and service calls (answers as the driver gave them,
 * `{code, message, data}`, a failed one with `errorCode`: the catalogue code the UI translates).
 */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { ERRORS, succeeded, type Answer, type ErrorCode } from '../../errors.js';
import type { Device } from '../../thing/registry.js';
import { tslJson } from '../../thing/tsl.js';
import { auditOf, type ConsoleDeps } from '../deps.js';
import { fail } from '../http-errors.js';
import { deviceKey } from '../../host/sdk/device-key.js';

const DeviceParams = Type.Object({
  pk: Type.String({ minLength: 1, maxLength: 64 }),
  dn: Type.String({ minLength: 1, maxLength: 64 }),
});
const ListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 100 })),
  status: Type.Optional(
    Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('notActivated'), Type.Literal('disabled'), Type.Literal('')]),
  ),
  driver: Type.Optional(Type.String({ maxLength: 64 })),
});
const ParamsBody = Type.Object({ params: Type.Record(Type.String(), Type.Unknown()) }, { additionalProperties: false });
const ServiceParams = Type.Object({
  pk: Type.String({ minLength: 1, maxLength: 64 }),
  dn: Type.String({ minLength: 1, maxLength: 64 }),
  service: Type.String({ minLength: 1, maxLength: 64 }),
});
const StreamQuery = Type.Object({ device: Type.Optional(Type.String({ maxLength: 130 })) });

// Several catalogue entries share an Alink code: the first one (the drivers' own entries come
// first in ERRORS) names it, which is the general meaning the UI shows before the driver's message.
const CODE_OF_ALINK = new Map<number, ErrorCode>();
for (const [code, spec] of Object.entries(ERRORS) as [ErrorCode, (typeof ERRORS)[ErrorCode]][])
  if (!CODE_OF_ALINK.has(spec.alink)) CODE_OF_ALINK.set(spec.alink, code);

/** A failed answer gets the catalogue code of its Alink code, for the UI's plain-language text. */
function withErrorCode(answer: Answer<unknown>): Answer<unknown> & { errorCode?: ErrorCode } {
  const errorCode = succeeded(answer) ? undefined : CODE_OF_ALINK.get(answer.code);
  return errorCode ? { ...answer, errorCode } : answer;
}

function summary(d: Device) {
  return {
    productKey: d.productKey,
    deviceName: d.deviceName,
    alias: d.alias ?? null,
    driver: d.driver,
    status: d.status,
    statusReason: d.statusReason ?? null,
    lastSeen: d.lastSeen || null,
  };
}

export async function deviceRoutes(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const { ctx } = deps;

  app.get<{ Querystring: Static<typeof ListQuery> }>('/devices', { schema: { querystring: ListQuery } }, async (req) => {
    const q = req.query.q?.trim().toLowerCase();
    return ctx.registry
      .list()
      .filter((d) => !req.query.status || d.status === req.query.status)
      .filter((d) => !req.query.driver || d.driver === req.query.driver)
      .filter((d) => !q || [d.productKey, d.deviceName, d.alias ?? '', d.driver].some((s) => s.toLowerCase().includes(q)))
      .map(summary);
  });

  app.get<{ Params: Static<typeof DeviceParams> }>('/devices/:pk/:dn', { schema: { params: DeviceParams } }, async (req, reply) => {
    const d = ctx.registry.get(req.params.pk, req.params.dn);
    if (!d) return fail(reply, 'EDGE_ERR_DEVICE_UNKNOWN', req.params.pk, req.params.dn);
    return { ...summary(d), model: tslJson(d.model.tsl), values: Object.fromEntries(d.shadow) };
  });

  app.post<{ Params: Static<typeof DeviceParams>; Body: Static<typeof ParamsBody> }>(
    '/devices/:pk/:dn/properties',
    { schema: { params: DeviceParams, body: ParamsBody } },
    async (req) => {
      const { pk, dn } = req.params;
      const answer = await ctx.host.setProperties(pk, dn, req.body.params);
      auditOf(
        deps,
        req,
        'device.set',
        deviceKey(pk, dn),
        succeeded(answer),
        `keys=${Object.keys(req.body.params).join(',')} code=${answer.code}`,
      );
      return withErrorCode(answer);
    },
  );

  app.post<{ Params: Static<typeof ServiceParams>; Body: Static<typeof ParamsBody> }>(
    '/devices/:pk/:dn/services/:service',
    { schema: { params: ServiceParams, body: ParamsBody } },
    async (req) => {
      const { pk, dn, service } = req.params;
      const answer = await ctx.host.callService(pk, dn, service, req.body.params);
      auditOf(deps, req, 'device.service', deviceKey(pk, dn), succeeded(answer), `service=${service} code=${answer.code}`);
      return withErrorCode(answer);
    },
  );

  app.get<{ Querystring: Static<typeof StreamQuery> }>('/stream', { schema: { querystring: StreamQuery } }, async (req, reply) => {
    reply.hijack();
    deps.live.attach(reply.raw, req.query.device || undefined, req.consoleSession?.id);
  });
}
