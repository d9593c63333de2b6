/**
 * Every error code of the event API (seed 001 §4.1, L43881-43905) on the driver's port-5080
 * server, against the simulated adapter and hostile input: exact messages, bad JSON, wrong and
 * foreign tokens, wrong vendor, unknown camera, unconfigured addresses, a 5 MB body, a flood.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeAuthSign } from '../../protocols/edge-security-event/index.js';
import { SAMPLE_JPEG, type SimulatedAdapter } from '../../scripts/sim/security-adapter/adapter.js';
import { waitFor } from '../helpers/wait.js';
import { faceReport, headersOnly, startRig, type Rig } from './harness.js';

let rig: Rig;
let sim: SimulatedAdapter;

beforeAll(async () => {
  rig = await startRig();
  sim = await rig.adapter();
});
afterAll(async () => {
  await rig?.close();
});

describe('appAuthentication', () => {
  it('issues a token for the plain and the braces sign, either hex case', async () => {
    for (const opt of [{}, { upper: true }, { form: 'braces' as const }, { form: 'braces' as const, upper: true }]) {
      const a = await sim.authenticate(opt);
      expect(a.body).toEqual({ code: 200, message: 'success', data: { token: expect.stringMatching(/^[0-9a-f]{32}$/) } });
    }
  });

  it('refuses a wrong sign, an ip that is not the source, an unsupported method, and an unconfigured address with 801', async () => {
    expect((await sim.authenticate({ sign: '4db511**42' })).body).toEqual({ code: 801, message: 'adapter authentication failed' });
    const time = Math.floor(Date.now() / 1000);
    const other = { ip: '127.0.0.9', mac: sim.o.mac, time, manufacture: 'DH' };
    expect((await sim.authenticate({ time, fields: { ip: '127.0.0.9', sign: computeAuthSign(other) } })).body.code).toBe(801);
    expect((await sim.authenticate({ fields: { signMethod: 'SHA256' } })).body.code).toBe(801);
    const stranger = await rig.adapter({ ip: '127.0.0.2' });
    expect((await stranger.authenticate()).body).toEqual({ code: 801, message: 'adapter authentication failed' });
    expect((await stranger.reportAlarm(faceReport())).body).toEqual({ code: 802, message: 'adapter not authentication' });
  });

  it("answers 809 for another vendor than the adapter's, and 804 naming the parameter", async () => {
    const hik = await rig.adapter({ manufacture: 'HIK' });
    expect((await hik.authenticate()).body).toEqual({ code: 809, message: 'manufacture error' });
    expect((await sim.authenticate({ fields: { manufacture: 'SONY' } })).body).toEqual({
      code: 804,
      message: "param check error: /'manufacture/'",
    });
    expect((await sim.authenticate({ fields: { mac: undefined } })).body).toEqual({ code: 804, message: "param check error: /'mac/'" });
    expect((await sim.authenticate({ fields: { alarmAdapterPort: 'x' } })).body.message).toBe("param check error: /'alarmAdapterPort/'");
    expect((await sim.authenticate({ fields: { time: 1589472000000 } })).body.message).toBe("param check error: /'time/'");
  });
});

describe('the other calls', () => {
  beforeAll(async () => {
    expect((await sim.authenticate()).body.code).toBe(200);
  });

  it('answers getConfig with the vendor cameras, child fields for type 3 only, by POST and by GET', async () => {
    const a = await sim.getConfig();
    expect(a.body.code).toBe(200);
    expect(a.body.data).toEqual([
      { manufacture: 'DH', deviceType: 2, ip: '192.168.1.3', port: 20080, username: 'admin', password: 'ipc-pass' },
      {
        manufacture: 'DH',
        deviceType: 3,
        ip: '192.168.1.2',
        port: 20080,
        username: 'nvr',
        password: 'nvr-pass',
        channel: 1,
        childIp: '192.168.1.9',
        childPort: 80,
        childUsername: 'c',
        childPassword: 'cp',
      },
    ]);
    expect((await sim.post('deviceManage/getConfig', { token: sim.token, manufacture: 'DH' }, 'GET')).body.data).toEqual(a.body.data);
    expect((await sim.post('deviceManage/getConfig', { token: sim.token, manufacture: 'HIK' })).body).toEqual({
      code: 809,
      message: 'manufacture error',
    });
  });

  it('answers 802 without a token, with a wrong one, and with one issued to another address', async () => {
    expect((await sim.post('reportAlarmEvent', faceReport())).body).toEqual({ code: 802, message: 'adapter not authentication' });
    expect((await sim.reportAlarm({ ...faceReport(), token: 'cc85****0001' })).body.code).toBe(802);
    const stranger = await rig.adapter({ ip: '127.0.0.2' });
    stranger.token = sim.token;
    expect((await stranger.getConfig()).body.code).toBe(802);
  });

  it("answers 806 for bad JSON, the seed's own example (trailing commas) included", async () => {
    expect((await sim.post('reportAlarmEvent', '{"token":')).body).toEqual({ code: 806, message: 'json data wrong format' });
    expect((await sim.post('reportAlarmEvent', '[1,2]')).body.code).toBe(806);
    const seedExample = `{"token":"${sim.token}","ip":"192.168.1.3","channel":1,"deviceType":3,"eventType":1,"eventTime":1631798285,"eventId":123,"objectInfo":{"objectExtInfo":{"facePicType":"JPG",}}}`;
    expect((await sim.post('reportAlarmEvent', seedExample)).body.code).toBe(806);
  });

  it('answers 807 for an unknown camera and 809 for another vendor camera', async () => {
    expect((await sim.reportAlarm(faceReport({ ip: '192.168.1.99' }))).body).toEqual({ code: 807, message: 'device not exist' });
    expect((await sim.reportAlarm(faceReport({ ip: '192.168.1.7' }))).body).toEqual({ code: 809, message: 'manufacture error' });
    expect(
      (await sim.reportCapture({ ip: '192.168.1.99', deviceType: 2, captureTime: 1631798285, picBase64: SAMPLE_JPEG, picType: 'JPG' })).body
        .code,
    ).toBe(807);
  });

  it('answers 804 with the failing parameter for every rule of reportAlarmEvent', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ eventType: 14 }, 'eventType'],
      [{ eventTime: 1631798285000 }, 'eventTime'],
      [{ eventId: '' }, 'eventId'],
      [{ eventStatus: 3 }, 'eventStatus'],
      [{ confidence: 256 }, 'confidence'],
      [{ scenePicBase64: undefined }, 'scenePicBase64'],
      [{ scenePicBase64: 'AABB****1122' }, 'scenePicBase64'],
      [{ scenePicType: 'GIF' }, 'scenePicType'],
      [{ deviceType: 3, channel: undefined }, 'channel'],
      [{ ip: '192.168.1' }, 'ip'],
      [{ objectInfo: undefined }, 'objPicBase64'],
      [
        {
          objectInfo: {
            objPicBase64: 'AABBCCDD',
            objPicType: 'JPG',
            leftTopY: 9000,
            objectExtInfo: { similarity: 0.5, groupId: '1', faceId: '1' },
          },
        },
        'leftTopY',
      ],
      [
        { objectInfo: { objPicBase64: 'AABBCCDD', objPicType: 'JPG', objectExtInfo: { similarity: 1, groupId: '1', faceId: '1' } } },
        'similarity',
      ],
      [{ objectInfo: { objPicBase64: 'AABBCCDD', objPicType: 'JPG', objectExtInfo: { similarity: 0.5, faceId: '1' } } }, 'groupId'],
      [{ eventType: 2, objectInfo: { objPicBase64: 'AABBCCDD', objPicType: 'JPG', objectExtInfo: { targetType: 3 } } }, 'targetType'],
      [{ eventType: 6, objectInfo: { objPicBase64: 'AABBCCDD', objPicType: 'JPG', objectExtInfo: { plateColor: 1 } } }, 'vehicleColor'],
      [
        {
          eventType: 7,
          objectInfo: { objPicBase64: 'AABBCCDD', objPicType: 'JPG', objectExtInfo: { alarmContion: 1, tempValue: 'hot', tempUnit: 1 } },
        },
        'tempValue',
      ],
      [{ eventType: 8, objectInfo: { objPicBase64: 'AABBCCDD', objPicType: 'JPG', objectExtInfo: { tempMax: 37.5 } } }, 'tempUnit'],
      [{ eventType: 10, objectInfo: { objPicBase64: 'AABBCCDD', objPicType: 'JPG', objectExtInfo: { type: 3 } } }, 'type'],
      [
        { eventType: 11, objectInfo: { objPicBase64: 'AABBCCDD', objPicType: 'JPG', objectExtInfo: { type: 1, vehicleColor: 15 } } },
        'vehicleColor',
      ],
    ];
    for (const [over, param] of cases) {
      const r = await sim.reportAlarm(faceReport(over));
      expect({ over, body: r.body }).toEqual({ over, body: { code: 804, message: `param check error: /'${param}/'` } });
    }
    expect(rig.records).toHaveLength(0);
  });

  it('refuses a 5 MB body from its declared length with 413 and 805, and an unknown path', async () => {
    const text = await headersOnly(rig.driver.server.port, '/edgeSecurityEvent/reportAlarmEvent', 5 * 1024 * 1024);
    expect(text).toMatch(/^HTTP\/1.1 413/);
    expect(text).toContain('{"code":805,"message":"memory exception"}');
    expect((await sim.post('nothing', {})).body).toEqual({ code: 808, message: 'procotol not support' });
  });

  it('holds a flooding address to its rate with 429 and goes on serving', async () => {
    const small = await startRig({ limits: { perSourceRequestsPerS: 20, perSourceBurst: 40 } });
    try {
      const flooder = await small.adapter();
      expect((await flooder.authenticate()).body.code).toBe(200);
      const answers = [];
      for (let batch = 0; batch < 6; batch++) answers.push(...(await Promise.all(Array.from({ length: 20 }, () => flooder.getConfig()))));
      const limited = answers.filter((a) => a.status === 429);
      expect(limited.length).toBeGreaterThan(0);
      expect(limited[0]!.body).toEqual({ code: 810, message: 'abnormal communication' });
      expect(answers.filter((a) => a.body.code === 200).length).toBeGreaterThanOrEqual(39);
      // The flooder is served again once its bucket refills.
      expect(await waitFor(async () => ((await flooder.getConfig()).body.code === 200 ? true : undefined), 5000, 100)).toBe(true);
    } finally {
      await small.close();
    }
  });
});
