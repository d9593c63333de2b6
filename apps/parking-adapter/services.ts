/**
 * `iotx_parking_service_model` v1.0, the services the seed's Lifang adapter supports (001
 * L15022-15027), each mapped onto the parking system's API. Request and answer fields from
 * digest 001e §3.2 groups 1, 2, 3, 5.9, 7 and 8 (L31246-33283). The judgement calls (both
 * spellings of `barriereName`, the order number in 8.1's answer, …) are in docs/parking.md.
 */
import type { ServiceAnswer, ServiceHandler } from '../sdk/service-server.js';
import { CODES, type CodeName } from './codes.js';
import { type ParkingClient, ParkingSystemError, type SystemChannel, type SystemListEntry, SYSTEM_CODES } from './parking-client.js';
import { date, dateOrder, fail, optString, type Params, reqInt, reqString, stringList } from './params.js';

export const SERVICE_MODEL_ID = 'iotx_parking_service_model';

const ok = (data: unknown = null, name: CodeName = 'success'): ServiceAnswer => ({ ...CODES[name], data });

/** The system's failure as the service model's code. */
function translate(err: unknown): never {
  if (!(err instanceof ParkingSystemError)) throw err;
  const byCode: Record<number, CodeName> = {
    [SYSTEM_CODES.unreachable]: 'timeout',
    [SYSTEM_CODES.parkNotFound]: 'lotNotFound',
    [SYSTEM_CODES.areaNotFound]: 'areaNotFound',
    [SYSTEM_CODES.channelNotFound]: 'barrierNotFound',
    [SYSTEM_CODES.channelOffline]: 'deviceOffline',
    [SYSTEM_CODES.gateFault]: 'barrierFailed',
    [SYSTEM_CODES.carNotInPark]: 'plateNotFound',
    [SYSTEM_CODES.alreadyListed]: 'alreadyListed',
    [SYSTEM_CODES.notListed]: 'notListed',
    [SYSTEM_CODES.orderNotFound]: 'orderNotFound',
    [SYSTEM_CODES.badParams]: 'invalidParam',
  };
  fail(byCode[err.resCode] ?? 'unknown');
}

const system = async <T>(p: Promise<T>): Promise<T> => p.catch(translate);

/** 3.2's commands as the system's gate actions. */
const GATE_ACTIONS = { open: 1, close: 2, keepOpen: 3 } as const;

const direction = (c: SystemChannel): 'IN' | 'OUT' => (c.inOrOut === 0 ? 'IN' : 'OUT');

/** VehicleSecurityDTO (L33026-33093): the list type in lower case on the way out (R27). */
function securityDto(e: SystemListEntry): Record<string, string> {
  return {
    plateNumber: e.carCode,
    areaId: e.areaID,
    type: e.listType === 1 ? 'whitelist' : 'blacklist',
    effectiveDate: e.beginTime,
    expiryDate: e.endTime,
  };
}

export function parkingServices(client: ParkingClient): Record<string, ServiceHandler> {
  const lot = (p: Params): string => reqString(p, 'parkingLotId');
  return {
    // 1.1 (L31248-31301)
    parkingLotInfoGet: async () => {
      const parks = await system(client.parks());
      return ok(parks.map((k) => ({ name: k.parkName, parkingLotId: k.parkID, totalCount: k.totalSpace, unParkedCount: k.freeSpace })));
    },
    // 1.2 (L31303-31341): the lot's root areas.
    parkingLotFirstAreaIdsGet: async (p) => {
      const areas = await system(client.areas(lot(p)));
      const ids = areas.filter((a) => a.parentID === '').map((a) => a.areaID);
      return ids.length ? ok(ids) : ok(null, 'noArea');
    },
    // 1.3 (L31343-31393)
    parkingLotBarriersInfoGet: async (p) => {
      const channels = await system(client.channels(lot(p)));
      if (channels.length === 0) return ok(null, 'noBarrier');
      return ok(channels.map((c) => ({ barrierId: c.channelID, barrierName: c.channelName, direction: direction(c) })));
    },
    // 2.1 (L31450-31515): the root areas' parent is the lot, as in the seed's example.
    parkingAreaInfoGet: async (p) => {
      const parkingLotId = lot(p);
      const areaId = reqString(p, 'areaId');
      const areas = await system(client.areas(parkingLotId));
      const a = areas.find((x) => x.areaID === areaId);
      if (!a) fail('areaNotFound');
      return ok({
        name: a.areaName,
        areaId: a.areaID,
        parentAreaId: a.parentID || parkingLotId,
        subAreaList: areas.filter((x) => x.parentID === a.areaID).map((x) => x.areaID),
        unParkedCount: a.freeSpace,
        totalCount: a.totalSpace,
      });
    },
    // 2.2 (L31516-31572): the seed's table and example both spell `barriereName`; both spellings are sent.
    parkingAreaBarriersInfoGet: async (p) => {
      const channels = await system(client.channels(lot(p), reqString(p, 'areaId')));
      if (channels.length === 0) return ok(null, 'noBarrier');
      return ok(
        channels.map((c) => ({ barrierId: c.channelID, barriereName: c.channelName, barrierName: c.channelName, direction: direction(c) })),
      );
    },
    // 3.1 (L31621-31678): direction in lower case here.
    parkingBarrierInfoGet: async (p) => {
      const c = await system(client.channel(lot(p), reqString(p, 'barrierId')));
      return ok({
        areaId: c.areaID,
        barrierId: c.channelID,
        status: c.gateState === 0 ? 'close' : 'open',
        direction: c.inOrOut === 0 ? 'in' : 'out',
        barrierName: c.channelName,
      });
    },
    // 3.2 (L31680-31723, R23): offline 1004, a failing gate 403.
    parkingBarrierOperate: async (p) => {
      const barrierId = reqString(p, 'barrierId');
      const command = reqString(p, 'command');
      if (!Object.hasOwn(GATE_ACTIONS, command)) fail('invalidParam', 'command');
      await system(client.gateControl(barrierId, GATE_ACTIONS[command as keyof typeof GATE_ACTIONS]));
      return ok(null);
    },
    // 5.9 (L32290-32335)
    parkingLotVehicleInTime: async (p) => {
      const { inTime } = await system(client.carInTime(lot(p), reqString(p, 'plateNumber')));
      return ok({ vehicleInTime: inTime });
    },
    // 7.1 (L32922-32982, R27): plateNumber/areaId as a list or a single string.
    parkingLotVehicleListAdd: async (p) => {
      const parkID = lot(p);
      const carCodes = stringList(p, 'plateNumber', true);
      const areaIDs = stringList(p, 'areaId', false);
      const type = reqString(p, 'type').toUpperCase();
      if (type !== 'WHITELIST' && type !== 'BLACKLIST') fail('invalidParam', 'type');
      const beginTime = date(p, 'effectiveDate', false);
      const endTime = date(p, 'expiryDate', false);
      dateOrder(beginTime, endTime);
      await system(
        client.call('listAdd', {
          parkID,
          carCodes,
          areaIDs,
          listType: type === 'WHITELIST' ? 1 : 2,
          ...(beginTime ? { beginTime } : {}),
          ...(endTime ? { endTime } : {}),
        }),
      );
      return ok(null, 'listAdded');
    },
    // 7.2 (L32984-33024): plateNumber is a single string here.
    parkingLotVehicleListRemove: async (p) => {
      await system(
        client.call('listRemove', { parkID: lot(p), carCode: reqString(p, 'plateNumber'), areaIDs: stringList(p, 'areaId', false) }),
      );
      return ok(null);
    },
    // 7.3 (L33026-33093): the lot-wide entry first when no area is asked.
    parkingLotVehicleInListGet: async (p) => {
      const entries = await system(client.listQuery(lot(p), reqString(p, 'plateNumber'), optString(p, 'areaId')));
      const e = entries.find((x) => x.areaID === '') ?? entries[0];
      if (!e) fail('notListed');
      return ok(securityDto(e));
    },
    // 8.1 (L33182-33238): the seed answers data null; the order number is returned so 8.2 can name the order.
    parkingLotVehicleOrderAdd: async (p) => {
      const inTime = date(p, 'inTime', true);
      const outTime = date(p, 'outTime', false);
      dateOrder(inTime, outTime);
      const { orderNo } = await system(
        client.call<{ orderNo: string }>('orderAdd', {
          parkID: lot(p),
          carCode: reqString(p, 'plateNumber'),
          inChannelID: reqString(p, 'inBarrierGateId'),
          inTime,
          payState: reqInt(p, 'payStatus', [0, 4]),
          ...(optString(p, 'outBarrierGateId') ? { outChannelID: optString(p, 'outBarrierGateId') } : {}),
          ...(outTime ? { outTime } : {}),
        }),
      );
      return ok({ orderNumber: orderNo });
    },
    // 8.2 (L33240-33283, R31)
    parkingLotVehicleOrderCompleted: async (p) => {
      await system(
        client.call('orderConfirm', {
          parkID: lot(p),
          orderNo: reqString(p, 'orderNumber'),
          payState: reqInt(p, 'payStatus', [0, 1, 2, 3]),
          ...(optString(p, 'areaId') ? { areaID: optString(p, 'areaId') } : {}),
        }),
      );
      return ok(null);
    },
  };
}
