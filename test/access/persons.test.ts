/**
 * Persons on the box (seed 002 UserDTO): the cloud's add-or-update rules, hostile input, the
 * gateway services that keep them in step, faces naming their users, and a card or QR decision
 * naming its holder.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { accessGatewayServices } from '../../edge/access/gateway-services.js';
import { parsePerson, type PersonInput } from '../../edge/access/stores/person-store.js';
import { makeCore, type TestCore } from './helpers.js';

// [seed 002 L196-201] the request example of /entrance/paas/user/modify.
const SEED_PERSON = { identityId: '50acopfd3a94900494085ed2699e052432c34452', name: '王先生', extInfo: {} };
const D1 = 'PEDoor/door-01';

let t: TestCore;
afterEach(() => t?.close());

describe('persons', () => {
  it('creates with a name, updates only what is given, refuses a new person without a name, deletes', () => {
    t = makeCore();
    const p = t.core.persons;
    const parsed = parsePerson(SEED_PERSON);
    expect(parsed).toEqual({ identityId: SEED_PERSON.identityId, name: '王先生', extInfo: '{}' });
    expect(p.upsert([parsed as PersonInput], 1000)).toEqual({ created: 1, updated: 0, refused: [] });
    expect(p.get(SEED_PERSON.identityId)).toEqual({ identityId: SEED_PERSON.identityId, name: '王先生', extInfo: '{}', updatedAt: 1000 });
    // On update a field that is not given keeps its value (seed 002 L179-186).
    expect(p.upsert([{ identityId: SEED_PERSON.identityId, extInfo: '{"room":"3-1202"}' }], 2000)).toEqual({
      created: 0,
      updated: 1,
      refused: [],
    });
    expect(p.get(SEED_PERSON.identityId)).toMatchObject({ name: '王先生', extInfo: '{"room":"3-1202"}', updatedAt: 2000 });
    expect(p.upsert([{ identityId: 'nobody-yet' }], 3000).refused).toEqual([
      { identityId: 'nobody-yet', reason: 'a new person needs a name' },
    ]);
    expect(p.get('nobody-yet')).toBeUndefined();
    expect(p.count()).toBe(1);
    expect(p.remove([SEED_PERSON.identityId, 'never-there'])).toBe(1);
    expect(p.count()).toBe(0);
  });

  it('refuses malformed persons field by field', () => {
    expect(parsePerson(null)).toMatchObject({ refused: expect.stringContaining('identityId') });
    expect(parsePerson({ identityId: 42, name: 'x' })).toMatchObject({ refused: expect.stringContaining('identityId') });
    expect(parsePerson({ identityId: 'x'.repeat(65), name: 'x' })).toMatchObject({ refused: expect.stringContaining('identityId') });
    expect(parsePerson({ identityId: 'a', name: { first: 'x' } })).toMatchObject({
      identityId: 'a',
      refused: expect.stringContaining('name'),
    });
    expect(parsePerson({ identityId: 'a', name: 'x', extInfo: 'y'.repeat(3000) })).toMatchObject({
      refused: expect.stringContaining('extInfo'),
    });
    expect(parsePerson({ identityId: 'a', name: null })).toEqual({ identityId: 'a' }); // null: not given
  });

  it('SyncPersons / DeletePersons on the gateway: per-person refusals, malformed calls refused whole with 460', () => {
    t = makeCore();
    const svc = accessGatewayServices(t.core, () => 5000);
    const sync = svc.get('SyncPersons')!;
    expect(sync({ persons: [SEED_PERSON, { identityId: 'p2', name: '李女士' }, { identityId: 'p3' }, { name: 'no id' }] })).toEqual({
      code: 200,
      message: 'success',
      data: {
        created: 2,
        updated: 0,
        refused: [
          { identityId: '', reason: expect.stringContaining('identityId') },
          { identityId: 'p3', reason: 'a new person needs a name' },
        ],
      },
    });
    expect(sync({ persons: [{ identityId: 'p2', name: '李女士（业主）' }] })).toMatchObject({
      code: 200,
      data: { created: 0, updated: 1 },
    });
    expect(t.core.persons.get('p2')?.name).toBe('李女士（业主）');
    for (const bad of [
      undefined,
      null,
      {},
      { persons: 'x' },
      { persons: [] },
      { persons: Array.from({ length: 1001 }, (_, i) => ({ identityId: `p${i}`, name: 'n' })) },
    ]) {
      expect(sync(bad).code).toBe(460);
    }
    const del = svc.get('DeletePersons')!;
    expect(del({ identityIds: ['p2', 'gone'] })).toEqual({ code: 200, message: 'success', data: { deleted: 1 } });
    for (const bad of [{}, { identityIds: [] }, { identityIds: [1] }, { identityIds: [''] }]) expect(del(bad).code).toBe(460);
    expect(t.core.persons.count()).toBe(1);
  });

  it('learns the users of synced faces as persons', () => {
    t = makeCore();
    const faces = [
      {
        faceId: 'f1',
        faceMd5: '',
        faceUrl: '',
        userInfo: JSON.stringify({ userName: '张三', userId: 'u-zhang' }),
        index: 0,
        clientTag: '',
      },
      { faceId: 'f2', faceMd5: '', faceUrl: '', userInfo: JSON.stringify({ userName: '', userId: 'u-nameless' }), index: 1, clientTag: '' },
    ];
    t.core.applyFaceText(D1, JSON.stringify({ groupId: 'g1', addFaceInfos: faces }), { features: false });
    expect(t.core.persons.get('u-zhang')?.name).toBe('张三');
    expect(t.core.persons.get('u-nameless')).toBeUndefined(); // no name: nothing to show
  });

  it('names the holder of a card in the decision when the person is known', () => {
    t = makeCore();
    t.core.applyPermissionText(
      D1,
      JSON.stringify({
        tradCardPermissionList: [
          { cardId: 'card001', endTime: '1999999999000', type: 1, userId: SEED_PERSON.identityId },
          { cardId: 'card002', endTime: '1999999999000', type: 1, userId: 'stranger' },
        ],
      }),
    );
    t.core.persons.upsert([{ identityId: SEED_PERSON.identityId, name: '王先生' }], 1);
    expect(t.core.passage.decideCard(D1, 'card001', { now: 1600000000000 })).toMatchObject({
      code: 0,
      identityId: SEED_PERSON.identityId,
      name: '王先生',
    });
    expect(t.core.passage.decideCard(D1, 'card002', { now: 1600000000000 })).not.toHaveProperty('name');
  });
});
