/**
 * The parking adapter as a hosted app in the running box (issue 20): the box starts the app from
 * apps/parking-adapter with its credentials, the cloud's InvokeServiceModel and a LAN caller on
 * the service bus (octet-stream, as the seed's self-test) change the parking system's list, and a
 * car passing the simulated system becomes an `iot_park_pass_record` whose plate picture is in
 * the file service, queued offline and sent up as EdgeDataModel when the cloud returns.
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParkingSim } from '../../scripts/sim/parking/sim.js';
import { cloudYaml, GATEWAY, startRig, type CloudRig } from '../cloud/helpers.js';
import { recordsAtCloud } from '../datamodel/helpers.js';
import { freePort, startBox, waitFor, type TestBox } from '../helpers/runtime.js';

const APP = resolve(import.meta.dirname, '..', '..', 'apps', 'parking-adapter');
const envelope = (params: Record<string, unknown>) => ({ id: '1', version: '1.0', request: { apiVer: '1.0.0' }, params });

let rig: CloudRig;
let box: TestBox;
let sim: ParkingSim;

beforeAll(async () => {
  rig = await startRig();
  const pushPort = await freePort();
  sim = new ParkingSim({ port: 0, pushUrl: `http://127.0.0.1:${pushPort}/reportInAndOutRecord` });
  await sim.start();
  box = await startBox(`
files: { port: 0 }
dataModel: { port: 0 }
appHost: { serviceBus: { port: 0 }, probeIntervalMs: 100 }
apps:
  - { name: parking-adapter, path: ${APP}, env: { PARKING_URL: "${sim.url}", PARKING_PUSH_PORT: "${pushPort}" } }
${cloudYaml(rig.broker.url)}`);
  await waitFor(() => box.runtime.apps?.status()[0]?.state === 'running', { timeoutMs: 30_000, what: 'the parking adapter running' });
  await waitFor(() => box.runtime.cloud?.online, { timeoutMs: 20_000, what: 'cloud online' });
}, 120_000);

afterAll(async () => {
  await box?.close();
  await sim?.stop();
  await rig?.close();
});

describe('the parking adapter in the box', () => {
  it('changes the parking system through the service bus and the cloud’s InvokeServiceModel', async () => {
    const r = await fetch(`http://127.0.0.1:${box.runtime.apps!.bus.port}/iotx_parking_service_model/parkingLotVehicleListAdd`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: JSON.stringify(envelope({ parkingLotId: '88', plateNumber: '浙A70001', areaId: 'A1', type: 'WHITELIST' })),
    });
    expect(await r.json()).toMatchObject({ code: 200 });
    expect(sim.state.lists.some((e) => e.carCode === '浙A70001' && e.listType === 1)).toBe(true);
    const viaCloud = await rig.cloud.invoke(GATEWAY.productKey, GATEWAY.deviceName, 'InvokeServiceModel', {
      serviceModelId: 'iotx_parking_service_model',
      method: 'parkingLotVehicleListAdd',
      body: envelope({ parkingLotId: '88', plateNumber: '浙A70002', areaId: 'A1', type: 'BLACKLIST' }),
    });
    expect(viaCloud).toMatchObject({ code: 200, data: { code: 200 } });
    expect(sim.state.lists.some((e) => e.carCode === '浙A70002' && e.listType === 2)).toBe(true);
  }, 30_000);

  it('records a pass with its plate picture in the file service; offline it waits and goes up after', async () => {
    await rig.broker.stop();
    await waitFor(() => !box.runtime.cloud?.online, { timeoutMs: 10_000, what: 'cloud away' });
    const { answer } = await sim.pass('浙A70003', '2');
    expect(answer).toEqual({ resCode: 0, resMsg: '数据上报成功' });
    const stored = box.runtime.db.prepare("SELECT properties FROM datamodel_records WHERE model_id = 'iot_park_pass_record'").all() as {
      properties: string;
    }[];
    const record = stored.map((r) => JSON.parse(r.properties) as Record<string, unknown>).find((p) => p.plateNumber === '浙A70003');
    expect(record).toBeDefined();
    const image = String(record!.plateNumberImage);
    expect(image).not.toBe('');
    // The record names the upload by its file name (seed R10); the box keeps it in the file service.
    const upload = box.runtime.db.prepare('SELECT file_path, stored FROM datamodel_uploads WHERE file_name = ?').get(image) as
      | { file_path: string; stored: number }
      | undefined;
    expect(upload).toMatchObject({ stored: 1, file_path: expect.stringMatching(/^datamodel\/parking-adapter\//) });
    const picture = await fetch(`http://127.0.0.1:${box.runtime.files!.port}/oss/${upload!.file_path}`);
    expect(picture.status).toBe(200);
    expect(Buffer.from(await picture.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    await rig.broker.start();
    const up = await waitFor(
      () => recordsAtCloud(rig.cloud.posts).find((x) => x.modelId === 'iot_park_pass_record' && x.properties.plateNumber === '浙A70003'),
      { timeoutMs: 30_000, what: 'the pass record at the cloud' },
    );
    expect(up.properties.plateNumberImage).toBe(image);
    // Beside the file name, the URL it stands for: the cloud stand-in fetches the picture by it.
    const url = up.files?.plateNumberImage;
    expect(url).toBe(box.runtime.files!.urlOf(upload!.file_path));
    const fetched = await fetch(url!.replace(/^http:\/\/[^/]+/, `http://127.0.0.1:${box.runtime.files!.port}`));
    expect(Buffer.from(await fetched.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  }, 60_000);
});
