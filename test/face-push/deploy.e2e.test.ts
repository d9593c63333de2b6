/**
 * Face deployments through a real box to a simulated push terminal that is strict about person
 * numbers (an add of a held idNumber or an update of a missing one is 300, seed 003 L3513):
 * a new face goes as add, a changed one as update, an out-of-step ledger recovers by the other
 * operation, and a person command the terminal never answers ends as transferTimeout and, after
 * the access core's attempts, needManual.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedPushTerminal } from '../../scripts/sim/face-push/terminal.js';
import { freePort, pictureServer } from './helpers.js';
import { startBox, waitFor, type TestBox } from '../helpers/runtime.js';

const PK = 'PEFacePush';
const DN = 'FACE-PUSH-D';
const KEY = `${PK}/${DN}`;
let box: TestBox;
let term: SimulatedPushTerminal;
let files: Awaited<ReturnType<typeof pictureServer>>;
const face = (id: string, name: string) =>
  JSON.stringify({
    groupId: 'g1',
    addFaceInfos: [
      {
        faceId: id,
        faceMd5: '',
        faceUrl: `${files.url}/p.png`,
        userInfo: JSON.stringify({ userName: name, userId: `u-${id}` }),
        index: 0,
        clientTag: '',
      },
    ],
  });
const status = (id: string) => box.runtime.access!.deployments.get(KEY, 'face', id)?.status;

beforeAll(async () => {
  const port = await freePort();
  files = await pictureServer('/p.png', [90, 90, 200]);
  box = await startBox(`
drivers:
  - name: Face_Push_Deploy
    type: face-terminal-push
    config: { host: 127.0.0.1, port: ${port}, resultTimeoutMs: 1500, maxAttempts: 2, intervalsS: { heartbeat: 1, person: 1, open: 1, other: 1 } }
    devices:
      - { productKey: ${PK}, deviceName: ${DN}, custom: { deviceNo: FPD01 } }
`);
  term = new SimulatedPushTerminal({ deviceNo: 'FPD01', platformUrl: `http://127.0.0.1:${port}`, retryMs: 200 });
  await term.start();
  await waitFor(() => box.runtime.registry.get(PK, DN)?.status === 'online', 10_000);
}, 60_000);

afterAll(async () => {
  term?.stop();
  await box?.close();
  await files?.close();
});

async function deploy(id: string, name: string): Promise<void> {
  box.runtime.access!.applyFaceText(KEY, face(id, name), { features: false });
  await box.runtime.access!.facesIdle();
}

describe('person add and update', () => {
  it('adds a new face, updates a changed one, and recovers when the terminal lost the person', async () => {
    await deploy('f1', 'Ann');
    await waitFor(() => status('f1') === 'transferred', 20_000, 100);
    expect(term.personOps).toEqual(['0:f1:100']);

    await deploy('f1', 'Ann Lee');
    await waitFor(() => status('f1') === 'transferred' && term.persons.get('f1')?.name === 'Ann Lee', 20_000, 100);
    expect(term.personOps).toEqual(['0:f1:100', '1:f1:100']);

    term.persons.clear(); // the terminal was wiped behind the box's back
    await deploy('f1', 'Ann B. Lee');
    await waitFor(() => status('f1') === 'transferred' && term.persons.get('f1')?.name === 'Ann B. Lee', 20_000, 100);
    expect(term.personOps.slice(2)).toEqual(['1:f1:300', '0:f1:100']);
    expect(term.violations).toEqual([]);
  }, 90_000);
});

describe('ids longer than the terminal holds', () => {
  it('a cloud face id (36-character UUID) goes as a 32-character idNumber and maps back on acks and records', async () => {
    const uuid = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
    const short = '3f2504e04f8941d39a0c0305e82c3301';
    await deploy(uuid, 'Uma');
    await waitFor(() => status(uuid) === 'transferred', 20_000, 100);
    expect(term.persons.has(short)).toBe(true);
    expect(term.violations).toEqual([]);
    term.pass({ idNumber: short });
    await term.flushRecords();
    const rec = await waitFor(() => box.runtime.access!.records.list({ deviceKey: KEY }).find((r) => r.face_id !== null));
    expect(rec).toMatchObject({ face_id: uuid, identity_id: `u-${uuid}`, code: 0 });
  }, 60_000);
});

describe('a person command without an answer', () => {
  it('ends as transferTimeout in the access core, is retried, and becomes needManual', async () => {
    term.mute.add('person');
    const seen = new Set<string>();
    box.runtime.events.on(
      'test-deploy',
      'device.event',
      (e) => void (e.productKey === PK && e.eventId === 'commandResult' && seen.add(String(e.params.state))),
    );
    await deploy('f2', 'Bob');
    await waitFor(
      () => {
        const s = status('f2');
        if (s) seen.add(s);
        return s === 'needManual';
      },
      60_000,
      50,
    );
    const row = box.runtime.access!.deployments.get(KEY, 'face', 'f2');
    // needManual was reached from the seed's timeout cause, after the access core's 3 attempts.
    expect(row).toMatchObject({ pre_status: 'transferTimeout', attempts: 3 });
    expect(row?.error).toMatch(/sent no result/);
    expect(seen).toContain('failed'); // the queue's own end of each command, as commandResult
    expect(box.runtime.faceQueue!.active(KEY, 'person')).toEqual([]);
    expect(term.persons.has('f2')).toBe(false);

    term.mute.clear(); // a new change starts the delivery again
    await deploy('f2', 'Bob');
    await waitFor(() => status('f2') === 'transferred', 20_000, 100);
    expect(term.personOps.at(-1)).toBe('0:f2:100');
  }, 120_000);
});
