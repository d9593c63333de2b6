/**
 * Passage decisions for door drivers: synchronous and in-process for QR codes, cards, BLE
 * cards and passwords (a few point reads, no disk wait), asynchronous for face photos (one
 * call to the algorithm service, then an in-memory 1:N match). Every decision — allowed or
 * not — returns the seed's code and message and is recorded (pass-recorder.ts).
 */
import type { KeyObject } from 'node:crypto';
import { ALGO_CODE, AlgoError, type FaceAlgoClient } from '../faces/algo-client.js';
import { PASS, type PassKind, type PassResult } from '../codes.js';
import type { AccessConfig } from '../config.js';
import { judgeCredential, judgeFace, judgeQr } from './decide.js';
import type { FaceLibrary } from '../faces/face-library.js';
import type { DeviceSettingsStore } from '../stores/device-settings-store.js';
import type { FaceStore } from '../stores/face-store.js';
import type { PassRecordInput } from './pass-events.js';
import type { PassRecorder } from './pass-recorder.js';
import type { PermissionStore } from '../stores/permission-store.js';
import type { PersonStore } from '../stores/person-store.js';
import { parseRsaPublicKey, readScannedQr } from './qr-code.js';
import type { CredentialKind } from '../sync/sync-files.js';

export interface Decision {
  /** The pass's one id (record, outbox row, cloud message, logs). */
  passId: string;
  /** The device had reported this record before (same ref): the stored one is answered. */
  duplicate?: boolean;
  /** 0 = open the door; otherwise the seed's failure code. */
  code: number;
  message: string;
  kind: PassKind;
  identityId: string;
  /** QR: scans left after this one (-1 unlimited). */
  remainScanTimes?: number;
  faceId?: string;
  name?: string;
  score?: number;
  /** Id of the stored pass photo (door-standard `photoId`). */
  photoId?: string;
}

export interface DecideOptions {
  now?: number;
  photo?: Buffer;
  temperature?: number;
}

export interface PassageDeps {
  devices: DeviceSettingsStore;
  permissions: PermissionStore;
  persons: PersonStore;
  faces: FaceStore;
  library: FaceLibrary;
  records: PassRecorder;
  algo: FaceAlgoClient | undefined;
  config: AccessConfig;
  now: () => number;
}

export class Passage {
  readonly #d: PassageDeps;
  readonly #keys = new Map<string, KeyObject | null>();

  constructor(deps: PassageDeps) {
    this.#d = deps;
  }

  setRsaPublicKey(deviceKey: string, base64: string): void {
    this.#keys.set(deviceKey, parseRsaPublicKey(base64));
  }

  #key(deviceKey: string): KeyObject | undefined {
    let k = this.#keys.get(deviceKey);
    if (k === undefined) {
      const stored = this.#d.devices.rsaPublicKey(deviceKey);
      const text = stored ?? this.#d.config.rsaPublicKeys[deviceKey];
      try {
        k = text ? parseRsaPublicKey(text) : null;
      } catch {
        k = null;
      }
      this.#keys.set(deviceKey, k);
    }
    return k ?? undefined;
  }

  /** A scanned QR code, plain or encrypted [seed 001 L1537-1548; spec 001c R25]. */
  decideQr(deviceKey: string, scanned: string, o: DecideOptions = {}): Decision {
    const now = o.now ?? this.#d.now();
    const qr = readScannedQr(scanned, this.#key(deviceKey));
    if (qr.kind === 'unreadable')
      return this.#finish({ deviceKey, kind: 'qrCode', content: scanned.slice(0, 128), time: now, ...PASS.QR_NOT_FOUND }, o);
    // The timestamp inside an encrypted code bounds this instance of the code [seed 001 L1546-1548].
    if (qr.kind === 'encrypted' && qr.validUntilMs < now) {
      const row = this.#d.permissions.qr(deviceKey, qr.code);
      return this.#finish(
        { deviceKey, kind: 'qrCode', content: qr.code, time: now, identityId: row?.identity_id ?? '', ...PASS.QR_EXPIRED },
        o,
      );
    }
    const row = this.#d.permissions.qr(deviceKey, qr.code);
    const v = judgeQr(row, now);
    const input: PassRecordInput = {
      deviceKey,
      kind: 'qrCode',
      content: qr.code,
      time: now,
      code: v.code,
      message: v.message,
      identityId: row?.identity_id ?? '',
      ...(v.remainScanTimes !== undefined ? { remainScanTimes: v.remainScanTimes } : {}),
    };
    return this.#finish(input, o, v.code === 0 ? [qr.code, deviceKey] : undefined);
  }

  decideCard(deviceKey: string, cardId: string, o: DecideOptions = {}): Decision {
    return this.#credential('tradCard', deviceKey, cardId, o);
  }

  decideBleCard(deviceKey: string, cardId: string, o: DecideOptions = {}): Decision {
    return this.#credential('bleCard', deviceKey, cardId, o);
  }

  decidePassword(deviceKey: string, password: string, o: DecideOptions = {}): Decision {
    return this.#credential('password', deviceKey, password, o);
  }

  #credential(kind: CredentialKind, deviceKey: string, value: string, o: DecideOptions): Decision {
    const now = o.now ?? this.#d.now();
    const row = value.length > 0 && value.length <= 255 ? this.#d.permissions.credential(kind, value, deviceKey) : undefined;
    const v = judgeCredential(kind, row, now);
    return this.#finish(
      { deviceKey, kind, content: value.slice(0, 255), time: now, code: v.code, message: v.message, identityId: row?.identity_id ?? '' },
      o,
    );
  }

  /** A face photo from the door (edge-side compare, seed 001 L35423-35517). */
  async decideFace(deviceKey: string, photo: Buffer, o: DecideOptions & { detect?: boolean } = {}): Promise<Decision> {
    const now = o.now ?? this.#d.now();
    const groups = this.#d.faces.groupsOf(deviceKey);
    const base = { deviceKey, kind: 'face' as const, content: '', time: now };
    if (this.#d.library.size(groups) === 0) return this.#finish({ ...base, ...PASS.FACE_LIBRARY_EMPTY }, { ...o, photo });
    if (!this.#d.algo) return this.#finish({ ...base, ...PASS.FACE_FEATURE_FAILED }, { ...o, photo });
    let vector: number[];
    try {
      vector = await this.#d.algo.extract(photo, o.detect ?? true);
    } catch (err) {
      const r: PassResult = err instanceof AlgoError && err.code === ALGO_CODE.TIMEOUT ? PASS.FACE_TIMEOUT : PASS.FACE_FEATURE_FAILED;
      return this.#finish({ ...base, ...r }, { ...o, photo });
    }
    return this.decideFaceVector(deviceKey, vector, { ...o, now, photo });
  }

  /** Match a feature vector over the door's face groups and decide. */
  decideFaceVector(deviceKey: string, vector: ArrayLike<number>, o: DecideOptions = {}): Decision {
    const now = o.now ?? this.#d.now();
    const groups = this.#d.faces.groupsOf(deviceKey);
    const base = { deviceKey, kind: 'face' as const, content: '', time: now };
    if (vector.length !== this.#d.library.dims) {
      return this.#finish({ ...base, ...(this.#d.library.size(groups) === 0 ? PASS.FACE_LIBRARY_EMPTY : PASS.FACE_FEATURE_FAILED) }, o);
    }
    const best = this.#d.library.best(groups, vector);
    const face = best ? this.#d.faces.get(best.groupId, best.faceId) : undefined;
    const v = judgeFace(
      best && face ? { score: best.score, policy: face.policy, expireMs: face.expire_ms } : undefined,
      this.#d.config.matchThreshold,
      now,
    );
    const matched = best && face && v.code !== PASS.FACE_BELOW_THRESHOLD.code;
    return this.#finish(
      {
        ...base,
        code: v.code,
        message: v.message,
        ...(best ? { score: best.score } : {}),
        ...(matched
          ? {
              faceId: face.face_id,
              identityId: face.user_id,
              userType: face.user_type,
              name: face.user_name,
              policy: face.policy,
              userExtInfo: face.user_ext_info,
            }
          : {}),
      },
      o,
    );
  }

  /**
   * Record a passage the door decided itself (device-side compare, card swipe report, intercom
   * or remote open). `ref`: the device's id of the record; a resent record is stored once.
   */
  recordPass(input: Omit<PassRecordInput, 'time'> & { time?: number }, ref?: string): Decision {
    return this.#finish({ ...input, time: input.time ?? this.#d.now() }, {}, undefined, ref);
  }

  #finish(decided: PassRecordInput, o: DecideOptions, scan?: [string, string], ref?: string): Decision {
    // A card or QR code names its holder only by identityId: the door shows the person's name.
    const name = decided.name ?? (decided.identityId ? this.#d.persons.get(decided.identityId)?.name : undefined);
    const input: PassRecordInput = name ? { ...decided, name } : decided;
    const rec: PassRecordInput = {
      ...input,
      ...(o.photo ? { photo: o.photo } : {}),
      ...(o.temperature !== undefined ? { temperature: o.temperature } : {}),
    };
    const stored = this.#d.records.record(rec, { ...(scan ? { scan } : {}), ...(ref ? { ref } : {}) });
    return {
      passId: stored.passId,
      ...(stored.duplicate ? { duplicate: true } : {}),
      ...(stored.photoId ? { photoId: stored.photoId } : {}),
      code: input.code,
      message: input.message,
      kind: input.kind,
      identityId: input.identityId ?? '',
      ...(input.remainScanTimes !== undefined ? { remainScanTimes: input.remainScanTimes } : {}),
      ...(input.faceId ? { faceId: input.faceId } : {}),
      ...(input.name ? { name: input.name } : {}),
      ...(input.score !== undefined ? { score: input.score } : {}),
    };
  }
}
