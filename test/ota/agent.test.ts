import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OtaAgent, type OtaTarget } from '../../edge/ota/agent.js';
import { OTA_STEP, OtaError, otaTopics } from '../../edge/ota/messages.js';
import { silentLogger } from '../../edge/log.js';
import { waitFor } from '../helpers/wait.js';
import { firmwareOf, firmwareServer, type FirmwareServer } from './fixtures.js';

const GW = { productKey: 'PEGateway', deviceName: 'box-01' };
let srv: FirmwareServer;
let dir: string;

beforeAll(async () => {
  srv = await firmwareServer();
  dir = mkdtempSync(join(tmpdir(), 'pe-ota-agent-'));
});
afterAll(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Sent {
  topic: string;
  body: { id: string; params: Record<string, string> };
}

function rig(targets: Record<string, OtaTarget>) {
  const sent: Sent[] = [];
  let id = 0;
  const agent = new OtaAgent({
    log: silentLogger(),
    gateway: GW,
    publish: (topic, body) => {
      sent.push({ topic, body: JSON.parse(body) as Sent['body'] });
      return true;
    },
    nextId: () => String(++id),
    target: (_d, module) => targets[module],
    versions: () => [{ ...GW, module: 'default', version: '1.0.0' }],
    workDir: dir,
    freeBytes: async () => 1024 ** 3,
    retry: { minMs: 10, maxMs: 50 },
  });
  const steps = (module: string) =>
    sent
      .filter((s) => s.topic === otaTopics.progress(GW.productKey, GW.deviceName) && s.body.params.module === module)
      .map((s) => Number(s.body.params.step));
  return { agent, sent, steps };
}

const notice = (data: Record<string, unknown>) => Buffer.from(JSON.stringify({ code: '1000', id: 7, message: 'success', data }));
const upgradeTopic = otaTopics.upgrade(GW.productKey, GW.deviceName);

describe('OTA agent', () => {
  it('downloads, verifies, installs, reports each step and the new version', async () => {
    const data = randomBytes(50_000);
    srv.put('drv.tgz', data);
    const installed: string[] = [];
    const target: OtaTarget = {
      what: 'driver demo',
      unpackFactor: 2,
      install: async (file, fw, report) => {
        installed.push(readFileSync(file).equals(data) ? fw.version : 'corrupt');
        report(90, 'switched');
        return 'running';
      },
    };
    const { agent, sent, steps } = rig({ 'driver-demo': target });
    const fw = firmwareOf(data, srv.url('drv.tgz'), { module: 'driver-demo', version: '1.1.0' });
    expect(agent.handle(upgradeTopic, notice({ ...fw }))).toBe(true);
    await agent.idle();
    expect(installed).toEqual(['1.1.0']);
    const s = steps('driver-demo');
    expect(s[0]).toBe(1);
    expect(s.slice(-3)).toEqual([75, 90, 100]);
    expect(s).toEqual([...s].sort((a, b) => a - b));
    const inform = sent.filter((m) => m.topic === otaTopics.inform(GW.productKey, GW.deviceName));
    expect(inform.at(-1)?.body.params).toEqual({ version: '1.1.0', module: 'driver-demo' });
  });

  it('reports version on connect', () => {
    const { agent, sent } = rig({});
    agent.informAll();
    expect(sent).toEqual([
      { topic: '/ota/device/inform/PEGateway/box-01', body: { id: '1', params: { version: '1.0.0', module: 'default' } } },
    ]);
  });

  it('refuses a bad checksum with -3 and never installs it', async () => {
    const data = randomBytes(5000);
    srv.put('evil.tgz', data);
    let calls = 0;
    const { agent, steps } = rig({
      m: {
        what: 't',
        unpackFactor: 1,
        install: async () => {
          calls++;
          return 'running';
        },
      },
    });
    agent.handle(upgradeTopic, notice({ ...firmwareOf(data, srv.url('evil.tgz'), { module: 'm', sign: '0'.repeat(64) }) }));
    await agent.idle();
    expect(calls).toBe(0);
    expect(steps('m').at(-1)).toBe(OTA_STEP.VERIFY_FAILED);
  });

  it('reports the target failure code (-4) and an unknown module (-1)', async () => {
    const data = randomBytes(3000);
    srv.put('crash.tgz', data);
    const { agent, steps } = rig({
      crash: {
        what: 't',
        unpackFactor: 1,
        install: async () => {
          throw new OtaError(OTA_STEP.INSTALL_FAILED, 'did not reach running; rolled back');
        },
      },
    });
    agent.handle(upgradeTopic, notice({ ...firmwareOf(data, srv.url('crash.tgz'), { module: 'crash' }) }));
    agent.handle(upgradeTopic, notice({ ...firmwareOf(data, srv.url('crash.tgz'), { module: 'nobody' }) }));
    await agent.idle();
    expect(steps('crash').at(-1)).toBe(OTA_STEP.INSTALL_FAILED);
    expect(steps('nobody').at(-1)).toBe(OTA_STEP.UPGRADE_FAILED);
  });

  it('never runs two upgrades of one target at once', async () => {
    const data = randomBytes(3000);
    srv.put('slow.tgz', data);
    let release: () => void = () => undefined;
    let running = 0;
    let maxRunning = 0;
    const gate = new Promise<void>((r) => (release = r));
    const { agent, steps } = rig({
      slow: {
        what: 't',
        unpackFactor: 1,
        install: async () => {
          maxRunning = Math.max(maxRunning, ++running);
          await gate;
          running--;
          return 'running';
        },
      },
    });
    const fw = firmwareOf(data, srv.url('slow.tgz'), { module: 'slow' });
    agent.handle(upgradeTopic, notice({ ...fw }));
    await waitFor(() => running === 1, { what: 'first install running' });
    agent.handle(upgradeTopic, notice({ ...fw, version: '3.0.0' }));
    expect(steps('slow').at(-1)).toBe(OTA_STEP.UPGRADE_FAILED);
    release();
    await agent.idle();
    expect(maxRunning).toBe(1);
    expect(steps('slow').at(-1)).toBe(100);
  });

  it('requests firmware and upgrades from the reply; bad messages are dropped or refused, never a crash', async () => {
    const data = randomBytes(2000);
    srv.put('asked.tgz', data);
    let got = '';
    const { agent, sent, steps } = rig({
      asked: {
        what: 't',
        unpackFactor: 1,
        install: async (_f, fw) => {
          got = fw.version;
          return 'running';
        },
      },
    });
    expect(agent.requestFirmware('asked')).toBe(true);
    const req = sent.find((s) => s.topic === otaTopics.firmwareGet(GW.productKey, GW.deviceName));
    expect(req?.body).toMatchObject({ params: { module: 'asked' }, method: 'thing.ota.firmware.get' });
    const replyTopic = otaTopics.firmwareGetReply(GW.productKey, GW.deviceName);
    const fw = firmwareOf(data, srv.url('asked.tgz'), { module: 'asked', version: '9.9.9' });
    agent.handle(replyTopic, Buffer.from(JSON.stringify({ id: req?.body.id, code: 200, data: fw })));
    await agent.idle();
    expect(got).toBe('9.9.9');
    expect(agent.handle(upgradeTopic, Buffer.from('{not json'))).toBe(true);
    expect(agent.handle(upgradeTopic, notice({ version: '1', url: 'ftp://x', size: 1, md5: 'a'.repeat(32) }))).toBe(true);
    expect(steps('default').at(-1)).toBe(OTA_STEP.UPGRADE_FAILED);
    expect(agent.handle('/sys/PEGateway/box-01/thing/service/x', Buffer.from('{}'))).toBe(false);
    expect(agent.handle(replyTopic, Buffer.from(JSON.stringify({ id: '1', code: 200, data: {} })))).toBe(true);
    await agent.idle();
  });
});
