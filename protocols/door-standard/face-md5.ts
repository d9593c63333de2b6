/**
 * `userInfoMd5` and `featureMd5` (seed 001 L35568-35586). The seed never says what bytes are
 * hashed (spec 001f A7); the device only echoes the values back in `/faceAC/queryFaces`, so the
 * box fixes one serialisation here and must never change it, or every face would re-sync:
 *
 * - featureMd5  = md5 of `JSON.stringify(feature)`: `[` + the floats in ECMAScript shortest
 *   round-trip decimal form, comma separated, no spaces + `]`, UTF-8, lowercase hex.
 * - userInfoMd5 = md5 of the JSON object with the keys in the fixed order userId, userName,
 *   expiryTime, isInBlackList (absent keys left out), no spaces, UTF-8, lowercase hex.
 */
import { createHash } from 'node:crypto';
import type { FaceUserInfo } from './messages/face.js';

const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

export function featureMd5(feature: readonly number[]): string {
  return md5(JSON.stringify(feature));
}

export function canonicalUserInfo(u: FaceUserInfo): string {
  const ordered: FaceUserInfo = {};
  if (u.userId !== undefined) ordered.userId = u.userId;
  if (u.userName !== undefined) ordered.userName = u.userName;
  if (u.expiryTime !== undefined) ordered.expiryTime = u.expiryTime;
  if (u.isInBlackList !== undefined) ordered.isInBlackList = u.isInBlackList;
  return JSON.stringify(ordered);
}

export function userInfoMd5(u: FaceUserInfo): string {
  return md5(canonicalUserInfo(u));
}
