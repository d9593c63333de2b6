/**
 * Every face an OpenAPI driver takes from the access core ends in a report: a library change
 * the terminal never confirms (9.4) becomes transferTimeout after the feedback time, and an
 * unreachable API puts the whole batch in deviceOffline without using an attempt.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedOpenApiTerminal } from '../../scripts/sim/face-openapi/terminal.js';
import { freePort, pictureServer } from '../face-push/helpers.js';
import { startBox, waitFor, type TestBox } from '../helpers/runtime.js';

const PK = 'PEFaceOpenApi';
let box: TestBox;
let pull: SimulatedOpenApiTerminal;
let linkOnly: SimulatedOpenApiTerminal;
let files: Awaited<ReturnType<typeof pictureServer>>;
let pullBase = '';
const face = (id: string) => ({
  faceId: id,
  faceMd5: '',
  faceUrl: `${files.url}/p.png`,
  userInfo: JSON.stringify({ userName: id, userId: `u-${id}` }),
  index: 0,
  clientTag: '',
});
const row = (dn: string, id: string) => box.runtime.access!.deployments.get(`${PK}/${dn}`, 'face', id);

beforeAll(async () => {
  files = await pictureServer('/p.png', [200, 200, 40]);
  pull = new SimulatedOpenApiTerminal({ port: 0, wsPort: 0, password: '123456', deviceId: 'OP-1' });
  linkOnly = new SimulatedOpenApiTerminal({ port: 0, wsPort: 0, password: '123456', deviceId: 'OL-1' });
  await pull.start();
  await linkOnly.start();
  const [p1, p2, closed] = [await freePort(), await freePort(), await freePort()];
  pullBase = `http://127.0.0.1:${p1}`;
  box = await startBox(`
drivers:
  - name: Face_OpenApi_Pull_Timeout
    type: face-terminal-openapi
    config: { host: 127.0.0.1, port: ${p1}, faceSync: pull, feedbackTimeoutMs: 1000, syncPollMs: 200 }
    devices:
      - { productKey: ${PK}, deviceName: OP-1, custom: { ip: 127.0.0.1, port: ${pull.port}, wsPort: ${pull.wsPort}, deviceId: OP-1 } }
  - name: Face_OpenApi_Unreachable
    type: face-terminal-openapi
    config: { host: 127.0.0.1, port: ${p2}, syncPollMs: 300 }
    devices:
      - { productKey: ${PK}, deviceName: OL-1, custom: { ip: 127.0.0.1, port: ${closed}, wsPort: ${linkOnly.wsPort}, deviceId: OL-1 } }
`);
}, 60_000);

afterAll(async () => {
  await box?.close();
  await pull?.stop();
  await linkOnly?.stop();
  await files?.close();
});

describe('face deployments that get no confirmation', () => {
  it('pull: a library change without 9.4 feedback becomes transferTimeout, then a confirmed pull delivers it', async () => {
    box.runtime.access!.applyFaceText(`${PK}/OP-1`, JSON.stringify({ groupId: 'gp', addFaceInfos: [face('t1')] }), { features: false });
    await box.runtime.access!.facesIdle();
    // The terminal takes the change (9.1) but never answers 9.4.
    const taken = await waitFor(
      async () => {
        const r = (await fetch(`${pullBase}/syrecord/OP-1?lastQueryTime=1`).then((x) => x.json())) as {
          serviceResponse?: { list?: unknown[] };
          list?: unknown[];
        };
        const list = r.serviceResponse?.list ?? r.list ?? [];
        return list.length > 0 ? list : undefined;
      },
      20_000,
      200,
    );
    expect(taken).toHaveLength(1);
    expect(row('OP-1', 't1')?.status).toBe('transferring');
    await waitFor(() => row('OP-1', 't1')?.status === 'transferTimeout', 15_000, 100);
    expect(row('OP-1', 't1')).toMatchObject({ attempts: 1, error: expect.stringMatching(/feedback/) });

    await waitFor(async () => (await pull.pullLibrary(pullBase)).saved > 0, 20_000, 300);
    await waitFor(() => row('OP-1', 't1')?.status === 'transferred', 10_000, 100);
    expect(pull.users.has('t1')).toBe(true);
  }, 60_000);

  it('api: an unreachable terminal API puts the whole batch in deviceOffline without using attempts', async () => {
    await waitFor(() => box.runtime.registry.get(PK, 'OL-1')?.status === 'online', 20_000, 100); // the record link is up
    box.runtime.access!.applyFaceText(`${PK}/OL-1`, JSON.stringify({ groupId: 'gl', addFaceInfos: [face('o1'), face('o2'), face('o3')] }), {
      features: false,
    });
    await box.runtime.access!.facesIdle();
    await waitFor(() => ['o1', 'o2', 'o3'].every((id) => row('OL-1', id)?.status === 'deviceOffline'), 20_000, 50);
    for (const id of ['o1', 'o2', 'o3'])
      expect(row('OL-1', id)).toMatchObject({ attempts: 0, error: expect.stringMatching(/unreachable/) });
    expect(linkOnly.users.size).toBe(0);
  }, 60_000);
});
