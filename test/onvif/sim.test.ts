/**
 * The ONVIF camera simulator (scripts/sim/onvif/) on its own, driven with the request messages
 * the ONVIF specifications print (Core device management, event handling and discovery; the
 * Media and PTZ service specifications) rather than with our client: its authentication (WS-UsernameToken, HTTP Digest),
 * its faults, its limits, its discovery responder and its RTSP stream read back by ffprobe.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProbeMatches, probeMessage } from '../../protocols/onvif/discovery.js';
import { authorization, parseChallenge } from '../../protocols/onvif/http-digest.js';
import { parseNotifications } from '../../protocols/onvif/notifications.js';
import { passwordDigest } from '../../protocols/onvif/wsse.js';
import { OnvifCameraSim } from '../../scripts/sim/onvif/camera.js';

let sim: OnvifCameraSim;
let digestSim: OnvifCameraSim;
let base = '';

function security(user: string, password: string, created = new Date().toISOString()): string {
  const nonce = randomBytes(16).toString('base64');
  return (
    '<Security s:mustUnderstand="1" xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"><UsernameToken>' +
    `<Username>${user}</Username><Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">${passwordDigest(nonce, created, password)}</Password>` +
    `<Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${nonce}</Nonce>` +
    `<Created xmlns="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd">${created}</Created></UsernameToken></Security>`
  );
}

const soap = (body: string, header = '') =>
  `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:tt="http://www.onvif.org/ver10/schema"><s:Header>${header}</s:Header><s:Body>${body}</s:Body></s:Envelope>`;

async function post(path: string, xml: string, url = base, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}${path}`, { method: 'POST', body: xml, headers: { 'content-type': 'application/soap+xml', ...headers } });
  return { status: res.status, text: await res.text(), challenge: res.headers.get('www-authenticate') };
}
const authed = (path: string, body: string) => post(path, soap(body, security('admin', 'admin123')));

beforeAll(async () => {
  sim = new OnvifCameraSim({ pullHoldMs: 200 });
  await sim.start();
  base = sim.state.base;
  digestSim = new OnvifCameraSim({ auth: 'digest', rtspPort: null, discoveryPort: null });
  await digestSim.start();
});

afterAll(async () => {
  await sim?.close();
  await digestSim?.close();
});

describe('ONVIF camera simulator: device and media', () => {
  it('answers GetSystemDateAndTime without credentials (ONVIF Core: access class PRE_AUTH) and nothing else', async () => {
    const time = await post('/onvif/device_service', soap('<GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/>'));
    expect(time.status).toBe(200);
    expect(time.text).toMatch(/<tt:UTCDateTime><tt:Time><tt:Hour>\d+<\/tt:Hour>/);
    const info = await post('/onvif/device_service', soap('<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/>'));
    expect(info.status).toBe(400);
    expect(info.text).toContain('<s:Value>ter:NotAuthorized</s:Value>');
    const wrong = await post(
      '/onvif/device_service',
      soap('<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/>', security('admin', 'nope')),
    );
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('ter:NotAuthorized');
    const stale = await post(
      '/onvif/device_service',
      soap('<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/>', security('admin', 'admin123', '2010-09-16T07:50:45Z')),
    );
    expect(stale.status).toBe(400);
  });

  it('answers device information, services, profiles and URIs to a UsernameToken', async () => {
    const info = await authed('/onvif/device_service', '<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/>');
    expect(info.text).toContain('<tds:Manufacturer>Uniview</tds:Manufacturer>');
    expect(info.text).toContain('<tds:SerialNumber>SIM-0001</tds:SerialNumber>');
    const services = await authed(
      '/onvif/device_service',
      '<GetServices xmlns="http://www.onvif.org/ver10/device/wsdl"><IncludeCapability>false</IncludeCapability></GetServices>',
    );
    for (const ns of ['ver10/device/wsdl', 'ver10/media/wsdl', 'ver20/ptz/wsdl', 'ver10/events/wsdl'])
      expect(services.text).toContain(`http://www.onvif.org/${ns}</tds:Namespace>`);
    const profiles = await authed('/onvif/media_service', '<GetProfiles xmlns="http://www.onvif.org/ver10/media/wsdl"/>');
    expect(profiles.text.match(/<trt:Profiles token="([^"]+)"/g)).toEqual([
      '<trt:Profiles token="Profile_1"',
      '<trt:Profiles token="Profile_2"',
    ]);
    const stream = await authed(
      '/onvif/media_service',
      '<GetStreamUri xmlns="http://www.onvif.org/ver10/media/wsdl"><StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></StreamSetup><ProfileToken>Profile_1</ProfileToken></GetStreamUri>',
    );
    expect(stream.text).toContain(`<tt:Uri>rtsp://127.0.0.1:${sim.rtsp!.port}/live/Profile_1</tt:Uri>`);
    const none = await authed(
      '/onvif/media_service',
      '<GetSnapshotUri xmlns="http://www.onvif.org/ver10/media/wsdl"><ProfileToken>nope</ProfileToken></GetSnapshotUri>',
    );
    expect(none.status).toBe(400);
    expect(none.text).toContain('ter:NoProfile');
  });

  it('asks for HTTP Digest in digest mode and for the snapshot, which is a JPEG', async () => {
    const url = `${digestSim.state.base}`;
    const first = await post(
      '/onvif/device_service',
      soap('<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/>', security('admin', 'admin123')),
      url,
    );
    expect(first.status).toBe(401);
    const c = parseChallenge(first.challenge ?? '')!;
    const ok = await post('/onvif/device_service', soap('<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/>'), url, {
      authorization: authorization(c, { username: 'admin', password: 'admin123' }, 'POST', '/onvif/device_service'),
    });
    expect(ok.status).toBe(200);
    const bad = await post('/onvif/device_service', soap('<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/>'), url, {
      authorization: authorization(c, { username: 'admin', password: 'wrong' }, 'POST', '/onvif/device_service'),
    });
    expect(bad.status).toBe(401);

    const snap = `${base}/onvif/snapshot/Profile_1.jpg`;
    const challenge = await fetch(snap);
    expect(challenge.status).toBe(401);
    await challenge.arrayBuffer();
    const sc = parseChallenge(challenge.headers.get('www-authenticate') ?? '')!;
    const res = await fetch(snap, {
      headers: { authorization: authorization(sc, { username: 'admin', password: 'admin123' }, 'GET', '/onvif/snapshot/Profile_1.jpg') },
    });
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(await sharp(Buffer.from(await res.arrayBuffer())).metadata()).toMatchObject({ format: 'jpeg', width: 320, height: 240 });
  });

  it('answers garbage and a 1 MB body with faults and goes on', async () => {
    expect((await post('/onvif/device_service', 'garbage <<<')).status).toBe(400);
    expect((await post('/onvif/device_service', soap('<Nonsense xmlns="urn:x"/>', security('admin', 'admin123')))).text).toContain(
      'ter:ActionNotSupported',
    );
    const big = await post(
      '/onvif/device_service',
      soap(`<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl">${'x'.repeat(1 << 20)}</GetDeviceInformation>`),
    ).catch((err: Error) => ({ status: 0, text: err.message }));
    expect([0, 413]).toContain(big.status);
    expect((await authed('/onvif/device_service', '<GetDeviceInformation xmlns="http://www.onvif.org/ver10/device/wsdl"/>')).status).toBe(
      200,
    );
  });
});

describe('ONVIF camera simulator: PTZ and events', () => {
  it('records PTZ moves and keeps presets (PTZ service: moves and presets)', async () => {
    const ptz = (body: string) => authed('/onvif/ptz_service', body);
    const P = '<ProfileToken>Profile_1</ProfileToken>';
    expect(
      (
        await ptz(
          `<ContinuousMove xmlns="http://www.onvif.org/ver20/ptz/wsdl">${P}<Velocity><tt:PanTilt x="0.5" y="-0.25"/><tt:Zoom x="0"/></Velocity></ContinuousMove>`,
        )
      ).status,
    ).toBe(200);
    expect(
      (await ptz(`<Stop xmlns="http://www.onvif.org/ver20/ptz/wsdl">${P}<PanTilt>true</PanTilt><Zoom>true</Zoom></Stop>`)).status,
    ).toBe(200);
    expect(
      (
        await ptz(
          `<ContinuousMove xmlns="http://www.onvif.org/ver20/ptz/wsdl">${P}<Velocity><tt:PanTilt x="5" y="0"/></Velocity></ContinuousMove>`,
        )
      ).text,
    ).toContain('ter:InvalidVelocity');
    await ptz(
      `<AbsoluteMove xmlns="http://www.onvif.org/ver20/ptz/wsdl">${P}<Position><tt:PanTilt x="0.1" y="0.2"/><tt:Zoom x="0.3"/></Position></AbsoluteMove>`,
    );
    const set = await ptz(`<SetPreset xmlns="http://www.onvif.org/ver20/ptz/wsdl">${P}<PresetName>gate</PresetName></SetPreset>`);
    const token = /<tptz:PresetToken>([^<]+)</.exec(set.text)![1];
    expect((await ptz(`<GetPresets xmlns="http://www.onvif.org/ver20/ptz/wsdl">${P}</GetPresets>`)).text).toContain(
      `<tptz:Preset token="${token}"><tt:Name>gate</tt:Name>`,
    );
    await ptz(`<GotoPreset xmlns="http://www.onvif.org/ver20/ptz/wsdl">${P}<PresetToken>${token}</PresetToken></GotoPreset>`);
    await ptz(`<RemovePreset xmlns="http://www.onvif.org/ver20/ptz/wsdl">${P}<PresetToken>${token}</PresetToken></RemovePreset>`);
    expect(
      (await ptz(`<GotoPreset xmlns="http://www.onvif.org/ver20/ptz/wsdl">${P}<PresetToken>${token}</PresetToken></GotoPreset>`)).text,
    ).toContain('ter:NoToken');
    expect(sim.state.moves).toEqual([
      { op: 'ContinuousMove', profile: 'Profile_1', pan: 0.5, tilt: -0.25, zoom: 0 },
      { op: 'Stop', profile: 'Profile_1' },
      { op: 'AbsoluteMove', profile: 'Profile_1', pan: 0.1, tilt: 0.2, zoom: 0.3 },
      { op: 'GotoPreset', profile: 'Profile_1', preset: token },
    ]);
  });

  it('delivers motion through a PullPoint subscription (Core: PullPoint)', async () => {
    const created = await authed(
      '/onvif/event_service',
      '<CreatePullPointSubscription xmlns="http://www.onvif.org/ver10/events/wsdl"><InitialTerminationTime>PT60S</InitialTerminationTime></CreatePullPointSubscription>',
    );
    const address = /<wsa:Address>([^<]+)</.exec(created.text)![1]!;
    const path = new URL(address).pathname;
    const pull = () =>
      authed(
        path,
        '<PullMessages xmlns="http://www.onvif.org/ver10/events/wsdl"><Timeout>PT5S</Timeout><MessageLimit>10</MessageLimit></PullMessages>',
      );
    expect(parseNotifications((await pull()).text)).toEqual([]); // held 200 ms, then empty
    const held = pull();
    sim.motion(true);
    const got = parseNotifications((await held).text);
    expect(got).toMatchObject([{ topic: 'RuleEngine/CellMotionDetector/Motion', operation: 'Changed', data: { IsMotion: 'true' } }]);
    expect(
      (
        await authed(
          '/onvif/pullpoint/999',
          '<PullMessages xmlns="http://www.onvif.org/ver10/events/wsdl"><Timeout>PT1S</Timeout><MessageLimit>1</MessageLimit></PullMessages>',
        )
      ).status,
    ).toBe(400);
  });
});

describe('ONVIF camera simulator: discovery and RTSP', () => {
  it('answers a unicast WS-Discovery Probe with its ProbeMatch', async () => {
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
    const id = 'uuid:7e1d2a3b-0000-4000-8000-000000000001';
    const answer = new Promise<string>((r) => sock.once('message', (m) => r(m.toString())));
    sock.send(probeMessage(id), sim.discoveryPort, '127.0.0.1');
    sock.send('garbage', sim.discoveryPort, '127.0.0.1');
    const matches = parseProbeMatches(await answer, id, 'sim');
    sock.close();
    expect(matches).toMatchObject([{ urn: sim.urn, ip: '127.0.0.1', port: sim.httpPort, hardware: 'IPC-SIM-2K' }]);
  });

  it('serves an H.264 stream over RTSP that ffprobe decodes', async () => {
    const { stdout } = await promisify(execFile)(
      'ffprobe',
      [
        '-v',
        'error',
        '-rtsp_transport',
        'tcp',
        '-count_frames',
        '-read_intervals',
        '%+2',
        '-select_streams',
        'v:0',
        '-show_entries',
        'stream=codec_name,width,height,nb_read_frames',
        '-of',
        'json',
        `rtsp://127.0.0.1:${sim.rtsp!.port}/live/Profile_1`,
      ],
      { timeout: 30_000 },
    );
    const s = (JSON.parse(stdout) as { streams: Array<{ codec_name: string; width: number; height: number; nb_read_frames: string }> })
      .streams[0]!;
    expect(s).toMatchObject({ codec_name: 'h264', width: 320, height: 240 });
    expect(Number(s.nb_read_frames)).toBeGreaterThan(5);
  }, 40_000);
});
