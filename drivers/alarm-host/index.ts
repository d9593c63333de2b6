/**
 * Perimeter alarm host driver (周界报警主机, thing model seed 001 L29481-29620, digest 001d §3.G
 * R21; vendor configs L15867-16071, digest 001b §3.14). The box is the hosts' DC-09 receiver
 * (protocols/sia-dc09): each configured host is a `PEAlarmHost` device found by its DC-09
 * account (and address, where the config gives one). Alarms and restores become `channelAlarm` /
 * `alarmRemove`, each stored with its cloud upload by the host process (`security.recordAlarm`)
 * before the panel gets its ACK; openings and closings become the channels' arm state; any
 * message (NULL link tests included) keeps the host online. DC-09 carries nothing from the box to
 * a host, so `clearAlarm` and `channelOperation` answer "not supported by this host's protocol";
 * the channel list and the last reported states are answered from what the box knows.
 */
import { defineDriver, DRIVER_ERRORS, fail, ok, type DeviceHandle, type Driver, type DriverContext } from '../../edge/host/sdk/driver.js';
import { readSettings } from '../../edge/host/sdk/settings.js';
import { Dc09Receiver, parseKey, type Dc09Message, type PanelEvent } from '../../protocols/sia-dc09/index.js';
import { ALARM_TYPE, CHANNEL_OPERATION, CHANNEL_STATUS, type ChannelStatus } from './alarm-types.js';
import { accountOf, channelOfZone, channelsOf, channelsOfArea, HOST_PRODUCT, sourceOf, type Channel, type HostCustom } from './channels.js';
import settings from './settings.js';
import { keyOf } from '../../edge/host/sdk/device-key.js';

interface Host {
  handle: DeviceHandle;
  account: string;
  key?: Buffer;
  source?: string;
  channels: Channel[];
  /** Channels seen in reports, for a host without a channel list. */
  seen: Set<string>;
  status: Map<string, ChannelStatus>;
  supervisionMs: number;
  lastHeard?: number;
  online: boolean;
}

const MAX_CHANNELS = 512;
/** Messages remembered as stored in part (bounded: a store that keeps failing must not grow it). */
const MAX_PARTLY_STORED = 256;

export type AlarmHostDriver = Driver & { readonly receiver: Dc09Receiver };

// Longer than 60 lines on purpose: the driver's state (hosts by account) is shared by the receiver's
// handlers, the supervision sweep and the services, each a small named function inside.
export function createAlarmHostDriver(ctx: Pick<DriverContext, 'config' | 'log' | 'host'>): AlarmHostDriver {
  const cfg = readSettings(settings.config, ctx.config, 'alarm-host driver config');
  const log = ctx.log.child({ comp: 'alarm-host', ...(cfg.protocolName ? { variant: cfg.protocolName } : {}) });
  const byAccount = new Map<string, Host>();
  /** Message (account, sequence, data) → how many of its events are stored. */
  const partlyStored = new Map<string, number>();
  let sweeper: NodeJS.Timeout | undefined;

  const hostOf = (h: DeviceHandle): Host | undefined => [...byAccount.values()].find((x) => x.handle === h);

  function heard(host: Host): void {
    host.lastHeard = Date.now();
    if (!host.online) {
      host.online = true;
      host.handle.online();
      log.info({ device: host.handle.deviceName }, 'host reporting');
    }
  }

  async function alarm(host: Host, e: PanelEvent, time: number, dedupKey: string | undefined): Promise<void> {
    const channelID = channelOfZone(host.channels, e.zone);
    host.seen.add(channelID);
    const eventId = e.kind === 'alarm' ? 'channelAlarm' : 'alarmRemove';
    const r = await ctx.host.call('security.recordAlarm', {
      deviceKey: keyOf(host.handle),
      eventId,
      params: { channelID, alarmType: ALARM_TYPE[e.category!] },
      time,
      ...(dedupKey ? { dedupKey } : {}),
    });
    if (r.code !== 200) throw new Error(`alarm not stored (${r.code} ${r.message}); the host is told to send it again`);
  }

  function armState(host: Host, e: PanelEvent): void {
    const state = e.kind === 'arm' ? CHANNEL_STATUS.armed : CHANNEL_STATUS.disarmed;
    const channels = host.channels.length > 0 ? channelsOfArea(host.channels, e.area).map((c) => c.channelID) : [...host.seen];
    for (const id of channels) host.status.set(id, state);
    host.handle.reportProperties({ ChannelStatus: JSON.stringify(Object.fromEntries(host.status)) });
  }

  async function message(m: Dc09Message, events: PanelEvent[]): Promise<void> {
    const host = byAccount.get(m.account.toUpperCase());
    if (!host) throw new Error('host removed while its message was read');
    heard(host);
    const time = m.timestamp ?? Date.now();
    // A message whose events were stored only in part gets no ACK and comes again: its first events are not stored twice.
    const key = `${host.account}|${m.seq}|${m.data}`;
    const done = partlyStored.get(key) ?? 0;
    for (const [i, e] of events.entries()) {
      if (i < done) continue;
      try {
        // A timestamped message is unique to the store too (sequence and time), so a resend after a
        // driver restart, when the memory above is gone, is still stored once.
        const dedupKey = m.timestamp === undefined ? undefined : `DC09|${m.seq}|${m.timestamp}|${i}`;
        if ((e.kind === 'alarm' || e.kind === 'restore') && e.category) await alarm(host, e, time, dedupKey);
        else if (e.kind === 'arm' || e.kind === 'disarm') armState(host, e);
        else host.handle.log.info({ format: e.format, code: e.code, kind: e.kind, area: e.area, zone: e.zone }, 'DC-09 event not mapped');
      } catch (err) {
        if (i > 0) partlyStored.set(key, i);
        if (partlyStored.size > MAX_PARTLY_STORED) partlyStored.delete(partlyStored.keys().next().value!);
        throw err;
      }
    }
    partlyStored.delete(key);
    if (events.length > 0) log.info({ device: host.handle.deviceName, seq: m.seq, events: events.length }, 'DC-09 report taken');
  }

  const receiver = new Dc09Receiver(
    {
      acceptsSource: (source) => [...byAccount.values()].some((h) => h.source === undefined || h.source === source),
      account(account, source) {
        const host = byAccount.get(account.toUpperCase());
        if (!host || (host.source !== undefined && host.source !== source)) return undefined;
        return host.key ? { key: host.key } : {};
      },
      message,
      refused: (source, reason, detail) =>
        log.warn({ source, reason, detail }, 'DC-09 message refused (logged once per source and reason per interval)'),
    },
    {
      host: cfg.localIp,
      tcpPort: cfg.localPort,
      udpPort: cfg.udpPort,
      skew: { aheadS: cfg.skewAheadS, behindS: cfg.skewBehindS },
      refusalLogIntervalMs: cfg.refusalLogIntervalS * 1000,
      ...cfg.limits,
    },
  );

  function sweep(): void {
    const now = Date.now();
    for (const host of byAccount.values()) {
      if (!host.online || host.lastHeard === undefined || now - host.lastHeard <= host.supervisionMs * cfg.offlineMisses) continue;
      host.online = false;
      host.handle.offline('no DC-09 message (supervision) from the host in time');
      log.warn({ device: host.handle.deviceName }, 'host silent past its supervision; offline');
    }
  }

  async function callService(h: DeviceHandle, serviceId: string, args: Record<string, unknown>) {
    const host = hostOf(h);
    if (!host) return fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_UNKNOWN, 'device not deployed');
    const unsupported = (what: string) =>
      fail(
        DRIVER_ERRORS.EDGE_ERR_ALARM_HOST_UNSUPPORTED,
        `${what} is not supported by this host's protocol (SIA DC-09 reports events only; nothing reaches the host)`,
      );
    switch (serviceId) {
      case 'clearAlarm':
        return unsupported('clearAlarm');
      case 'channelOperation': {
        const op = CHANNEL_OPERATION[Number(args.operation) as 1 | 2];
        if (!op) return fail(DRIVER_ERRORS.EDGE_ERR_REQUEST_INVALID, 'operation: 1 arm or 2 disarm');
        return unsupported(`channelOperation ${args.operation} (${op})`);
      }
      case 'channelListQuery': {
        const list = host.channels.length > 0 ? host.channels.map((c) => c.channelID) : [...host.seen].sort();
        return ok({ channelList: list.slice(0, MAX_CHANNELS) });
      }
      case 'channelStatusQuery':
        return ok({ status: host.status.get(String(args.channelID)) ?? CHANNEL_STATUS.unknown });
      default:
        return fail(DRIVER_ERRORS.EDGE_ERR_SERVICE_UNKNOWN, `service ${serviceId} is not one of the perimeter alarm host's`);
    }
  }

  return {
    receiver,

    async start() {
      const addr = await receiver.listen();
      log.info({ host: addr.tcp.address, tcp: addr.tcp.port, udp: addr.udp?.port }, 'DC-09 receiver listening');
      sweeper = setInterval(sweep, 1000);
      sweeper.unref();
    },

    async addDevice(h) {
      if (h.productKey !== HOST_PRODUCT) throw new Error(`${h.productKey}/${h.deviceName}: not a product of this driver`);
      const c = h.custom as HostCustom;
      const account = accountOf(c);
      if (!account) throw new Error(`${h.deviceName}: no DC-09 account`);
      const source = sourceOf(c);
      byAccount.set(account.toUpperCase(), {
        handle: h,
        account,
        ...(c.key ? { key: parseKey(c.key) } : {}),
        ...(source ? { source } : {}),
        channels: channelsOf(c),
        seen: new Set(),
        status: new Map(),
        supervisionMs: (c.supervisionS ?? cfg.supervisionS) * 1000,
        online: false,
      });
      h.offline('waiting for the first DC-09 message from the host');
    },

    async removeDevice(h) {
      const host = hostOf(h);
      if (host) byAccount.delete(host.account.toUpperCase());
      h.offline('removed');
    },

    async getProperties(h, keys) {
      const host = hostOf(h);
      if (!host) return fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_UNKNOWN, 'device not deployed');
      const all: Record<string, unknown> = { ChannelStatus: JSON.stringify(Object.fromEntries(host.status)) };
      return ok(Object.fromEntries(keys.filter((k) => k in all).map((k) => [k, all[k]])));
    },

    async setProperties() {
      return fail(DRIVER_ERRORS.EDGE_ERR_PROPERTY_READONLY, 'the perimeter alarm host has no writable property');
    },

    callService,

    async stop() {
      if (sweeper) clearInterval(sweeper);
      await receiver.close();
    },
  };
}

export default defineDriver((ctx: DriverContext) => createAlarmHostDriver(ctx));
