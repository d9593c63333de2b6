/**
 * The per-device, per-permission sync status machine, in the cloud's vocabulary
 * [seed 000 L643-672; seed 001 L22870-22884, L23519-23559]. One table of allowed moves, so
 * every change goes through `checkTransition` and a test can walk all of them.
 */
import type { SyncStatus } from '../codes.js';

type From = SyncStatus | 'none';

/** Failures found on the box before or while pushing to the door (the "edge only" causes). */
export const FAILURES: readonly SyncStatus[] = [
  'faceCheckError',
  'faceCheckTimeout',
  'faceDlError',
  'facePushError',
  'unknownError',
  'transferTimeout',
  'deleteTimeout',
  'deleteFailed',
];
/** Failures worth retrying by themselves: the door or the link, not the data, was at fault. */
export const RETRYABLE: readonly SyncStatus[] = [
  'toBeTransferred',
  'deviceOffline',
  'facePushError',
  'unknownError',
  'transferTimeout',
  'deleteTimeout',
  'deleteFailed',
];

const START: SyncStatus[] = ['toBeTransferred'];
const AFTER_TRANSFER: SyncStatus[] = ['transferred', 'transferDeleted', ...FAILURES, 'deviceOffline', 'needManual'];

export const TRANSITIONS: Record<From, readonly SyncStatus[]> = {
  none: START,
  // The box's own checks (download, MD5, decode, features) fail before any transfer.
  toBeTransferred: ['toBeTransferred', 'transferring', 'deviceOffline', 'faceDlError', 'faceCheckError', 'faceCheckTimeout'],
  // A newer change (a sync file, a reset after reconnect) supersedes what is in flight: the row
  // goes back to the queue and the late answer for the older version is ignored (complete()).
  transferring: [...AFTER_TRANSFER, 'toBeTransferred'],
  deviceOffline: ['toBeTransferred', 'transferring', 'deviceOffline', 'faceDlError', 'faceCheckError', 'faceCheckTimeout'],
  transferred: START,
  transferDeleted: START,
  faceCheckError: [...START, 'transferring', 'needManual'],
  faceCheckTimeout: [...START, 'transferring', 'needManual'],
  faceDlError: [...START, 'transferring', 'needManual'],
  facePushError: [...START, 'transferring', 'deviceOffline', 'needManual'],
  unknownError: [...START, 'transferring', 'deviceOffline', 'needManual'],
  transferTimeout: [...START, 'transferring', 'deviceOffline', 'needManual'],
  deleteTimeout: [...START, 'transferring', 'deviceOffline', 'needManual'],
  deleteFailed: [...START, 'transferring', 'deviceOffline', 'needManual'],
  // Only a new change or a manual redeploy moves a permission out of needManual.
  needManual: START,
};

export function canTransition(from: From, to: SyncStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export class SyncTransitionError extends Error {
  constructor(from: From, to: SyncStatus) {
    super(`sync status cannot go from ${from} to ${to}`);
    this.name = 'SyncTransitionError';
  }
}

export function checkTransition(from: From, to: SyncStatus): void {
  if (!canTransition(from, to)) throw new SyncTransitionError(from, to);
}

/** FACE_SYNC_STATUS is pushed on these [seed 001 L23519-23527]: start, done, and given up. */
export const REPORTED: readonly SyncStatus[] = ['toBeTransferred', 'transferred', 'transferDeleted', 'needManual'];
