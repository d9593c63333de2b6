/**
 * One relation's elevator commands run through the host, like any service call (ARCHITECTURE:
 * rules never talk to a driver directly): in order, the first failure ends it.
 */
import type { Answer } from '../errors.js';
import { splitDeviceKey } from '../thing/registry.js';
import { commandsFor } from './mapping.js';
import type { Relation, Target } from './validate.js';

export interface ElevatorHost {
  callService(pk: string, dn: string, serviceId: string, params: unknown, timeoutMs?: number): Promise<Answer>;
}

export interface Outcome {
  code: number;
  detail: string;
}

export async function executeRelation(
  host: ElevatorHost,
  r: Relation,
  elevatorKey: string,
  targets: Target[],
  timeoutMs: number,
): Promise<Outcome> {
  const [pk, dn] = splitDeviceKey(elevatorKey);
  for (const c of commandsFor(r, targets)) {
    let a: Answer;
    try {
      a = await host.callService(pk, dn, c.service, c.args, timeoutMs);
    } catch (err) {
      return { code: 500, detail: `${c.service}: ${(err as Error).message}` };
    }
    if (a.code !== 200) return { code: a.code, detail: `${c.service}: ${a.message}` };
    const data = (a.data ?? {}) as { code?: unknown; message?: unknown };
    // The seed's service result (L26576-26580): 0 success, 4 send to device fail.
    if (data.code !== undefined && data.code !== 0)
      return {
        code: Number(data.code),
        detail: `${c.service}: ${a.message && a.message !== 'success' ? a.message : String(data.message ?? '')}`,
      };
  }
  return { code: 200, detail: 'success' };
}
