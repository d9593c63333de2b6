/**
 * SIA DC-09 wire code against fixed vectors (protocols/sia-dc09). Where the vectors come from:
 *
 * - CRC: the CRC-16/ARC catalogue check value (0xBB3D for "123456789"), which is the CRC DC-09
 *   defines (polynomial 0x8005 reflected, 0xA001; initial 0).
 * - Frames: two frames and one NAK from the tests of an independent open-source DC-09
 *   implementation (github.com/fioletoven/dc09, common/src/dc09/message.tests.rs); the standard's
 *   own examples were not available to us.
 * - Ciphertexts: ours, computed with `openssl enc -aes-{128,192,256}-cbc -iv 0…0 -nopad` over
 *   pad + `|` + data (an implementation independent of Node's), and checked here both ways.
 * - Everything else: ours, with CRC and length computed by hand (a separate Python CRC).
 */
import { describe, expect, it } from 'vitest';
import {
  ackFrame,
  buildFrame,
  buildMessage,
  crc16,
  Dc09CryptoError,
  type Dc09FrameError,
  decryptBody,
  duhFrame,
  encryptBody,
  eventsOf,
  formatTimestamp,
  nakFrame,
  padFor,
  parseAnswer,
  parseContactId,
  parseFrame,
  parseKey,
  parseSiaBlock,
  parseTimestamp,
  readMessage,
  STANDARD_SKEW,
  withinSkew,
} from '../../protocols/sia-dc09/index.js';

const K128 = parseKey('000102030405060708090A0B0C0D0E0F');
const K192 = parseKey('000102030405060708090A0B0C0D0E0F1011121314151617');
const K256 = parseKey('000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F');
const T0 = Date.UTC(2024, 0, 2, 12, 0, 0); // _12:00:00,01-02-2024
const PLAIN = '#1234|Nri1/BA001]_12:00:00,01-02-2024';
const OPENSSL = {
  128: 'E02392A9D8A6A2D424C364C14DF2AEBB5F20E00DE550FC524E0E4ED33BA20684C0EFB5E8D5D8BF50C604A637305A2E1F',
  192: 'ED495719A6D4567C40BC3D6C2DEEB05249E3FDD973E5F5B8D9E27317D31FF933D0FFB80A305E335B5F36BF651655D609',
  256: '387916DC59A8796C6DE8D90376800625972C3FD1BEB3FB6E581FDA549A7B69988EF8968E6A458CE97E95DAF49A3BC029',
};

describe('CRC and frame', () => {
  it('computes the CRC-16/ARC check value', () => {
    expect(crc16('123456789')).toBe(0xbb3d);
    expect(crc16('')).toBe(0);
  });

  it("reads an independent implementation's frames", () => {
    expect(parseFrame('\nF4D20029"SIA-DCS"0001RF3L77#1234[#1234|NRR|Atest]\r')).toEqual({
      encrypted: false,
      id: 'SIA-DCS',
      seq: '0001',
      receiver: 'F3',
      prefix: '77',
      account: '1234',
      rest: '#1234|NRR|Atest]',
    });
    expect(parseFrame('\n96ED0016"SIA-DCS"0001L0#1234[]\r')).toMatchObject({ seq: '0001', prefix: '0', account: '1234', rest: ']' });
    expect(parseAnswer('\nE4410025"NAK"0000R0L0A0[]_16:20:01,09-24-2025\r')).toEqual({
      kind: 'NAK',
      timestamp: Date.UTC(2025, 8, 24, 16, 20, 1),
    });
  });

  it('builds frames with CRC and 0LLL length', () => {
    expect(buildFrame('"SIA-DCS"0007R1L0#1234[#1234|Nri1/BA001]')).toBe('\nF6A50028"SIA-DCS"0007R1L0#1234[#1234|Nri1/BA001]\r');
    expect(buildMessage({ id: 'ADM-CID', seq: '0002', prefix: '0', account: '1234', data: '#1234|1130 01 015', timestamp: T0 })).toBe(
      '\n97DB003B"ADM-CID"0002L0#1234[#1234|1130 01 015]_12:00:00,01-02-2024\r',
    );
    expect(buildMessage({ id: 'NULL', seq: '0003', prefix: '0', account: '1234', data: '' })).toBe('\n11020013"NULL"0003L0#1234[]\r');
  });

  it('refuses a wrong CRC, a wrong length, a bad header and a non-frame, each by name', () => {
    const good = '\nF6A50028"SIA-DCS"0007R1L0#1234[#1234|Nri1/BA001]\r';
    const problem = (raw: string) => {
      try {
        parseFrame(raw);
        return 'none';
      } catch (err) {
        return (err as Dc09FrameError).problem;
      }
    };
    expect(problem(good)).toBe('none');
    expect(problem(good.replace('F6A5', 'F6A6'))).toBe('crc');
    expect(problem(good.replace('BA001', 'BA002'))).toBe('crc');
    expect(problem(good.replace('0028', '0029'))).toBe('length');
    expect(problem(good.replace('0028', '1028'))).toBe('frame');
    expect(problem(good.slice(0, -1))).toBe('frame');
    expect(problem(buildFrame('"SIA-DCS"07R1L0#1234[]'))).toBe('header'); // 2-digit sequence
    expect(problem(buildFrame('"SIA-DCS"0007R1L0#12G4[]'))).toBe('header'); // account not hex
    expect(problem(buildFrame(`"SIA-DCS"0007R1L0#${'1'.repeat(17)}[]`))).toBe('header'); // account longer than 16
    expect(problem(buildFrame('"SIA-DCS"0007RFFFFFFLFFFFFF#0[]'))).toBe('none'); // annex C.2.3.8: rcvr/pref FFFFFF, acct 0
    expect(problem(buildFrame('"SIA-DCS"0007R1#1234[]'))).toBe('header'); // no line prefix
  });
});

describe('answers', () => {
  const h = { seq: '0007', receiver: '1', prefix: '0', account: '1234' };
  it('ACK and DUH echo sequence, receiver, prefix and account; NAK is fixed and carries the time', () => {
    expect(ackFrame({ ...h, encrypted: false }, undefined, T0)).toBe('\n16BE0014"ACK"0007R1L0#1234[]\r');
    expect(duhFrame(h)).toBe('\n66660014"DUH"0007R1L0#1234[]\r');
    expect(nakFrame(T0 + 5000)).toBe('\nDDF50025"NAK"0000R0L0A0[]_12:00:05,01-02-2024\r');
    expect(parseAnswer(ackFrame({ ...h, encrypted: false }, undefined, T0))).toEqual({
      kind: 'ACK',
      seq: '0007',
      account: '1234',
      encrypted: false,
    });
    expect(parseAnswer(duhFrame(h))).toEqual({ kind: 'DUH', seq: '0007', account: '1234' });
  });

  it('encrypts the ACK of an encrypted message: pad, |, ] and the time', () => {
    const ack = ackFrame({ ...h, encrypted: true }, K128, T0 + 5000);
    expect(ack).toMatch(/^\n[0-9A-F]{4}0[0-9A-F]{3}"\*ACK"0007R1L0#1234\[[0-9A-F]{64}\r$/);
    expect(parseAnswer(ack, K128)).toEqual({ kind: 'ACK', seq: '0007', account: '1234', encrypted: true, timestamp: T0 + 5000 });
    // The openssl vector of pad "ABCDEFGHIJ" + "|]_12:00:05,01-02-2024".
    expect(decryptBody(K128, '55F070236B828139417D77A007A7D27464BB2592932C0161EC0FD96CA8822D85')).toBe(']_12:00:05,01-02-2024');
  });
});

describe('encryption (AES-CBC, zero IV, DC-09 pad)', () => {
  it('matches openssl for 128-, 192- and 256-bit keys, both ways', () => {
    for (const [bits, key] of [
      [128, K128],
      [192, K192],
      [256, K256],
    ] as const) {
      expect(encryptBody(key, PLAIN, 'ABCDEFGHIJ'), `${bits}`).toBe(OPENSSL[bits]);
      expect(decryptBody(key, OPENSSL[bits]), `${bits}`).toBe(PLAIN);
    }
  });

  it('pads to whole blocks with characters other than | [ ]', () => {
    for (let n = 0; n < 40; n++) {
      const text = 'x'.repeat(n);
      const pad = padFor(text);
      expect((pad.length + 1 + n) % 16).toBe(0);
      expect(pad).not.toMatch(/[|[\]]/);
      expect(decryptBody(K128, encryptBody(K128, text))).toBe(text);
    }
  });

  it('refuses a wrong key, odd hex and keys of other sizes', () => {
    expect(() => decryptBody(K256, OPENSSL[128])).toThrow(Dc09CryptoError);
    expect(() => decryptBody(K128, 'ABC')).toThrow(Dc09CryptoError);
    expect(() => decryptBody(K128, 'Z'.repeat(32))).toThrow(Dc09CryptoError);
    expect(() => parseKey('0011')).toThrow(Dc09CryptoError);
  });

  it('reads an encrypted message end to end and demands its timestamp', () => {
    const frame = buildFrame(`"*SIA-DCS"0007R1L0#1234[${OPENSSL[128]}`);
    const m = readMessage(parseFrame(frame), K128);
    expect(m).toMatchObject({ id: 'SIA-DCS', encrypted: true, data: '#1234|Nri1/BA001', extended: [], timestamp: T0 });
    expect(() => readMessage(parseFrame(frame))).toThrow(/without a key/);
    const noTime = buildFrame(`"*SIA-DCS"0007R1L0#1234[${encryptBody(K128, '#1234|Nri1/BA001]')}`);
    expect(() => readMessage(parseFrame(noTime), K128)).toThrow(/timestamp/);
  });
});

describe('timestamps', () => {
  it('formats and parses _HH:MM:SS,MM-DD-YYYY in UTC, refusing impossible dates', () => {
    expect(formatTimestamp(T0)).toBe('_12:00:00,01-02-2024');
    expect(parseTimestamp('_12:00:00,01-02-2024')).toBe(T0);
    expect(parseTimestamp('_23:59:59,02-29-2024')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59));
    expect(parseTimestamp('_12:00:00,02-30-2024')).toBeUndefined();
    expect(parseTimestamp('_24:00:00,01-02-2024')).toBeUndefined();
    expect(parseTimestamp('12:00:00,01-02-2024')).toBeUndefined();
  });

  it('accepts +20 s / -40 s around the receiver clock by default', () => {
    expect(withinSkew(T0 + 20_000, T0, STANDARD_SKEW)).toBe(true);
    expect(withinSkew(T0 + 21_000, T0, STANDARD_SKEW)).toBe(false);
    expect(withinSkew(T0 - 40_000, T0, STANDARD_SKEW)).toBe(true);
    expect(withinSkew(T0 - 41_000, T0, STANDARD_SKEW)).toBe(false);
  });
});

describe('events', () => {
  it('reads Contact ID qualifiers: 1 new/opening, 3 restore/closing, 6 previously reported', () => {
    expect(parseContactId('1130 01 015')).toEqual({
      format: 'CID',
      code: '130',
      area: '01',
      zone: '015',
      kind: 'alarm',
      category: 'burglary',
    });
    expect(parseContactId('3131 02 004')).toMatchObject({ kind: 'restore', category: 'perimeter', area: '02', zone: '004' });
    expect(parseContactId('6130 01 015')).toMatchObject({ kind: 'status' });
    expect(parseContactId('1137 01 003')).toMatchObject({ kind: 'alarm', category: 'tamper' });
    expect(parseContactId('1372 01 003')).toMatchObject({ kind: 'alarm', category: 'loopShort' });
    expect(parseContactId('1371 01 003')).toMatchObject({ kind: 'alarm', category: 'loopOpen' });
    expect(parseContactId('1300 01 000')).toMatchObject({ kind: 'alarm', category: 'trouble' });
    expect(parseContactId('1110 01 009')).toMatchObject({ kind: 'alarm', category: 'fire' });
    expect(parseContactId('1401 01 007')).toMatchObject({ kind: 'disarm', area: '01', zone: '007' });
    expect(parseContactId('3401 01 007')).toMatchObject({ kind: 'arm' });
    expect(parseContactId('1602 00 000')).toMatchObject({ kind: 'test' });
    expect(parseContactId('1999 00 000')).toMatchObject({ kind: 'other' });
    expect(() => parseContactId('1130 01 15')).toThrow();
    expect(() => parseContactId('2130 01 015')).toThrow();
  });

  it('reads SIA DCS blocks: modifiers, several events, text', () => {
    expect(parseSiaBlock('Nri1/BA001')).toEqual([
      { format: 'SIA', code: 'BA', area: '1', zone: '001', kind: 'alarm', category: 'burglary' },
    ]);
    expect(parseSiaBlock('Nri2/BA001/BR002').map((e) => [e.code, e.kind, e.area, e.zone])).toEqual([
      ['BA', 'alarm', '2', '001'],
      ['BR', 'restore', '2', '002'],
    ]);
    expect(parseSiaBlock('Nti10:00/id12/ri3/CL012')).toEqual([{ format: 'SIA', code: 'CL', area: '3', zone: '012', kind: 'arm' }]);
    expect(parseSiaBlock('Nri1TA005^COVER^')).toMatchObject([{ code: 'TA', category: 'tamper', zone: '005', text: 'COVER' }]);
    expect(parseSiaBlock('NOP001')).toMatchObject([{ kind: 'disarm' }]);
    expect(parseSiaBlock('Ori1/BA001')).toMatchObject([{ kind: 'status' }]);
    expect(() => parseSiaBlock('Nri1')).toThrow(/no event/);
    expect(() => parseSiaBlock('X')).toThrow();
    expect(() => parseSiaBlock('Nri1/ba!')).toThrow();
  });

  it('takes the events from the data block, checking its account against the header', () => {
    const m = readMessage(parseFrame(buildFrame('"ADM-CID"0002L0#1234[#1234|1130 01 015]')));
    expect(eventsOf(m)).toMatchObject([{ code: '130', zone: '015' }]);
    const other = readMessage(parseFrame(buildFrame('"ADM-CID"0002L0#1234[#9999|1130 01 015]')));
    expect(() => eventsOf(other)).toThrow(/another account/);
    expect(eventsOf(readMessage(parseFrame('\n11020013"NULL"0003L0#1234[]\r')))).toEqual([]);
    const ext = readMessage(parseFrame(buildFrame('"SIA-DCS"0002L0#1234[#1234|Nri1/BA001][X113E][Y32N]')));
    expect(ext.extended).toEqual(['X113E', 'Y32N']);
  });
});
