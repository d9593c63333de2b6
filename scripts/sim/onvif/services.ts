/**
 * The ONVIF operations the simulated camera answers, as pure functions of its state: device
 * (GetSystemDateAndTime, GetServices, GetCapabilities, GetDeviceInformation), media (GetProfiles,
 * GetVideoSources, GetStreamUri, GetSnapshotUri), PTZ (ContinuousMove, Stop, AbsoluteMove,
 * GetPresets, SetPreset, GotoPreset, RemovePreset) and the PullPoint subscription.
 */
import { envelope, escapeXml, fault, node, text, utcDateTime, type Node } from './soap.js';

export interface Move {
  op: 'ContinuousMove' | 'Stop' | 'AbsoluteMove' | 'GotoPreset';
  profile: string;
  pan?: number;
  tilt?: number;
  zoom?: number;
  preset?: string;
}

export interface SimEvent {
  topic: string;
  data: Record<string, string>;
  source: Record<string, string>;
  time: Date;
  operation: 'Initialized' | 'Changed';
}

export interface CameraState {
  base: string;
  rtspUrl: string;
  info: { manufacturer: string; model: string; firmware: string; serial: string; hardwareId: string };
  profiles: Array<{ token: string; name: string; width: number; height: number }>;
  position: { pan: number; tilt: number; zoom: number };
  presets: Map<string, { name: string; pan: number; tilt: number; zoom: number }>;
  moves: Move[];
  nextPreset: number;
}

export type Answer = { status: number; xml: string };
const ok = (body: string): Answer => ({ status: 200, xml: envelope(body) });
const bad = (subcode: string, reason: string, subsub?: string): Answer => ({ status: 400, xml: fault('Sender', subcode, reason, subsub) });

const num = (v: unknown): number | undefined => {
  const n = Number(v);
  return v !== undefined && Number.isFinite(n) ? n : undefined;
};

function vector(v: unknown): { pan?: number; tilt?: number; zoom?: number } {
  const pt = node(node(v).PanTilt);
  const z = node(node(v).Zoom);
  const out: { pan?: number; tilt?: number; zoom?: number } = {};
  const [pan, tilt, zoom] = [num(pt['@x']), num(pt['@y']), num(z['@x'])];
  if (pan !== undefined) out.pan = pan;
  if (tilt !== undefined) out.tilt = tilt;
  if (zoom !== undefined) out.zoom = zoom;
  return out;
}

function profileOf(s: CameraState, body: Node): string | Answer {
  const token = text(body.ProfileToken) ?? '';
  return s.profiles.some((p) => p.token === token) ? token : bad('ter:InvalidArgVal', `no profile ${token.slice(0, 64)}`, 'ter:NoProfile');
}

function service(ns: string, path: string, base: string): string {
  return `<tds:Service><tds:Namespace>${ns}</tds:Namespace><tds:XAddr>${base}${path}</tds:XAddr><tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>`;
}

function profileXml(p: CameraState['profiles'][number]): string {
  return (
    `<trt:Profiles token="${p.token}" fixed="true"><tt:Name>${escapeXml(p.name)}</tt:Name>` +
    `<tt:VideoSourceConfiguration token="VideoSourceConfig_1"><tt:Name>VideoSourceConfig_1</tt:Name><tt:UseCount>2</tt:UseCount><tt:SourceToken>VideoSource_1</tt:SourceToken><tt:Bounds x="0" y="0" width="${p.width}" height="${p.height}"/></tt:VideoSourceConfiguration>` +
    `<tt:VideoEncoderConfiguration token="VideoEncoder_${p.token}"><tt:Name>VideoEncoder_${p.token}</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding>` +
    `<tt:Resolution><tt:Width>${p.width}</tt:Width><tt:Height>${p.height}</tt:Height></tt:Resolution><tt:Quality>5</tt:Quality>` +
    '<tt:RateControl><tt:FrameRateLimit>10</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>512</tt:BitrateLimit></tt:RateControl>' +
    '<tt:H264><tt:GovLength>10</tt:GovLength><tt:H264Profile>Baseline</tt:H264Profile></tt:H264><tt:SessionTimeout>PT60S</tt:SessionTimeout></tt:VideoEncoderConfiguration>' +
    '<tt:PTZConfiguration token="PTZConfig_1"><tt:Name>PTZConfig_1</tt:Name><tt:UseCount>2</tt:UseCount><tt:NodeToken>PTZNode_1</tt:NodeToken></tt:PTZConfiguration>' +
    '</trt:Profiles>'
  );
}

/** Device and media answers; undefined when `action` is none of them. */
export function deviceAndMedia(s: CameraState, action: string, body: Node, now: Date): Answer | undefined {
  switch (action) {
    case 'GetSystemDateAndTime':
      return ok(
        `<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>` +
          `<tt:TimeZone><tt:TZ>CST-8</tt:TZ></tt:TimeZone>${utcDateTime(now)}</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>`,
      );
    case 'GetServices':
      return ok(
        `<tds:GetServicesResponse>${service('http://www.onvif.org/ver10/device/wsdl', '/onvif/device_service', s.base)}` +
          `${service('http://www.onvif.org/ver10/media/wsdl', '/onvif/media_service', s.base)}` +
          `${service('http://www.onvif.org/ver20/ptz/wsdl', '/onvif/ptz_service', s.base)}` +
          `${service('http://www.onvif.org/ver10/events/wsdl', '/onvif/event_service', s.base)}</tds:GetServicesResponse>`,
      );
    case 'GetCapabilities':
      return ok(
        `<tds:GetCapabilitiesResponse><tds:Capabilities><tt:Device><tt:XAddr>${s.base}/onvif/device_service</tt:XAddr></tt:Device>` +
          `<tt:Events><tt:XAddr>${s.base}/onvif/event_service</tt:XAddr><tt:WSSubscriptionPolicySupport>false</tt:WSSubscriptionPolicySupport><tt:WSPullPointSupport>true</tt:WSPullPointSupport><tt:WSPausableSubscriptionManagerInterfaceSupport>false</tt:WSPausableSubscriptionManagerInterfaceSupport></tt:Events>` +
          `<tt:Media><tt:XAddr>${s.base}/onvif/media_service</tt:XAddr><tt:StreamingCapabilities><tt:RTPMulticast>false</tt:RTPMulticast><tt:RTP_TCP>true</tt:RTP_TCP><tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media>` +
          `<tt:PTZ><tt:XAddr>${s.base}/onvif/ptz_service</tt:XAddr></tt:PTZ></tds:Capabilities></tds:GetCapabilitiesResponse>`,
      );
    case 'GetDeviceInformation':
      return ok(
        `<tds:GetDeviceInformationResponse><tds:Manufacturer>${escapeXml(s.info.manufacturer)}</tds:Manufacturer><tds:Model>${escapeXml(s.info.model)}</tds:Model>` +
          `<tds:FirmwareVersion>${escapeXml(s.info.firmware)}</tds:FirmwareVersion><tds:SerialNumber>${escapeXml(s.info.serial)}</tds:SerialNumber>` +
          `<tds:HardwareId>${escapeXml(s.info.hardwareId)}</tds:HardwareId></tds:GetDeviceInformationResponse>`,
      );
    case 'GetProfiles':
      return ok(`<trt:GetProfilesResponse>${s.profiles.map(profileXml).join('')}</trt:GetProfilesResponse>`);
    case 'GetVideoSources': {
      const p = s.profiles[0]!;
      return ok(
        `<trt:GetVideoSourcesResponse><trt:VideoSources token="VideoSource_1"><tt:Framerate>10</tt:Framerate><tt:Resolution><tt:Width>${p.width}</tt:Width><tt:Height>${p.height}</tt:Height></tt:Resolution></trt:VideoSources></trt:GetVideoSourcesResponse>`,
      );
    }
    case 'GetStreamUri':
    case 'GetSnapshotUri': {
      const token = profileOf(s, body);
      if (typeof token !== 'string') return token;
      const uri = action === 'GetStreamUri' ? `${s.rtspUrl}/${token}` : `${s.base}/onvif/snapshot/${token}.jpg`;
      return ok(
        `<trt:${action}Response><trt:MediaUri><tt:Uri>${escapeXml(uri)}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>` +
          `<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri></trt:${action}Response>`,
      );
    }
    default:
      return undefined;
  }
}

/** PTZ answers; every move is recorded in `s.moves`. Undefined when `action` is no PTZ operation. */
export function ptz(s: CameraState, action: string, body: Node): Answer | undefined {
  if (!['ContinuousMove', 'Stop', 'AbsoluteMove', 'GetPresets', 'SetPreset', 'GotoPreset', 'RemovePreset'].includes(action))
    return undefined;
  const profile = profileOf(s, body);
  if (typeof profile !== 'string') return profile;
  const range = (v: number | undefined, lo = -1) => v === undefined || (v >= lo && v <= 1);
  switch (action) {
    case 'ContinuousMove': {
      const v = vector(body.Velocity);
      if (!range(v.pan) || !range(v.tilt) || !range(v.zoom))
        return bad('ter:InvalidArgVal', 'velocity out of range', 'ter:InvalidVelocity');
      s.moves.push({ op: 'ContinuousMove', profile, ...v });
      return ok('<tptz:ContinuousMoveResponse/>');
    }
    case 'Stop':
      s.moves.push({ op: 'Stop', profile });
      return ok('<tptz:StopResponse/>');
    case 'AbsoluteMove': {
      const v = vector(body.Position);
      if (!range(v.pan) || !range(v.tilt) || !range(v.zoom, 0))
        return bad('ter:InvalidArgVal', 'position out of range', 'ter:InvalidPosition');
      s.position = { pan: v.pan ?? s.position.pan, tilt: v.tilt ?? s.position.tilt, zoom: v.zoom ?? s.position.zoom };
      s.moves.push({ op: 'AbsoluteMove', profile, ...v });
      return ok('<tptz:AbsoluteMoveResponse/>');
    }
    case 'GetPresets':
      return ok(
        `<tptz:GetPresetsResponse>${[...s.presets]
          .map(
            ([token, p]) =>
              `<tptz:Preset token="${escapeXml(token)}"><tt:Name>${escapeXml(p.name)}</tt:Name><tt:PTZPosition><tt:PanTilt x="${p.pan}" y="${p.tilt}"/><tt:Zoom x="${p.zoom}"/></tt:PTZPosition></tptz:Preset>`,
          )
          .join('')}</tptz:GetPresetsResponse>`,
      );
    case 'SetPreset': {
      const name = (text(body.PresetName) ?? '').slice(0, 64);
      let token = text(body.PresetToken);
      if (token !== undefined && !s.presets.has(token)) return bad('ter:InvalidArgVal', `no preset ${token.slice(0, 64)}`, 'ter:NoToken');
      if (token === undefined) {
        if (s.presets.size >= 255) return { status: 500, xml: fault('Receiver', 'ter:Action', 'too many presets', 'ter:TooManyPresets') };
        token = String(s.nextPreset++);
      }
      s.presets.set(token, { name: name || token, ...s.position });
      return ok(`<tptz:SetPresetResponse><tptz:PresetToken>${escapeXml(token)}</tptz:PresetToken></tptz:SetPresetResponse>`);
    }
    case 'GotoPreset':
    case 'RemovePreset': {
      const token = text(body.PresetToken) ?? '';
      const p = s.presets.get(token);
      if (!p) return bad('ter:InvalidArgVal', `no preset ${token.slice(0, 64)}`, 'ter:NoToken');
      if (action === 'RemovePreset') {
        s.presets.delete(token);
        return ok('<tptz:RemovePresetResponse/>');
      }
      s.position = { pan: p.pan, tilt: p.tilt, zoom: p.zoom };
      s.moves.push({ op: 'GotoPreset', profile, preset: token });
      return ok('<tptz:GotoPresetResponse/>');
    }
  }
  return undefined;
}

const items = (r: Record<string, string>) =>
  Object.entries(r)
    .map(([k, v]) => `<tt:SimpleItem Name="${escapeXml(k)}" Value="${escapeXml(v)}"/>`)
    .join('');

export function notificationXml(e: SimEvent): string {
  return (
    `<wsnt:NotificationMessage><wsnt:Topic Dialect="http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet">${escapeXml(e.topic)}</wsnt:Topic>` +
    `<wsnt:Message><tt:Message UtcTime="${e.time.toISOString()}" PropertyOperation="${e.operation}"><tt:Source>${items(e.source)}</tt:Source>` +
    `<tt:Data>${items(e.data)}</tt:Data></tt:Message></wsnt:Message></wsnt:NotificationMessage>`
  );
}

export function pullPointCreated(address: string, now: Date, ttlMs: number): Answer {
  return ok(
    `<tev:CreatePullPointSubscriptionResponse><tev:SubscriptionReference><wsa:Address>${escapeXml(address)}</wsa:Address></tev:SubscriptionReference>` +
      `<wsnt:CurrentTime>${now.toISOString()}</wsnt:CurrentTime><wsnt:TerminationTime>${new Date(now.getTime() + ttlMs).toISOString()}</wsnt:TerminationTime></tev:CreatePullPointSubscriptionResponse>`,
  );
}

export function messagesPulled(events: SimEvent[], now: Date, until: Date): Answer {
  return ok(
    `<tev:PullMessagesResponse><tev:CurrentTime>${now.toISOString()}</tev:CurrentTime><tev:TerminationTime>${until.toISOString()}</tev:TerminationTime>` +
      `${events.map(notificationXml).join('')}</tev:PullMessagesResponse>`,
  );
}

export { bad, ok };
