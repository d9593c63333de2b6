/**
 * The camera thing model's video services (PEGbCamera; names and fields of the cloud camera API,
 * digest 001d §3.D and R33): `startLivePush` {streamType, scheme rtmp|hls, url, forceIFrame} →
 * {path}, `stopLivePush` {streamType}, `startPlayback` {beginTime, endTime (epoch s), scheme,
 * url} → {vodUrl}, `snapshot` → {picUrl}. Each runs a media session (./media-sessions.ts) on the
 * channel (an NVR channel's INVITE goes through its NVR). The relay's state is the property
 * `liveStatus` (0 idle, 1 live, 2 playback); a session that ends for any reason but its owner's
 * stop raises the event `streamFailed` {reason, detail}.
 */
import { DRIVER_ERRORS, fail, ok, type Answer, type DeviceHandle, type HostServices } from '../../edge/host/sdk/driver.js';
import { keyOf } from '../../edge/host/sdk/device-key.js';
import { pushTarget } from '../../protocols/media/push-target.js';
import type { GbDevice } from './devices.js';
import type { MediaSessions, Session, SessionEnd, SessionKind } from './media-sessions.js';
import { playbackControl, playbackRange, type RecordingLookup } from './playback.js';
import { platformNow } from '../../edge/host/sdk/clock.js';

export const MEDIA_SERVICES = ['startLivePush', 'stopLivePush', 'startPlayback', 'playbackControl', 'snapshot'] as const;
const SNAPSHOT_LIFETIME_S = 15;

export interface MediaServiceDeps {
  sessions: MediaSessions;
  host: HostServices;
  hlsDir: string;
  hlsBaseUrl?: string;
  /** DeviceControl IFameCmd to the channel, for `forceIFrame`. */
  forceIFrame: (dev: GbDevice) => Promise<Answer>;
  /** A recording of the channel's last listing, by file name. */
  recording: RecordingLookup;
}

const LIVE_STATUS: Record<SessionKind, number> = { live: 1, playback: 2, snapshot: 0 };

export function sessionId(h: DeviceHandle, kind: SessionKind): string {
  return `${h.deviceName}:${kind}`;
}

/** A session ended: the thing model learns it (called by MediaSessions). */
export function reportEnd(h: DeviceHandle | undefined, s: Session, e: SessionEnd): void {
  if (!h || s.spec.kind === 'snapshot') return;
  h.reportProperties({ liveStatus: 0 });
  if (e.reason === 'stopped' || e.reason === 'media-status-121') return; // asked for, or the file's end
  const detail = `${e.reason}; ffmpeg ${e.code ?? e.signal}; rtp ${e.stats.packets} packets, ${e.stats.wrongSsrc} other SSRC, ${e.stats.lost} lost; ${e.stderrTail}`;
  h.reportEvent('streamFailed', { reason: e.reason, detail: detail.slice(0, 1024) });
  h.log.warn({ reason: e.reason, code: e.code, signal: e.signal, stats: e.stats, stderr: e.stderrTail }, 'stream ended');
}

export async function callMediaService(
  d: MediaServiceDeps,
  h: DeviceHandle,
  dev: GbDevice,
  serviceId: string,
  args: Record<string, unknown>,
): Promise<Answer> {
  if (dev.kind === 'nvr') return fail(DRIVER_ERRORS.EDGE_ERR_SERVICE_UNKNOWN, 'video services are on the NVR channels');
  const target = { channelId: dev.gbId, deviceId: dev.parent ?? dev.gbId };
  if (serviceId === 'stopLivePush') {
    // A push still waiting for the camera's 200 is abandoned with CANCEL.
    const cancelled = d.sessions.cancel(sessionId(h, 'live'));
    const ended = await d.sessions.stop(sessionId(h, 'live'));
    return ok({ stopped: cancelled || ended !== undefined });
  }
  if (serviceId === 'snapshot') return snapshot(d, h, target);
  if (serviceId === 'playbackControl') return playbackControl(d.sessions, sessionId(h, 'playback'), args);
  if (args.encrypted === true || args.encrypted === 1)
    return fail(DRIVER_ERRORS.EDGE_ERR_REQUEST_INVALID, 'encrypted streams are not supported by the box relay; ask without encrypted');
  const kind: SessionKind = serviceId === 'startPlayback' ? 'playback' : 'live';
  const id = sessionId(h, kind);
  const o = pushTarget(d, id, args.scheme, args.url);
  if (typeof o === 'string') return fail(DRIVER_ERRORS.EDGE_ERR_REQUEST_INVALID, o);
  let playback: { start: number; end: number } | undefined;
  if (kind === 'playback') {
    const range = playbackRange(d.recording, dev, args);
    if ('code' in range) return range;
    playback = range;
  }
  if (d.sessions.get(id)) await d.sessions.stop(id); // a new target replaces the old push
  const r = await d.sessions.start({ id, kind, ...target, output: o.out, ...(playback ? { playback } : {}) });
  if (!r.ok) return failOf(r.why, r.message);
  h.reportProperties({ liveStatus: LIVE_STATUS[kind] });
  // After the ACK: a key frame asked for before the stream runs would be gone before the relay reads.
  // Not awaited: a camera that ignores the MESSAGE must not hold the answer for Timer F.
  if (kind === 'live' && (args.forceIFrame === true || args.forceIFrame === 1))
    void d.forceIFrame(dev).then((sent) => {
      if (sent.code !== 200)
        h.log.warn({ message: sent.message }, 'forceIFrame: IFameCmd not taken; the push starts at the next key frame');
    });
  return ok(kind === 'playback' ? { vodUrl: o.url } : { path: o.url });
}

function failOf(why: 'busy' | 'offline' | 'refused' | 'no-ssrc', message: string): Answer {
  if (why === 'offline') return fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_OFFLINE, message);
  if (why === 'busy' || why === 'no-ssrc') return fail(DRIVER_ERRORS.EDGE_ERR_DRIVER_FAILED, message);
  return fail(DRIVER_ERRORS.EDGE_ERR_DRIVER_FAILED, message);
}

async function snapshot(d: MediaServiceDeps, h: DeviceHandle, target: { channelId: string; deviceId: string }): Promise<Answer> {
  const r = await d.sessions.start({
    id: sessionId(h, 'snapshot'),
    kind: 'snapshot',
    ...target,
    output: { kind: 'jpeg' },
    lifetimeS: SNAPSHOT_LIFETIME_S,
  });
  if (!r.ok) return failOf(r.why, r.message);
  const e = await r.session.ended;
  if (!e.jpeg) return fail(DRIVER_ERRORS.EDGE_ERR_DRIVER_FAILED, `no frame: ${e.reason} ${e.stderrTail}`.slice(0, 300));
  const stored = await d.host.call<{ url: string }>('files.storePicture', {
    deviceKey: keyOf(h),
    area: 'capture',
    base64: e.jpeg.toString('base64'),
    ext: 'jpg',
    time: platformNow(),
    keepDays: 30,
  });
  if (stored.code !== 200 || !stored.data) return fail(DRIVER_ERRORS.EDGE_ERR_DRIVER_FAILED, `picture not stored: ${stored.message}`);
  return ok({ picUrl: stored.data.url });
}
