/**
 * The box's calls to an adapter: `POST http://<adapter ip>:<alarmAdapterPort>/edgeEventAdapter/<name>`
 * with a JSON body carrying the adapter's own token (L41488-41490: the adapter accepts the box's
 * requests with the token it was issued). The seed marks the queries GET with a JSON body (A8);
 * the box sends every call as POST, our decision (docs/security-devices.md). The answer must be
 * `{code, message[, data]}`; it is read under a cap (a face search returns pictures).
 */
import { callJson } from '../common/json-call.js';
import { isObj, type Obj } from './fields.js';
import type { EseReply } from './codes.js';

/** The adapter's endpoints (names after `edgeEventAdapter/`), L41729-43877. */
export const ADAPTER_APIS = [
  'deviceManage/configChange',
  'deviceManage/getStatus',
  'face/createGroup',
  'face/removeGroup',
  'face/modifyGroup',
  'face/getGroupDetail',
  'face/getAllGroups',
  'face/create',
  'face/remove',
  'face/modify',
  'face/search',
  'alarmDeploy/setRule',
  'alarmDeploy/getRule',
  'capture/setTask',
  'capture/getTask',
  'capture/deleteTask',
  'record/get',
  'record/scenePicUpload',
  'record/getAll',
] as const;
export type AdapterApi = (typeof ADAPTER_APIS)[number];

export const ADAPTER_PREFIX = '/edgeEventAdapter/';

/** Largest adapter answer read: a page of face search or record results with their pictures. */
export const MAX_ADAPTER_ANSWER_BYTES = 32 * 1024 * 1024;

export interface AdapterTarget {
  ip: string;
  port: number;
  token: string;
}

export class AdapterCallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdapterCallError';
  }
}

export async function callAdapter(t: AdapterTarget, api: AdapterApi, params: Obj, timeoutMs: number): Promise<EseReply> {
  const r = await callJson(t, 'POST', `${ADAPTER_PREFIX}${api}`, { token: t.token, ...params }, timeoutMs, MAX_ADAPTER_ANSWER_BYTES);
  const b = r.body;
  if (r.status !== 200 || !isObj(b) || typeof b.code !== 'number')
    throw new AdapterCallError(`adapter answered HTTP ${r.status} without an API answer`);
  return { code: b.code, message: typeof b.message === 'string' ? b.message : '', ...(b.data !== undefined ? { data: b.data } : {}) };
}
