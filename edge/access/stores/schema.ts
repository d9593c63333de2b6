/**
 * The access area's tables (migrated as area `access`). Keys follow the lookups the decisions
 * make: a QR code by code, a card by (kind, number, device), a face by (group, faceId).
 * Times are UTC epoch ms.
 */
import type { Migration } from '../../store/db.js';

export const accessMigrations: readonly Migration[] = [
  {
    version: 1,
    up: `
CREATE TABLE access_persons (
  identity_id TEXT PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  ext_info TEXT NOT NULL DEFAULT '',
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE access_qr (
  code TEXT PRIMARY KEY,
  identity_id TEXT NOT NULL DEFAULT '',
  start_ms INTEGER NOT NULL,
  end_ms INTEGER NOT NULL,
  max_scans INTEGER NOT NULL DEFAULT -1,
  scope TEXT NOT NULL DEFAULT 'DEVICE' CHECK (scope IN ('SHARE','DEVICE')),
  shared_scans INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Which door holds which QR code, with its per-device scan counter.
CREATE TABLE access_qr_devices (
  code TEXT NOT NULL,
  device_key TEXT NOT NULL,
  scans INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (code, device_key)
) WITHOUT ROWID;
CREATE INDEX access_qr_devices_device ON access_qr_devices(device_key);

-- Cards, BLE cards and passwords, per door.
CREATE TABLE access_credentials (
  kind TEXT NOT NULL CHECK (kind IN ('tradCard','bleCard','password')),
  credential TEXT NOT NULL,
  device_key TEXT NOT NULL,
  identity_id TEXT NOT NULL DEFAULT '',
  number TEXT,
  start_ms INTEGER,
  end_ms INTEGER,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (kind, credential, device_key)
) WITHOUT ROWID;
CREATE INDEX access_credentials_device ON access_credentials(device_key, kind);

-- Face groups a door holds (groupId = the door's iotId in the seeds, L2639).
CREATE TABLE access_face_groups (
  group_id TEXT NOT NULL,
  device_key TEXT NOT NULL,
  PRIMARY KEY (group_id, device_key)
) WITHOUT ROWID;
CREATE INDEX access_face_groups_device ON access_face_groups(device_key);

CREATE TABLE access_faces (
  group_id TEXT NOT NULL,
  face_id TEXT NOT NULL,
  user_id TEXT NOT NULL DEFAULT '',
  user_type TEXT NOT NULL DEFAULT 'IDENTITY',
  face_md5 TEXT NOT NULL DEFAULT '',
  face_url TEXT NOT NULL DEFAULT '',
  user_info TEXT NOT NULL DEFAULT '',
  user_name TEXT NOT NULL DEFAULT '',
  expire_ms INTEGER,
  policy TEXT NOT NULL DEFAULT 'PERMISSION' CHECK (policy IN ('PERMISSION','DENY')),
  user_ext_info TEXT NOT NULL DEFAULT '',
  idx INTEGER,
  client_tag TEXT NOT NULL DEFAULT '',
  features TEXT,
  image_sha TEXT,
  image_state TEXT NOT NULL DEFAULT 'pending' CHECK (image_state IN ('pending','ready','failed','none')),
  image_error TEXT,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (group_id, face_id)
) WITHOUT ROWID;
CREATE INDEX access_faces_user ON access_faces(user_id);
CREATE INDEX access_faces_image ON access_faces(image_state);

-- Feature vectors for matching on the box, per algorithm version (float32, L2-normalised).
CREATE TABLE access_face_vectors (
  group_id TEXT NOT NULL,
  face_id TEXT NOT NULL,
  algo_version TEXT NOT NULL,
  vector BLOB NOT NULL,
  PRIMARY KEY (group_id, face_id, algo_version)
) WITHOUT ROWID;

-- Faces that failed in the latest sync of a group (QueryAddedUserInfo failedFaceInfos).
CREATE TABLE access_face_failures (
  group_id TEXT NOT NULL,
  face_id TEXT NOT NULL,
  face_json TEXT NOT NULL,
  reason TEXT NOT NULL,
  PRIMARY KEY (group_id, face_id)
) WITHOUT ROWID;

-- Which door must hold (or drop) which permission, and how far that went [seed 000 L643-672].
CREATE TABLE access_deploy (
  device_key TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('face','tradCard','bleCard','password')),
  item TEXT NOT NULL,
  group_id TEXT NOT NULL DEFAULT '',
  is_delete INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL,
  pre_status TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (device_key, kind, item)
) WITHOUT ROWID;
CREATE INDEX access_deploy_status ON access_deploy(device_key, status);

CREATE TABLE access_sync_jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  device_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  url TEXT NOT NULL,
  group_id TEXT,
  state TEXT NOT NULL,
  sync_pic_status INTEGER,
  total INTEGER NOT NULL DEFAULT 0,
  done INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  file_md5 TEXT,
  error TEXT,
  started_at INTEGER NOT NULL,
  finished_at INTEGER
);
CREATE INDEX access_sync_jobs_device ON access_sync_jobs(device_key, id);

-- Per-door settings: RSAPublicKey pushed by the cloud; where faces are compared.
CREATE TABLE access_devices (
  device_key TEXT PRIMARY KEY,
  rsa_public_key TEXT,
  face_compare TEXT NOT NULL DEFAULT 'device' CHECK (face_compare IN ('device','edge')),
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE access_pass_records (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time INTEGER NOT NULL,
  device_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  content TEXT NOT NULL DEFAULT '',
  code INTEGER NOT NULL,
  message TEXT NOT NULL,
  identity_id TEXT NOT NULL DEFAULT '',
  face_id TEXT,
  score REAL,
  photo TEXT,
  photo_bytes INTEGER NOT NULL DEFAULT 0,
  realtime INTEGER NOT NULL DEFAULT 1,
  uploaded INTEGER NOT NULL DEFAULT 0,
  event TEXT NOT NULL
);
CREATE INDEX access_pass_records_time ON access_pass_records(time);
CREATE INDEX access_pass_records_device ON access_pass_records(device_key, time);
CREATE INDEX access_pass_records_pending ON access_pass_records(uploaded) WHERE uploaded = 0;
CREATE INDEX access_pass_records_photo ON access_pass_records(id) WHERE photo IS NOT NULL;
`,
  },
  {
    version: 2,
    up: `
-- One id per pass, given at decision time: on the record, its outbox row, the cloud message
-- and the logs. ref: the device's own id of a record it reported, so a record sent again
-- (its answer was lost) is stored once. uploaded: 0 not yet queued for the cloud, 1 queued
-- in the outbox, 2 acknowledged by the platform.
ALTER TABLE access_pass_records ADD COLUMN pass_id TEXT;
ALTER TABLE access_pass_records ADD COLUMN ref TEXT;
UPDATE access_pass_records SET pass_id = 'rec-' || id WHERE pass_id IS NULL;
CREATE UNIQUE INDEX access_pass_records_pass_id ON access_pass_records(pass_id);
CREATE UNIQUE INDEX access_pass_records_ref ON access_pass_records(device_key, ref) WHERE ref IS NOT NULL;
-- Business reports (FACE_SYNC_STATUS, DEVICE_SYNC_ERROR) made while no cloud outbox is
-- attached (at start, before the link; a box without a cloud): handed over when one is.
CREATE TABLE access_biz_backlog (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  device_key TEXT NOT NULL,
  biz_type TEXT NOT NULL,
  payload TEXT NOT NULL,
  time INTEGER NOT NULL
);
`,
  },
  {
    version: 3,
    up: `
-- Ids shortened for devices that hold fewer characters than the cloud's ids (device-ids.ts).
CREATE TABLE access_device_ids (device_item TEXT PRIMARY KEY, item TEXT NOT NULL) WITHOUT ROWID;
`,
  },
];
