/** The parking-system simulator against the seed's in/out push example (001 L40095-40105) and its own API. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParkingSim } from '../../scripts/sim/parking/sim.js';

// The seed's example body, verbatim apart from the masked plate and the picture URL.
const SEED_EXAMPLE = {
  carCode: '浙A5Cxxx',
  inTime: '2016-10-18 16:44:44',
  passTime: '2016-10-28 16:44:44',
  parkID: '88',
  inOrOut: '1',
  GUID: '134589c1d68d44d38dcb7f084b9cf8a1',
  channelID: '1',
  channelName: '北大门出口',
  imagePath: 'https://ss1.bdstatic.com\\70cFuXSh_xxx\\it\\u=3854694535,624476780&fm=11&gp=0.jpg',
};
const TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

let receiver: Server;
const received: unknown[] = [];
const sim = new ParkingSim({ port: 0 });

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ resCode: 0, resMsg: '数据上报成功' }));
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  sim.pushUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/reportInAndOutRecord`;
  await sim.start();
});

afterAll(async () => {
  await sim.stop();
  receiver.closeAllConnections();
  await new Promise((r) => receiver.close(r));
});

const api = async (op: string, body: unknown): Promise<{ resCode: number; data?: unknown }> =>
  (await (await fetch(`${sim.url}/acs/api/${op}`, { method: 'POST', body: JSON.stringify(body) })).json()) as {
    resCode: number;
    data?: unknown;
  };

describe('parking simulator', () => {
  it('pushes an exit in the shape of the seed example, with a fetchable JPEG behind imagePath', async () => {
    await sim.pass('浙A12345', '2');
    const res = await fetch(`${sim.url}/control/pass`, { method: 'POST', body: JSON.stringify({ carCode: '浙A12345', channelID: '1' }) });
    const { push, answer } = (await res.json()) as { push: Record<string, string>; answer: unknown };
    expect(answer).toEqual({ resCode: 0, resMsg: '数据上报成功' });
    expect(received.at(-1)).toEqual(push);
    // Same keys, every value a string, as in the seed.
    expect(Object.keys(push).sort()).toEqual(Object.keys(SEED_EXAMPLE).sort());
    for (const v of Object.values(push)) expect(typeof v).toBe('string');
    expect(push).toMatchObject({ carCode: '浙A12345', parkID: '88', inOrOut: '1', channelID: '1', channelName: SEED_EXAMPLE.channelName });
    expect(push.GUID).toMatch(/^[0-9a-f]{32}$/);
    expect(push.inTime).toMatch(TIME);
    expect(push.passTime).toMatch(TIME);
    expect(push.inTime! <= push.passTime!).toBe(true);
    const img = await fetch(push.imagePath!);
    expect(img.headers.get('content-type')).toBe('image/jpeg');
    const bytes = Buffer.from(await img.arrayBuffer());
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(sim.state.inPark.size).toBe(0);
  });

  it('an entry is "0" and puts the car in the lot with its entry time', async () => {
    const { push } = await sim.pass('沪B00001', '2');
    expect(push.inOrOut).toBe('0');
    expect(await api('carInTime', { parkID: '88', carCode: '沪B00001' })).toEqual({
      resCode: 0,
      resMsg: 'ok',
      data: { inTime: push.inTime },
    });
    await sim.pass('沪B00001', '1');
    expect((await api('carInTime', { parkID: '88', carCode: '沪B00001' })).resCode).toBe(1006);
  });

  it('a paid exit carries orderNo and payMoney; a blacklisted car carries blackList', async () => {
    expect((await api('listAdd', { parkID: '88', carCodes: ['粤C99999'], listType: 2 })).resCode).toBe(0);
    expect((await api('listAdd', { parkID: '88', carCodes: ['粤C99999'], listType: 1 })).resCode).toBe(1007);
    await sim.pass('粤C99999', '2');
    const { push } = await sim.pass('粤C99999', '1', { payMoney: '12.50' });
    expect(push).toMatchObject({ payMoney: '12.50', blackList: '1' });
    expect(sim.state.orders.get(push.orderNo!)).toMatchObject({ carCode: '粤C99999', payState: 0 });
  });

  it('answers bad input with its own codes and never throws', async () => {
    expect((await api('areaList', {})).resCode).toBe(1010);
    expect((await api('areaList', { parkID: 'nope' })).resCode).toBe(1001);
    expect((await api('nosuchop', {})).resCode).toBe(1010);
    expect((await api('gateControl', { channelID: '1', action: 9 })).resCode).toBe(1010);
    const raw = await fetch(`${sim.url}/acs/api/parkList`, { method: 'POST', body: 'not json' });
    expect(((await raw.json()) as { resCode: number }).resCode).toBe(1010);
  });
});
