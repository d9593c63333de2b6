/** Face endpoints: /recognize, /faceAC/syncFaces, /faceAC/queryFaces, /faceAC/passEvent (seed 001 L35421-35861). */
import { LIMITS } from '../endpoints.js';
import { ParamError, arr, asObj, each, int, optArr, optBool, optInt, optStr, str, type Obj } from '../validate.js';

const FACE_ID = { min: 1, maxBytes: 64 } as const; // ≤64 bytes (L35561)
const DECIMAL = /^\d{1,3}(\.\d{1,4})?$/;
const MD5_HEX = /^[0-9a-fA-F*]{1,64}$/; // the seed's examples carry masked values ("259**704")

/** The text fields of a /recognize form; `photo` is the file part (L35446-35460). */
export interface RecognizeFields {
  disableEdgeDetectFace?: '1';
  temperature?: string;
}

export function parseRecognizeFields(o: Obj): RecognizeFields {
  const d = optStr(o, 'disableEdgeDetectFace', { max: 1 });
  if (d !== undefined && d !== '1') throw new ParamError('disableEdgeDetectFace must be "1"');
  const temperature = optStr(o, 'temperature', { pattern: DECIMAL, lenient: true });
  return { ...(d ? { disableEdgeDetectFace: '1' as const } : {}), ...(temperature !== undefined ? { temperature } : {}) };
}

export interface RecognizeReplyData {
  faceId: string;
  name: string;
  photoId: string;
  userId: string;
}

export function parseRecognizeReplyData(o: Obj): RecognizeReplyData {
  return {
    faceId: str(o, 'faceId', FACE_ID),
    name: str(o, 'name', { max: 128 }),
    photoId: str(o, 'photoId', { max: 64 }),
    userId: str(o, 'userId', { max: 64, lenient: true }),
  };
}

export interface FacePassFields {
  faceId: string;
  similarity: string;
  temperature?: string;
}

export function parseFacePassFields(o: Obj): FacePassFields {
  const similarity = str(o, 'similarity', { pattern: /^(0(\.\d{1,10})?|1(\.0{1,10})?)$/, lenient: true });
  const temperature = optStr(o, 'temperature', { pattern: DECIMAL, lenient: true });
  return { faceId: str(o, 'faceId', FACE_ID), similarity, ...(temperature !== undefined ? { temperature } : {}) };
}

export interface FaceUserInfo {
  userId?: string;
  userName?: string;
  /** ms UTC as a decimal string (L35578). */
  expiryTime?: string;
  isInBlackList?: boolean;
}

/** type 1 add, 2 delete, 3 update, 4 delete all (L35550-35556). */
export type FaceSyncType = 1 | 2 | 3 | 4;

export interface FaceSyncEntry {
  type: FaceSyncType;
  faceId?: string;
  feature?: number[];
  featureMd5?: string;
  userInfo?: FaceUserInfo;
  userInfoMd5?: string;
}

function parseUserInfo(o: Obj): FaceUserInfo {
  const u: FaceUserInfo = {};
  const userId = optStr(o, 'userId', { max: 64, lenient: true });
  const userName = optStr(o, 'userName', { max: 128 });
  const expiryTime = optStr(o, 'expiryTime', { pattern: /^\d{1,15}$/, lenient: true });
  const isInBlackList = optBool(o, 'isInBlackList');
  if (userId !== undefined) u.userId = userId;
  if (userName !== undefined) u.userName = userName;
  if (expiryTime !== undefined) u.expiryTime = expiryTime;
  if (isInBlackList !== undefined) u.isInBlackList = isInBlackList;
  return u;
}

function parseFaceEntry(o: Obj): FaceSyncEntry {
  const type = int(o, 'type', { min: 1, max: 4 }) as FaceSyncType;
  const e: FaceSyncEntry = { type };
  const faceId = optStr(o, 'faceId', FACE_ID);
  if (type !== 4 && faceId === undefined) throw new ParamError('faceId is required for types 1-3');
  if (faceId !== undefined) e.faceId = faceId;
  const feature = optArr(o, 'feature', { max: 4096 });
  if (feature) {
    if (!feature.every((x) => typeof x === 'number' && Number.isFinite(x))) throw new ParamError('feature must be an array of numbers');
    e.feature = feature as number[];
  }
  const featureMd5 = optStr(o, 'featureMd5', { pattern: MD5_HEX });
  if (featureMd5 !== undefined) e.featureMd5 = featureMd5;
  if (o.userInfo !== undefined) e.userInfo = parseUserInfo(asObj(o.userInfo, 'userInfo'));
  const userInfoMd5 = optStr(o, 'userInfoMd5', { pattern: MD5_HEX });
  if (userInfoMd5 !== undefined) e.userInfoMd5 = userInfoMd5;
  if (type === 1 && (!e.feature || !e.userInfo)) throw new ParamError('an add needs feature and userInfo');
  if (type === 3 && !e.feature && !e.userInfo) throw new ParamError('an update needs feature or userInfo');
  return e;
}

export function parseSyncFaces(o: Obj): FaceSyncEntry[] {
  return each(arr(o, 'faces', { min: 1, max: LIMITS.faceSyncBatch }), 'faces', parseFaceEntry);
}

export interface QueryFacesRequest {
  currentPage?: number;
  pageSize?: number;
}

export function parseQueryFaces(o: Obj): QueryFacesRequest {
  const currentPage = optInt(o, 'currentPage', { min: 1, lenient: true });
  const pageSize = optInt(o, 'pageSize', { min: 1, max: 10_000, lenient: true });
  return { ...(currentPage !== undefined ? { currentPage } : {}), ...(pageSize !== undefined ? { pageSize } : {}) };
}

/** One device-side face: the fixed order [faceId, userInfoMd5, featureMd5] (L35736-35742). */
export type FaceDigest = [faceId: string, userInfoMd5: string, featureMd5: string];

export interface QueryFacesReplyData {
  currentPage: number;
  pageCount: number;
  pageSize: number;
  total: number;
  faceInfo: FaceDigest[];
}

export function parseQueryFacesReplyData(o: Obj): QueryFacesReplyData {
  const faceInfo = arr(o, 'faceInfo', { max: 100_000 }).map((t, i) => {
    if (!Array.isArray(t) || t.length !== 3 || !t.every((s) => typeof s === 'string'))
      throw new ParamError(`faceInfo[${i}] must be [faceId, userInfoMd5, featureMd5]`);
    return t as FaceDigest;
  });
  return {
    currentPage: optInt(o, 'currentPage', { min: 0, lenient: true }) ?? 1,
    pageCount: optInt(o, 'pageCount', { min: 0, lenient: true }) ?? 1,
    pageSize: optInt(o, 'pageSize', { min: 0, lenient: true }) ?? faceInfo.length,
    total: optInt(o, 'total', { min: 0, lenient: true }) ?? faceInfo.length,
    faceInfo,
  };
}
