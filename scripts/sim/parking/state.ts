/**
 * The simulated parking system's data: lots, an area tree, barriers ("channels" in the Lifang
 * vocabulary), vehicles in the lot with their entry times, black/white lists and orders. Pure
 * (no I/O): the HTTP API (api.ts) and the pass control (sim.ts) call these operations.
 */
import { randomBytes, randomUUID } from 'node:crypto';

/** The system's own result codes (its API answers `{resCode, resMsg, data}`), documented in docs/parking.md. */
export const SIM_CODES = {
  ok: 0,
  parkNotFound: 1001,
  areaNotFound: 1002,
  channelNotFound: 1003,
  channelOffline: 1004,
  gateFault: 1005,
  carNotInPark: 1006,
  alreadyListed: 1007,
  notListed: 1008,
  orderNotFound: 1009,
  badParams: 1010,
} as const;

export class SimError extends Error {
  constructor(
    readonly resCode: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Park {
  parkID: string;
  parkName: string;
  totalSpace: number;
}

export interface Area {
  areaID: string;
  areaName: string;
  parkID: string;
  /** '' for a top-level area (it hangs directly under the lot). */
  parentID: string;
  totalSpace: number;
}

export interface Channel {
  channelID: string;
  channelName: string;
  parkID: string;
  areaID: string;
  /** 0 entry, 1 exit: the same convention as the push's `inOrOut`. */
  inOrOut: 0 | 1;
  /** 0 closed, 1 open, 2 held open. */
  gateState: 0 | 1 | 2;
  online: boolean;
  /** A gate that refuses commands (motor fault). */
  fault: boolean;
}

export interface CarInPark {
  carCode: string;
  parkID: string;
  areaID: string;
  inTime: string;
  inChannelID: string;
}

export interface ListEntry {
  parkID: string;
  carCode: string;
  /** '' = the whole lot. */
  areaID: string;
  /** 1 white list, 2 black list. */
  listType: 1 | 2;
  beginTime: string;
  endTime: string;
}

export interface Order {
  orderNo: string;
  parkID: string;
  carCode: string;
  inChannelID: string;
  inTime: string;
  outChannelID: string;
  outTime: string;
  /** 0 paid, 1 free, 2 paid locally, 3 cancelled, 4 unpaid. */
  payState: number;
  areaID: string;
}

/** `yyyy-MM-dd HH:mm:ss` in local time: the format the system writes every time in. */
export function localTime(d: Date = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export class ParkingState {
  readonly parks = new Map<string, Park>();
  readonly areas = new Map<string, Area>();
  readonly channels = new Map<string, Channel>();
  /** Keyed by `parkID|carCode`. */
  readonly inPark = new Map<string, CarInPark>();
  readonly lists: ListEntry[] = [];
  readonly orders = new Map<string, Order>();

  /** The demo lot: the seed's example ids (parkID "88", channel "1" 北大门出口, L40095-40105). */
  static demo(): ParkingState {
    const s = new ParkingState();
    s.parks.set('88', { parkID: '88', parkName: '户外停车场', totalSpace: 677 });
    s.areas.set('A1', { areaID: 'A1', areaName: '地面区', parkID: '88', parentID: '', totalSpace: 400 });
    s.areas.set('A2', { areaID: 'A2', areaName: '地下一层', parkID: '88', parentID: '', totalSpace: 277 });
    s.areas.set('A2-1', { areaID: 'A2-1', areaName: '地下一层VIP区', parkID: '88', parentID: 'A2', totalSpace: 40 });
    const ch = (channelID: string, channelName: string, areaID: string, inOrOut: 0 | 1): void =>
      void s.channels.set(channelID, { channelID, channelName, parkID: '88', areaID, inOrOut, gateState: 0, online: true, fault: false });
    ch('1', '北大门出口', 'A1', 1);
    ch('2', '北大门入口', 'A1', 0);
    ch('3', '地库入口', 'A2', 0);
    ch('4', '地库出口', 'A2', 1);
    return s;
  }

  park(parkID: string): Park {
    const p = this.parks.get(parkID);
    if (!p) throw new SimError(SIM_CODES.parkNotFound, 'park not found');
    return p;
  }

  area(parkID: string, areaID: string): Area {
    this.park(parkID);
    const a = this.areas.get(areaID);
    if (!a || a.parkID !== parkID) throw new SimError(SIM_CODES.areaNotFound, 'area not found');
    return a;
  }

  channel(channelID: string): Channel {
    const c = this.channels.get(channelID);
    if (!c) throw new SimError(SIM_CODES.channelNotFound, 'channel not found');
    return c;
  }

  /** Cars parked in the lot, or in an area and the areas below it. */
  parkedCount(parkID: string, areaID?: string): number {
    const inside = areaID === undefined ? undefined : this.#subtree(areaID);
    return [...this.inPark.values()].filter((c) => c.parkID === parkID && (!inside || inside.has(c.areaID))).length;
  }

  #subtree(areaID: string): Set<string> {
    const out = new Set([areaID]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const a of this.areas.values())
        if (out.has(a.parentID) && !out.has(a.areaID)) {
          out.add(a.areaID);
          grew = true;
        }
    }
    return out;
  }

  gateControl(channelID: string, action: 1 | 2 | 3): void {
    const c = this.channel(channelID);
    if (!c.online) throw new SimError(SIM_CODES.channelOffline, 'channel offline');
    if (c.fault) throw new SimError(SIM_CODES.gateFault, 'gate fault');
    c.gateState = action === 1 ? 1 : action === 2 ? 0 : 2;
  }

  carInTime(parkID: string, carCode: string): string {
    this.park(parkID);
    const car = this.inPark.get(`${parkID}|${carCode}`);
    if (!car) throw new SimError(SIM_CODES.carNotInPark, 'car not in park');
    return car.inTime;
  }

  listAdd(entries: ListEntry[]): void {
    for (const e of entries) {
      this.park(e.parkID);
      if (e.areaID) this.area(e.parkID, e.areaID);
      if (this.#listed(e.parkID, e.carCode, e.areaID)) throw new SimError(SIM_CODES.alreadyListed, `${e.carCode} already listed`);
    }
    this.lists.push(...entries);
  }

  /** Removes the car from the given areas ('' = the whole-lot entry), or from every entry when none are named. */
  listRemove(parkID: string, carCode: string, areaIDs: string[]): number {
    this.park(parkID);
    const hit = (e: ListEntry): boolean =>
      e.parkID === parkID && e.carCode === carCode && (areaIDs.length === 0 || areaIDs.includes(e.areaID));
    const before = this.lists.length;
    for (let i = this.lists.length - 1; i >= 0; i--) if (hit(this.lists[i]!)) this.lists.splice(i, 1);
    const removed = before - this.lists.length;
    if (removed === 0) throw new SimError(SIM_CODES.notListed, 'not listed');
    return removed;
  }

  listQuery(parkID: string, carCode: string, areaID?: string): ListEntry[] {
    this.park(parkID);
    return this.lists.filter((e) => e.parkID === parkID && e.carCode === carCode && (areaID === undefined || e.areaID === areaID));
  }

  #listed(parkID: string, carCode: string, areaID: string): ListEntry | undefined {
    return this.lists.find((e) => e.parkID === parkID && e.carCode === carCode && e.areaID === areaID);
  }

  /** The list a car is on for a pass at `channel` (an area entry, else the whole-lot entry). */
  listOf(channel: Channel, carCode: string): ListEntry | undefined {
    return this.#listed(channel.parkID, carCode, channel.areaID) ?? this.#listed(channel.parkID, carCode, '');
  }

  orderAdd(o: Omit<Order, 'orderNo' | 'areaID'>): Order {
    this.park(o.parkID);
    this.channel(o.inChannelID);
    if (o.outChannelID) this.channel(o.outChannelID);
    const order: Order = { ...o, areaID: '', orderNo: `O${randomBytes(12).toString('hex').toUpperCase()}` };
    this.orders.set(order.orderNo, order);
    return order;
  }

  orderConfirm(parkID: string, orderNo: string, payState: number, areaID: string): Order {
    this.park(parkID);
    const o = this.orders.get(orderNo);
    if (!o || o.parkID !== parkID) throw new SimError(SIM_CODES.orderNotFound, 'order not found');
    o.payState = payState;
    if (areaID) o.areaID = areaID;
    return o;
  }

  /** A car passes a channel: an entry adds it to the lot, an exit removes it. Returns the pass's facts. */
  pass(carCode: string, channelID: string, at: Date = new Date()): { channel: Channel; inTime: string; passTime: string; guid: string } {
    const channel = this.channel(channelID);
    const key = `${channel.parkID}|${carCode}`;
    const passTime = localTime(at);
    let inTime = passTime;
    if (channel.inOrOut === 0) {
      this.inPark.set(key, { carCode, parkID: channel.parkID, areaID: channel.areaID, inTime, inChannelID: channelID });
    } else {
      inTime = this.inPark.get(key)?.inTime ?? passTime;
      this.inPark.delete(key);
    }
    return { channel, inTime, passTime, guid: randomUUID().replaceAll('-', '') };
  }
}
