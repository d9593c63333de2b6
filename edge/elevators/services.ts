/**
 * The linkage API on the box. The cloud's elevator-linkage APIs (seed 001 L26168-26441, v1.0.1
 * users L26946-27078) reach the box as services of the gateway device (this box), one per API,
 * with the API's own fields as params:
 *
 *   ElevatorLinkageDeviceAdd     /elevator/entrance/device/add      → data: dataId
 *   ElevatorLinkageDeviceUpdate  /elevator/entrance/device/update
 *   ElevatorLinkageDeviceDelete  /elevator/entrance/device/delete
 *   ElevatorLinkageDeviceQuery   /elevator/entrance/device/query    → data: the relation
 *   ElevatorLinkageUserSave      /elevator/entrance/user/save       (identityId: 1.0.2; paramType+paramValue: 1.0.1)
 *   ElevatorLinkageUserDelete    /elevator/entrance/user/delete
 *   ElevatorLinkageUserQuery     /elevator/entrance/user/query      → data: the entry
 *
 * The console and the commissioning file call the same functions. The elevator gateway's
 * `SetElevatorRuleState` / `GetElevatorRuleState` are answered here for every elevator device
 * (the switch gates the linkage the box runs) and passed on to its driver.
 */
import { randomUUID } from 'node:crypto';
import { answerOf, edgeError, ok, succeeded, type Answer } from '../errors.js';
import type { DeviceServiceHook } from '../host/host.js';
import { deviceKey } from '../thing/registry.js';
import type { LinkageStore } from './store.js';
import { asObject, parseRelationAdd, parseRelationUpdate, parseUserSave, userKeyOf, type Relation, type UserEntry } from './validate.js';

export type GatewayService = (params: unknown) => Answer | Promise<Answer>;

/** The operations, shared by the cloud services, the console and the commissioning file. */
export class LinkageApi {
  readonly #store: LinkageStore;
  readonly #offsetMinutes: number;

  constructor(store: LinkageStore, options: { timezoneOffsetMinutes: number }) {
    this.#store = store;
    this.#offsetMinutes = options.timezoneOffsetMinutes;
  }

  #relation(dataId: unknown): Relation {
    const id = typeof dataId === 'string' ? dataId.trim() : '';
    if (!id) throw edgeError('EDGE_ERR_ELEVATOR_PARAM', 'dataId is required');
    const r = this.#store.relation(id);
    if (!r) throw edgeError('EDGE_ERR_ELEVATOR_NOT_FOUND', `relation ${id}`);
    return r;
  }

  addRelation(params: unknown, source: string): string {
    const r = parseRelationAdd(params, () => randomUUID().replaceAll('-', ''));
    this.#store.putRelation(r, source);
    return r.dataId;
  }

  updateRelation(params: unknown, source: string): void {
    const o = asObject(params);
    this.#store.putRelation(parseRelationUpdate(o, this.#relation(o.dataId)), source);
  }

  deleteRelation(params: unknown): void {
    const r = this.#relation(asObject(params).dataId);
    this.#store.deleteRelation(r.dataId);
  }

  queryRelation(params: unknown): Relation {
    return this.#relation(asObject(params).dataId);
  }

  saveUser(params: unknown): UserEntry {
    const o = asObject(params);
    const r = this.#relation(o.dataId);
    const u = parseUserSave(o, r.controlMode, this.#offsetMinutes);
    this.#store.putUser(u);
    return u;
  }

  deleteUser(params: unknown): void {
    const k = userKeyOf(params);
    this.#relation(k.dataId);
    if (!this.#store.deleteUser(k.dataId, k.paramType, k.paramValue))
      throw edgeError('EDGE_ERR_ELEVATOR_NOT_FOUND', `user entry of relation ${k.dataId}`);
  }

  queryUser(params: unknown): Record<string, unknown> {
    const k = userKeyOf(params);
    this.#relation(k.dataId);
    const u = this.#store.user(k.dataId, k.paramType, k.paramValue);
    if (!u) throw edgeError('EDGE_ERR_ELEVATOR_NOT_FOUND', `user entry of relation ${k.dataId}`);
    return userView(u, k.version);
  }
}

/** A user entry in the shape of the query API of the version asked (L26420-26441, L27060-27078). */
export function userView(u: UserEntry, version: '1.0.2' | '1.0.1'): Record<string, unknown> {
  const key = version === '1.0.2' ? { identityId: u.paramValue } : { paramType: u.paramType, paramValue: u.paramValue };
  return { dataId: u.dataId, ...key, expiryTime: u.expiryTime, userTargetList: u.userTargetList };
}

function answered(fn: () => unknown): Answer {
  try {
    const data = fn();
    return data === undefined ? ok() : ok(data);
  } catch (err) {
    return answerOf(err);
  }
}

/** The cloud's linkage APIs as services of the box's gateway device. */
export function linkageGatewayServices(api: LinkageApi): Map<string, GatewayService> {
  return new Map<string, GatewayService>([
    ['ElevatorLinkageDeviceAdd', (p) => answered(() => api.addRelation(p, 'cloud'))],
    ['ElevatorLinkageDeviceUpdate', (p) => answered(() => api.updateRelation(p, 'cloud'))],
    ['ElevatorLinkageDeviceDelete', (p) => answered(() => api.deleteRelation(p))],
    ['ElevatorLinkageDeviceQuery', (p) => answered(() => api.queryRelation(p))],
    ['ElevatorLinkageUserSave', (p) => answered(() => void api.saveUser(p))],
    ['ElevatorLinkageUserDelete', (p) => answered(() => api.deleteUser(p))],
    ['ElevatorLinkageUserQuery', (p) => answered(() => api.queryUser(p))],
  ]);
}

/**
 * The linkage switch (R8, L26694-26756): kept by the box per elevator device, so it gates the
 * linkage offline too. Set: stored, then passed on to the driver (a gateway running rules itself
 * gets it on the wire); the device's result is the answer. Get: the box's value.
 */
export function switchHooks(store: LinkageStore): Array<[string, DeviceServiceHook]> {
  const set: DeviceServiceHook = async (pk, dn, args, forward) => {
    const a = args.Availability;
    if (a !== 'enable' && a !== 'disable')
      return answerOf(edgeError('EDGE_ERR_ELEVATOR_PARAM', 'Availability must be "enable" or "disable" (L26704-26706)'));
    store.setAvailability(deviceKey(pk, dn), a);
    const answer = await forward().catch((err: unknown) => answerOf(err));
    return succeeded(answer) ? answer : ok({ code: 4, message: 'send to device fail' });
  };
  const get: DeviceServiceHook = async (pk, dn) => ok({ Availability: store.availability(deviceKey(pk, dn)), code: 0, message: 'success' });
  return [
    ['SetElevatorRuleState', set],
    ['GetElevatorRuleState', get],
  ];
}
