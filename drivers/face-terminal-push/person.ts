/**
 * Access-core face deployments → person records of the push protocol (seed 003 L3500-3791).
 * The person number (`idNumber`, unique per person, L3513) is the access core's faceId, so a
 * delete that carries only the faceId reaches the right person.
 */
import { readFile } from 'node:fs/promises';
import { formatValidDate } from '../../protocols/face-push/index.js';

export interface FaceDeployment {
  id: string;
  op: 'upsert' | 'delete';
  key?: string;
  userId?: string;
  userName?: string;
  isInBlackList?: boolean;
  expiryTime?: number;
  effectiveTime?: number;
  data?: { imageFile?: string; userInfo?: { userId?: string; userName?: string; expiryTime?: string | null; isInBlackList?: boolean } };
}

export type PersonOp = Record<string, string>;

/** Build the personInfoData entry; `undefined` with a reason when the seed's rules cannot be met. */
export async function personOf(e: FaceDeployment, tzOffsetMin: number): Promise<{ person: PersonOp } | { problem: string }> {
  if (e.op === 'delete') return { person: { operateType: '2', idNumber: e.id } }; // L3785
  const info = e.data?.userInfo ?? {};
  const name = info.userName ?? e.userName ?? '';
  const expiry = info.expiryTime ? Number(info.expiryTime) : e.expiryTime;
  let photo = '';
  if (e.data?.imageFile) {
    try {
      photo = (await readFile(e.data.imageFile)).toString('base64');
    } catch (err) {
      return { problem: `face picture unreadable: ${(err as Error).message}` };
    }
  }
  // "注册报文至少携带一张照片或IC卡号等认证信息" (L3779): a face without a picture cannot go.
  if (!photo) return { problem: 'the face has no picture to register on the terminal' };
  return {
    person: {
      operateType: '0', // add; the terminal updates an existing idNumber (L3505-3511: 0 add, 1 update)
      idNumber: e.id,
      name: (name || e.id).slice(0, 32),
      validDateStart: formatValidDate(e.effectiveTime ?? Date.UTC(2000, 0, 1), tzOffsetMin),
      validDateEnd: formatValidDate(expiry && Number.isFinite(expiry) ? expiry : Date.UTC(2099, 11, 31), tzOffsetMin),
      priority: (info.isInBlackList ?? e.isInBlackList) ? '1' : '0', // 1 blacklist, 0 allowed in pass time (L3536-3544)
      registerPhoto1: photo,
      registerPhotoID1: '1',
    },
  };
}

export function userIdOf(e: FaceDeployment): string {
  return String(e.data?.userInfo?.userId ?? e.userId ?? e.id);
}
