/** Alink signing and topics, checked against the platform docs' own examples and the stand-in's independent signer. */
import { describe, expect, it } from 'vitest';
import { mqttCredentials, sign, signContent, subDeviceSignature } from '../../edge/cloud/alink/sign.js';
import { parseDownTopic } from '../../edge/cloud/alink/topics.js';
import { idOf, parseBody, realtimeToHistory } from '../../edge/cloud/alink/messages.js';
import { backoffMs } from '../../protocols/common/backoff.js';
import { parseCloudConfig } from '../../edge/cloud/config.js';
import { expectedSign, gatewayPassword } from '../../scripts/sim/cloud/verify.js';

describe('Alink signing', () => {
  it('builds the signed content exactly as doc 89300 shows it', () => {
    const content = signContent({
      productKey: 'al12345****',
      deviceName: 'device1234',
      clientId: 'al12345****&device1234',
      timestamp: '1581417203000',
      signMethod: 'hmacmd5',
      sign: 'x',
      cleanSession: 'true',
    });
    expect(content).toBe('clientIdal12345****&device1234deviceNamedevice1234productKeyal12345****timestamp1581417203000');
  });

  it('produces the CONNECT triple of doc 73742 and agrees with an independent implementation', () => {
    const id = { productKey: 'a1B2c3', deviceName: 'gw', deviceSecret: 's3cr3t' };
    const c = mqttCredentials(id, { tls: false, signMethod: 'hmacsha256', timestamp: 2524608000000 });
    expect(c.clientId).toBe('a1B2c3.gw|securemode=3,signmethod=hmacsha256,timestamp=2524608000000|');
    expect(c.username).toBe('gw&a1B2c3');
    expect(c.password).toMatch(/^[0-9a-f]{64}$/);
    expect(c.password).toBe(gatewayPassword(id, 'a1B2c3.gw', 2524608000000).password);
    expect(mqttCredentials(id, { tls: true, signMethod: 'hmacsha1', timestamp: 1 }).clientId).toContain('securemode=2,signmethod=hmacsha1');
    // A different secret gives a different password.
    expect(
      mqttCredentials({ ...id, deviceSecret: 'other' }, { tls: false, signMethod: 'hmacsha256', timestamp: 2524608000000 }).password,
    ).not.toBe(c.password);
  });

  it('signs a sub-device for topo/add and login the way the stand-in verifies it', () => {
    const s = subDeviceSignature({ productKey: 'pk', deviceName: 'dn', deviceSecret: 'sec' }, 1524448722000, 'hmacsha1');
    expect(s.clientId).toBe('pk&dn');
    expect(s.sign).toBe(
      expectedSign('sec', 'hmacSha1', { productKey: 'pk', deviceName: 'dn', clientId: 'pk&dn', timestamp: '1524448722000' }),
    );
    expect(sign('hmacmd5', 'k', 'v')).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('Alink topics and bodies', () => {
  it('classifies every downlink topic the box serves and nothing else', () => {
    expect(parseDownTopic('/sys/p/d/thing/service/property/set')).toEqual({ kind: 'service', pk: 'p', dn: 'd', serviceId: 'set' });
    expect(parseDownTopic('/sys/p/d/thing/service/Open')).toEqual({ kind: 'service', pk: 'p', dn: 'd', serviceId: 'Open' });
    expect(parseDownTopic('/sys/p/d/rrpc/request/123')).toEqual({ kind: 'rrpc', pk: 'p', dn: 'd', messageId: '123' });
    expect(parseDownTopic('/sys/p/d/thing/event/property/post_reply')).toEqual({
      kind: 'reply',
      pk: 'p',
      dn: 'd',
      request: 'thing/event/property/post',
    });
    expect(parseDownTopic('/sys/p/d/thing/disable')).toEqual({ kind: 'lifecycle', pk: 'p', dn: 'd', action: 'disable' });
    expect(parseDownTopic('/ext/session/p/d/combine/batch_login_reply')).toEqual({
      kind: 'sessionReply',
      pk: 'p',
      dn: 'd',
      action: 'batch_login',
    });
    expect(parseDownTopic('/ext/ntp/p/d/response')).toEqual({ kind: 'ntp', pk: 'p', dn: 'd' });
    expect(parseDownTopic('/sys/p/d/thing/service/a/b')).toBeUndefined();
    expect(parseDownTopic('/p/d/user/get')).toBeUndefined();
    expect(parseDownTopic('garbage')).toBeUndefined();
  });

  it('refuses bad bodies and odd ids', () => {
    expect(parseBody(Buffer.from('{x'), 100)).toEqual({ ok: false, reason: 'payload is not valid JSON' });
    expect(parseBody(Buffer.from('[]'), 100).ok).toBe(false);
    expect(parseBody(Buffer.alloc(200, 32), 100).ok).toBe(false);
    expect(idOf({ id: '123' })).toBe('123');
    expect(idOf({ id: 7 })).toBe('7');
    expect(idOf({ id: 'abc' })).toBe('');
    expect(idOf({ id: -1 })).toBe('');
  });

  it('rewrites a stale realtime post for the history topic with the same id and sample times', () => {
    const h = realtimeToHistory(
      'p',
      'd',
      '/sys/p/d/thing/event/property/post',
      JSON.stringify({ id: '9', params: { T: { value: 1, time: 1000 } } }),
    );
    expect(h?.topic).toBe('/sys/p/d/thing/event/property/history/post');
    expect(JSON.parse(h!.payload)).toMatchObject({
      id: '9',
      method: 'thing.event.property.history.post',
      params: [{ identity: { productKey: 'p', deviceName: 'd' }, properties: [{ T: { value: 1, time: 1000 } }] }],
    });
    const e = realtimeToHistory(
      'p',
      'd',
      '/sys/p/d/thing/event/Alarm/post',
      JSON.stringify({ id: '3', params: { value: { a: 1 }, time: 5 } }),
    );
    expect(JSON.parse(e!.payload).params[0].events).toEqual([{ Alarm: { value: { a: 1 }, time: 5 } }]);
  });
});

describe('cloud config and backoff', () => {
  it('fills defaults and refuses bad sections with the path', () => {
    const c = parseCloudConfig({ productKey: 'pk', deviceName: 'dn', deviceSecret: 's', url: 'mqtts://x.example:8883' });
    expect(c.keepaliveS).toBe(300);
    expect(c.outbox.quotaMb).toBe(256);
    expect(() => parseCloudConfig({ productKey: 'pk', deviceName: 'dn', deviceSecret: 's', url: 'http://x' })).toThrow(/cloud\/url/);
    expect(() => parseCloudConfig({ productKey: 'pk', deviceName: 'dn', deviceSecret: 's', url: 'mqtt://x', keepaliveS: 10 })).toThrow(
      /keepaliveS/,
    );
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(0, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffMs(0, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffMs(3, 1000, 60_000, () => 1)).toBe(8000);
    expect(backoffMs(20, 1000, 60_000, () => 1)).toBe(60_000);
  });
});
