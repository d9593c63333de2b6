/**
 * The parking adapter end to end against the parking simulator and a stand-in data-model API
 * (which checks every signature independently): pushes turned into uploaded pictures and
 * records, records kept on disk while the API is down, and the wired heartbeat.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ParkingAdapter } from '../../apps/parking-adapter/adapter.js';
import { PUSH_FAILED, PUSH_OK } from '../../apps/parking-adapter/push-receiver.js';
import { waitFor } from '../helpers/wait.js';
import { adapterRig, KEY, SECRET } from './adapter-harness.js';

const rig = adapterRig();
const { standIn, sim, call } = rig;
const lot = { parkingLotId: '88' };

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
    const outbox = join(rig.dataDir, 'outbox');
    const before = standIn.inserted.length;
    await standIn.stop();
    const plates = ['闽D10001', '闽D10002', '闽D10003'];
    for (const plate of plates) expect((await sim.pass(plate, '3')).answer).toEqual(PUSH_FAILED);
    const kept = (await readdir(outbox)).sort();
    expect(kept.filter((f) => f.endsWith('.json'))).toHaveLength(3);
    expect(kept.filter((f) => f.endsWith('.jpg'))).toHaveLength(3);
    // The app restarts while the API is still down: nothing is lost.
    await rig.adapter.stop();
    await rig.startAdapter();
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
      dataDir: join(rig.dataDir, 'second'),
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
