/**
 * Passage rules, pure: given what the store holds and the time, which seed code applies.
 * No I/O here, so every branch is a table-driven unit test.
 */
import { PASS, type PassResult } from '../codes.js';
import type { CredentialKind } from '../sync/sync-files.js';
import type { CredentialRow, QrRow } from '../stores/permission-store.js';

export interface QrVerdict extends PassResult {
  /** Scans left after this one (-1 unlimited); only on success. */
  remainScanTimes?: number;
}

/** [seed 001 L22154-22166; spec 001c R25] 103 unknown, 101 not yet, 102 expired, 104 used up. */
export function judgeQr(row: QrRow | undefined, now: number): QrVerdict {
  if (!row || row.device_scans === null) return PASS.QR_NOT_FOUND;
  if (now < row.start_ms) return PASS.QR_NOT_EFFECTIVE;
  if (now > row.end_ms) return PASS.QR_EXPIRED;
  if (row.max_scans < 0) return { ...PASS.OK, remainScanTimes: -1 };
  // SHARE: one counter for every door of this box; DEVICE: each door counts alone [seed 000 L2556].
  const used = row.scope === 'SHARE' ? row.shared_scans : row.device_scans;
  if (used >= row.max_scans) return PASS.QR_USED_UP;
  return { ...PASS.OK, remainScanTimes: row.max_scans - used - 1 };
}

const CREDENTIAL_CODES: Record<CredentialKind, { notEffective: PassResult; expired: PassResult; notFound: PassResult }> = {
  tradCard: { notEffective: PASS.CARD_NOT_EFFECTIVE, expired: PASS.CARD_EXPIRED, notFound: PASS.CARD_NOT_FOUND },
  bleCard: { notEffective: PASS.BLE_NOT_EFFECTIVE, expired: PASS.BLE_EXPIRED, notFound: PASS.BLE_NOT_FOUND },
  password: { notEffective: PASS.PASSWORD_NOT_EFFECTIVE, expired: PASS.PASSWORD_EXPIRED, notFound: PASS.PASSWORD_NOT_FOUND },
};

/** [seed 001 L22168-22178] 2xx cards, 3xx BLE cards; a card bound to another door is "does not exist" here. */
export function judgeCredential(kind: CredentialKind, row: CredentialRow | undefined, now: number): PassResult {
  const codes = CREDENTIAL_CODES[kind];
  if (!row) return codes.notFound;
  if (row.start_ms !== null && now < row.start_ms) return codes.notEffective;
  if (row.end_ms !== null && now > row.end_ms) return codes.expired;
  return PASS.OK;
}

export interface FaceCandidate {
  score: number;
  policy: 'PERMISSION' | 'DENY';
  expireMs: number | null;
}

/** [seed 001 L23427-23447] 503 empty library, 505 below threshold, 506 DENY (wins), 502 expired. */
export function judgeFace(candidate: FaceCandidate | undefined, threshold: number, now: number): PassResult {
  if (!candidate) return PASS.FACE_LIBRARY_EMPTY;
  if (candidate.score < threshold) return PASS.FACE_BELOW_THRESHOLD;
  if (candidate.policy === 'DENY') return PASS.FACE_BLACKLIST;
  if (candidate.expireMs !== null && now > candidate.expireMs) return PASS.FACE_EXPIRED;
  return PASS.OK;
}
