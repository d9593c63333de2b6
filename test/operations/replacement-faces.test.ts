/**
 * Host replacement with face terminals (issue 21): box A (the runtime, so faces can be given to
 * it directly as the cloud's face sync would) downloads two faces into its face library and
 * delivers them to a simulated push terminal (seed 003) and a simulated OpenAPI terminal (seed
 * 004, the box calls it). `edge backup` while A runs; box B — the built daemon on a fresh folder —
 * is restored with `edge restore`; both terminals, wiped, get both persons with their faces again
 * from B's restored face library (the picture server is gone by then), and B reports each in sync.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SimulatedOpenApiTerminal } from '../../scripts/sim/face-openapi/terminal.js';
import { SimulatedPushTerminal } from '../../scripts/sim/face-push/terminal.js';
import { startDaemon, type Daemon } from '../cloud/helpers.js';
import { pictureServer } from '../face-push/helpers.js';
import { bootRuntime, freePort } from '../helpers/runtime.js';
import { waitFor } from '../helpers/wait.js';

const MAIN = resolve(import.meta.dirname, '..', '..', 'dist', 'edge', 'main.js');
const PK = 'PEFacePush';
const DN = 'REPL-FACE-01';
const KEY = `${PK}/${DN}`;
const OA_KEY = 'PEFaceOpenApi/REPL-OA-01';
const root = mkdtempSync(join(tmpdir(), 'pe-replace-faces-'));
let daemon: Daemon | undefined;
const terminals: SimulatedPushTerminal[] = [];
const openApi: SimulatedOpenApiTerminal[] = [];

afterAll(async () => {
  for (const t of terminals) t.stop();
  for (const t of openApi) await t.stop();
  if (daemon && daemon.child.exitCode === null) daemon.child.kill('SIGKILL');
  await daemon?.exited;
  rmSync(root, { recursive: true, force: true });
});

const faceFile = (url: string) =>
  JSON.stringify({
    groupId: 'g1',
    addFaceInfos: ['f1', 'f2'].map((id, index) => ({
      faceId: id,
      faceMd5: '',
      faceUrl: `${url}/p.png`,
      userInfo: JSON.stringify({ userName: `Resident ${id}`, userId: `u-${id}` }),
      index,
      clientTag: '',
    })),
  });

describe('replacing a box with a face terminal', () => {
  it('the restored box re-sends every face from its restored face library to a wiped terminal', async () => {
    const port = await freePort();
    const a = join(root, 'a');
    mkdirSync(a);
    const oa = new SimulatedOpenApiTerminal({ port: 0, wsPort: 0, password: 'pw-oa', deviceId: 'REPL-OA-01' });
    openApi.push(oa);
    await oa.start();
    const oaPorts = { port: oa.port, wsPort: oa.wsPort }; // kept: a stopped terminal has none
    const driver = `drivers:
  - name: Face_Push_Replace
    type: face-terminal-push
    config: { host: 127.0.0.1, port: ${port}, intervalsS: { heartbeat: 1, person: 1, open: 1, other: 1 } }
    devices:
      - { productKey: ${PK}, deviceName: ${DN}, custom: { deviceNo: RF01 } }
  - name: Face_OpenApi_Replace
    type: face-terminal-openapi
    config: { host: 127.0.0.1, port: ${await freePort()}, syncPollMs: 300 }
    devices:
      - { productKey: PEFaceOpenApi, deviceName: REPL-OA-01, custom: { ip: 127.0.0.1, port: ${oa.port}, wsPort: ${oa.wsPort}, password: pw-oa, deviceId: REPL-OA-01 } }
`;
    writeFileSync(join(a, 'box.yaml'), `box: { name: site-9, dataDir: ${a} }\n${driver}`);
    const files = await pictureServer('/p.png', [90, 90, 200]);
    const boxA = bootRuntime(a, driver);
    let term: SimulatedPushTerminal;
    await boxA.start();
    term = new SimulatedPushTerminal({ deviceNo: 'RF01', platformUrl: `http://127.0.0.1:${port}`, retryMs: 200 });
    terminals.push(term);
    try {
      await term.start();
      for (const key of [KEY, OA_KEY]) boxA.access!.applyFaceText(key, faceFile(files.url), { features: false });
      await boxA.access!.facesIdle();
      for (const key of [KEY, OA_KEY])
        await waitFor(() => ['f1', 'f2'].every((f) => boxA.access!.deployments.get(key, 'face', f)?.status === 'transferred'), 20_000);
      expect(term.persons.size).toBe(2);
      expect(oa.users.size).toBe(2);
      const backup = spawnSync(process.execPath, [MAIN, 'backup', '-c', join(a, 'box.yaml'), '-o', join(root, 'site-9.tar.gz')], {
        encoding: 'utf8',
      });
      expect(backup.status, backup.stderr).toBe(0);
    } finally {
      term.stop();
      await oa.stop();
      await boxA.stop();
      await files.close(); // the pictures' origin is gone: B must use its restored library
    }

    const b = join(root, 'b');
    mkdirSync(b);
    writeFileSync(
      join(b, 'box.yaml'),
      'box: { name: spare, dataDir: ./data }\nhttp: { host: 127.0.0.1, port: 0 }\nbus: { host: 127.0.0.1, port: 0 }\n',
    );
    const restore = spawnSync(process.execPath, [MAIN, 'restore', join(root, 'site-9.tar.gz'), '-c', join(b, 'box.yaml')], {
      encoding: 'utf8',
    });
    expect(restore.status, restore.stderr).toBe(0);
    daemon = startDaemon(join(b, 'box.yaml'), b, [], true);
    const wiped = new SimulatedPushTerminal({ deviceNo: 'RF01', platformUrl: `http://127.0.0.1:${port}`, retryMs: 200 });
    terminals.push(wiped);
    // The OpenAPI terminal, wiped, at the same address: B calls it from the restored config.
    const wipedOa = new SimulatedOpenApiTerminal({ ...oaPorts, password: 'pw-oa', deviceId: 'REPL-OA-01' });
    openApi.push(wipedOa);
    await wipedOa.start();
    expect(wipedOa.users.size).toBe(0);
    await waitFor(() => /property-edge ready/.test(daemon!.out()), 20_000);
    await wiped.start();
    await waitFor(() => wiped.persons.size === 2, 30_000);
    expect([...wiped.persons.keys()].sort()).toEqual(['f1', 'f2']);
    const sent = [...wiped.persons.values()];
    expect(sent.map((p) => p.photoBytes)).toEqual([...term.persons.values()].map((p) => p.photoBytes)); // the same pictures
    expect(sent.every((p) => p.photoBytes > 0)).toBe(true);
    await waitFor(() => wipedOa.users.size === 2, 30_000).catch((err: unknown) => {
      const driverLog = join(b, 'data', 'logs', 'drivers', 'Face_OpenApi_Replace.log');
      throw new Error(`the OpenAPI terminal did not get its faces back: ${String(err)}\n${readFileSync(driverLog, 'utf8').slice(-4000)}`);
    });
    expect([...wipedOa.users.values()].map((u) => u.photoBytes)).toEqual([...oa.users.values()].map((u) => u.photoBytes));
    expect([...wipedOa.users.values()].every((u) => u.photoBytes > 0)).toBe(true);
    await waitFor(() => /restore re-sync finished/.test(daemon!.out()), 30_000);
    for (const key of [KEY, OA_KEY])
      expect(daemon.out()).toMatch(new RegExp(`"device":"${key}","synced":2,"pending":0,"failed":0,"state":"in sync"`));
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
  }, 120_000);
});
