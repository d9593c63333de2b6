/**
 * The `dataModel:` section of the box config: the edge data-model API (docs/apps.md, "Edge
 * data-model API"). It runs when the section is there (`dataModel: {}` is enough) or when the box
 * hosts apps (an `apps:` section: the apps' `iot.hosting.api.domain` points here), unless
 * `enabled: false`. It listens on 127.0.0.1 by default: the apps run on the box.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { callbackUrlProblem } from './callbacks.js';
import { registerSectionCheck, type ConfigProblem } from '../config/sections.js';
import { edgeError } from '../errors.js';
import { LISTENER_LIMITS, type ListenerLimits } from '../../protocols/common/http-listener.js';
import { listenerLimitsSetting } from '../../protocols/common/listener-limits.js';
import { MODEL_ID_PATTERN } from './properties.js';

const Port = Type.Integer({ minimum: 0, maximum: 65535 });

/**
 * Every app calls from the box itself, so all of them share one source address (127.0.0.1): the
 * per-source rate is the whole box's, and set well above what the shared device default allows.
 */
export const DATAMODEL_LISTENER_LIMITS: ListenerLimits = {
  ...LISTENER_LIMITS,
  requestTimeoutMs: 300_000,
  maxBodyBytes: 256 * 1024,
  perSourceRequestsPerS: 1000,
  perSourceBurst: 2000,
  perSourceConnections: 256,
};

const SubscriberSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'the subscriber: its topics are /edge/datamodel/<name>/…' }),
    models: Type.Array(Type.String({ pattern: `^(\\*|${MODEL_ID_PATTERN.source.slice(1, -1)})$` }), {
      minItems: 1,
      maxItems: 256,
      description: 'the data models it receives; "*" for all',
    }),
    callbackUrl: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 2048,
        description: 'deliver by HTTP POST here (a 2xx answer acknowledges) instead of the local bus; loopback or a callbackHosts host',
      }),
    ),
  },
  { additionalProperties: false },
);

export const DataModelConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'run the data-model API (the section, or an apps section, turns it on)' }),
    host: Type.String({ minLength: 1, default: '127.0.0.1', description: 'address to listen on' }),
    port: Type.Intersect([Port], { default: 10061, description: 'the port of iot.hosting.api.domain' }),
    publicHost: Type.Optional(
      Type.String({ minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9.:\\[\\]_-]+$', description: 'host named in upload URLs' }),
    ),
    maxPropertiesKb: Type.Integer({
      minimum: 1,
      maximum: 1024,
      default: 64,
      description: 'largest properties object of a record (JSON), KB',
    }),
    retentionDays: Type.Integer({ minimum: 1, maximum: 3650, default: 30, description: 'records older than this are removed' }),
    maxRecords: Type.Integer({
      minimum: 100,
      maximum: 100_000_000,
      default: 1_000_000,
      description: 'records kept at most; the oldest go',
    }),
    maxMb: Type.Number({ minimum: 0.1, maximum: 100_000, default: 512, description: 'properties bytes kept at most, MB; the oldest go' }),
    uploadUrlTtlS: Type.Integer({ minimum: 10, maximum: 86_400, default: 900, description: 'time to PUT the bytes after an upload call' }),
    fileKeepDays: Type.Integer({
      minimum: 1,
      maximum: 3650,
      default: 30,
      description: 'how long uploaded files are kept in the file service',
    }),
    ackTimeoutS: Type.Integer({
      minimum: 1,
      maximum: 3600,
      default: 30,
      description: 'a delivery not acknowledged within this is sent again',
    }),
    maxBackoffS: Type.Integer({ minimum: 1, maximum: 86_400, default: 600, description: 'longest wait between redeliveries' }),
    maxDeliveries: Type.Integer({
      minimum: 1,
      maximum: 1000,
      default: 20,
      description: 'deliveries of one record to one subscriber at most',
    }),
    maxPendingPerSubscriber: Type.Integer({
      minimum: 10,
      maximum: 10_000_000,
      default: 100_000,
      description: 'unacknowledged records kept per subscriber',
    }),
    subscribers: Type.Array(SubscriberSchema, {
      default: [],
      maxItems: 256,
      description: 'local-bus subscribers with acknowledged delivery',
    }),
    callbackHosts: Type.Array(Type.String({ minLength: 1, maxLength: 253 }), {
      default: [],
      maxItems: 64,
      description: 'hosts besides the box itself that subscriber callbacks may name',
    }),
    limits: listenerLimitsSetting(DATAMODEL_LISTENER_LIMITS),
  },
  { additionalProperties: false },
);

export type DataModelConfig = Static<typeof DataModelConfigSchema>;

const HINT = 'see docs/apps.md, "Edge data-model API"';

export function dataModelConfigProblems(raw: unknown): ConfigProblem[] {
  const value = Value.Default(DataModelConfigSchema, Value.Clone(raw ?? {}));
  const problems: ConfigProblem[] = [...Value.Errors(DataModelConfigSchema, value)].map((e) => ({
    path: `/dataModel${e.path}`,
    message: e.message,
    hint: HINT,
  }));
  if (problems.length > 0) return problems;
  const cfg = value as DataModelConfig;
  const names = new Set<string>();
  for (const [i, s] of cfg.subscribers.entries()) {
    if (names.has(s.name))
      problems.push({ path: `/dataModel/subscribers/${i}/name`, message: `subscriber ${s.name} named twice`, hint: HINT });
    names.add(s.name);
    const bad = s.callbackUrl === undefined ? undefined : callbackUrlProblem(s.callbackUrl, cfg.callbackHosts);
    if (bad)
      problems.push({
        path: `/dataModel/subscribers/${i}/callbackUrl`,
        message: bad,
        hint: 'a callback on the box (127.0.0.1) or on a host listed in dataModel.callbackHosts',
      });
  }
  if (cfg.enabled && cfg.host !== '127.0.0.1' && cfg.host !== '::1' && cfg.host !== 'localhost')
    problems.push({
      path: '/dataModel/host',
      message: 'the data-model API listens beyond the box: anyone who can reach it can try app keys',
      hint: 'keep dataModel.host on 127.0.0.1 unless apps run elsewhere',
      advisory: true,
    });
  return problems;
}

/**
 * The section with defaults, or undefined when the API is not wanted: no section and no apps, or
 * `enabled: false`. Throws EDGE_ERR_CONFIG_INVALID.
 */
export function parseDataModelConfig(raw: unknown, appsPresent: boolean): DataModelConfig | undefined {
  if (raw === undefined && !appsPresent) return undefined;
  const problems = dataModelConfigProblems(raw).filter((p) => !p.advisory);
  if (problems.length > 0) throw edgeError('EDGE_ERR_CONFIG_INVALID', problems.map((p) => `${p.path.slice(1)}: ${p.message}`).join('; '));
  const cfg = Value.Default(DataModelConfigSchema, Value.Clone(raw ?? {})) as DataModelConfig;
  return cfg.enabled ? cfg : undefined;
}

// `edge check` and every redeploy report this section's problems with the core's.
registerSectionCheck('dataModel', (raw) => (raw === undefined ? [] : dataModelConfigProblems(raw)));

/** The API's port as configured (undefined when it does not run, or its section is invalid: the check reports that). */
export function configuredDataModelPort(
  raw: unknown,
  appsPresent: boolean,
): { host: string; port: number; limits: ListenerLimits } | undefined {
  if (raw === undefined && !appsPresent) return undefined;
  if (dataModelConfigProblems(raw).some((p) => !p.advisory)) return undefined;
  const cfg = Value.Default(DataModelConfigSchema, Value.Clone(raw ?? {})) as DataModelConfig;
  return cfg.enabled ? { host: cfg.host, port: cfg.port, limits: cfg.limits } : undefined;
}
