/**
 * The simulated parking system's own HTTP API (`POST /acs/api/<op>`, JSON in, `{resCode, resMsg,
 * data}` out; resCode 0 = success). The seed hides the Lifang system behind its adapter, so this
 * API is ours: modelled on the push's vocabulary (parkID, channelID, carCode, inOrOut) and
 * documented in docs/parking.md.
 */
import { type ListEntry, localTime, type ParkingState, SIM_CODES, SimError } from './state.js';

export interface SimAnswer {
  resCode: number;
  resMsg: string;
  data?: unknown;
}

type Body = Record<string, unknown>;
type Op = (s: ParkingState, b: Body) => unknown;

function str(b: Body, key: string): string {
  const v = b[key];
  if (typeof v !== 'string' || v.trim() === '') throw new SimError(SIM_CODES.badParams, `${key} required`);
  return v;
}

function optStr(b: Body, key: string): string | undefined {
  const v = b[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new SimError(SIM_CODES.badParams, `${key} must be a string`);
  return v;
}

function int(b: Body, key: string, allowed: readonly number[]): number {
  const v = b[key];
  if (typeof v !== 'number' || !allowed.includes(v)) throw new SimError(SIM_CODES.badParams, `${key} must be one of ${allowed.join(',')}`);
  return v;
}

function strList(b: Body, key: string): string[] {
  const v = b[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new SimError(SIM_CODES.badParams, `${key} must be a list`);
  return v as string[];
}

const OPS: Record<string, Op> = {
  parkList: (s) =>
    [...s.parks.values()].map((p) => ({
      parkID: p.parkID,
      parkName: p.parkName,
      totalSpace: p.totalSpace,
      freeSpace: Math.max(0, p.totalSpace - s.parkedCount(p.parkID)),
    })),
  areaList: (s, b) => {
    const parkID = str(b, 'parkID');
    s.park(parkID);
    return [...s.areas.values()]
      .filter((a) => a.parkID === parkID)
      .map((a) => ({ ...a, freeSpace: Math.max(0, a.totalSpace - s.parkedCount(parkID, a.areaID)) }));
  },
  channelList: (s, b) => {
    const parkID = str(b, 'parkID');
    const areaID = optStr(b, 'areaID');
    s.park(parkID);
    if (areaID) s.area(parkID, areaID);
    return [...s.channels.values()].filter((c) => c.parkID === parkID && (!areaID || c.areaID === areaID));
  },
  channelInfo: (s, b) => {
    const c = s.channel(str(b, 'channelID'));
    if (c.parkID !== str(b, 'parkID')) throw new SimError(SIM_CODES.channelNotFound, 'channel not in this park');
    return c;
  },
  gateControl: (s, b) => {
    s.gateControl(str(b, 'channelID'), int(b, 'action', [1, 2, 3]) as 1 | 2 | 3);
    return null;
  },
  carInTime: (s, b) => ({ inTime: s.carInTime(str(b, 'parkID'), str(b, 'carCode')) }),
  listAdd: (s, b) => {
    const parkID = str(b, 'parkID');
    const listType = int(b, 'listType', [1, 2]) as 1 | 2;
    const cars = strList(b, 'carCodes');
    if (cars.length === 0) throw new SimError(SIM_CODES.badParams, 'carCodes required');
    const areas = strList(b, 'areaIDs');
    const beginTime = optStr(b, 'beginTime') ?? localTime();
    const endTime = optStr(b, 'endTime') ?? '2099-12-31 23:59:59';
    const entries: ListEntry[] = cars.flatMap((carCode) =>
      (areas.length ? areas : ['']).map((areaID) => ({ parkID, carCode, areaID, listType, beginTime, endTime })),
    );
    s.listAdd(entries);
    return null;
  },
  listRemove: (s, b) => ({ removed: s.listRemove(str(b, 'parkID'), str(b, 'carCode'), strList(b, 'areaIDs')) }),
  listQuery: (s, b) => s.listQuery(str(b, 'parkID'), str(b, 'carCode'), optStr(b, 'areaID')),
  orderAdd: (s, b) => {
    const o = s.orderAdd({
      parkID: str(b, 'parkID'),
      carCode: str(b, 'carCode'),
      inChannelID: str(b, 'inChannelID'),
      inTime: str(b, 'inTime'),
      outChannelID: optStr(b, 'outChannelID') ?? '',
      outTime: optStr(b, 'outTime') ?? '',
      payState: int(b, 'payState', [0, 4]),
    });
    return { orderNo: o.orderNo };
  },
  orderConfirm: (s, b) => {
    s.orderConfirm(str(b, 'parkID'), str(b, 'orderNo'), int(b, 'payState', [0, 1, 2, 3]), optStr(b, 'areaID') ?? '');
    return null;
  },
};

/** Runs one API operation; never throws (unknown op, bad params and state errors become resCodes). */
export function callOp(state: ParkingState, op: string, body: unknown): SimAnswer {
  const fn = Object.hasOwn(OPS, op) ? OPS[op] : undefined;
  if (!fn) return { resCode: SIM_CODES.badParams, resMsg: `unknown operation ${op}` };
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { resCode: SIM_CODES.badParams, resMsg: 'body must be an object' };
  try {
    return { resCode: SIM_CODES.ok, resMsg: 'ok', data: fn(state, body as Body) };
  } catch (err) {
    if (err instanceof SimError) return { resCode: err.resCode, resMsg: err.message };
    return { resCode: SIM_CODES.badParams, resMsg: String(err) };
  }
}
