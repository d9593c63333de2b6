/** The SIP server's hostile-input limits, as a driver setting (shape of protocols/sia-dc09/limits.ts). */
import { Type, type TInteger, type TObject } from '@sinclair/typebox';
import { limitField, type SocketLimits, socketLimitFields } from '../common/listener-limits.js';

export interface SipLimits extends SocketLimits {
  /** Largest message head (start line and headers), bytes. */
  maxHeadBytes: number;
  /** Largest body, bytes (a Catalog page of a big NVR stays well under it). */
  maxBodyBytes: number;
  /** Messages per second one address may send, sustained (UDP and TCP together). */
  perSourceMessagesPerS: number;
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
      ...socketLimitFields(d, 'cameras'),
      maxHeadBytes: limitField(
        d.maxHeadBytes,
        1024,
        65_536,
        'largest SIP message head, bytes; larger: 413 (TCP: closed)',
        'SIP报文头最大字节数',
      ),
      maxBodyBytes: limitField(d.maxBodyBytes, 1024, 1_048_576, 'largest SIP message body, bytes; larger: 413', 'SIP报文体最大字节数'),
      perSourceMessagesPerS: limitField(
        d.perSourceMessagesPerS,
        1,
        100_000,
        'SIP messages per second one address may send, sustained; beyond: 503 with Retry-After',
        '单个地址每秒SIP报文数上限, 超出答复503',
      ),
    },
    { default: {}, additionalProperties: false, description: 'hostile-input limits of the SIP server', zh: 'SIP服务的防护限制' },
  );
}
