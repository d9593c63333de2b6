/**
 * Access-core face deployments → person records of the push protocol (seed 003 L3500-3791).
 * The person number (`idNumber`, unique per person, L3513) is the access core's faceId, so a
 * delete that carries only the faceId reaches the right person.
 */
import { readFile } from 'node:fs/promises';
import { formatValidDate } from '../../protocols/face-push/index.js';
import type { FaceDeployment } from '../face-shared/deployment.js';

export type PersonOp = Record<string, string>;

/** operateType (L3505-3511): 0 add, 1 update, 2 delete, 3 delete all. */
export const OPERATE = { add: '0', update: '1', delete: '2', deleteAll: '3' } as const;

/**
 * Build the personInfoData entry; a reason instead when the seed's rules cannot be met.
 * `held`: the terminal already holds this idNumber (person ledger), so a change is an update.
 */
export async function personOf(e: FaceDeployment, tzOffsetMin: number, held: boolean): Promise<{ person: PersonOp } | { problem: string }> {
  if (e.op === 'delete') return { person: { operateType: OPERATE.delete, idNumber: e.id } }; // L3785
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
      operateType: held ? OPERATE.update : OPERATE.add,
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

/**
 * The other of add/update, for a person refused with 300 (人员信息参数非法): the box's ledger
 * was out of step with the terminal (wiped, or a confirmation lost). Tried once per command.
 */
export function flipped(person: PersonOp): PersonOp | undefined {
  if (person.operateType === OPERATE.add) return { ...person, operateType: OPERATE.update };
  if (person.operateType === OPERATE.update) return { ...person, operateType: OPERATE.add };
  return undefined;
}
