import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as P from '../../protocols/door-standard/index.js';

interface Example {
  path: string;
  kind: 'request' | 'response';
  line: number;
  json: Record<string, unknown>;
}
const examples = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'seed-examples.json'), 'utf8')) as Example[];

describe('connect sign (seed 001 L34985-35029)', () => {
  const f = { time: 1589472000, mac: '00-16-EA-AE-3D-40', sn: '123456789', ip: '192.168.1.128' };
  it('reproduces the seed example with the literal-brace string', () => {
    expect(P.signContent(f)).toBe('TIME{1589472000}MAC{00-16-EA-AE-3D-40}SN{123456789}IP{192.168.1.128}');
    expect(P.computeSign('md5', f)).toBe('4db51117ad87cef349f45a3b14c05142');
    const ex = examples.find((e) => e.path === '/connect' && e.kind === 'request')!.json;
    const req = P.parse(P.parseConnectRequest, ex);
    expect(req.ok && P.verifySign(req.value.signMethod, req.value, req.value.sign)).toBe(true);
  });
  it('computes sha1 and sha256 and accepts the brace-less form only when configured', () => {
    expect(P.computeSign('sha1', f)).toBe('b5d6f31aa47695764bb66399cd3da86a1e36b862');
    expect(P.computeSign('sha256', f)).toBe('df93bb43875266f6895507547ca4f36bfbfd1849a3e374500c7d8e4cc4212ea0');
    const plain = P.computeSign('md5', f, 'plain');
    expect(plain).toBe('4f8701cbc7c4d92ce04a9fc369e7a414');
    expect(P.verifySign('md5', f, plain)).toBe(false);
    expect(P.verifySign('md5', f, plain, ['braces', 'plain'])).toBe(true);
    expect(P.verifySign('md5', f, '4DB51117AD87CEF349F45A3B14C05142')).toBe(true);
    expect(P.verifySign('md5', { ...f, time: 1589472001 }, '4db51117ad87cef349f45a3b14c05142')).toBe(false);
  });
  it('reads signMethod case-insensitively (spec 001f A2)', () => {
    expect(['md5', 'MD5', 'SHA-1', 'sha256', 'SHA256'].map(P.parseSignMethod)).toEqual(['md5', 'md5', 'sha1', 'sha256', 'sha256']);
    expect(P.parseSignMethod('crc')).toBeUndefined();
  });
});

const requestParsers: Record<string, (o: P.Obj) => unknown> = {
  '/connect': P.parseConnectRequest,
  '/keepalive': P.parseToken,
  '/remoteOpen': P.parseToken,
  '/getKeepOpen': P.parseToken,
  '/alarmEvent': P.parseAlarmEvent,
  '/setKeepOpen': P.parseKeepOpenData,
  '/setTempCheckRule': P.parseTempCheckRule,
  '/faceAC/syncFaces': P.parseSyncFaces,
  '/faceAC/queryFaces': P.parseQueryFaces,
  '/qrcode': P.parseQrCode,
  '/cardAC/syncPermissions': P.parseSyncPermissions,
  '/cardAC/passEvent': P.parseCardPass,
  '/bleAC/syncPermissions': P.parseSyncPermissions,
  '/bleAC/passEvent': P.parseCardPass,
  '/visualIntercom/syncSipNumber': P.parseSipAccount,
  '/visualIntercom/getGroupId': P.parseGetGroupId,
  '/visualIntercom/checkPhoneNumber': P.parseCheckPhoneNumber,
  '/visualIntercom/verifyPhoneResult': P.parseVerifyPhoneResult,
  '/visualIntercom/reportOpenDoor': P.parseReportOpenDoor,
  '/elevator/reportRunState': (o) => {
    P.checkVersion(o);
    return P.parseRunStates(o);
  },
  '/elevator/getRunState': (o) => {
    P.checkVersion(o);
    return P.parseGetRunState(o);
  },
  '/elevator/releaseFloors': (o) => P.parseFloorCommand(o, 'room'),
  '/elevator/activateFloor': (o) => P.parseFloorCommand(o, 'roomNumber'),
  '/elevator/call': P.parseElevatorCall,
  '/elevator/info/get': (o) => {
    P.checkVersion(o);
    return P.parseToken(o);
  },
  '/elevator/rule/sync': P.parseRuleSync,
  '/elevator/rule/get': P.parseQueryFaces,
  '/elevator/rule/report': P.parseRuleReport,
  '/elevator/rule/setAvailability': P.parseAvailability,
  '/elevator/rule/getAvailability': P.parseToken,
};

const replyDataParsers: Record<string, (o: P.Obj) => unknown> = {
  '/connect': P.parseConnectReplyData,
  '/getKeepOpen': P.parseKeepOpenReplyData,
  '/recognize': P.parseRecognizeReplyData,
  '/faceAC/queryFaces': P.parseQueryFacesReplyData,
  '/qrcode': P.parseUserIdReplyData,
  '/elevator/info/get': P.parseElevatorInfo,
  '/elevator/rule/get': P.parseRulePage,
};

describe('message shapes against every seed example', () => {
  const requests = examples.filter((e) => e.kind === 'request');
  const responses = examples.filter((e) => e.kind === 'response');

  it('covers every JSON endpoint of the seed', () => {
    const paths = new Set(requests.map((e) => e.path));
    for (const p of [...P.EDGE_PATHS, ...P.DEVICE_PATHS]) if (!P.MULTIPART_PATHS.has(p)) expect(paths, p).toContain(p);
  });

  it.each(requests.map((e) => [e.path, e.line, e] as const))('request %s (L%d) parses', (path, _line, e) => {
    const parser = requestParsers[path];
    expect(parser, `no parser for ${path}`).toBeDefined();
    const r = P.parse(parser!, e.json);
    expect(r.ok ? 'ok' : r.error).toBe('ok');
  });

  it.each(responses.map((e) => [e.path, e.line, e] as const))(
    'response %s (L%d) has code 0, message and a valid data',
    (path, _line, e) => {
      expect(e.json).toMatchObject({ code: 0, message: 'success' });
      const parser = replyDataParsers[path];
      if (parser) {
        const r = P.parse(parser, e.json.data);
        expect(r.ok ? 'ok' : r.error).toBe('ok');
      }
    },
  );

  it('reads the getGroupId group at the top level, not inside data (L36352-36356)', () => {
    const e = responses.find((x) => x.path === '/visualIntercom/getGroupId')!;
    expect(e.json.groupId).toBe('4sewsEXT8ezMnlHlbWkjbL');
    expect(e.json.data).toBeUndefined();
  });
});

describe('message validation refuses bad input', () => {
  const bad = (fn: (o: P.Obj) => unknown, body: unknown) => {
    const r = P.parse(fn, body);
    return r.ok ? 'accepted' : r.error;
  };
  it('connect fields', () => {
    const ok = {
      sn: 'DOOR-1',
      time: 1589472000,
      ip: '10.0.0.1',
      mac: '00-16-EA-AE-3D-40',
      keepalive: 30,
      signMethod: 'md5',
      sign: '4db51117ad87cef349f45a3b14c05142',
    };
    expect(bad(P.parseConnectRequest, ok)).toBe('accepted');
    expect(bad(P.parseConnectRequest, { ...ok, sn: 'ab' })).toMatch(/sn/);
    expect(bad(P.parseConnectRequest, { ...ok, sn: 'a b c d' })).toMatch(/sn/);
    expect(bad(P.parseConnectRequest, { ...ok, keepalive: 121 })).toMatch(/keepalive/);
    expect(bad(P.parseConnectRequest, { ...ok, ip: '300.1.1.1' })).toMatch(/ip/);
    expect(bad(P.parseConnectRequest, { ...ok, time: '1589472000' })).toMatch(/time/);
    expect(bad(P.parseConnectRequest, [])).toMatch(/object/);
  });
  it('alarm, QR, cards, faces, rooms, rules', () => {
    expect(bad(P.parseAlarmEvent, { alarmType: 3 })).toMatch(/cardId/);
    expect(bad(P.parseAlarmEvent, { alarmType: 6 })).toBe('accepted');
    expect(bad(P.parseQrCode, { qrCode: 'x'.repeat(33) })).toMatch(/qrCode/);
    expect(
      bad(P.parseSyncPermissions, {
        permissions: Array.from({ length: 201 }, () => ({ type: 1, cardId: '1', effectiveTime: '0', expiryTime: '1' })),
      }),
    ).toMatch(/200/);
    expect(bad(P.parseSyncPermissions, { permissions: [{ type: 1, cardId: 'F47B0BA2' }] })).toMatch(/effectiveTime/);
    expect(bad(P.parseSyncPermissions, { permissions: [{ type: 2, cardId: 'F47B0BA2' }] })).toBe('accepted');
    expect(bad(P.parseSyncFaces, { faces: Array.from({ length: 51 }, () => ({ type: 4 })) })).toMatch(/50/);
    expect(bad(P.parseSyncFaces, { faces: [{ type: 1, faceId: 'f' }] })).toMatch(/feature/);
    expect(bad(P.parseSyncFaces, { faces: [{ type: 3, faceId: 'x'.repeat(65), feature: [1] }] })).toMatch(/64 bytes/);
    expect(P.normalizeRoomId('10-3A-1709')).toBe('1-10-3A-1709');
    expect(P.normalizeRoomId('1-5-767-801')).toBe('1-5-767-801');
    expect(P.normalizeRoomId('1-1234-1-1')).toBeUndefined();
    expect(bad(P.parseRuleReport, { ruleId: 'r', userId: 'u', authType: 'card', authContent: 'c', controlMode: 'CALL_ONLY' })).toMatch(
      /startFloor/,
    );
    expect(
      bad(P.parseRuleReport, { ruleId: 'r', userId: 'u', authType: 'palm', authContent: 'c', controlMode: 'CALL_ONLY', startFloor: '1' }),
    ).toMatch(/authType/);
    expect(bad(P.parseRuleSync, { rules: [{ type: 1, ruleId: 'r', delaySeconds: 301 }] })).toMatch(/300/);
    expect(bad(P.checkVersion, { version: '2020-01-01' })).toMatch(/version/);
  });
});

describe('face MD5 serialisation (spec 001f A7)', () => {
  it('is fixed: the JSON text of the float array, and the user info in a fixed key order', () => {
    expect(P.featureMd5([0.0069077396765351295, 0.06679696589708328])).toBe(
      P.featureMd5(JSON.parse('[0.0069077396765351295, 0.06679696589708328]') as number[]),
    );
    const a = P.userInfoMd5({ userName: '张三', userId: 'u1', isInBlackList: false, expiryTime: '1599892792000' });
    const b = P.userInfoMd5({ expiryTime: '1599892792000', isInBlackList: false, userId: 'u1', userName: '张三' });
    expect(a).toBe(b);
    expect(P.canonicalUserInfo({ isInBlackList: false, userName: '张三', userId: 'u1' })).toBe(
      '{"userId":"u1","userName":"张三","isInBlackList":false}',
    );
    expect(P.userInfoMd5({ userId: 'u1', userName: '张三' })).not.toBe(P.userInfoMd5({ userId: 'u1', userName: '李四' }));
  });
});

describe('multipart codec and image checks', () => {
  it('round-trips a form and refuses malformed ones', () => {
    const { body, contentType } = P.buildMultipart(
      { token: 't', similarity: '0.78654' },
      { photo: { filename: 'a.jpg', contentType: 'image/jpeg', data: Buffer.from([1, 2, 3, 13, 10]) } },
    );
    const form = P.parseMultipart(body, P.boundaryOf(contentType)!);
    expect(form.fields).toEqual({ token: 't', similarity: '0.78654' });
    expect([...form.files.photo!.data]).toEqual([1, 2, 3, 13, 10]);
    expect(() => P.parseMultipart(body.subarray(0, body.length - 30), P.boundaryOf(contentType)!)).toThrow(P.MultipartError);
    expect(() => P.parseMultipart(Buffer.from('garbage'), 'xyz')).toThrow(P.MultipartError);
    expect(P.boundaryOf('application/json')).toBeUndefined();
  });
  it('tells JPEG/PNG size from the header', () => {
    const png = Buffer.alloc(24);
    png.writeUInt32BE(0x89504e47, 0);
    png.write('IHDR', 12, 'latin1');
    png.writeUInt32BE(100, 16);
    png.writeUInt32BE(200, 20);
    expect(P.imageInfo(png)).toEqual({ format: 'png', width: 100, height: 200 });
    expect(P.photoProblem(png, 1024)).toMatch(/120x120/);
    const jpeg = Buffer.from([
      0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0, 0, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0xa0, 0x00, 0x90, 0x03, 0, 0, 0, 0,
    ]);
    expect(P.imageInfo(jpeg)).toEqual({ format: 'jpeg', width: 0x90, height: 0xa0 });
    expect(P.photoProblem(Buffer.from('GIF89a....'), 1024)).toMatch(/JPEG or PNG/);
    expect(P.photoProblem(Buffer.alloc(2000), 1024)).toMatch(/larger/);
  });
});
