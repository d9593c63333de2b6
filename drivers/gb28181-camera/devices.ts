/**
 * The driver's devices by GB id and what the SIP server's news does to them: a registered
 * camera or NVR goes online, an NVR's channels follow its catalog (online while the NVR is and
 * the catalog says ON), DeviceInfo fills the identity properties; catalog channels no device
 * names go to the discovered list with the name the cloud would give them.
 */
import type { DeviceHandle } from '../../edge/host/sdk/driver.js';
import type { Catalog, Manscdp } from '../../protocols/gb28181/index.js';
import type { DiscoveredList } from './discovered.js';
import { nameChannels } from './naming.js';
import { NVR_PRODUCT } from './settings.js';

export interface GbDevice {
  handle: DeviceHandle;
  gbId: string;
  kind: 'camera' | 'nvr' | 'channel';
  parent?: string;
  password?: string;
  categoryCode?: string;
  /** The catalog says ON (channels; cameras for their own channel). */
  channelOn?: boolean;
}

export interface Custom {
  gbId: string;
  categoryCode?: string;
  password?: string;
  parent?: string;
}

export function deviceOf(h: DeviceHandle): GbDevice {
  const c = h.custom as unknown as Custom;
  return {
    handle: h,
    gbId: c.gbId,
    kind: h.productKey === NVR_PRODUCT ? 'nvr' : c.parent ? 'channel' : 'camera',
    ...(c.parent ? { parent: c.parent } : {}),
    ...(c.password ? { password: c.password } : {}),
    ...(c.categoryCode ? { categoryCode: c.categoryCode } : {}),
  };
}

export class DeviceTable {
  readonly byId = new Map<string, GbDevice>();
  readonly #discovered: DiscoveredList;

  constructor(discovered: DiscoveredList) {
    this.#discovered = discovered;
  }

  add(d: GbDevice): void {
    this.byId.set(d.gbId, d);
    this.#discovered.remove(d.gbId);
    const base = { GbId: d.gbId, ...(d.categoryCode ? { CategoryCode: d.categoryCode } : {}) };
    d.handle.reportProperties(base);
    d.handle.offline(d.kind === 'channel' ? 'waiting for its NVR to register' : 'waiting for the device to register');
  }

  of(h: DeviceHandle): GbDevice | undefined {
    return [...this.byId.values()].find((d) => d.handle === h);
  }

  channelsOf(nvrId: string): GbDevice[] {
    return [...this.byId.values()].filter((d) => d.parent === nvrId);
  }

  online(id: string): void {
    this.byId.get(id)?.handle.online();
  }

  offline(id: string, reason: string): void {
    const d = this.byId.get(id);
    if (!d) return;
    d.handle.offline(reason);
    for (const ch of this.channelsOf(id)) ch.handle.offline(`its NVR is offline: ${reason}`);
  }

  catalog(c: Catalog): void {
    const d = this.byId.get(c.deviceId);
    if (!d) return;
    if (d.kind === 'camera') {
      const own = c.items.find((i) => i.deviceId === d.gbId) ?? c.items[0];
      const on = own ? own.status === undefined || own.status === 'ON' || own.status === 'ONLINE' : true;
      d.handle.reportProperties({ ChannelStatus: on ? 1 : 0, Channel: 0, ...(own?.name ? { Location: own.name } : {}) });
      return;
    }
    if (d.kind !== 'nvr') return;
    const channels = nameChannels(d.handle.deviceName, d.gbId, c.items);
    d.handle.reportProperties({
      ChannelCount: channels.length,
      ChannelList: JSON.stringify(
        channels.map((ch) => ({ gbId: ch.gbId, channel: ch.channel, name: ch.name, status: ch.on ? 'ON' : 'OFF' })),
      ).slice(0, 10240),
    });
    for (const ch of channels) {
      const dev = this.byId.get(ch.gbId);
      if (!dev || dev.parent !== d.gbId) {
        this.#discovered.add({ gbId: ch.gbId, kind: 'channel', parent: d.gbId, suggestedName: ch.name });
        continue;
      }
      dev.channelOn = ch.on;
      dev.handle.reportProperties({
        ChannelStatus: ch.on ? 1 : 0,
        Channel: ch.channel,
        Location: ch.location.slice(0, 128),
        ...(ch.manufacturer ? { Manufacturer: ch.manufacturer } : {}),
        ...(ch.model ? { Model: ch.model } : {}),
      });
      if (ch.on) dev.handle.online();
      else dev.handle.offline('the NVR reports the channel OFF');
    }
    for (const dev of this.channelsOf(d.gbId))
      if (!channels.some((ch) => ch.gbId === dev.gbId)) dev.handle.offline("not in its NVR's catalog");
  }

  manscdp(id: string, m: Manscdp): void {
    const d = this.byId.get(id);
    if (!d || !('info' in m)) return;
    if (m.cmd === 'DeviceStatus') return this.#status(this.byId.get(m.deviceId) ?? d, m.info);
    const pick = (k: string) => (m.info[k] ? { [k]: m.info[k].slice(0, 64) } : {});
    d.handle.reportProperties({ ...pick('Manufacturer'), ...pick('Model'), ...pick('Firmware') });
  }

  /**
   * DeviceStatus (A.2.6.7): Status OK/ERROR → `WorkStatus`, Record ON/OFF → `Recording`, Encode
   * ON/OFF → `Encoding`; Online OFFLINE marks a channel offline (a camera answering is online by
   * definition). A field the device leaves out leaves its property as it was.
   */
  #status(d: GbDevice, info: Record<string, string>): void {
    const onOff = (v: string | undefined) => (v === undefined ? undefined : /^ON/i.test(v) ? 1 : /^OFF/i.test(v) ? 0 : undefined);
    const values: Record<string, number> = {};
    const work = info.Status === undefined ? undefined : /^OK$/i.test(info.Status) ? 1 : /^ERROR$/i.test(info.Status) ? 0 : undefined;
    if (work !== undefined) values.WorkStatus = work;
    const rec = onOff(info.Record);
    if (rec !== undefined) values.Recording = rec;
    const enc = onOff(info.Encode);
    if (enc !== undefined) values.Encoding = enc;
    d.handle.reportProperties(values);
    if (d.kind === 'channel' && /^OFFLINE$/i.test(info.Online ?? '')) d.handle.offline('the NVR reports the channel OFFLINE');
  }
}
