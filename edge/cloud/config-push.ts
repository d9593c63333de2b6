/**
 * Remote config push (doc 89308 thing/config/push): the platform sends `{configId, configSize,
 * sign, signMethod:"Sha256", url, getType:"file"}`; the box fetches the file (≤ 64 KB, doc
 * 30527), checks its SHA-256, parses the driver config in it, and applies it through the
 * runtime's redeploy (only changed devices restart). An invalid config is refused whole and
 * the running one stays; a deploy that fails half-way is rolled back to the previous config.
 */
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import type { BoxConfig } from '../config/schema.js';
import { answerOf, EdgeError, edgeError, ERRORS, fail, ok, type Answer } from '../errors.js';
import type { DeployDiffSummary } from '../events.js';
import type { Logger } from '../log.js';

export const MAX_CONFIG_BYTES = 64 * 1024;

export interface ConfigPushDeps {
  log: Logger;
  config(): BoxConfig;
  redeploy(config: BoxConfig, source: string): Promise<DeployDiffSummary>;
  fetch?: typeof fetch;
}

export async function applyConfigPush(deps: ConfigPushDeps, params: unknown): Promise<Answer> {
  const text = await fetchConfig(deps, params);
  if (typeof text !== 'string') return text;
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    return fail(ERRORS.EDGE_ERR_CONFIG_INVALID, `config file is not JSON/YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { drivers?: unknown }).drivers))
    return fail(ERRORS.EDGE_ERR_CONFIG_INVALID, 'config file must be an object with a drivers array');
  const pushed = doc as { drivers: BoxConfig['drivers']; thingModels?: BoxConfig['thingModels'] };
  const previous = deps.config();
  const next: BoxConfig = {
    ...previous,
    drivers: pushed.drivers,
    ...(Array.isArray(pushed.thingModels) ? { thingModels: pushed.thingModels } : {}),
  };
  try {
    const diff = await deps.redeploy(next, 'cloud');
    deps.log.info({ diff }, 'pushed config applied');
    return ok({ diff });
  } catch (err) {
    if (err instanceof EdgeError && err.code === 'EDGE_ERR_CONFIG_INVALID') {
      // Refused before anything changed (schema, semantics or the host's own check).
      return answerOf(err);
    }
    deps.log.error({ err: (err as Error).message }, 'pushed config failed while deploying; rolling back');
    try {
      await deps.redeploy(previous, 'cloud-rollback');
    } catch (rollbackErr) {
      deps.log.fatal({ err: (rollbackErr as Error).message }, 'rollback of pushed config failed');
    }
    return answerOf(edgeError('EDGE_ERR_CONFIG_DEPLOY_FAILED', (err as Error).message));
  }
}

async function fetchConfig(deps: ConfigPushDeps, params: unknown): Promise<string | Answer> {
  if (typeof params !== 'object' || params === null) return fail(ERRORS.EDGE_ERR_REQUEST_INVALID, 'params must be an object');
  const p = params as { url?: unknown; sign?: unknown; signMethod?: unknown; configSize?: unknown; content?: unknown };
  let text: string;
  if (typeof p.content === 'string') {
    // Extension for brokers without a file service: the file inline.
    text = p.content;
  } else if (typeof p.url === 'string' && /^https?:\/\//.test(p.url)) {
    if (typeof p.configSize === 'number' && p.configSize > MAX_CONFIG_BYTES)
      return fail(ERRORS.EDGE_ERR_REQUEST_INVALID, `config of ${p.configSize} bytes exceeds ${MAX_CONFIG_BYTES}`);
    try {
      const res = await (deps.fetch ?? fetch)(p.url, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) return answerOf(edgeError('EDGE_ERR_CONFIG_DOWNLOAD', `HTTP ${res.status}`));
      const buf = Buffer.from(await res.arrayBuffer());
      if (buf.length > MAX_CONFIG_BYTES)
        return fail(ERRORS.EDGE_ERR_REQUEST_INVALID, `config of ${buf.length} bytes exceeds ${MAX_CONFIG_BYTES}`);
      text = buf.toString('utf8');
    } catch (err) {
      return answerOf(edgeError('EDGE_ERR_CONFIG_DOWNLOAD', (err as Error).message));
    }
  } else {
    return fail(ERRORS.EDGE_ERR_REQUEST_INVALID, 'params.url (http/https) or params.content is required');
  }
  if (Buffer.byteLength(text) > MAX_CONFIG_BYTES) return fail(ERRORS.EDGE_ERR_REQUEST_INVALID, `config exceeds ${MAX_CONFIG_BYTES} bytes`);
  if (typeof p.sign === 'string') {
    const method = typeof p.signMethod === 'string' ? p.signMethod.toLowerCase() : 'sha256';
    if (method !== 'sha256') return fail(ERRORS.EDGE_ERR_REQUEST_INVALID, `unsupported signMethod ${String(p.signMethod)}`);
    const digest = createHash('sha256').update(text).digest('hex');
    if (digest.toLowerCase() !== p.sign.toLowerCase())
      return fail(ERRORS.EDGE_ERR_REQUEST_INVALID, 'config file sign does not match its SHA-256');
  }
  return text;
}
