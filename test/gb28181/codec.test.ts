/**
 * The SIP and MANSCDP codecs of protocols/gb28181 on vectors in the shape of GB/T 28181-2016's
 * own examples (§9.1.2 registration, Annex A.2.5 Keepalive, A.2.6 Catalog), RFC 3261 compact
 * headers, TCP framing, and RFC 2617 digest: good, wrong password, stale and foreign nonces, replay.
 */
import { describe, expect, it } from 'vitest';
import { CatalogCollector, type Catalog } from '../../protocols/gb28181/catalog.js';
import { DigestAuth, digestResponse, parseAuthorization } from '../../protocols/gb28181/digest.js';
import { StreamFramer } from '../../protocols/gb28181/framing.js';
import { decodeBody, parseManscdp, quickKeepalive } from '../../protocols/gb28181/manscdp.js';
import { cseqOf, header, parseMessage, serialize, tagOf, userOf } from '../../protocols/gb28181/message.js';
import { responseTo } from '../../protocols/gb28181/response.js';
import { ServerTransactions } from '../../protocols/gb28181/transactions.js';

const crlf = (lines: string[]) => Buffer.from(`${lines.join('\r\n')}\r\n`, 'latin1');

// The REGISTER of GB/T 28181-2016 §9.1.2.1 (first request, before the challenge).
const REGISTER = crlf([
  'REGISTER sip:34020000002000000001@3402000000 SIP/2.0',
  'Via: SIP/2.0/UDP 192.168.1.64:5060;rport;branch=z9hG4bK1371463273',
  'From: <sip:34020000001320000001@3402000000>;tag=2043466181',
  'To: <sip:34020000001320000001@3402000000>',
  'Call-ID: 1011047669',
  'CSeq: 1 REGISTER',
  'Contact: <sip:34020000001320000001@192.168.1.64:5060>',
  'Max-Forwards: 70',
  'User-Agent: IP Camera',
  'Expires: 3600',
  'Content-Length: 0',
  '',
]);

describe('SIP messages', () => {
  it('parses the standard REGISTER and answers it with the headers RFC 3261 §8.2.6 copies', () => {
    const r = parseMessage(REGISTER, 1024);
    expect(r.ok).toBe(true);
    if (!r.ok || r.message.kind !== 'request') throw new Error('not a request');
    expect(r.message.method).toBe('REGISTER');
    expect(userOf(header(r.message, 'from'))).toBe('34020000001320000001');
    expect(cseqOf(r.message)).toEqual({ seq: 1, method: 'REGISTER' });
    const res = responseTo(r.message, 401, [['WWW-Authenticate', 'Digest realm="3402000000"']]);
    const again = parseMessage(serialize(res), 1024);
    if (!again.ok || again.message.kind !== 'response') throw new Error('response does not parse');
    expect(again.message.status).toBe(401);
    expect(header(again.message, 'via')).toContain('branch=z9hG4bK1371463273');
    expect(tagOf(header(again.message, 'to'))).toMatch(/^[0-9a-f]{10}$/);
    expect(header(again.message, 'www-authenticate')).toBe('Digest realm="3402000000"');
  });

  it('expands compact headers, joins folded lines and keeps the body to its Content-Length', () => {
    const body =
      '<?xml version="1.0"?><Notify><CmdType>Keepalive</CmdType><SN>1</SN><DeviceID>34020000001320000001</DeviceID><Status>OK</Status></Notify>';
    const raw = crlf([
      'MESSAGE sip:34020000002000000001@3402000000 SIP/2.0',
      'v: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKx',
      'f: <sip:34020000001320000001@3402000000>;tag=1',
      't: <sip:34020000002000000001@3402000000>',
      'i: abc',
      'CSeq: 20',
      ' MESSAGE',
      'c: Application/MANSCDP+xml',
      `l: ${Buffer.byteLength(body)}`,
      '',
      `${body}TRAILING`,
    ]);
    const r = parseMessage(raw, 4096);
    if (!r.ok) throw new Error(r.reason);
    expect(header(r.message, 'call-id')).toBe('abc');
    expect(cseqOf(r.message)).toEqual({ seq: 20, method: 'MESSAGE' });
    expect(r.message.body.toString()).toBe(body);
  });

  it('refuses what is not SIP silently and a broken request with 400 or 413', () => {
    expect(parseMessage(Buffer.from('\x00\x01garbage\r\n\r\n'), 1024)).toMatchObject({ ok: false });
    const http = parseMessage(Buffer.from('GET / HTTP/1.1\r\n\r\n'), 1024);
    expect(http.ok || http.status).toBeUndefined();
    const noCallId = Buffer.from(REGISTER.toString('latin1').replace('Call-ID: 1011047669\r\n', ''), 'latin1');
    expect(parseMessage(noCallId, 1024)).toMatchObject({ ok: false, status: 400, reason: 'missing call-id header' });
    const big = Buffer.from(REGISTER.toString('latin1').replace('Content-Length: 0', 'Content-Length: 61440'), 'latin1');
    expect(parseMessage(Buffer.concat([big, Buffer.alloc(61440, 0x41)]), 32_768)).toMatchObject({ ok: false, status: 413 });
    const badLength = Buffer.from(REGISTER.toString('latin1').replace('Content-Length: 0', 'Content-Length: x'), 'latin1');
    expect(parseMessage(badLength, 1024)).toMatchObject({ ok: false, status: 400 });
  });

  it('frames a TCP stream by Content-Length, in pieces and batched, and stops at an oversized body', () => {
    const f = new StreamFramer(8192, 1024);
    const two = Buffer.concat([REGISTER, Buffer.from('\r\n\r\n'), REGISTER]);
    const a = f.push(two.subarray(0, 100));
    expect(a.frames).toHaveLength(0);
    const b = f.push(two.subarray(100));
    expect(b.frames.map((x) => x.toString('latin1'))).toEqual([REGISTER.toString('latin1'), REGISTER.toString('latin1')]);
    const big = Buffer.from(REGISTER.toString('latin1').replace('Content-Length: 0', 'Content-Length: 61440'), 'latin1');
    expect(new StreamFramer(8192, 1024).push(big).error).toEqual({ reason: 'body of 61440 bytes is over the cap', status: 413 });
    expect(new StreamFramer(64, 1024).push(Buffer.alloc(100, 0x41)).error?.status).toBe(413);
  });

  it('matches retransmissions to their transaction by branch, Call-ID and CSeq', () => {
    const r = parseMessage(REGISTER, 1024);
    if (!r.ok || r.message.kind !== 'request') throw new Error('no request');
    const tx = new ServerTransactions();
    const key = ServerTransactions.keyOf(r.message, '10.0.0.2')!;
    expect(tx.seen(key)).toEqual({ state: 'new' });
    expect(tx.seen(key)).toEqual({ state: 'pending' });
    tx.answered(key, Buffer.from('200'), false);
    expect(tx.seen(key)).toEqual({ state: 'answered', response: Buffer.from('200') });
    const next = parseMessage(Buffer.from(REGISTER.toString('latin1').replace('CSeq: 1', 'CSeq: 2'), 'latin1'), 1024);
    if (!next.ok || next.message.kind !== 'request') throw new Error('no request');
    expect(tx.seen(ServerTransactions.keyOf(next.message, '10.0.0.2')!)).toEqual({ state: 'new' });
    const otherCall = parseMessage(Buffer.from(REGISTER.toString('latin1').replace('Call-ID: 1011047669', 'Call-ID: 2'), 'latin1'), 1024);
    if (!otherCall.ok || otherCall.message.kind !== 'request') throw new Error('no request');
    expect(tx.seen(ServerTransactions.keyOf(otherCall.message, '10.0.0.2')!)).toEqual({ state: 'new' });
  });
});

describe('digest authentication', () => {
  let now = 1_000_000;
  const auth = new DigestAuth('3402000000', 60_000, () => now);
  const creds = (nonce: string, password: string, nc = '00000001') => {
    const c = {
      username: '34020000001320000001',
      realm: '3402000000',
      nonce,
      uri: 'sip:34020000002000000001@3402000000',
      qop: 'auth',
      nc,
      cnonce: 'abc',
    };
    return { ...c, response: digestResponse(c, 'REGISTER', password) };
  };
  const nonceOf = (challenge: string) => /nonce="([^"]+)"/.exec(challenge)![1]!;

  it('gives cameras challenged in the same millisecond their own nonces, each with its own count', () => {
    const a = nonceOf(auth.challenge());
    const b = nonceOf(auth.challenge());
    expect(a).not.toBe(b);
    expect(auth.check(creds(a, '12345678'), 'REGISTER', '12345678')).toEqual({ ok: true });
    expect(auth.check(creds(b, '12345678'), 'REGISTER', '12345678')).toEqual({ ok: true });
  });

  it('accepts the right password, refuses a wrong one, a foreign nonce and a replayed count', () => {
    const nonce = nonceOf(auth.challenge());
    expect(auth.check(creds(nonce, '12345678'), 'REGISTER', '12345678')).toEqual({ ok: true });
    expect(auth.check(creds(nonce, '12345678'), 'REGISTER', '12345678')).toEqual({ ok: false, why: 'replay' });
    expect(auth.check(creds(nonce, '12345678', '00000002'), 'REGISTER', '12345678')).toEqual({ ok: true });
    expect(auth.check(creds(nonce, 'wrong-pass', '00000003'), 'REGISTER', '12345678')).toEqual({ ok: false, why: 'wrong' });
    const other = new DigestAuth('3402000000', 60_000, () => now);
    expect(other.check(creds(nonce, '12345678', '00000004'), 'REGISTER', '12345678')).toEqual({ ok: false, why: 'foreign-nonce' });
  });

  it('answers an expired nonce as stale, with a fresh challenge marked stale=true', () => {
    const nonce = nonceOf(auth.challenge());
    now += 61_000;
    expect(auth.check(creds(nonce, '12345678'), 'REGISTER', '12345678')).toEqual({ ok: false, why: 'stale' });
    expect(auth.challenge(true)).toMatch(/stale=true/);
  });

  it('parses the Authorization header cameras send (quoted and bare values)', () => {
    const v =
      'Digest username="34020000001320000001", realm="3402000000", nonce="abc", uri="sip:34020000002000000001@3402000000", response="ABCDEF", algorithm=MD5, qop=auth, nc=00000001, cnonce="x"';
    expect(parseAuthorization(v)).toMatchObject({ username: '34020000001320000001', response: 'abcdef', qop: 'auth', nc: '00000001' });
    expect(parseAuthorization('Basic abc')).toBeUndefined();
    expect(parseAuthorization('Digest username="x"')).toBeUndefined();
  });
});

describe('MANSCDP bodies', () => {
  it('reads a GB2312 Catalog page (A.2.6) and collects pages up to SumNum', () => {
    // "通道" and "东门" in GB2312.
    const gb = Buffer.concat([
      Buffer.from(
        '<?xml version="1.0" encoding="GB2312"?><Response><CmdType>Catalog</CmdType><SN>7</SN><DeviceID>34020000001180000001</DeviceID><SumNum>2</SumNum><DeviceList Num="1"><Item><DeviceID>34020000001310000033</DeviceID><Name>',
        'latin1',
      ),
      Buffer.from([0xb6, 0xab, 0xc3, 0xc5]),
      Buffer.from('</Name><Status>ON</Status></Item></DeviceList></Response>', 'latin1'),
    ]);
    const m = parseManscdp(decodeBody(gb));
    if (!m.ok || m.value.cmd !== 'Catalog' || !('items' in m.value)) throw new Error('no catalog');
    expect(m.value.items).toEqual([{ deviceId: '34020000001310000033', name: '东门', status: 'ON' }]);
    const done: Catalog[] = [];
    const c = new CatalogCollector(60_000, (x) => done.push(x));
    expect(c.page(m.value.deviceId, m.value.sn, m.value.sumNum, m.value.items)).toBe(false);
    expect(c.page(m.value.deviceId, m.value.sn, m.value.sumNum, m.value.items)).toBe(false); // the same page again counts once
    expect(c.page(m.value.deviceId, 7, 2, [{ deviceId: '34020000001310000034', name: 'b' }])).toBe(true);
    expect(done).toMatchObject([{ sumNum: 2, complete: true }]);
    expect(done[0]!.items.map((i) => i.deviceId)).toEqual(['34020000001310000033', '34020000001310000034']);
    c.close();
  });

  it('reads Keepalive, refuses what is no MANSCDP', () => {
    const ka = parseManscdp(
      '<Notify><CmdType>Keepalive</CmdType><SN>3</SN><DeviceID>34020000001320000001</DeviceID><Status>OK</Status></Notify>',
    );
    expect(ka).toEqual({ ok: true, value: { root: 'Notify', cmd: 'Keepalive', sn: 3, deviceId: '34020000001320000001', status: 'OK' } });
    expect(parseManscdp('<Notify><CmdType>Keepalive</CmdType></Notify>')).toMatchObject({ ok: false });
    expect(parseManscdp('not xml <<<')).toMatchObject({ ok: false });
    expect(parseManscdp('<Foo/>')).toMatchObject({ ok: false });
  });

  it('reads the usual Keepalive without the XML parser, the same as the parser does, and leaves anything else to it', () => {
    const usual = [
      '<?xml version="1.0" encoding="GB2312"?>\r\n<Notify>\r\n<CmdType>Keepalive</CmdType>\r\n<SN>43</SN>\r\n<DeviceID>34020000001320000001</DeviceID>\r\n<Status>OK</Status>\r\n</Notify>\r\n',
      '<Notify><CmdType>Keepalive</CmdType><SN>7</SN><DeviceID>34020000001180000001</DeviceID><Status>OK</Status><Info><DeviceID>34020000001310000033</DeviceID></Info></Notify>',
    ];
    for (const body of usual) {
      const full = parseManscdp(body);
      expect(full.ok).toBe(true);
      expect(quickKeepalive(Buffer.from(body, 'latin1'))).toEqual(full.ok ? full.value : undefined);
    }
    const others = [
      // Another order, an attribute, a comment, another command, a missing field, too long an id.
      '<Notify><SN>7</SN><CmdType>Keepalive</CmdType><DeviceID>34020000001320000001</DeviceID><Status>OK</Status></Notify>',
      '<Notify a="1"><CmdType>Keepalive</CmdType><SN>7</SN><DeviceID>34020000001320000001</DeviceID><Status>OK</Status></Notify>',
      '<Notify><!-- x --><CmdType>Keepalive</CmdType><SN>7</SN><DeviceID>34020000001320000001</DeviceID><Status>OK</Status></Notify>',
      '<Notify><CmdType>Alarm</CmdType><SN>7</SN><DeviceID>34020000001320000001</DeviceID><Status>OK</Status></Notify>',
      '<Notify><CmdType>Keepalive</CmdType><SN>7</SN><DeviceID>34020000001320000001</DeviceID></Notify>',
      '<Notify><CmdType>Keepalive</CmdType><SN>7</SN><DeviceID>340200000013200000011</DeviceID><Status>OK</Status></Notify>',
      `<Notify><CmdType>Keepalive</CmdType><SN>7</SN><DeviceID>34020000001320000001</DeviceID><Status>OK</Status><Info>${'x'.repeat(2000)}</Info></Notify>`,
    ];
    for (const body of others) expect(quickKeepalive(Buffer.from(body, 'latin1')), body.slice(0, 40)).toBeUndefined();
  });
});
