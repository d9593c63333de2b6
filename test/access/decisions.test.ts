import { afterEach, describe, expect, it } from 'vitest';
import { PASS } from '../../edge/access/codes.js';
import { judgeCredential, judgeFace, judgeQr } from '../../edge/access/passes/decide.js';
import type { CredentialRow, QrRow } from '../../edge/access/stores/permission-store.js';
import { parseRsaPublicKey, readScannedQr } from '../../edge/access/passes/qr-code.js';
import { makeCore, type TestCore } from './helpers.js';

// [seed 001 L2362-2371] the seed's RSA public key and its two private-key-encrypted test codes.
const SEED_KEY =
  'MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAI6zQY57YYUh1xDOk9ZOXQapFpSGmZIukTtJkvM5rf43b4H6tmzH27anYW8csBKmFAdJir9ZaJY1GhZO6FY/8d0CAwEAAQ==';
const VALID_2022 = 'Pd3fZ3VDviUjZ6dREW1wIeITxKQBAmmxJ1ZRL6kmAfq2RmXGiZBiv8wh39ySPODojwPCpYwsF4Ken5znf/sGtQ==';
const EXPIRED = 'XW5qDO45+wJe31/q5mMkx6EZDKf754yg2pg3QhUoSL6VBtwIzUlkKW+NilPC5tXpdlRlI92PNLhjtFlU707l2w==';

describe('encrypted QR codes (seed test vectors)', () => {
  it('decrypts both seed vectors to code:timestamp', () => {
    const key = parseRsaPublicKey(SEED_KEY);
    expect(readScannedQr(VALID_2022, key)).toEqual({ kind: 'encrypted', code: 'ALIF24DD9END8CD3', validUntilMs: 1661011200_000 });
    expect(readScannedQr(EXPIRED, key)).toEqual({ kind: 'encrypted', code: 'ALIF24DD9END8CD3', validUntilMs: 1597939200_000 });
  });

  it('treats a 32-character code as plain, garbage as unreadable, and a wrong key as unreadable', () => {
    const key = parseRsaPublicKey(SEED_KEY);
    expect(readScannedQr('ALI1234567890azxswdfghggfgsgERTG', key)).toEqual({ kind: 'plain', code: 'ALI1234567890azxswdfghggfgsgERTG' });
    expect(readScannedQr(Buffer.alloc(64, 7).toString('base64'), key).kind).toBe('unreadable');
    expect(readScannedQr('', key).kind).toBe('unreadable');
    expect(readScannedQr('bad\u0001code', key).kind).toBe('unreadable');
  });
});

const qr = (over: Partial<QrRow> = {}): QrRow => ({
  code: 'C',
  identity_id: 'u1',
  start_ms: 1000,
  end_ms: 2000,
  max_scans: -1,
  scope: 'DEVICE',
  shared_scans: 0,
  device_scans: 0,
  ...over,
});
const card = (over: Partial<CredentialRow> = {}): CredentialRow => ({
  kind: 'tradCard',
  credential: 'c1',
  device_key: 'pk/d1',
  identity_id: 'u1',
  number: null,
  start_ms: 1000,
  end_ms: 2000,
  ...over,
});

describe('decision rules, table-driven', () => {
  it.each([
    ['unknown code', undefined, 1500, PASS.QR_NOT_FOUND.code],
    ['held by another door only', qr({ device_scans: null }), 1500, 103],
    ['not yet effective', qr(), 999, 101],
    ['expired', qr(), 2001, 102],
    ['first instant', qr(), 1000, 0],
    ['last instant', qr(), 2000, 0],
    ['device scans used up', qr({ max_scans: 2, device_scans: 2 }), 1500, 104],
    ['device scans left', qr({ max_scans: 2, device_scans: 1 }), 1500, 0],
    ['shared scans used up', qr({ max_scans: 3, scope: 'SHARE', shared_scans: 3, device_scans: 0 }), 1500, 104],
    ['zero scans allowed', qr({ max_scans: 0 }), 1500, 104],
  ] as const)('QR: %s → %i', (_name, row, now, code) => {
    expect(judgeQr(row, now).code).toBe(code);
  });

  it('QR messages are the seed texts', () => {
    expect(judgeQr(undefined, 0)).toEqual({ code: 103, message: 'QR code does not exist' });
    expect(judgeQr(qr(), 1500)).toEqual({ code: 0, message: 'success', remainScanTimes: -1 });
    expect(judgeQr(qr({ max_scans: 5, device_scans: 3 }), 1500)).toEqual({ code: 0, message: 'success', remainScanTimes: 1 });
  });

  it.each([
    ['tradCard', undefined, 1500, 203, 'Traditional card number does not exist'],
    ['tradCard', card(), 500, 201, 'Traditional card number does not take effect'],
    ['tradCard', card(), 2500, 202, 'Traditional card number has expired'],
    ['tradCard', card({ start_ms: null }), 10, 0, 'success'],
    ['bleCard', undefined, 1500, 303, 'Bluetooth card number does not exist'],
    ['bleCard', card({ kind: 'bleCard' }), 500, 301, 'Bluetooth card number does not take effect'],
    ['bleCard', card({ kind: 'bleCard' }), 2500, 302, 'Bluetooth card number has expired'],
    ['password', undefined, 1500, 403, 'Password does not exist'],
    ['password', card({ kind: 'password', end_ms: null }), 1e13, 0, 'success'],
  ] as const)('%s row at %i → %i', (kind, row, now, code, message) => {
    expect(judgeCredential(kind, row, now)).toEqual({ code, message });
  });

  it.each([
    ['no library', undefined, 503],
    ['below threshold', { score: 0.79, policy: 'PERMISSION', expireMs: null }, 505],
    ['deny wins over expiry', { score: 0.99, policy: 'DENY', expireMs: 1 }, 506],
    ['expired', { score: 0.99, policy: 'PERMISSION', expireMs: 999 }, 502],
    ['allowed', { score: 0.8, policy: 'PERMISSION', expireMs: 1001 }, 0],
  ] as const)('face: %s → %i', (_n, cand, code) => {
    expect(judgeFace(cand, 0.8, 1000).code).toBe(code);
  });
});

describe('decisions through the core', () => {
  let t: TestCore;
  afterEach(() => t.close());
  const D1 = 'PK/door1';
  const D2 = 'PK/door2';

  it('decides the seed encrypted QR codes against a synced permission', () => {
    t = makeCore();
    t.core.setRsaPublicKey(D1, SEED_KEY);
    t.core.applyPermissionText(
      D1,
      JSON.stringify({
        qrCodePermissionList: [
          { type: 1, qrCode: 'ALIF24DD9END8CD3', startTime: '1568270392000', endTime: '1999892792000', maxScanTimes: -1 },
        ],
      }),
    );
    const now = Date.UTC(2021, 0, 1);
    expect(t.core.passage.decideQr(D1, VALID_2022, { now })).toMatchObject({ code: 0, message: 'success', kind: 'qrCode' });
    expect(t.core.passage.decideQr(D1, EXPIRED, { now })).toMatchObject({ code: 102, message: 'QR code has expired' });
    // After its own timestamp the valid code is expired too.
    expect(t.core.passage.decideQr(D1, VALID_2022, { now: 1661011201_000 }).code).toBe(102);
    // Door 2 has no key: the base64 string is just an unknown plain code.
    expect(t.core.passage.decideQr(D2, VALID_2022, { now }).code).toBe(103);
  });

  it('counts DEVICE scans per door and SHARE scans across doors', () => {
    t = makeCore();
    const entry = (code: string, scope: string) => ({
      type: 1,
      qrCode: code,
      startTime: '0',
      endTime: '9999999999999',
      maxScanTimes: 2,
      maxScanScope: scope,
    });
    for (const d of [D1, D2])
      t.core.applyPermissionText(d, JSON.stringify({ qrCodePermissionList: [entry('DEV', 'DEVICE'), entry('SHR', 'SHARE')] }));
    const codes = (code: string) => [D1, D1, D1, D2, D2, D2].map((d) => t.core.passage.decideQr(d, code, { now: 5 }).code);
    expect(codes('DEV')).toEqual([0, 0, 104, 0, 0, 104]);
    expect(codes('SHR')).toEqual([0, 0, 104, 104, 104, 104]);
    // The counters are durable once flushed.
    expect(t.core.permissions.qr(D1, 'SHR')?.shared_scans).toBe(2);
    expect(t.core.permissions.qr(D2, 'DEV')?.device_scans).toBe(2);
    expect(t.core.passage.decideQr(D1, 'DEV', { now: 5 }).code).toBe(104);
  });

  it('binds cards to their door and writes a passEvent for every decision', () => {
    t = makeCore();
    t.core.applyPermissionText(
      D1,
      JSON.stringify({
        tradCardPermissionList: [
          { cardId: 'card001', endTime: '1618625794000', type: 1, userId: '50a0alc68805f48a59b6879e837e684f67171474' },
        ],
      }),
    );
    const first = t.core.passage.decideCard(D1, 'card001', { now: 1600000000000 });
    expect(first).toMatchObject({ code: 0, identityId: '50a0alc68805f48a59b6879e837e684f67171474' });
    expect(t.core.passage.decideCard(D2, 'card001', { now: 1600000000000 }).code).toBe(203);
    expect(t.core.passage.decideCard(D1, 'card001', { now: 1618625794001 }).code).toBe(202);
    const events = t.outbox.of('passEvent');
    expect(events).toHaveLength(3);
    expect(events[0]!.payload).toMatchObject({ code: 0, message: 'success', type: 'tradCard', content: 'card001' });
    expect(JSON.parse(events[0]!.payload.extInfo as string)).toEqual({
      type: 'tradCard',
      cardId: 'card001',
      userID: '50a0alc68805f48a59b6879e837e684f67171474',
      eventTime: '1600000000',
      passId: first.passId,
    });
    expect(t.core.records.list()).toHaveLength(3);
  });

  it('reports the seed unit-test passEvent for a plain QR scan', () => {
    t = makeCore();
    t.core.applyPermissionText(
      D1,
      JSON.stringify({
        qrCodePermissionList: [
          {
            type: 1,
            qrCode: 'ALIF24DD9END8CD3',
            startTime: '1568270392000',
            endTime: '1599892792000',
            maxScanTimes: 600,
            maxScanScope: 'SHARE',
          },
        ],
      }),
    );
    t.core.passage.decideQr(D1, 'ALIF24DD9END8CD3', { now: 1597821579000 });
    // [seed 001 L2402-2406] {"code":0,"message":"success","type":"qrCode","content":"ALIF24DD9END8CD3"}
    expect(t.outbox.of('passEvent')[0]!.payload).toMatchObject({
      code: 0,
      message: 'success',
      type: 'qrCode',
      content: 'ALIF24DD9END8CD3',
    });
    expect(JSON.parse(t.outbox.of('passEvent')[0]!.payload.extInfo as string)).toMatchObject({
      type: 'qrCode',
      qrCode: 'ALIF24DD9END8CD3',
      eventTime: '1597821579',
      remainScanTimes: 599,
    });
  });

  it('decides BLE cards and passwords with their own codes', () => {
    t = makeCore();
    t.core.applyPermissionText(
      D1,
      JSON.stringify({
        bleCardPermissionList: [{ type: 1, cardId: 'B1', startTime: '100', endTime: '200', userId: 'u2' }],
        passwordPermissionList: [{ type: 1, password: '123456', number: '030', userId: 'u3' }],
      }),
    );
    expect([50, 150, 250].map((now) => t.core.passage.decideBleCard(D1, 'B1', { now }).code)).toEqual([301, 0, 302]);
    expect(t.core.passage.decideBleCard(D1, 'B2', { now: 150 }).code).toBe(303);
    expect(t.core.passage.decidePassword(D1, '123456', { now: 150 })).toMatchObject({ code: 0, identityId: 'u3' });
    expect(t.core.passage.decidePassword(D1, '654321', { now: 150 }).code).toBe(403);
  });
});
