/**
 * The parking adapter end to end against the parking simulator and a stand-in data-model API
 * (which checks every signature independently): each service of L15022-15027 through its HTTP
 * port as the service bus forwards it, the seed's codes for bad input, pushes turned into
 * uploaded pictures and records, and records kept on disk while the API is down.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParkingAdapter } from '../../apps/parking-adapter/adapter.js';
import { PUSH_FAILED, PUSH_OK } from '../../apps/parking-adapter/push-receiver.js';
import { ParkingSim } from '../../scripts/sim/parking/sim.js';
import { waitFor } from '../helpers/wait.js';
import { DataModelStandIn } from './datamodel-standin.js';

const KEY = 'parking-app-key';
const SECRET = 'parking-app-secret';
const standIn = new DataModelStandIn(KEY, SECRET);
const sim = new ParkingSim({ port: 0 });
let dataDir: string;
let adapter: ParkingAdapter;

function makeAdapter(): ParkingAdapter {
  return new ParkingAdapter({
    appKey: KEY,
    appSecret: SECRET,
    apiDomain: standIn.domain,
    dataDir,
    parkingUrl: sim.url,
    servicePort: 0,
    pushPort: 0,
    pushHost: '127.0.0.1',
    log: pino({ level: 'silent' }),
    retryMinMs: 50,
    retryMaxMs: 200,
    heartbeat: false,
  });
}

async function startAdapter(): Promise<void> {
  adapter = makeAdapter();
  await adapter.start();
  sim.pushUrl = `http://127.0.0.1:${adapter.pushes.port}/reportInAndOutRecord`;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'parking-adapter-'));
  await standIn.start();
  await sim.start();
  await startAdapter();
});

afterAll(async () => {
  await adapter.stop();
  await sim.stop();
  await standIn.stop();
  await rm(dataDir, { recursive: true, force: true });
});

interface Answer {
  code: number;
  message: string | null;
  data?: unknown;
}

async function call(method: string, params: unknown, raw?: string): Promise<Answer> {
  const body = raw ?? JSON.stringify({ id: `t-${method}`, version: '1.0', request: { apiVer: '1.0' }, params });
  const res = await fetch(`http://127.0.0.1:${adapter.services.port}/iotx_parking_service_model/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream' },
    body,
  });
  return (await res.json()) as Answer;
}

const lot = { parkingLotId: '88' };

describe('service model: lot, areas, barriers (groups 1-3)', () => {
  it('parkingLotInfoGet lists the lots with their counts', async () => {
    expect(await call('parkingLotInfoGet', {})).toEqual({
      code: 200,
      message: 'success',
      data: [{ name: '户外停车场', parkingLotId: '88', totalCount: 677, unParkedCount: 677 }],
    });
  });

  it('parkingLotFirstAreaIdsGet gives the root areas; an unknown lot is 102, a missing id 1002', async () => {
    expect((await call('parkingLotFirstAreaIdsGet', lot)).data).toEqual(['A1', 'A2']);
    expect((await call('parkingLotFirstAreaIdsGet', { parkingLotId: 'X' })).code).toBe(102);
    expect((await call('parkingLotFirstAreaIdsGet', {})).code).toBe(1002);
  });

  it('parkingLotBarriersInfoGet and parkingAreaBarriersInfoGet give the barriers with IN/OUT', async () => {
    const all = await call('parkingLotBarriersInfoGet', lot);
    expect(all.data).toEqual([
      { barrierId: '1', barrierName: '北大门出口', direction: 'OUT' },
      { barrierId: '2', barrierName: '北大门入口', direction: 'IN' },
      { barrierId: '3', barrierName: '地库入口', direction: 'IN' },
      { barrierId: '4', barrierName: '地库出口', direction: 'OUT' },
    ]);
    const area = await call('parkingAreaBarriersInfoGet', { ...lot, areaId: 'A2' });
    expect(area.data).toEqual([
      { barrierId: '3', barriereName: '地库入口', barrierName: '地库入口', direction: 'IN' },
      { barrierId: '4', barriereName: '地库出口', barrierName: '地库出口', direction: 'OUT' },
    ]);
    expect((await call('parkingAreaBarriersInfoGet', { ...lot, areaId: 'A2-1' })).code).toBe(301);
    expect((await call('parkingAreaBarriersInfoGet', { ...lot, areaId: 'nope' })).code).toBe(202);
  });

  it('parkingAreaInfoGet gives parent and sub-areas (a root area hangs under the lot)', async () => {
    expect((await call('parkingAreaInfoGet', { ...lot, areaId: 'A2' })).data).toEqual({
      name: '地下一层',
      areaId: 'A2',
      parentAreaId: '88',
      subAreaList: ['A2-1'],
      unParkedCount: 277,
      totalCount: 277,
    });
    expect((await call('parkingAreaInfoGet', { ...lot, areaId: 'A2-1' })).data).toMatchObject({ parentAreaId: 'A2', subAreaList: [] });
    expect((await call('parkingAreaInfoGet', { ...lot, areaId: 'nope' })).code).toBe(202);
    expect((await call('parkingAreaInfoGet', lot)).code).toBe(1002);
  });

  it('parkingBarrierOperate moves the simulated gate; parkingBarrierInfoGet reads it back', async () => {
    expect(await call('parkingBarrierInfoGet', { ...lot, barrierId: '1' })).toEqual({
      code: 200,
      message: 'success',
      data: { areaId: 'A1', barrierId: '1', status: 'close', direction: 'out', barrierName: '北大门出口' },
    });
    expect(await call('parkingBarrierOperate', { barrierId: '1', command: 'open' })).toEqual({ code: 200, message: 'success', data: null });
    expect(sim.state.channel('1').gateState).toBe(1);
    expect((await call('parkingBarrierInfoGet', { ...lot, barrierId: '1' })).data).toMatchObject({ status: 'open' });
    await call('parkingBarrierOperate', { barrierId: '1', command: 'keepOpen' });
    expect(sim.state.channel('1').gateState).toBe(2);
    await call('parkingBarrierOperate', { barrierId: '1', command: 'close' });
    expect(sim.state.channel('1').gateState).toBe(0);
  });

  it('parkingBarrierOperate: offline 1004, failing gate 403, unknown barrier 302, bad command 1002', async () => {
    sim.state.channel('4').online = false;
    expect((await call('parkingBarrierOperate', { barrierId: '4', command: 'open' })).code).toBe(1004);
    sim.state.channel('4').online = true;
    sim.state.channel('4').fault = true;
    expect((await call('parkingBarrierOperate', { barrierId: '4', command: 'open' })).code).toBe(403);
    sim.state.channel('4').fault = false;
    expect((await call('parkingBarrierOperate', { barrierId: '99', command: 'open' })).code).toBe(302);
    expect((await call('parkingBarrierOperate', { barrierId: '4', command: 'toString' })).code).toBe(1002);
    expect((await call('parkingBarrierOperate', { barrierId: '4' })).code).toBe(1002);
  });

  it('answers 460 to a body that is not an envelope', async () => {
    expect(await call('parkingLotInfoGet', undefined, '{not json')).toEqual({ code: 460, message: 'request parameter error.', data: null });
  });
});

describe('service model: vehicles, lists, orders (5.9, 7, 8)', () => {
  it('parkingLotVehicleInTime gives the entry time of a car in the lot, 502 for one that is not', async () => {
    const { push } = await sim.pass('京N12345', '2');
    expect(await call('parkingLotVehicleInTime', { ...lot, plateNumber: '京N12345' })).toEqual({
      code: 200,
      message: 'success',
      data: { vehicleInTime: push.inTime },
    });
    expect((await call('parkingLotVehicleInTime', { ...lot, plateNumber: '京N00000' })).code).toBe(502);
  });

  it('parkingLotVehicleListAdd changes the system list; in-list query, remove and their codes', async () => {
    const add = await call('parkingLotVehicleListAdd', {
      ...lot,
      plateNumber: ['浙A11111', '浙A22222'],
      areaId: ['A1'],
      type: 'WHITELIST',
      effectiveDate: '2019/01/01 00:00:00',
      expiryDate: '2030-01-01 00:00:00',
    });
    expect(add).toEqual({ code: 200, message: 'Vehicle added to list successfully', data: null });
    expect(sim.state.lists.filter((e) => e.listType === 1)).toEqual([
      { parkID: '88', carCode: '浙A11111', areaID: 'A1', listType: 1, beginTime: '2019-01-01 00:00:00', endTime: '2030-01-01 00:00:00' },
      { parkID: '88', carCode: '浙A22222', areaID: 'A1', listType: 1, beginTime: '2019-01-01 00:00:00', endTime: '2030-01-01 00:00:00' },
    ]);
    expect((await call('parkingLotVehicleListAdd', { ...lot, plateNumber: '浙A11111', areaId: 'A1', type: 'BLACKLIST' })).code).toBe(702);
    expect(await call('parkingLotVehicleInListGet', { ...lot, plateNumber: '浙A11111' })).toEqual({
      code: 200,
      message: 'success',
      data: {
        plateNumber: '浙A11111',
        areaId: 'A1',
        type: 'whitelist',
        effectiveDate: '2019-01-01 00:00:00',
        expiryDate: '2030-01-01 00:00:00',
      },
    });
    expect(await call('parkingLotVehicleListRemove', { ...lot, plateNumber: '浙A11111', areaId: ['A1'] })).toEqual({
      code: 200,
      message: 'success',
      data: null,
    });
    expect(sim.state.lists.map((e) => e.carCode)).not.toContain('浙A11111');
    expect((await call('parkingLotVehicleListRemove', { ...lot, plateNumber: '浙A11111' })).code).toBe(701);
    expect((await call('parkingLotVehicleInListGet', { ...lot, plateNumber: '浙A11111' })).code).toBe(701);
  });

  it('parkingLotVehicleListAdd refuses bad input with the seed codes and leaves the list alone', async () => {
    const before = sim.state.lists.length;
    const base = { ...lot, plateNumber: ['浙A33333'], type: 'BLACKLIST' };
    expect((await call('parkingLotVehicleListAdd', { ...base, effectiveDate: '2019-13-01 00:00:00' })).code).toBe(606);
    expect((await call('parkingLotVehicleListAdd', { ...base, expiryDate: '01.01.2020' })).code).toBe(606);
    expect(
      (await call('parkingLotVehicleListAdd', { ...base, effectiveDate: '2021-01-01 00:00:00', expiryDate: '2020-01-01 00:00:00' })).code,
    ).toBe(607);
    expect((await call('parkingLotVehicleListAdd', { ...base, type: 'GREYLIST' })).code).toBe(1002);
    expect((await call('parkingLotVehicleListAdd', { ...base, plateNumber: ['浙A33333', ' '] })).code).toBe(1002);
    expect((await call('parkingLotVehicleListAdd', { ...base, parkingLotId: undefined })).code).toBe(1002);
    expect((await call('parkingLotVehicleListAdd', { ...base, parkingLotId: 'X' })).code).toBe(102);
    expect((await call('parkingLotVehicleListAdd', { ...base, areaId: 'nope' })).code).toBe(202);
    expect(sim.state.lists.length).toBe(before);
  });

  it('parkingLotVehicleOrderAdd creates an order in the system; parkingLotVehicleOrderCompleted confirms it', async () => {
    const add = await call('parkingLotVehicleOrderAdd', {
      ...lot,
      plateNumber: '京N12345',
      inBarrierGateId: '2',
      inTime: '2020-01-02 00:00:00',
      payStatus: 4,
    });
    expect(add.code).toBe(200);
    const { orderNumber } = add.data as { orderNumber: string };
    expect(sim.state.orders.get(orderNumber)).toMatchObject({
      carCode: '京N12345',
      inChannelID: '2',
      inTime: '2020-01-02 00:00:00',
      payState: 4,
    });
    expect(await call('parkingLotVehicleOrderCompleted', { ...lot, orderNumber, payStatus: 1, areaId: 'A1' })).toEqual({
      code: 200,
      message: 'success',
      data: null,
    });
    expect(sim.state.orders.get(orderNumber)).toMatchObject({ payState: 1, areaID: 'A1' });
    expect((await call('parkingLotVehicleOrderCompleted', { ...lot, orderNumber: 'O-none', payStatus: 1 })).code).toBe(103);
    expect((await call('parkingLotVehicleOrderCompleted', { ...lot, orderNumber, payStatus: 4 })).code).toBe(1002);
    const bad = { ...lot, plateNumber: '京N1', inBarrierGateId: '2', inTime: '2020-01-02 00:00:00' };
    expect((await call('parkingLotVehicleOrderAdd', { ...bad, payStatus: 1 })).code).toBe(1002);
    expect((await call('parkingLotVehicleOrderAdd', { ...bad, payStatus: 0, inTime: 'yesterday' })).code).toBe(606);
    expect((await call('parkingLotVehicleOrderAdd', { ...bad, payStatus: 0, inBarrierGateId: '99' })).code).toBe(302);
  });
});

describe('in/out pushes', () => {
  const records = (modelId: string) => standIn.inserted.filter((r) => r.modelId === modelId);

  it('an entry push: picture uploaded (bytes as the system served them), pass record inserted with its file name', async () => {
    const before = standIn.inserted.length;
    const { push, answer } = await sim.pass('苏E54321', '2');
    expect(answer).toEqual(PUSH_OK);
    const rec = standIn.inserted.slice(before);
    expect(rec.map((r) => r.modelId)).toEqual(['iot_park_pass_record']);
    const p = rec[0]!.properties;
    expect(p).toEqual({
      direction: 0,
      openType: 2,
      plateNumber: '苏E54321',
      plateNumberImage: expect.stringMatching(new RegExp(`${push.GUID}\\.jpg$`)),
      typePermission: 0,
      plateColor: 0,
      plateType: 0,
      vehicleColor: 0,
      vehicleType: 0,
      barrierId: '2',
      barrierName: '北大门入口',
      parkingLotId: '88',
      areaId: '未知',
      orderNumber: '',
      recordId: '未知',
      eventTime: push.passTime,
    });
    const served = Buffer.from(await (await fetch(push.imagePath)).arrayBuffer());
    expect(standIn.files.get(p.plateNumberImage as string)).toEqual(served);
    expect(standIn.badSignatures).toEqual([]);
  });

  it('a paid exit of a blacklisted car: pass record, iot_park_fee and iot_park_blacklist_detect', async () => {
    await call('parkingLotVehicleListAdd', { ...lot, plateNumber: '皖H66666', type: 'BLACKLIST' });
    await sim.pass('皖H66666', '2');
    const { push, answer } = await sim.pass('皖H66666', '1', { payMoney: '12.50' });
    expect(answer).toEqual(PUSH_OK);
    const pass = records('iot_park_pass_record').at(-1)!.properties;
    expect(pass).toMatchObject({ direction: 1, plateNumber: '皖H66666', orderNumber: push.orderNo, barrierId: '1' });
    expect(records('iot_park_fee').at(-1)!.properties).toEqual({
      outBarrierId: '1',
      outBarrierName: '北大门出口',
      outTime: push.passTime,
      payStatus: 0,
      orderNumber: push.orderNo,
      amount: 12.5,
      inTime: push.inTime,
      plateNumber: '皖H66666',
      areaId: '未知',
      parkingLotId: '88',
      eventTime: push.passTime,
      outImage: pass.plateNumberImage,
    });
    expect(records('iot_park_blacklist_detect').at(-1)!.properties).toEqual({
      direction: 1,
      plateNumber: '皖H66666',
      plateNumberImage: pass.plateNumberImage,
      barrierId: '1',
      barrierName: '北大门出口',
      parkingLotId: '88',
      areaId: '未知',
      eventTime: push.passTime,
    });
  });

  it('a push sent twice is recorded once; a push without a plate is refused', async () => {
    const { push } = await sim.pass('鲁B77777', '2');
    const count = records('iot_park_pass_record').length;
    const again = await fetch(sim.pushUrl, { method: 'POST', body: JSON.stringify(push) });
    expect(await again.json()).toEqual(PUSH_OK);
    expect(records('iot_park_pass_record').length).toBe(count);
    const bad = await fetch(sim.pushUrl, { method: 'POST', body: JSON.stringify({ ...push, carCode: '', GUID: 'x1' }) });
    expect(await bad.json()).toEqual(PUSH_FAILED);
    const junk = await fetch(sim.pushUrl, { method: 'POST', body: '[1,2' });
    expect(await junk.json()).toEqual(PUSH_FAILED);
    expect(records('iot_park_pass_record').length).toBe(count);
  });

  it('a pass whose picture the system cannot serve is still recorded, without a picture', async () => {
    const before = standIn.inserted.length;
    const uploads = standIn.files.size;
    const push = {
      carCode: '湘A40404',
      inTime: '2026-01-01 08:00:00',
      passTime: '2026-01-01 08:00:00',
      parkID: '88',
      inOrOut: '0',
      GUID: 'f'.repeat(32),
      channelID: '2',
      channelName: '北大门入口',
      imagePath: `${sim.url}/images/${'0'.repeat(32)}.jpg`,
    };
    const res = await fetch(sim.pushUrl, { method: 'POST', body: JSON.stringify(push) });
    expect(await res.json()).toEqual(PUSH_OK);
    expect(standIn.inserted.slice(before).map((r) => [r.properties.plateNumber, r.properties.plateNumberImage])).toEqual([
      ['湘A40404', ''],
    ]);
    expect(standIn.files.size).toBe(uploads);
  });

  it('with the data-model API down: answered 数据上报失败, kept on disk across a restart, delivered later in order', async () => {
    const outbox = join(dataDir, 'outbox');
    const before = standIn.inserted.length;
    await standIn.stop();
    const plates = ['闽D10001', '闽D10002', '闽D10003'];
    for (const plate of plates) expect((await sim.pass(plate, '3')).answer).toEqual(PUSH_FAILED);
    const kept = (await readdir(outbox)).sort();
    expect(kept.filter((f) => f.endsWith('.json'))).toHaveLength(3);
    expect(kept.filter((f) => f.endsWith('.jpg'))).toHaveLength(3);
    // The app restarts while the API is still down: nothing is lost.
    await adapter.stop();
    await startAdapter();
    await standIn.start();
    await waitFor(() => standIn.inserted.length - before === 3, {
      what: 'the kept records',
      explain: () => standIn.inserted.length - before,
    });
    expect(standIn.inserted.slice(before).map((r) => r.properties.plateNumber)).toEqual(plates);
    for (const r of standIn.inserted.slice(before)) expect(standIn.files.has(r.properties.plateNumberImage as string)).toBe(true);
    await waitFor(async () => (await readdir(outbox)).length === 0, { what: 'the outbox to empty' });
    // And the next push is answered as delivered again.
    expect((await sim.pass('闽D10004', '3')).answer).toEqual(PUSH_OK);
  });

  it('an API that answers a code other than 200 counts as not delivered (R11) and the record waits', async () => {
    standIn.insertCode = 500;
    const before = standIn.inserted.length;
    expect((await sim.pass('赣F20001', '2')).answer).toEqual(PUSH_FAILED);
    standIn.insertCode = 200;
    await waitFor(() => standIn.inserted.length > before, { what: 'the retried record' });
    expect(standIn.inserted.at(-1)!.properties.plateNumber).toBe('赣F20001');
  });
});

describe('heartbeat, wired', () => {
  it('the running adapter inserts a signed Heartbeat naming the lot as soon as it starts', async () => {
    const second = new ParkingAdapter({
      appKey: KEY,
      appSecret: SECRET,
      apiDomain: standIn.domain,
      dataDir: join(dataDir, 'second'),
      parkingUrl: sim.url,
      servicePort: 0,
      pushPort: 0,
      pushHost: '127.0.0.1',
      log: pino({ level: 'silent' }),
    });
    await second.start();
    try {
      const hb = await waitFor(() => standIn.inserted.find((r) => r.modelId === 'Heartbeat'), { what: 'a Heartbeat' });
      expect(hb.properties).toEqual({
        parkingLotId: '88',
        online: 1,
        eventTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
      });
      expect(standIn.badSignatures).toEqual([]);
    } finally {
      await second.stop();
    }
  });
});
