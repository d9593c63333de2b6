/**
 * Seed 003 at the protocol level: the register sign, every message path and type of §2 with the
 * seed's own example messages, strings-only replies, the §3 codes for bad input, and the queue.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceCommandQueue } from '../../edge/face-queue/index.js';
import { openDatabase, type Db } from '../../edge/store/db.js';
import {
  PushServer,
  SERVICES,
  SERVICE_NAMES,
  normalise,
  parsePassTime,
  registerSign,
  stringsOnly,
  verifyRegisterSign,
  type PushHandlers,
} from '../../protocols/face-push/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('register sign (seed 003 L101-104)', () => {
  it('is MD5(deviceNo + registerTime + rand + deviceNo) in upper case, for the seed example fields', () => {
    // The example's fields (L83-103). Its printed sign "025984AB8393B9484226E6B1FA7BBF" has 30
    // hex digits and is not an MD5 of these fields: the formula wins (docs/face-terminals.md).
    const sign = registerSign('1683800000106', '1508845817', 'e10adc3949ba59abbe56e057f20f883e');
    expect(sign).toBe('847550488CB351F48D00C84AE2D3ED24');
    expect(verifyRegisterSign('1683800000106', '1508845817', 'e10adc3949ba59abbe56e057f20f883e', sign)).toBe(true);
    expect(verifyRegisterSign('1683800000106', '1508845817', 'e10adc3949ba59abbe56e057f20f883e', sign.toLowerCase())).toBe(true);
    expect(verifyRegisterSign('1683800000106', '1508845817', 'e10adc3949ba59abbe56e057f20f883e', '025984AB8393B9484226E6B1FA7BBF')).toBe(
      false,
    );
    expect(verifyRegisterSign('1683800000107', '1508845817', 'e10adc3949ba59abbe56e057f20f883e', sign)).toBe(false);
  });
});

describe('message handling', () => {
  const calls: string[] = [];
  const handlers: PushHandlers = {
    sourceAllowed: () => true,
    register: async (m) => {
      calls.push(`register ${m.deviceNo}`);
      return {
        msgType: 'registerResp',
        deviceNo: m.deviceNo,
        errorCode: '100',
        registerTime: 1585903632011,
        heatbeatService: undefined,
        nothing: null,
      };
    },
    keepAlive: async (m) => {
      calls.push(`keepAlive ${m.deviceNo}`);
      return { msgType: 'keepAliveResp', deviceNo: m.deviceNo, errorCode: '100' };
    },
    uploadDevInfo: async (m) => {
      calls.push(`uploadDevInfo ${m.deviceNo}`);
      return { msgType: 'uploadDevInfoResp', errorCode: '100' };
    },
    record: async (m) => {
      calls.push(`record ${m.msgID} ${m.compareResult}`);
      return { msgType: 'uploadRecordResp', msgID: m.msgID, errorCode: '100' };
    },
    poll: async (s, m) => {
      calls.push(`poll ${s} ${m.deviceNo}`);
      return { msgType: SERVICES[s].resp, [SERVICES[s].flag]: '0' };
    },
    result: async (s, m) => {
      calls.push(`result ${s} ${m.msgID} ${m.errorCode}`);
      return { msgType: SERVICES[s].resp, msgID: m.msgID, errorCode: '100' };
    },
  };
  let server: PushServer;
  let base = '';
  beforeAll(async () => {
    server = new PushServer(handlers, { host: '127.0.0.1', port: 0, prefix: '/push' });
    base = `http://127.0.0.1:${(await server.listen()).port}/push`;
  });
  afterAll(() => server.close());
  const post = async (path: string, body: string) => {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json;charset=UTF-8' }, body });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('routes the seed example messages, tolerating their stray spaces, and answers strings only', async () => {
    // L85-103 (curly quotes of the PDF straightened), L603-605, L671-675 (open poll), L745-753 (open result)
    const r = await post(
      '/device/register',
      '{"msgType":"register","deviceNo":"1683800000106","registerTime":"1508845817","rand":"e10adc3949ba59abbe56e057f20f883e","protocolVersion":" V1.0","hardwareVersion":"A2","softwareVersion":"2.1.9 2020-02-13","algVersion":"1.0.2-1.2.0","sign":"025984AB8393B9484226E6B1FA7BBF"}',
    );
    expect(r.body).toEqual({
      msgType: 'registerResp',
      deviceNo: '1683800000106',
      errorCode: '100',
      registerTime: '1585903632011',
      heatbeatService: '',
      nothing: '',
    });
    await post('/device/heatbeat', '{"msgType":"keepAlive","deviceNo":"FaceDevice001"}');
    await post('/device/open', '{"msgType":"onlineOpenReq","deviceNo":"FaceDevice001","version":" V1.0"}');
    await post(
      '/device/open',
      '{"msgType":"onlineOpenResp","msgID":"000002","deviceNo":"FaceDevice001","errorCode":"100","msg":"操作成功"}',
    );
    await post('/device/update', '{"msgType":" onlineUpdateReq ","deviceNo":"FaceDevice001","version":" V1.0"}'); // L788
    await post(
      '/device/update',
      '{"msgType":" onlineUpdateResp","msgID":"000002","deviceNo":"FaceDevice001","errorCode":"500","msg":"下载中"}',
    ); // L902-910
    await post('/device/reboot', '{"msgType ":"onlineRebootReq","deviceNo":"FaceDevice001","version":"V1.0"}'); // L942 key with a space
    await post(
      '/person/info',
      '{"msgType":"onlineGetRegisterInfoResp","msgID":"000002","deviceNo":"FaceDevice001","token":"1508845817","errorCode":"100","personNum":"1000","index":"999"}',
    ); // L4390
    await post(
      '/face/record',
      '{"msgType":"uploadRecord","msgID":"1001","version":"V1.0","deviceNo":"FaceDevice001","snapType":"0","compareResult":" 0","passTime":" 2019-11-08 13:05:51.421","idNumber":"20001","name":"张三","offLineRecordNum":"0"}',
    );
    expect(calls).toEqual([
      'register 1683800000106',
      'keepAlive FaceDevice001',
      'poll open FaceDevice001',
      'result open 000002 100',
      'poll update FaceDevice001',
      'result update 000002 500',
      'poll reboot FaceDevice001',
      'result info 000002 100',
      'record 1001 0',
    ]);
    for (const s of SERVICE_NAMES) {
      const a = await post(SERVICES[s].path, JSON.stringify({ msgType: SERVICES[s].req, deviceNo: 'D', version: 'V1.0' }));
      expect(a.body).toMatchObject({ msgType: SERVICES[s].resp, [SERVICES[s].flag]: '0' });
    }
  });

  it('refuses bad input with the protocol codes and keeps serving', async () => {
    expect((await post('/device/nothing', '{}')).body).toMatchObject({ errorCode: '203' });
    expect((await post('/device/open', '{"msgType":"somethingElse","deviceNo":"D"}')).body).toMatchObject({ errorCode: '203' });
    expect((await post('/device/register', '{"msgType":"keepAlive","deviceNo":"D"}')).body).toMatchObject({ errorCode: '203' });
    expect((await post('/device/register', '{not json')).body).toMatchObject({ errorCode: '200' });
    expect((await post('/device/register', '[1,2]')).body).toMatchObject({ errorCode: '200' });
    expect((await post('/device/register', '{"msgType":"register","deviceNo":"D"}')).body).toMatchObject({
      errorCode: '200',
      msg: 'missing registerTime, rand, sign',
    });
    expect((await post('/device/open', '{"msgType":"onlineOpenResp","deviceNo":"D","errorCode":"100"}')).body).toMatchObject({
      errorCode: '200',
      msg: 'missing msgID',
    });
    const get = await fetch(`${base}/device/register`);
    expect(get.status).toBe(405);
    expect((await post('/device/heatbeat', '{"msgType":"keepAlive","deviceNo":"D"}')).body).toMatchObject({ errorCode: '100' });
  });

  it('tidies values and never writes null', () => {
    expect(normalise({ ' msgType ': ' register ', a: 0, b: null, c: { x: 1 } })).toEqual({
      msg: { msgType: 'register', a: '0' },
      nonStrings: ['b', 'c'],
    });
    expect(stringsOnly({ a: null, b: undefined, c: 5, d: [{ e: null, f: 1 }] })).toEqual({ a: '', b: '', c: '5', d: [{ e: '', f: '1' }] });
    expect(parsePassTime(' 2019-11-08 13:05:51.421', 480)).toBe(Date.UTC(2019, 10, 8, 5, 5, 51, 421));
    expect(parsePassTime('2019/11/08', 480)).toBeUndefined();
  });
});

describe('durable command queue (edge/face-queue)', () => {
  let dir: string;
  let db: Db;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pe-fq-'));
    db = openDatabase(join(dir, 'q.db'));
  });
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands out one command at a time, retries, fails after the bound, expires, refuses duplicates, survives reopening', () => {
    const q = new FaceCommandQueue(db, { resultTimeoutMs: 1000, maxAttempts: 2 });
    const a = q.enqueue({ deviceKey: 'P/D', service: 'person', payload: { n: 1 }, ref: 'face:x' }, 0);
    const b = q.enqueue({ deviceKey: 'P/D', service: 'person', payload: { n: 2 }, ref: 'face:y' }, 0);
    q.enqueue({ deviceKey: 'P/D', service: 'person', payload: { n: 3 }, ref: 'face:y' }, 1); // supersedes b
    const n1 = q.next('P/D', 'person', 10);
    expect('command' in n1 && n1.command.msgId).toBe(a.msgId);
    expect('busy' in q.next('P/D', 'person', 20)).toBe(true); // L3781: one at a time
    const again = q.next('P/D', 'person', 2000); // no result in time: sent again
    expect('command' in again && again.command.attempts).toBe(2);
    const next = q.next('P/D', 'person', 4000); // attempts exhausted: failed, the next one goes
    expect('command' in next && next.command.payload).toEqual({ n: 3 });
    expect(q.get('P/D', a.msgId)?.state).toBe('failed');
    expect(q.get('P/D', b.msgId)?.state).toBe('superseded');
    expect(q.result('P/D', (next as { command: { msgId: string } }).command.msgId, '100', { msg: 'ok' }, {}, 4100)).toMatchObject({
      status: 'done',
    });
    expect(q.result('P/D', (next as { command: { msgId: string } }).command.msgId, '100', {}, {}, 4200)).toMatchObject({
      status: 'duplicate',
    });
    expect(q.result('P/D', 'nope', '100', {})).toEqual({ status: 'unknown' });
    const open = q.enqueue({ deviceKey: 'P/D', service: 'open', payload: {}, expiresAt: 5000 }, 4000);
    expect('empty' in q.next('P/D', 'open', 6000)).toBe(true);
    expect(q.get('P/D', open.msgId)?.state).toBe('expired');
    q.enqueue({ deviceKey: 'P/D', service: 'reboot', payload: {} }, 7000);
    const reopened = new FaceCommandQueue(db);
    expect(reopened.active('P/D').map((c) => c.service)).toEqual(['reboot']);
  });
});
