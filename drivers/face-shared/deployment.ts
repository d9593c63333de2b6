/**
 * The access core's face deployments as both face drivers see them (`access.pendingDeployments`
 * entries, docs/access.md), and the failure causes they report back in the seed's vocabulary.
 */

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

/** The access core's user of a face (the terminals know the face by its faceId). */
export function userIdOf(e: Pick<FaceDeployment, 'id' | 'userId' | 'data'>): string {
  return String(e.data?.userInfo?.userId ?? e.userId ?? e.id);
}

/** Failure causes a face driver reports (seed 000 L643-672 status table). */
export type FaceFailure = 'transferTimeout' | 'deleteTimeout' | 'deviceOffline' | 'facePushError' | 'deleteFailed';

/**
 * The terminal never answered: "下发超时，云端会自动重试" / "删除下发超时" (seed 000 L668-670).
 * `unknownError` ("设备端未返回结果") would fit too, but has no delete counterpart; the timeout
 * pair keeps additions and deletions apart, and both are retried by the access core.
 */
export function timeoutStatus(op: FaceDeployment['op']): FaceFailure {
  return op === 'delete' ? 'deleteTimeout' : 'transferTimeout';
}
