/**
 * Apps in the running box: the cloud stand-in calls InvokeServiceModel over MQTT and gets the
 * app's answer through the service bus routing; /healthz lists the apps with their state; the
 * box's listeners name the service bus; a box stop ends the app processes.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALINK } from '../../edge/errors.js';
import { cloudYaml, GATEWAY, startRig, type CloudRig } from '../cloud/helpers.js';
import { freePort, startBox, waitFor, type TestBox } from '../helpers/runtime.js';
import { writeApp } from './helpers.js';

const envelope = { id: 'cloud-1', version: '1.0', request: { apiVer: '1.0' }, params: { parkingLotId: 'lot-9' } };

describe('apps in the box', () => {
  let rig: CloudRig;
  let box: TestBox;

  beforeAll(async () => {
    rig = await startRig();
    const port = await freePort();
    writeApp(rig.dir, { name: 'parking', fixture: 'serve', provides: [{ serviceModelId: 'iotx_parking_service_model', port }] });
    const yaml = `${cloudYaml(rig.broker.url)}apps:\n  - { name: parking, path: ${join(rig.dir, 'parking')} }\nappHost: { serviceBus: { port: 0 }, probeIntervalMs: 100 }\ndataModel: { port: 0 }\n`;
    box = await startBox(yaml);
    await waitFor(() => box.runtime.cloud?.online, { what: 'cloud online' });
    await waitFor(() => box.runtime.apps?.status()[0]?.state === 'running', { what: 'app running' });
  }, 120_000);

  afterAll(async () => {
    await box?.close();
    await rig?.close();
  });

  it('routes the cloud’s InvokeServiceModel to the providing app', async () => {
    const r = await rig.cloud.invoke(GATEWAY.productKey, GATEWAY.deviceName, 'InvokeServiceModel', {
      serviceModelId: 'iotx_parking_service_model',
      method: 'echo',
      body: envelope,
    });
    expect(r).toMatchObject({ code: 200, data: { code: 200, data: { model: 'iotx_parking_service_model', body: envelope } } });
    const unknown = await rig.cloud.invoke(GATEWAY.productKey, GATEWAY.deviceName, 'InvokeServiceModel', {
      serviceModelId: 'iotx_parking_service_model',
      method: 'nope',
      body: envelope,
    });
    expect(unknown).toMatchObject({ code: ALINK.APP_METHOD_UNKNOWN });
  });

  it('lists the apps in /healthz and the service bus among the listeners', async () => {
    const health = (await (await fetch(`http://127.0.0.1:${box.runtime.httpPort}/healthz`)).json()) as Record<string, unknown>;
    expect(health.apps).toMatchObject({
      total: 1,
      running: 1,
      list: [{ name: 'parking', version: '1.0.0', state: 'running', restarts: 0 }],
    });
    expect(health.listeners).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ port: box.runtime.apps!.bus.port, configPath: '/appHost/serviceBus/port', protocol: 'http-service-bus' }),
      ]),
    );
  });

  it('ends the app processes when the box stops', async () => {
    const pid = box.runtime.apps!.status()[0]!.pid!;
    await box.runtime.stop();
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
