/**
 * The driver's `media` settings: how the box receives GB28181 streams and relays them (issue 19
 * §Media). The relay cap defaults to the seed's 10 concurrent 1080p streams to the cloud.
 */
import { Type } from '@sinclair/typebox';
import { described } from '../../edge/host/sdk/settings.js';

/**
 * What every camera driver's relays need (the ONVIF driver's `media` is these alone): the cap,
 * the idle and lifetime limits and where HLS goes.
 */
export function relayFields() {
  return {
    maxRelays: described(
      Type.Integer({ default: 10, minimum: 1, maximum: 64 }),
      'concurrent live/playback relays and snapshots at most (seed: 10 × 1080p to the cloud)',
      '最大并发转发路数',
    ),
    idleTimeoutS: described(
      Type.Integer({ default: 10, minimum: 2, maximum: 300 }),
      'a relay with no input (RTP, or frames of an RTSP pull) for this long is stopped and reported, s',
      '无码流超时(秒)',
    ),
    maxLifetimeS: described(
      Type.Integer({ default: 3600, minimum: 10, maximum: 86_400 }),
      'a relay is stopped after this long whatever happens, s',
      '单路最长转发时长(秒)',
    ),
    hlsDir: Type.Optional(
      described(Type.String({ minLength: 1 }), 'folder the HLS playlists are written into (default: <driver data>/hls)', 'HLS输出目录'),
    ),
    hlsBaseUrl: Type.Optional(
      described(
        Type.String({ pattern: '^https?://' }),
        'the URL that serves hlsDir (the playlist URL answered is <hlsBaseUrl>/<session>/index.m3u8)',
        'HLS访问地址前缀',
      ),
    ),
  };
}

export function mediaSetting() {
  return Type.Object(
    {
      ...relayFields(),
      transport: described(
        Type.Union([Type.Literal('udp'), Type.Literal('tcp-passive'), Type.Literal('tcp-active')], { default: 'udp' }),
        'how cameras send RTP: udp, tcp-passive (the box listens) or tcp-active (the box connects)',
        '媒体流传输方式',
      ),
      mediaIp: described(Type.String({ default: '0.0.0.0', minLength: 1 }), 'address the RTP receivers listen on', '媒体接收监听地址'),
      inviteTimeoutS: described(
        Type.Integer({ default: 10, minimum: 1, maximum: 120 }),
        "how long a camera's final answer to INVITE is waited for after its 100 Trying, s",
        '点播应答超时(秒)',
      ),
    },
    { default: {}, additionalProperties: false, description: 'live video, playback and snapshots', zh: '视频转发' },
  );
}
