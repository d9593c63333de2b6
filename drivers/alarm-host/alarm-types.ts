/**
 * DC-09 event categories (protocols/sia-dc09/events.ts) onto the thing model's `alarmType`
 * (seed 001 L29489-29546, digest 001d §3.G): 0 other, 1 intrusion, 2 fence touched, 3 short
 * circuit, 4 open circuit, 5 tamper, 6 fault. Neither Contact ID nor SIA DC-03 has a "fence
 * touched" code, so 2 is never reported from DC-09 (docs/security-devices.md).
 */
import type { AlarmCategory } from '../../protocols/sia-dc09/index.js';

export const ALARM_TYPE: Readonly<Record<AlarmCategory, number>> = {
  burglary: 1,
  perimeter: 1,
  loopShort: 3,
  loopOpen: 4,
  tamper: 5,
  trouble: 6,
  fire: 0,
  panic: 0,
  medical: 0,
  nonBurglary: 0,
};

/** channelStatusQuery's `status` (L29598-29620): 0 unknown, 1 armed, 2 disarmed — the reverse of the indoor AlertState (1 disarmed, 2 armed). */
export const CHANNEL_STATUS = { unknown: 0, armed: 1, disarmed: 2 } as const;
export type ChannelStatus = (typeof CHANNEL_STATUS)[keyof typeof CHANNEL_STATUS];

/** channelOperation's `operation` (L29563-29582): 0 unknown, 1 arm, 2 disarm. */
export const CHANNEL_OPERATION = { 1: 'arm', 2: 'disarm' } as const;
