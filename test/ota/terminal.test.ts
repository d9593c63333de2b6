/**
 * Terminal firmware over OTA through the seed-003 `upgrade` command: the box (real driver
 * process, durable command queue) and the face-push terminal simulator. The notice for the
 * sub-device is verified, queued as `update` with the file's length as `updateKey`, and the
 * terminal's progress (501 downloading) and success (100) come back as steps.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtaAgent } from '../../edge/ota/agent.js';
import { OTA_STEP, otaTopics } from '../../edge/ota/messages.js';
import { subDeviceFirmware } from '../../edge/ota/sub-devices.js';
import { stepOfTerminalCode } from '../../edge/ota/terminal-target.js';
import { silentLogger } from '../../edge/log.js';
import { SimulatedPushTerminal } from '../../scripts/sim/face-push/terminal.js';
import { freePort } from '../face-push/helpers.js';
import { startBox, waitFor, type TestBox } from '../helpers/runtime.js';
import { firmwareOf, firmwareServer, type FirmwareServer } from './fixtures.js';

const GW = { productKey: 'PEGateway', deviceName: 'box-01' };
const PK = 'PEFacePush';
const DN = 'FACE-PUSH-01';
let box: TestBox;
let term: SimulatedPushTerminal;
let srv: FirmwareServer;

beforeAll(async () => {
  const port = await freePort();
  srv = await firmwareServer();
  box = await startBox(`
drivers:
  - name: Face_Push
    type: face-terminal-push
    config: { host: 127.0.0.1, port: ${port}, pathPrefix: /push, commandWaitMs: 300, intervalsS: { heartbeat: 1, person: 1, open: 1, update: 1, other: 1 } }
    devices:
      - { productKey: ${PK}, deviceName: ${DN}, custom: { deviceNo: FP0001, ip: 127.0.0.1 } }
`);
  term = new SimulatedPushTerminal({ deviceNo: 'FP0001', platformUrl: `http://127.0.0.1:${port}/push`, retryMs: 200 });
  await term.start();
}, 60_000);

afterAll(async () => {
  term?.stop();
  await box?.close();
  await srv?.close();
});

describe('terminal firmware OTA (seed 003 upgrade)', () => {
  it('queues the upgrade for the terminal and reports its progress and outcome per step', async () => {
    const rt = box.runtime;
    await waitFor(() => rt.registry.get(PK, DN)?.status === 'online', { timeoutMs: 20_000, what: 'terminal online' });
    const sub = subDeviceFirmware({
      log: silentLogger(),
      devices: () => rt.registry.list(),
      driverType: (name) => rt.host.configs.find((c) => c.name === name)?.type,
      callService: (pk, dn, id, params) => rt.host.callService(pk, dn, id, params),
      queue: rt.faceQueue,
      terminalTimeoutMs: 30_000,
    });
    const sent: Array<{ topic: string; params: Record<string, string> }> = [];
    let id = 0;
    const agent = new OtaAgent({
      log: silentLogger(),
      gateway: GW,
      publish: (topic, body) => sent.push({ topic, params: (JSON.parse(body) as { params: Record<string, string> }).params }) > 0,
      nextId: () => String(++id),
      target: (d) => sub.target(d),
      versions: () => sub.versions(),
      workDir: join(box.dir, 'ota'),
      freeBytes: async () => 1024 ** 3,
    });
    const data = randomBytes(30_000);
    srv.put('face.bin', data);
    const fw = firmwareOf(data, srv.url('face.bin'), { version: 'V2.0' });
    agent.handle(otaTopics.upgrade(PK, DN), Buffer.from(JSON.stringify({ code: '1000', id: 1, data: fw })));
    await agent.idle();
    const steps = sent.filter((s) => s.topic === otaTopics.progress(PK, DN)).map((s) => Number(s.params.step));
    expect(steps).toContain(80); // queued
    expect(steps).toContain(85); // the terminal's 501 downloading
    expect(steps.at(-1)).toBe(100);
    expect(sent.at(-1)).toEqual({ topic: otaTopics.inform(PK, DN), params: { version: 'V2.0', module: 'default' } });
    // The command the terminal got: the file's length as updateKey (seed 003 L831), an HTTP URL.
    const cmd = rt.faceQueue?.active(`${PK}/${DN}`, 'update', 10);
    expect(cmd).toEqual([]); // finished, not waiting
    // A gateway module nobody serves and a device with no upgrade path are refused with -1.
    expect(sub.target({ productKey: 'PEDemoMeter', deviceName: 'm1' })).toBeUndefined();
  }, 60_000);

  it('maps the terminal codes of seed 003 to OTA steps', () => {
    expect(stepOfTerminalCode('501')).toMatchObject({ progress: 85 });
    expect(stepOfTerminalCode('500')).toMatchObject({ progress: 90 });
    expect(stepOfTerminalCode('502')).toMatchObject({ fail: OTA_STEP.DOWNLOAD_FAILED });
    expect(stepOfTerminalCode('504')).toMatchObject({ fail: OTA_STEP.VERIFY_FAILED });
    expect(stepOfTerminalCode('506')).toMatchObject({ fail: OTA_STEP.INSTALL_FAILED });
    expect(stepOfTerminalCode('507')).toMatchObject({ fail: OTA_STEP.UPGRADE_FAILED });
    expect(stepOfTerminalCode('100')).toBeUndefined();
  });
});
