/**
 * The commissioning file (`access.elevators.file`): relations and user entries an installer
 * writes without the cloud, applied at every start through the same checks as the cloud's calls.
 *
 *   relations: [ { dataId, controlMode, elevatorIotId, triggerIotId, triggerFloor, … } ]
 *   users:     [ { dataId, identityId, userTargetList, expiryTime } | { dataId, paramType, paramValue, … } ]
 *
 * A refused entry is logged with its place and reason and skipped; the others apply.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { Logger } from '../log.js';
import type { LinkageApi } from './services.js';

export interface CommissionResult {
  relations: number;
  users: number;
  refused: Array<{ at: string; reason: string }>;
}

export function applyCommissioningText(text: string, api: LinkageApi): CommissionResult {
  const doc = parseYaml(text) as { relations?: unknown; users?: unknown } | null;
  const out: CommissionResult = { relations: 0, users: 0, refused: [] };
  const list = (v: unknown, what: string): unknown[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      out.refused.push({ at: what, reason: `${what} must be a list` });
      return [];
    }
    return v;
  };
  list(doc?.relations, 'relations').forEach((r, i) => {
    try {
      api.addRelation(r, 'file');
      out.relations++;
    } catch (err) {
      out.refused.push({ at: `relations[${i}]`, reason: (err as Error).message });
    }
  });
  list(doc?.users, 'users').forEach((u, i) => {
    try {
      api.saveUser(u);
      out.users++;
    } catch (err) {
      out.refused.push({ at: `users[${i}]`, reason: (err as Error).message });
    }
  });
  return out;
}

export function applyCommissioningFile(file: string, api: LinkageApi, log: Logger): CommissionResult {
  const r = applyCommissioningText(readFileSync(file, 'utf8'), api);
  for (const p of r.refused) log.warn({ file, at: p.at, reason: p.reason }, 'elevator commissioning entry refused');
  log.info({ file, relations: r.relations, users: r.users, refused: r.refused.length }, 'elevator commissioning file applied');
  return r;
}
