/**
 * The access core's services on the gateway device itself: the cloud keeps the box's persons in
 * step with its own (seed 002 UserDTO) by calling them on the gateway's service topics.
 *   SyncPersons   { persons: [{ identityId, name?, extInfo? }] }  → { created, updated, refused }
 *   DeletePersons { identityIds: [string] }                        → { deleted }
 * At most 1000 per call. A malformed call is refused whole with 460 (Alink: request parameter error).
 */
import { ERRORS, fail, ok, type Answer } from '../errors.js';
import type { AccessCore } from './access-core.js';
import { parsePerson, type PersonInput } from './stores/person-store.js';

const MAX_PER_CALL = 1000;

const refuse = (message: string): Answer => fail(ERRORS.EDGE_ERR_REQUEST_INVALID, message);

export function accessGatewayServices(core: AccessCore, now: () => number = Date.now): Map<string, (params: unknown) => Answer> {
  return new Map([
    [
      'SyncPersons',
      (params: unknown): Answer => {
        const list = (params as { persons?: unknown } | null)?.persons;
        if (!Array.isArray(list) || list.length === 0 || list.length > MAX_PER_CALL)
          return refuse(`params.persons must be an array of 1-${MAX_PER_CALL} persons`);
        const valid: PersonInput[] = [];
        const refused: { identityId: string; reason: string }[] = [];
        for (const raw of list) {
          const p = parsePerson(raw);
          if ('refused' in p) refused.push({ identityId: p.identityId, reason: p.refused });
          else valid.push(p);
        }
        const r = core.persons.upsert(valid, now());
        return ok({ created: r.created, updated: r.updated, refused: [...refused, ...r.refused] });
      },
    ],
    [
      'DeletePersons',
      (params: unknown): Answer => {
        const ids = (params as { identityIds?: unknown } | null)?.identityIds;
        if (
          !Array.isArray(ids) ||
          ids.length === 0 ||
          ids.length > MAX_PER_CALL ||
          !ids.every((i) => typeof i === 'string' && i.length > 0)
        )
          return refuse(`params.identityIds must be an array of 1-${MAX_PER_CALL} identityIds`);
        return ok({ deleted: core.persons.remove(ids as string[]) });
      },
    ],
  ]);
}
