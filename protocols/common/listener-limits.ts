/**
 * The limits of a device-facing listener (./http-listener.ts) as a driver setting: one TypeBox
 * schema for a driver's `config.limits`, keyed by the listener's own option names (a key missing
 * here does not compile), with the protocol's defaults. The driver settings (drivers/<x>/settings.ts)
 * use it, so the host's deploy check, `edge check` and docs/config.md know the limits too.
 */
import { Type, type TInteger, type TObject } from '@sinclair/typebox';
import type { ListenerLimits } from './http-listener.js';

/** An integer limit with its English and Chinese description (as the driver SDK's `described`); every protocol's limits setting uses it. */
export const limitField = (def: number, minimum: number, maximum: number, description: string, zh: string): TInteger =>
  Type.Integer({ default: def, minimum, maximum, description, zh });

export function listenerLimitsSetting(d: ListenerLimits): TObject<Record<keyof ListenerLimits, TInteger>> {
  return Type.Object(
    {
      headersTimeoutMs: limitField(
        d.headersTimeoutMs,
        100,
        120_000,
        'time a connection has to send its request headers, ms (slow-header guard)',
        '连接发送请求头的时限(毫秒)',
      ),
      requestTimeoutMs: limitField(
        d.requestTimeoutMs,
        100,
        600_000,
        'time a connection has to send its whole request, ms',
        '连接发送完整请求的时限(毫秒)',
      ),
      maxConnections: limitField(
        d.maxConnections,
        1,
        65_535,
        'connections open at once, all addresses together; more are closed at accept',
        '同时打开的连接数上限(所有地址合计)',
      ),
      maxBodyBytes: limitField(
        d.maxBodyBytes,
        1024,
        64 * 1024 * 1024,
        'largest request body, bytes; larger ones are refused (413) and the connection closed',
        '请求体最大字节数, 超出拒绝(413)并断开',
      ),
      perSourceConnections: limitField(
        d.perSourceConnections,
        1,
        65_535,
        'connections one address may hold open at once',
        '单个地址同时打开的连接数上限',
      ),
      perSourceRequestsPerS: limitField(
        d.perSourceRequestsPerS,
        1,
        1_000_000,
        "requests per second one address may make, sustained; beyond: 429 in the protocol's error shape",
        '单个地址每秒请求数上限, 超出按协议错误格式答复429',
      ),
      perSourceBurst: limitField(
        d.perSourceBurst,
        1,
        1_000_000,
        'requests one address may make at once after a quiet spell',
        '单个地址空闲后可突发的请求数',
      ),
      trackedSources: limitField(
        d.trackedSources,
        16,
        1_000_000,
        'addresses whose request rate is remembered (memory bound; the least recently seen is forgotten first)',
        '记录请求速率的地址数上限(内存上限)',
      ),
    },
    {
      default: {},
      additionalProperties: false,
      description: 'hostile-input limits of the listener (docs/security.md)',
      zh: '监听端口的防护限制(见docs/security.md)',
    },
  );
}

/** The limits every TCP/UDP line listener (SIP server, DC-09 receiver) has beside its own. */
export interface SocketLimits {
  /** TCP connections open at once, all addresses together. */
  maxConnections: number;
  /** TCP connections one address may hold. */
  perSourceConnections: number;
  /** Messages one address may send at once after a quiet spell. */
  perSourceBurst: number;
  /** Addresses whose message rate is remembered. */
  trackedSources: number;
  /** A TCP connection silent this long is closed, ms. */
  idleTimeoutMs: number;
}

/** The setting fields of SocketLimits; `peers` names who connects ("cameras", "panels"). */
export function socketLimitFields(d: SocketLimits, peers: string): Record<keyof SocketLimits, TInteger> {
  return {
    maxConnections: limitField(
      d.maxConnections,
      1,
      65_535,
      `TCP connections open at once, all ${peers} together`,
      '同时打开的TCP连接数上限(合计)',
    ),
    perSourceConnections: limitField(
      d.perSourceConnections,
      1,
      65_535,
      'TCP connections one address may hold open',
      '单个地址的TCP连接数上限',
    ),
    perSourceBurst: limitField(
      d.perSourceBurst,
      1,
      100_000,
      'messages one address may send at once after a quiet spell',
      '单个地址空闲后可突发的报文数',
    ),
    trackedSources: limitField(
      d.trackedSources,
      16,
      1_000_000,
      'addresses whose message rate is remembered (memory bound)',
      '记录报文速率的地址数上限',
    ),
    idleTimeoutMs: limitField(d.idleTimeoutMs, 1000, 3_600_000, 'a TCP connection silent this long is closed, ms', 'TCP连接空闲超时(毫秒)'),
  };
}
