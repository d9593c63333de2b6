/** Per-door settings (`access_devices`): the RSA key of encrypted QR codes and where faces are compared. */
import type { Db } from '../../store/db.js';

export type FaceCompareMode = 'edge' | 'device';

export class DeviceSettingsStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  rsaPublicKey(deviceKey: string): string | null | undefined {
    return this.#db.prepare('SELECT rsa_public_key FROM access_devices WHERE device_key = ?').pluck().get(deviceKey) as
      | string
      | null
      | undefined;
  }

  setRsaPublicKey(deviceKey: string, base64: string, now: number): void {
    this.#db
      .prepare(`INSERT INTO access_devices (device_key, rsa_public_key, updated_at) VALUES (?, ?, ?)
      ON CONFLICT(device_key) DO UPDATE SET rsa_public_key = excluded.rsa_public_key, updated_at = excluded.updated_at`)
      .run(deviceKey, base64, now);
  }

  faceCompareMode(deviceKey: string): FaceCompareMode | undefined {
    return this.#db.prepare('SELECT face_compare FROM access_devices WHERE device_key = ?').pluck().get(deviceKey) as
      | FaceCompareMode
      | undefined;
  }

  setFaceCompareMode(deviceKey: string, mode: FaceCompareMode, now: number): void {
    this.#db
      .prepare(`INSERT INTO access_devices (device_key, face_compare, updated_at) VALUES (?, ?, ?)
      ON CONFLICT(device_key) DO UPDATE SET face_compare = excluded.face_compare, updated_at = excluded.updated_at`)
      .run(deviceKey, mode, now);
  }
}
