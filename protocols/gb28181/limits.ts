/** The SIP server's hostile-input limits, as a driver setting (shape of protocols/sia-dc09/limits.ts). */
import { Type, type TInteger, type TObject } from '@sinclair/typebox';
import { limitField } from '../common/listener-limits.js';

export interface SipLimits {
  /** Largest message head (start line and headers), bytes. */
  maxHeadBytes: number;
  /** Largest body, bytes (a Catalog page of a big NVR stays well under it). */
  maxBodyBytes: number;
  /** TCP connections open at once, all addresses together. */
  maxConnections: number;
  /** TCP connections one address may hold. */
  perSourceConnections: number;
  /** Messages per second one address may send, sustained (UDP and TCP together). */
  perSourceMessagesPerS: number;
  /** Messages one address may send at once after a quiet spell. */
  perSourceBurst: number;
  /** Addresses whose message rate is remembered. */
  trackedSources: number;
  /** A TCP connection silent this long is closed, ms. */
  idleTimeoutMs: number;
}

export const SIP_LIMITS: SipLimits = {
  maxHeadBytes: 8192,
  maxBodyBytes: 32_768,
  maxConnections: 2048,
  perSourceConnections: 4,
  perSourceMessagesPerS: 50,
  perSourceBurst: 200,
  trackedSources: 8192,
  idleTimeoutMs: 300_000,
};

export function sipLimitsSetting(d: SipLimits = SIP_LIMITS): TObject<Record<keyof SipLimits, TInteger>> {
  return Type.Object(
    {
      maxHeadBytes: limitField(
        d.maxHeadBytes,
        1024,
        65_536,
        'largest SIP message head, bytes; larger: 413 (TCP: closed)',
        'SIP报文头最大字节数',
      ),
      maxBodyBytes: limitField(d.maxBodyBytes, 1024, 1_048_576, 'largest SIP message body, bytes; larger: 413', 'SIP报文体最大字节数'),
      maxConnections: limitField(
        d.maxConnections,
        1,
        65_535,
        'TCP connections open at once, all cameras together',
        '同时打开的TCP连接数上限(合计)',
      ),
      perSourceConnections: limitField(
        d.perSourceConnections,
        1,
        65_535,
        'TCP connections one address may hold open',
        '单个地址的TCP连接数上限',
      ),
      perSourceMessagesPerS: limitField(
        d.perSourceMessagesPerS,
        1,
        100_000,
        'SIP messages per second one address may send, sustained; beyond: 503 with Retry-After',
        '单个地址每秒SIP报文数上限, 超出答复503',
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
      idleTimeoutMs: limitField(
        d.idleTimeoutMs,
        1000,
        3_600_000,
        'a TCP connection silent this long is closed, ms',
        'TCP连接空闲超时(毫秒)',
      ),
    },
    { default: {}, additionalProperties: false, description: 'hostile-input limits of the SIP server', zh: 'SIP服务的防护限制' },
  );
}
