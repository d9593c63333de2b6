/**
 * The pure ONVIF protocol pieces (protocols/onvif/): WS-UsernameToken digest against the ONVIF
 * Application Programmer's Guide example, HTTP Digest against RFC 2617's example, WS-Discovery
 * ProbeMatches and PullMessages notifications as the specifications print them, and hostile
 * documents that must yield nothing rather than throw.
 */
import { describe, expect, it } from 'vitest';
import { parseProbeMatches, probeMessage } from '../../protocols/onvif/discovery.js';
import { authorization, digestResponse, parseChallenge, parseDigestParams } from '../../protocols/onvif/http-digest.js';
import { eventOf, parseNotifications } from '../../protocols/onvif/notifications.js';
import { passwordDigest, verifyUsernameToken } from '../../protocols/onvif/wsse.js';
import { redactUri, withCredentials } from '../../drivers/onvif-camera/camera.js';

describe('WS-UsernameToken PasswordDigest', () => {
  // The ONVIF Application Programmer's Guide's UsernameToken example: user "user", password "userpassword".
  const token = {
    username: 'user',
    nonce: 'LKqI6G/AikKCQrN0zqZFlg==',
    created: '2010-09-16T07:50:45Z',
    digest: 'tuOSpGlFlIXsozq4HFNeeGeFLEI=',
  };
  it('computes the guide’s digest and checks it within the replay window only', () => {
    expect(passwordDigest(token.nonce, token.created, 'userpassword')).toBe(token.digest);
    const at = Date.parse(token.created);
    expect(verifyUsernameToken(token, 'userpassword', at + 1000)).toBe(true);
    expect(verifyUsernameToken(token, 'wrong', at + 1000)).toBe(false);
    expect(verifyUsernameToken(token, 'userpassword', at + 10 * 60_000)).toBe(false);
    expect(verifyUsernameToken({ ...token, created: 'yesterday' }, 'userpassword', at)).toBe(false);
  });
});

describe('HTTP Digest', () => {
  it('answers RFC 2617 §3.5’s example', () => {
    expect(
      digestResponse({
        username: 'Mufasa',
        password: 'Circle Of Life',
        realm: 'testrealm@host.com',
        nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
        method: 'GET',
        uri: '/dir/index.html',
        qop: 'auth',
        nc: '00000001',
        cnonce: '0a4f113b',
      }),
    ).toBe('6629fae49393a05397450978507c4ef1');
  });
  it('parses a challenge and builds credentials that verify', () => {
    const c = parseChallenge(
      'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    );
    expect(c).toMatchObject({ realm: 'testrealm@host.com', qop: 'auth,auth-int', opaque: '5ccc069c403ebaf9f0171e9517f40e41' });
    const h = authorization(c!, { username: 'Mufasa', password: 'Circle Of Life' }, 'GET', '/dir/index.html');
    const p = parseDigestParams(h)!;
    expect(p).toMatchObject({ username: 'Mufasa', uri: '/dir/index.html', qop: 'auth', nc: '00000001' });
    expect(p.response).toBe(
      digestResponse({
        username: 'Mufasa',
        password: 'Circle Of Life',
        realm: c!.realm,
        nonce: c!.nonce,
        method: 'GET',
        uri: '/dir/index.html',
        qop: 'auth',
        nc: '00000001',
        cnonce: p.cnonce!,
      }),
    );
    expect(parseChallenge('Basic realm="x"')).toBeUndefined();
    expect(parseChallenge('Digest realm="x", nonce="y", algorithm=SHA-256')).toBeUndefined();
  });
});

describe('WS-Discovery', () => {
  const id = 'uuid:0a6dc791-2be6-4991-9af1-454778a1917a';
  // ProbeMatches in the ONVIF Core's shape (as an Axis/Hikvision camera sends it).
  const matches = `<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl">
<SOAP-ENV:Header><wsa:MessageID>uuid:f4b1c3a0-0000-0000-0000-000000000001</wsa:MessageID><wsa:RelatesTo>${id}</wsa:RelatesTo>
<wsa:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To><wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action></SOAP-ENV:Header>
<SOAP-ENV:Body><d:ProbeMatches><d:ProbeMatch><wsa:EndpointReference><wsa:Address>urn:uuid:a1f48ac2-dc8b-11df-b255-00408c1836b2</wsa:Address></wsa:EndpointReference>
<d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/hardware/IPC-B2202 onvif://www.onvif.org/name/UNV%20IPC</d:Scopes>
<d:XAddrs>http://192.168.1.64/onvif/device_service http://[fe80::1]/onvif/device_service</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>`;
  it('parses a ProbeMatch relating to our probe', () => {
    expect(probeMessage(id)).toContain(`<a:MessageID>${id}</a:MessageID>`);
    expect(parseProbeMatches(matches, id, '192.168.1.64:3702')).toEqual([
      {
        urn: 'urn:uuid:a1f48ac2-dc8b-11df-b255-00408c1836b2',
        xaddrs: ['http://192.168.1.64/onvif/device_service', 'http://[fe80::1]/onvif/device_service'],
        ip: '192.168.1.64',
        port: 80,
        name: 'UNV IPC',
        hardware: 'IPC-B2202',
        scopes: [
          'onvif://www.onvif.org/type/video_encoder',
          'onvif://www.onvif.org/hardware/IPC-B2202',
          'onvif://www.onvif.org/name/UNV%20IPC',
        ],
        from: '192.168.1.64:3702',
      },
    ]);
  });
  it('ignores answers to other probes, garbage and matches without address', () => {
    expect(parseProbeMatches(matches, 'uuid:other', 'x')).toEqual([]);
    expect(parseProbeMatches('<<<not xml', id, 'x')).toEqual([]);
    expect(
      parseProbeMatches(
        `<Envelope><Header><RelatesTo>${id}</RelatesTo></Header><Body><ProbeMatches><ProbeMatch/></ProbeMatches></Body></Envelope>`,
        id,
        'x',
      ),
    ).toEqual([]);
    expect(parseProbeMatches('x'.repeat(100_000), id, 'x')).toEqual([]);
  });
});

describe('PullMessages notifications', () => {
  // The ONVIF Core / Analytics message shape: CellMotionDetector with IsMotion.
  const pulled = (items: string) => `<?xml version="1.0" encoding="UTF-8"?>
<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:tev="http://www.onvif.org/ver10/events/wsdl" xmlns:wsnt="http://docs.oasis-open.org/wsn/b-2" xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:tns1="http://www.onvif.org/ver10/topics">
<env:Body><tev:PullMessagesResponse><tev:CurrentTime>2026-12-07T10:00:00Z</tev:CurrentTime><tev:TerminationTime>2026-12-07T10:01:00Z</tev:TerminationTime>${items}</tev:PullMessagesResponse></env:Body></env:Envelope>`;
  const message = (topic: string, data: string, op = 'Changed') =>
    `<wsnt:NotificationMessage><wsnt:Topic Dialect="http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet">${topic}</wsnt:Topic><wsnt:Message><tt:Message UtcTime="2026-12-07T10:00:00.500Z" PropertyOperation="${op}"><tt:Source><tt:SimpleItem Name="VideoSourceConfigurationToken" Value="1"/></tt:Source><tt:Data>${data}</tt:Data></tt:Message></wsnt:Message></wsnt:NotificationMessage>`;
  it('reads motion, tamper and other boolean states', () => {
    const ns = parseNotifications(
      pulled(
        message('tns1:RuleEngine/CellMotionDetector/Motion', '<tt:SimpleItem Name="IsMotion" Value="true"/>') +
          message('tns1:RuleEngine/TamperDetector/Tamper', '<tt:SimpleItem Name="IsTamper" Value="false"/>') +
          message('tns1:Device/Trigger/DigitalInput', '<tt:SimpleItem Name="LogicalState" Value="true"/>', 'Initialized') +
          message('tns1:Monitoring/ProcessorUsage', '<tt:SimpleItem Name="Value" Value="37.5"/>'),
      ),
    );
    expect(ns.map((n) => [n.topic, n.operation, n.time])).toEqual([
      ['RuleEngine/CellMotionDetector/Motion', 'Changed', Date.parse('2026-12-07T10:00:00.500Z')],
      ['RuleEngine/TamperDetector/Tamper', 'Changed', Date.parse('2026-12-07T10:00:00.500Z')],
      ['Device/Trigger/DigitalInput', 'Initialized', Date.parse('2026-12-07T10:00:00.500Z')],
      ['Monitoring/ProcessorUsage', 'Changed', Date.parse('2026-12-07T10:00:00.500Z')],
    ]);
    expect(ns.map(eventOf)).toEqual([
      { kind: 'motion', active: true },
      { kind: 'alarm', type: 'tamper', active: false },
      { kind: 'alarm', type: 'DigitalInput', active: true },
      undefined,
    ]);
  });
  it('yields nothing for hostile documents and bounds the count', () => {
    expect(parseNotifications('')).toEqual([]);
    expect(parseNotifications('<a><b>')).toEqual([]);
    expect(parseNotifications('<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;&a;</x>')).toEqual([]);
    const many = parseNotifications(
      pulled(message('tns1:VideoSource/MotionAlarm', '<tt:SimpleItem Name="State" Value="true"/>').repeat(500)),
    );
    expect(many).toHaveLength(100);
    expect(eventOf(many[0]!)).toEqual({ kind: 'motion', active: true });
  });
});

describe('stream URIs and credentials', () => {
  it('puts the account into a URI for the relay and takes it out for the log', () => {
    const uri = withCredentials('rtsp://10.249.20.23:554/live/Profile_1', 'admin', 'p@ss:w0rd');
    expect(uri).toBe('rtsp://admin:p%40ss%3Aw0rd@10.249.20.23:554/live/Profile_1');
    expect(redactUri(uri)).toBe('rtsp://10.249.20.23:554/live/Profile_1');
    expect(redactUri('http://10.0.0.1/onvif/snapshot.jpg')).toBe('http://10.0.0.1/onvif/snapshot.jpg');
  });
});
