/**
 * A host's channels (the thing model's `channelID`, seed 001 L29489-29620) and how the zones a
 * host reports over DC-09 map onto them: zone = channel. With a `channelList` of strings (the JHL
 * shape, e.g. `Module001Zone001`), the n-th channel is zone n; an entry `{channelID, zone}` names
 * its zone; a zone not in the list (or no list) is the channel named by the zone's three-digit
 * number (`001`).
 */
export const HOST_PRODUCT = 'PEAlarmHost';

export interface HostCustom {
  account?: string;
  key?: string;
  channelList?: Array<string | { channelID: string; zone: number; partition?: number }>;
  ip?: string;
  port?: number;
  alarmHostDevIp?: string;
  alarmHostDevPort?: number;
  alarmHostDevPasswd?: string;
  deviceId?: string | number;
  passwd?: string;
  supervisionS?: number;
}

export interface Channel {
  channelID: string;
  zone: number;
  partition?: number;
}

/** The DC-09 account: `account`, else a `deviceId` that is one. */
export function accountOf(c: HostCustom): string | undefined {
  if (c.account !== undefined) return c.account;
  const id = c.deviceId === undefined ? '' : String(c.deviceId);
  return /^[0-9A-Fa-f]{1,16}$/.test(id) ? id : undefined;
}

/** The address reports must come from, if the config names one. */
export const sourceOf = (c: HostCustom): string | undefined => c.ip ?? c.alarmHostDevIp;

export function channelsOf(c: HostCustom): Channel[] {
  return (c.channelList ?? []).map((e, i) => (typeof e === 'string' ? { channelID: e, zone: i + 1 } : e));
}

/** The channel of a reported zone ('' when the event names none). */
export function channelOfZone(channels: readonly Channel[], zone: string): string {
  const n = /^\d+$/.test(zone) ? Number(zone) : Number.NaN;
  const found = Number.isNaN(n) ? undefined : channels.find((c) => c.zone === n);
  if (found) return found.channelID;
  return Number.isNaN(n) ? zone : String(n).padStart(3, '0');
}

/** The channels an arm/disarm report of `area` applies to: those of that partition, and those without one. */
export function channelsOfArea(channels: readonly Channel[], area: string): Channel[] {
  const n = /^\d+$/.test(area) ? Number(area) : Number.NaN;
  return channels.filter((c) => c.partition === undefined || Number.isNaN(n) || c.partition === n);
}
