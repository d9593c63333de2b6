/**
 * The `files:` section of the box config: the edge file service (docs/files.md). The service runs
 * when the section is there (`files: {}` is enough) and `enabled` is not false: the seed puts the
 * service on every box [seed 001 L39723-39731], but it has no authentication of its own and takes
 * writes from the LAN, so an installer turns it on and chooses the address it listens on.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { registerSectionCheck, type ConfigProblem } from '../config/sections.js';
import { edgeError } from '../errors.js';
import { LISTENER_LIMITS, type ListenerLimits } from '../../protocols/common/http-listener.js';
import { listenerLimitsSetting } from '../../protocols/common/listener-limits.js';

const Port = Type.Integer({ minimum: 0, maximum: 65535 });

/**
 * The shared device-facing limits, with more time per request: a 64 MB upload from a camera on a
 * slow LAN link takes a minute. JSON bodies (delete) stay small.
 */
export const FILES_LISTENER_LIMITS: ListenerLimits = { ...LISTENER_LIMITS, requestTimeoutMs: 300_000, maxBodyBytes: 64 * 1024 };

export const FilesConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true, description: 'run the file service (the section being there turns it on)' }),
    host: Type.String({ minLength: 1, default: '127.0.0.1', description: 'address to listen on; 0.0.0.0 for the LAN' }),
    port: Type.Intersect([Port], { default: 9102, description: 'the seed port (inside the host) [seed 001 L39731]' }),
    outsidePort: Type.Optional(Type.Intersect([Port], { description: 'a second listener, the seed port outside the host (32012)' })),
    publicHost: Type.Optional(
      Type.String({ minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9.:\\[\\]_-]+$', description: 'host named in download URLs' }),
    ),
    publicPort: Type.Optional(Type.Intersect([Port], { description: 'port named in download URLs (default: port)' })),
    dir: Type.String({ minLength: 1, default: 'files', description: 'where files are kept, relative to box.dataDir' }),
    maxFileMb: Type.Number({ minimum: 0.001, maximum: 4096, default: 64, description: 'largest file, MB' }),
    quotaMb: Type.Number({ minimum: 0.001, maximum: 10_000_000, default: 4096, description: 'disk budget of all files, MB' }),
    defaultExpireS: Type.Integer({ minimum: 0, maximum: 604_800, default: 7200, description: 'keep time when an upload names none' }),
    sweepIntervalS: Type.Integer({ minimum: 1, maximum: 3600, default: 60, description: 'how often expired files are removed' }),
    limits: listenerLimitsSetting(FILES_LISTENER_LIMITS),
  },
  { additionalProperties: false },
);

export type FilesConfig = Static<typeof FilesConfigSchema>;

export function filesConfigProblems(raw: unknown): ConfigProblem[] {
  const value = Value.Default(FilesConfigSchema, Value.Clone(raw ?? {}));
  const problems: ConfigProblem[] = [...Value.Errors(FilesConfigSchema, value)].map((e) => ({
    path: `/files${e.path}`,
    message: e.message,
    hint: 'see docs/files.md',
  }));
  if (problems.length > 0) return problems;
  const cfg = value as FilesConfig;
  if (cfg.outsidePort !== undefined && cfg.outsidePort !== 0 && cfg.outsidePort === cfg.port)
    problems.push({ path: '/files/outsidePort', message: 'the same port as files.port', hint: 'see docs/files.md' });
  if (cfg.enabled && !cfg.publicHost && (cfg.host === '0.0.0.0' || cfg.host === '::'))
    problems.push({
      path: '/files/publicHost',
      message: 'listening on every address without publicHost: download URLs name the first LAN address found',
      hint: 'set files.publicHost to the address the devices and apps reach the box on',
      advisory: true,
    });
  return problems;
}

/** The section with defaults filled in, or undefined when the service is not wanted. Throws EDGE_ERR_CONFIG_INVALID. */
export function parseFilesConfig(raw: unknown): FilesConfig | undefined {
  if (raw === undefined) return undefined;
  const problems = filesConfigProblems(raw).filter((p) => !p.advisory);
  if (problems.length > 0) throw edgeError('EDGE_ERR_CONFIG_INVALID', problems.map((p) => `${p.path.slice(1)}: ${p.message}`).join('; '));
  const cfg = Value.Default(FilesConfigSchema, Value.Clone(raw)) as FilesConfig;
  return cfg.enabled ? cfg : undefined;
}

// `edge check` and every redeploy report this section's problems with the core's.
registerSectionCheck('files', (raw) => (raw === undefined ? [] : filesConfigProblems(raw)));

/** The service's ports as configured (undefined when it does not run, or its section is invalid: the check reports that). */
export function configuredFilesPorts(
  raw: unknown,
): { host: string; port: number; outsidePort?: number; limits: ListenerLimits } | undefined {
  if (raw === undefined || filesConfigProblems(raw).some((p) => !p.advisory)) return undefined;
  const cfg = Value.Default(FilesConfigSchema, Value.Clone(raw)) as FilesConfig;
  if (!cfg.enabled) return undefined;
  return { host: cfg.host, port: cfg.port, limits: cfg.limits, ...(cfg.outsidePort !== undefined ? { outsidePort: cfg.outsidePort } : {}) };
}
