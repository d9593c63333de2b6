/**
 * The parking adapter end to end against the parking simulator and a stand-in data-model API
 * (which checks every signature independently): each service of L15022-15027 through its HTTP
 * port as the service bus forwards it, and the seed's codes for bad input. Pushes and records
 * kept on disk while the API is down: adapter-pushes.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { adapterRig } from './adapter-harness.js';

const rig = adapterRig();
const { sim, call } = rig;

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
