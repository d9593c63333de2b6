/**
 * Seed 004 at the protocol level: the sign vector, the 5-minute window, every documented error
 * code mapped to a driver answer, the client against the simulator, and the record link's
 * heartbeat, silence detection and reconnect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../drivers/face-terminal-openapi/answers.js';
import { ERRORS } from '../../edge/errors.js';
import {
  OPENAPI_ERRORS,
  OpenApiClient,
  OpenApiError,
  RecordLink,
  checkObject,
  checkSign,
  openApiSign,
} from '../../protocols/face-openapi/index.js';
import { SimulatedOpenApiTerminal } from '../../scripts/sim/face-openapi/terminal.js';
import { waitFor } from '../helpers/runtime.js';

describe('sign (seed 004 L69-91)', () => {
  it('reproduces the seed example and enforces the 5-minute window', () => {
    expect(openApiSign('1573539353795', '123456')).toBe('188ef735093645c802b0e4741bd3e9a1');
    const now = 1573539353795;
    expect(checkSign('1573539353795', '188ef735093645c802b0e4741bd3e9a1', '123456', now)).toBe(0);
    expect(checkSign('1573539353795', '188EF735093645C802B0E4741BD3E9A1', '123456', now + 299_000)).toBe(0);
    expect(checkSign('1573539353795', '188ef735093645c802b0e4741bd3e9a1', '123456', now + 301_000)).toBe(10003);
    expect(checkSign('1573539353795', '188ef735093645c802b0e4741bd3e9a1', '123456', now - 301_000)).toBe(10003);
    expect(checkSign('1573539353795', '188ef735093645c802b0e4741bd3e9a0', '123456', now)).toBe(10005);
    expect(checkSign('1573539353795', '188ef735093645c802b0e4741bd3e9a1', '654321', now)).toBe(10005);
    expect(checkSign(undefined, 'x', '123456', now)).toBe(30003);
  });

  it('maps every documented error code to a clear driver answer', () => {
    const codes = [
      10001, 10002, 10003, 10004, 10005, 20001, 20002, 30001, 30002, 30003, 30004, 40001, 50001, 50002, 50003, 50004, 50008, 50009, 99999,
    ];
    expect(Object.keys(OPENAPI_ERRORS).map(Number).sort()).toEqual(codes.sort());
    const answers = Object.fromEntries(codes.map((c) => [c, failure(new OpenApiError(c, ''))]));
    expect(answers[10005]).toMatchObject({ code: ERRORS.EDGE_ERR_FACE_AUTH.alink, data: { deviceCode: 10005 } });
    expect(answers[10003]!.code).toBe(ERRORS.EDGE_ERR_FACE_CLOCK.alink);
    expect(answers[20001]!.code).toBe(ERRORS.EDGE_ERR_FACE_NOT_FOUND.alink);
    expect(answers[30002]).toMatchObject({ code: 460, message: expect.stringContaining('图片中未检测到人脸') });
    expect(answers[40001]!.code).toBe(ERRORS.EDGE_ERR_FACE_NOT_SUPPORTED.alink);
    expect(answers[50009]!.code).toBe(ERRORS.EDGE_ERR_FACE_FULL.alink);
    expect(answers[99999]!.code).toBe(ERRORS.EDGE_ERR_FACE_UNKNOWN.alink);
    for (const c of codes.filter((x) => x !== 50008)) expect(answers[c]!.message).toMatch(new RegExp(`^terminal .*: ${c} `));
    expect(failure(new Error('ECONNREFUSED')).code).toBe(ERRORS.EDGE_ERR_FACE_UNREACHABLE.alink);
  });

  it('checks configuration objects against the seed ranges', () => {
    expect(checkObject('smartface', { faceThre: 10, faceMinsize: 30, tempWarnThre: 37.5 })).toEqual([]);
    expect(checkObject('smartface', { faceThre: 11, faceInterval: 5, tempWarnThre: 38 })).toHaveLength(3);
    expect(checkObject('perpara', { unlockOuttime: 0, bogus: 1 })).toHaveLength(2);
  });
});

describe('client and record link against the simulated terminal', () => {
  let sim: SimulatedOpenApiTerminal;
  beforeAll(async () => {
    sim = new SimulatedOpenApiTerminal({ port: 0, wsPort: 0, password: 'secret' });
    await sim.start();
  });
  afterAll(() => sim.stop());

  it('calls the device API and refuses wrong passwords and skewed clocks with the seed codes', async () => {
    const c = new OpenApiClient({ baseUrl: `http://127.0.0.1:${sim.port}`, password: 'secret' });
    await c.open('hello');
    expect(sim.state.opens).toBe(1);
    expect(await c.information()).toMatchObject({ deviceMoel: 'SIM-OPENAPI' });
    expect(await c.jsonCmd({ a: 1 })).toEqual({ echo: { a: 1 } });
    await c.addUser({ userId: 'u1', userType: 1, name: 'N', icNumber: '', jobNumber: '', mobile: '', remark: '' });
    await expect(
      c.addUser({ userId: 'u2', userType: 7, name: 'N', icNumber: '', jobNumber: '', mobile: '', remark: '' }),
    ).rejects.toMatchObject({ code: 30001 });
    await expect(
      c.updateUser('zz', { userId: 'zz', userType: 1, name: 'N', icNumber: '', jobNumber: '', mobile: '', remark: '' }),
    ).rejects.toMatchObject({ code: 20001 });
    await expect(
      c.addUser({
        userId: 'u3',
        userType: 1,
        name: 'N',
        photo: Buffer.from('GIF89a').toString('base64'),
        icNumber: '',
        jobNumber: '',
        mobile: '',
        remark: '',
      }),
    ).rejects.toMatchObject({ code: 30004 });
    expect((await c.listUsers()).total).toBe(1);
    await c.deleteUser('u1');
    await expect(c.deleteUser('u1')).rejects.toMatchObject({ code: 20001 });
    await expect(c.records()).rejects.toMatchObject({ code: 50008 });
    await expect(c.setSmartface({ faceThre: 99 })).rejects.toMatchObject({ code: 30001 });

    const wrong = new OpenApiClient({ baseUrl: `http://127.0.0.1:${sim.port}`, password: 'nope' });
    await expect(wrong.open()).rejects.toMatchObject({ code: 10005, kind: 'auth' });
    const skewed = new OpenApiClient({ baseUrl: `http://127.0.0.1:${sim.port}`, password: 'secret', now: () => Date.now() - 6 * 60_000 });
    await expect(skewed.reboot()).rejects.toMatchObject({ code: 10003, kind: 'clock' });
    expect(sim.state.reboots).toBe(0);
    const raw = await fetch(`http://127.0.0.1:${sim.port}/api/device/open`, { method: 'POST' }).then((r) => r.json());
    expect(raw).toMatchObject({ code: 30003 });
  });

  it('the record link connects, beats, receives pushes, and a wrong password is denied', async () => {
    const link = new RecordLink({ url: `ws://127.0.0.1:${sim.wsPort}/api/record`, password: 'secret', heartbeatMs: 100 });
    const got: Record<string, unknown>[] = [];
    link.on('record', (r) => got.push(r));
    link.start();
    await waitFor(() => link.state === 'up', 5000);
    sim.recognise();
    await waitFor(() => got.length === 1, 5000);
    expect(got[0]).toMatchObject({ userType: -1, inputType: 1 });
    await waitFor(() => sim.state.heartbeats >= 4, 5000);
    link.stop();

    const denied = new RecordLink({ url: `ws://127.0.0.1:${sim.wsPort}/api/record`, password: 'wrong', backoffBaseMs: 50 });
    const downs: string[] = [];
    denied.on('down', (w) => downs.push(w));
    denied.start();
    await waitFor(() => downs.length > 0, 5000);
    denied.stop();
    expect(downs[0]).toMatch(/permission denied|closed/);
    expect(sim.state.refused).toContain(10005);
  });

  it('declares a silent link broken and reconnects with backoff', async () => {
    const quiet = new SimulatedOpenApiTerminal({ port: 0, wsPort: 0, silent: true });
    await quiet.start();
    try {
      const link = new RecordLink({
        url: `ws://127.0.0.1:${quiet.wsPort}/api/record`,
        password: '123456',
        heartbeatMs: 100,
        silenceMs: 500,
        backoffBaseMs: 50,
      });
      const downs: string[] = [];
      link.on('down', (w) => downs.push(w));
      link.start();
      await waitFor(() => downs.some((d) => d.startsWith('no traffic')), 10_000);
      await waitFor(() => quiet.state.wsConnects >= 2, 10_000); // reconnected
      link.stop();
    } finally {
      await quiet.stop();
    }
  });
});
