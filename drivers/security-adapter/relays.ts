/**
 * The cloud's smart security services (smartSecurityService, seed 001 L27540-29310, digest 001d
 * §3.E) on the adapter device, relayed to the adapter's `edgeEventAdapter/*` endpoints
 * (L41842-43877). The cloud names a camera by productKey + deviceName; the adapter by ip,
 * deviceType and channel: the relay translates both ways. Requests are checked before they are
 * sent (804 with the parameter, protocols/edge-security-event/relay-checks.ts). Arming rules are
 * kept on the box (./rules-store.ts) and re-sent after the adapter authenticates again.
 */
import { DRIVER_ERRORS, fail, ok, type Answer } from '../../edge/host/sdk/driver.js';
import {
  captureTimes,
  checkFaceFields,
  checkGetRule,
  checkRecordGet,
  checkSetRule,
  checkSetTask,
  EseError,
  isObj,
  paramError,
  type AdapterApi,
  type EseReply,
  type Obj,
} from '../../protocols/edge-security-event/index.js';
import type { Adapter, Camera, DeviceBook } from './book.js';
import type { RulesStore } from './rules-store.js';

export interface RelayContext {
  adapter: Adapter;
  book: DeviceBook;
  rules: RulesStore;
  /** Call the adapter; rejects when it is not authenticated or does not answer. */
  call(api: AdapterApi, params: Obj): Promise<EseReply>;
  /** PUT a picture to the cloud's upload URL (scenePicRecordUpload). */
  upload(url: string, pic: { base64: string; type: string }): Promise<void>;
}

interface Relay {
  api: AdapterApi;
  /** The service names a camera (productKey, deviceName) that the adapter addresses by ip/deviceType/channel. */
  camera?: boolean;
  check?: (body: Obj) => void;
  /** The adapter's data as the cloud's answer. */
  out?: (data: unknown, ctx: RelayContext) => unknown;
}

const address = (c: Camera): Obj => ({ ip: c.ip, deviceType: c.deviceType, channel: c.channel });

/** The cloud's camera names for the adapter's addresses in a list (records, task device lists). */
function named(list: unknown, ctx: RelayContext): unknown {
  if (!Array.isArray(list)) return list;
  return list.map((e) => {
    if (!isObj(e)) return e;
    const cam = ctx.book
      .cameras(ctx.adapter.manufacture)
      .find((c) => c.ip === e.ip && c.deviceType === e.deviceType && c.channel === (e.channel ?? 0));
    const { ip: _i, channel: _c, deviceType: _d, ...rest } = e;
    return cam ? { productKey: cam.handle.productKey, deviceName: cam.handle.deviceName, ...rest } : e;
  });
}

/** face/search: pageNo from 1 (default 1), pageSize default 10 (L42380-42390). */
function searchDefaults(b: Obj): void {
  checkFaceFields(b);
  b.pageNo ??= 1;
  b.pageSize ??= 10;
}

export const RELAYS: Readonly<Record<string, Relay>> = {
  faceGroupCreate: { api: 'face/createGroup', camera: true, check: checkFaceFields },
  faceGroupRemove: { api: 'face/removeGroup', camera: true, check: checkFaceFields },
  faceGroupModify: { api: 'face/modifyGroup', camera: true, check: checkFaceFields },
  faceGroupDetail: { api: 'face/getGroupDetail', camera: true, check: checkFaceFields },
  getAllFaceGroup: { api: 'face/getAllGroups', camera: true },
  faceCreate: { api: 'face/create', camera: true, check: checkFaceFields },
  faceRemove: { api: 'face/remove', camera: true, check: checkFaceFields },
  faceModify: { api: 'face/modify', camera: true, check: checkFaceFields },
  faceSearch: { api: 'face/search', camera: true, check: searchDefaults },
  setAlarmRule: { api: 'alarmDeploy/setRule', camera: true, check: checkSetRule },
  getAlarmRule: { api: 'alarmDeploy/getRule', camera: true, check: checkGetRule },
  setPicCaptureTask: { api: 'capture/setTask', check: checkSetTask },
  getPicCaptureTask: {
    api: 'capture/getTask',
    out: (d, ctx) => (isObj(d) ? { ...d, deviceList: named(d.deviceList, ctx) } : d),
  },
  removeCaptureTask: { api: 'capture/deleteTask' },
  getPicRecord: {
    api: 'record/get',
    check: checkRecordGet,
    out: (d, ctx) => (isObj(d) ? { ...d, recordList: named(d.recordList, ctx) } : d),
  },
  scenePicRecordUpload: { api: 'record/scenePicUpload' },
};

const answerOf = (r: EseReply): Answer =>
  r.code === 200 ? ok(r.data) : fail(DRIVER_ERRORS.EDGE_ERR_DRIVER_FAILED, `adapter answered ${r.code} ${r.message}`);

/** The adapter's body for a service: cameras by address, capture task devices and times translated. */
function bodyOf(serviceId: string, relay: Relay, args: Obj, ctx: RelayContext): Obj {
  const { productKey, deviceName, ...rest } = args;
  // A thing model cannot nest a list in a list's element: these come as JSON text (docs/security-devices.md).
  for (const k of ['alarmRule', 'captureWeekDay'])
    if (typeof rest[k] === 'string') {
      try {
        rest[k] = JSON.parse(rest[k] as string);
      } catch {
        throw paramError(k);
      }
    }
  let body: Obj = rest;
  if (relay.camera) {
    const cam = ctx.book.byName(productKey, deviceName);
    if (!cam || cam.manufacture !== ctx.adapter.manufacture) throw new EseError(807);
    body = { ...address(cam), ...rest };
  }
  if (serviceId === 'setPicCaptureTask' && Array.isArray(rest.deviceList)) {
    const devices = rest.deviceList.map((d: unknown) => (isObj(d) ? ctx.book.byName(d.productKey, d.deviceName) : undefined));
    if (devices.some((c) => !c || c.manufacture !== ctx.adapter.manufacture)) throw new EseError(807);
    body.deviceList = devices.map((c) => address(c!));
    if (Array.isArray(rest.captureWeekDay))
      body.captureWeekDay = rest.captureWeekDay.map((w: unknown) => (isObj(w) ? { ...w, captureTime: captureTimes(w.captureTime) } : w));
  }
  if (serviceId === 'scenePicRecordUpload') body = { scenePicId: rest.scenePicId };
  relay.check?.(body);
  return body;
}

export async function relay(ctx: RelayContext, serviceId: string, args: Obj): Promise<Answer> {
  const r = RELAYS[serviceId];
  if (!r) return fail(DRIVER_ERRORS.EDGE_ERR_SERVICE_UNKNOWN, `${serviceId} is not a service of the adapter`);
  let body: Obj;
  try {
    body = bodyOf(serviceId, r, args, ctx);
  } catch (err) {
    if (err instanceof EseError) return fail(DRIVER_ERRORS.EDGE_ERR_REQUEST_INVALID, `${err.code} ${err.message}`);
    throw err;
  }
  if (serviceId === 'getAlarmRule') {
    // The rules as the box keeps them (R16 of 001d: "returned exactly as stored"), adapter online or not.
    const stored = ctx.rules.get(ctx.adapter.manufacture, body);
    return ok(stored ? stored.body.alarmRule : []);
  }
  const keep = (): void => {
    if (serviceId === 'setAlarmRule') ctx.rules.put(ctx.adapter.manufacture, body);
  };
  try {
    const reply = await ctx.call(r.api, body);
    if (reply.code === 200) keep();
    if (reply.code === 200 && serviceId === 'scenePicRecordUpload') return await uploaded(ctx, reply, args);
    const a = answerOf(reply);
    return a.code === 200 && r.out ? ok(r.out(a.data, ctx)) : a;
  } catch (err) {
    // An adapter that cannot be reached gets the rule when it authenticates again (./rules-store.ts).
    keep();
    const kept = serviceId === 'setAlarmRule' ? '; the rule is kept on the box and sent when the adapter authenticates' : '';
    return fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_OFFLINE, `adapter: ${(err as Error).message}${kept}`);
  }
}

async function uploaded(ctx: RelayContext, reply: EseReply, args: Obj): Promise<Answer> {
  const d = reply.data;
  if (!isObj(d) || typeof d.picBase64 !== 'string' || typeof d.picType !== 'string' || typeof args.uploadUrl !== 'string')
    return fail(DRIVER_ERRORS.EDGE_ERR_DRIVER_FAILED, 'adapter answered scenePicUpload without picBase64/picType');
  await ctx.upload(args.uploadUrl, { base64: d.picBase64, type: d.picType });
  return ok();
}
