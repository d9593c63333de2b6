/**
 * The receiver's hostile-input limits, as a driver setting (same shape idea as the HTTP
 * listeners' protocols/common/listener-limits.ts, with the fields a line protocol needs).
 */
import { Type, type TInteger, type TObject } from '@sinclair/typebox';
import { limitField, type SocketLimits, socketLimitFields } from '../common/listener-limits.js';

export interface ReceiverLimits extends SocketLimits {
  /** Frames per second one address may send, sustained (TCP and UDP together); beyond: NAK. */
  perSourceFramesPerS: number;
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
      ...socketLimitFields(d, 'panels'),
      perSourceFramesPerS: limitField(
        d.perSourceFramesPerS,
        1,
        100_000,
        'messages per second one address may send, sustained; beyond, the box answers NAK (send again later)',
        '单个地址每秒报文数上限, 超出答复NAK(稍后重发)',
      ),
    },
    { default: {}, additionalProperties: false, description: 'hostile-input limits of the DC-09 receiver', zh: 'DC-09接收端的防护限制' },
  );
}
