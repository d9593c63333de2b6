/**
 * The simulated adapter against the seed's own examples (seed 001 L41584-43700): its requests to
 * the box have exactly the example's fields, and its endpoints take the example requests (made
 * valid JSON: the seed's trailing commas removed, the redacted token replaced) and answer in the
 * examples' shapes; without the token it answers 802.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callAdapter, computeAuthSign, verifyAuthSign } from '../../protocols/edge-security-event/index.js';
import { SimulatedAdapter } from '../../scripts/sim/security-adapter/adapter.js';

const TOKEN = 'cc85ab120001';
const taken: Array<{ path: string; body: Record<string, unknown> }> = [];
let box: Server;
let sim: SimulatedAdapter;

/** A stand-in box recording what the simulator sends, answering as the seed's examples. */
function answer(req: IncomingMessage, body: Record<string, unknown>): unknown {
  taken.push({ path: req.url ?? '', body });
  if (req.url === '/edgeSecurityEvent/appAuthentication') return { code: 200, message: 'success', data: { token: TOKEN } };
  if (req.url === '/edgeSecurityEvent/deviceManage/getConfig')
    return { code: 200, message: 'success', data: [{ manufacture: 'DH', deviceType: 3, ip: '192.168.1.3', port: 20080, channel: 0 }] };
  return { code: 200, message: 'success' };
}

beforeAll(async () => {
  box = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => res.end(JSON.stringify(answer(req, JSON.parse(text) as Record<string, unknown>))));
  });
  await new Promise<void>((r) => box.listen(0, '127.0.0.1', r));
  sim = new SimulatedAdapter({
    ip: '127.0.0.1',
    port: 0,
    edgeUrl: `http://127.0.0.1:${(box.address() as { port: number }).port}`,
    mac: '00-16-3D-40',
  });
  await sim.start();
});
afterAll(async () => {
  await sim?.stop();
  box?.closeAllConnections();
  await new Promise((r) => box?.close(r));
});

const adapterCall = (name: Parameters<typeof callAdapter>[1], params: Record<string, unknown>, token = TOKEN) =>
  callAdapter({ ip: '127.0.0.1', port: sim.port, token }, name, params, 2000);

describe('the simulated adapter, as the seed writes its side', () => {
  it("authenticates with exactly the example's fields (L41584-41593) and a sign the box verifies", async () => {
    expect((await sim.authenticate()).body.data).toEqual({ token: TOKEN });
    const auth = taken.find((t) => t.path.endsWith('appAuthentication'))!.body;
    expect(Object.keys(auth).sort()).toEqual(['alarmAdapterPort', 'ip', 'mac', 'manufacture', 'sign', 'signMethod', 'time']);
    expect(auth).toMatchObject({ ip: '127.0.0.1', mac: '00-16-3D-40', manufacture: 'DH', signMethod: 'md5', alarmAdapterPort: sim.port });
    expect(Number.isInteger(auth.time) && (auth.time as number) < 1e11).toBe(true);
    expect(auth.sign).toBe(computeAuthSign(auth as { time: number; mac: string; ip: string; manufacture: string }));
    expect(verifyAuthSign(auth as { time: number; mac: string; ip: string; manufacture: string }, String(auth.sign))).toBe(true);
    expect(sim.token).toBe(TOKEN);
  });

  it('asks getConfig with the example fields (L41684-41687) and keeps the cameras', async () => {
    await sim.getConfig();
    expect(taken.at(-1)!.body).toEqual({ token: TOKEN, manufacture: 'DH' });
    expect(sim.state.config).toHaveLength(1);
  });

  it('answers configChange and getStatus as the examples (L41755-41760, L41815-41838)', async () => {
    expect(await adapterCall('deviceManage/configChange', {})).toEqual({ code: 200, message: 'success' });
    expect(await adapterCall('deviceManage/getStatus', {})).toEqual({
      code: 200,
      message: 'success',
      data: [{ ip: '192.168.1.3', deviceType: 3, channel: 0, status: 1 }],
    });
    sim.state.statuses = [{ ip: '192.168.1.4', channel: 1, deviceType: 3, status: 0, unnormalInfo: 'password error' }];
    expect((await adapterCall('deviceManage/getStatus', {})).data).toEqual(sim.state.statuses);
  });

  it('takes the setRule example (L42570-42590) and returns it from getRule', async () => {
    const rule = [
      {
        weekDay: 'SUNDAY',
        timeSlot: [
          { time: '00:00-2:00', interval: 600 },
          { time: '02:00-4:00', interval: 600 },
        ],
      },
      { weekDay: 'MONDAY', timeSlot: [{ time: '00:00-23:59', interval: 600 }] },
    ];
    expect(await adapterCall('alarmDeploy/setRule', { ip: '192.168.1.2', deviceType: 2, eventType: 1, alarmRule: rule })).toEqual({
      code: 200,
      message: 'success',
    });
    expect((await adapterCall('alarmDeploy/getRule', { ip: '192.168.1.2', deviceType: 2, eventType: 1 })).data).toEqual(rule);
  });

  it('takes the capture task example (L43267-43287) and answers the record search in the example shape (L43672-43700)', async () => {
    const task = {
      taskId: '123',
      deviceList: [
        { ip: '192.168.1.2', channel: 1, deviceType: 3 },
        { ip: '192.168.1.2', channel: 2, deviceType: 3 },
      ],
      startDate: '2010-01-01',
      endDate: '2010-04-01',
      captureWeekDay: [
        { weekDay: 'SUNDAY', captureTime: '10:00,12:00' },
        { weekDay: 'MONDAY', captureTime: '10:00,12:00' },
      ],
      status: 1,
    };
    expect(await adapterCall('capture/setTask', task)).toEqual({ code: 200, message: 'success' });
    const { taskId: _id, ...rest } = task;
    expect((await adapterCall('capture/getTask', { taskId: '123' })).data).toEqual(rest);
    const q = {
      picBase64: 'AABB',
      picType: 'JPG',
      recordLimit: 10,
      startTime: 1631794685,
      endTime: 1631798285,
      minSimilarity: 0.55,
      maxSimilarity: 0.65,
    };
    const found = await adapterCall('record/get', q);
    expect(found.data).toEqual({
      totalSize: 1,
      recordList: [
        {
          ip: '192.168.1.3',
          channel: 0,
          deviceType: 3,
          smallPicBase64: expect.any(String),
          smallPicType: 'JPG',
          scenePicId: 'pic1234',
          similarity: 0.6,
          captureTime: 1631794685,
        },
      ],
    });
    expect((await adapterCall('record/scenePicUpload', { scenePicId: 'pic1234' })).data).toEqual({
      picBase64: expect.any(String),
      picType: 'JPG',
    });
  });

  it('answers 802 to a call without its token, and records only the calls it took', async () => {
    const before = sim.state.received.length;
    expect(await adapterCall('deviceManage/configChange', {}, 'cc85****8808')).toEqual({
      code: 802,
      message: 'adapter not authentication',
    });
    expect(sim.state.received.length).toBe(before);
    expect(sim.state.received.map((r) => r.name)).toContain('alarmDeploy/setRule');
  });
});
