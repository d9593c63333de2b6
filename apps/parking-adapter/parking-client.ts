/**
 * Client of the local parking system's API (the simulator's `/acs/api/<op>`, docs/parking.md):
 * one POST per operation, `{resCode, resMsg, data}` back. A resCode other than 0 is a
 * ParkingSystemError carrying it; no answer in time is code -1.
 */

export class ParkingSystemError extends Error {
  constructor(
    readonly resCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** The system's own codes (scripts/sim/parking/state.ts SIM_CODES), by meaning. */
export const SYSTEM_CODES = {
  unreachable: -1,
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

export interface SystemPark {
  parkID: string;
  parkName: string;
  totalSpace: number;
  freeSpace: number;
}
export interface SystemArea {
  areaID: string;
  areaName: string;
  parkID: string;
  parentID: string;
  totalSpace: number;
  freeSpace: number;
}
export interface SystemChannel {
  channelID: string;
  channelName: string;
  parkID: string;
  areaID: string;
  inOrOut: 0 | 1;
  gateState: 0 | 1 | 2;
  online: boolean;
}
export interface SystemListEntry {
  parkID: string;
  carCode: string;
  areaID: string;
  listType: 1 | 2;
  beginTime: string;
  endTime: string;
}

export class ParkingClient {
  constructor(
    readonly baseUrl: string,
    readonly timeoutMs = 5000,
  ) {}

  async call<T>(op: string, body: Record<string, unknown> = {}): Promise<T> {
    let answer: unknown;
    try {
      const res = await fetch(`${this.baseUrl}/acs/api/${op}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      answer = await res.json();
    } catch (err) {
      throw new ParkingSystemError(SYSTEM_CODES.unreachable, `parking system unreachable: ${(err as Error).message}`);
    }
    const a = answer as { resCode?: unknown; resMsg?: unknown; data?: unknown } | null;
    if (!a || typeof a.resCode !== 'number')
      throw new ParkingSystemError(SYSTEM_CODES.unreachable, 'parking system answered without resCode');
    if (a.resCode !== 0) throw new ParkingSystemError(a.resCode, typeof a.resMsg === 'string' ? a.resMsg : `resCode ${a.resCode}`);
    return a.data as T;
  }

  parks = (): Promise<SystemPark[]> => this.call('parkList');
  areas = (parkID: string): Promise<SystemArea[]> => this.call('areaList', { parkID });
  channels = (parkID: string, areaID?: string): Promise<SystemChannel[]> =>
    this.call('channelList', { parkID, ...(areaID ? { areaID } : {}) });
  channel = (parkID: string, channelID: string): Promise<SystemChannel> => this.call('channelInfo', { parkID, channelID });
  gateControl = (channelID: string, action: 1 | 2 | 3): Promise<null> => this.call('gateControl', { channelID, action });
  carInTime = (parkID: string, carCode: string): Promise<{ inTime: string }> => this.call('carInTime', { parkID, carCode });
  listQuery = (parkID: string, carCode: string, areaID?: string): Promise<SystemListEntry[]> =>
    this.call('listQuery', { parkID, carCode, ...(areaID !== undefined ? { areaID } : {}) });
}
