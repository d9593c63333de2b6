/**
 * The receiver's hostile-input limits, as a driver setting (same shape idea as the HTTP
 * listeners' protocols/common/listener-limits.ts, with the fields a line protocol needs).
 */
import { Type, type TInteger, type TObject } from '@sinclair/typebox';
import { limitField } from '../common/listener-limits.js';

export interface ReceiverLimits {
  /** TCP connections open at once, all addresses together. */
  maxConnections: number;
  /** TCP connections one address may hold. */
  perSourceConnections: number;
  /** Frames per second one address may send, sustained (TCP and UDP together); beyond: NAK. */
  perSourceFramesPerS: number;
  /** Frames one address may send at once after a quiet spell. */
  perSourceBurst: number;
  /** Addresses whose frame rate is remembered. */
  trackedSources: number;
  /** A TCP connection silent this long is closed, ms. */
  idleTimeoutMs: number;
}

export const RECEIVER_LIMITS: ReceiverLimits = {
  maxConnections: 256,
  perSourceConnections: 8,
  perSourceFramesPerS: 20,
  perSourceBurst: 40,
  trackedSources: 4096,
  idleTimeoutMs: 120_000,
};

export function receiverLimitsSetting(d: ReceiverLimits = RECEIVER_LIMITS): TObject<Record<keyof ReceiverLimits, TInteger>> {
  return Type.Object(
    {
      maxConnections: limitField(
        d.maxConnections,
        1,
        65_535,
        'TCP connections open at once, all panels together',
        '同时打开的TCP连接数上限(合计)',
      ),
      perSourceConnections: limitField(
        d.perSourceConnections,
        1,
        65_535,
        'TCP connections one address may hold open',
        '单个地址的TCP连接数上限',
      ),
      perSourceFramesPerS: limitField(
        d.perSourceFramesPerS,
        1,
        100_000,
        'messages per second one address may send, sustained; beyond, the box answers NAK (send again later)',
        '单个地址每秒报文数上限, 超出答复NAK(稍后重发)',
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
    { default: {}, additionalProperties: false, description: 'hostile-input limits of the DC-09 receiver', zh: 'DC-09接收端的防护限制' },
  );
}
