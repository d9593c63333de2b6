/**
 * Where a live push or playback goes, from the cloud camera API's `scheme` and the target URL
 * (digest 001d §3.D: `scheme` rtmp/hls): an RTMP URL pushed to, or an HLS folder of the box
 * whose playlist URL is answered. Shared by the GB28181 and ONVIF camera drivers, so one camera
 * API answers the same whatever the camera speaks.
 */
import { join } from 'node:path';
import type { RelayOutput } from './relay.js';

export interface HlsPlace {
  /** Folder the session folders are written into. */
  hlsDir: string;
  /** The URL that serves `hlsDir`; without it the playlist's path is answered. */
  hlsBaseUrl?: string | undefined;
}

/** The relay output and the URL to answer, or why the request cannot be served. */
export function pushTarget(place: HlsPlace, sessionId: string, scheme: unknown, url: unknown): { out: RelayOutput; url: string } | string {
  if (scheme === 'hls') {
    const name = sessionId.replace(/[^A-Za-z0-9_.-]/g, '_');
    const dir = join(place.hlsDir, name);
    return {
      out: { kind: 'hls', dir },
      url: place.hlsBaseUrl ? `${place.hlsBaseUrl.replace(/\/$/, '')}/${name}/index.m3u8` : join(dir, 'index.m3u8'),
    };
  }
  if (scheme !== undefined && scheme !== 'rtmp') return `scheme ${String(scheme)} is not rtmp or hls`;
  if (typeof url !== 'string' || !/^rtmps?:\/\/[^\s]+$/.test(url)) return 'rtmp needs url, the rtmp:// target to push to';
  return { out: { kind: 'rtmp', url }, url };
}
