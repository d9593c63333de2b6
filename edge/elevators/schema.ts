/**
 * The elevator-linkage tables (migrated as area `elevators`). Times are UTC epoch ms.
 *  - relations: the seed's "device data" (L26200-26339), keyed by dataId;
 *  - users: both user-data versions in one table, keyed by (dataId, paramType, paramValue):
 *    a v1.0.2 identityId is paramType IDENTITY, so both versions name the same entry;
 *  - jobs: elevator commands waiting for their delay (a restart in the delay still runs them);
 *  - records: AutoElevatorCallRecord rows and whether the cloud has them;
 *  - switches: the linkage switch per elevator device (SetElevatorRuleState);
 *  - rule_deploy: rules to carry to doors that run linkage themselves (/elevator/rule/sync).
 */
import type { Migration } from '../store/db.js';

export const elevatorMigrations: readonly Migration[] = [
  {
    version: 1,
    up: `
CREATE TABLE elevator_relations (
  data_id TEXT PRIMARY KEY,
  control_mode TEXT NOT NULL CHECK (control_mode IN ('CALL_ONLY','CALL_WITH_TARGET','RELEASE_ONLY','ACTIVATE_ONLY')),
  elevator_iot_id TEXT NOT NULL,
  trigger_iot_id TEXT NOT NULL,
  trigger_floor TEXT,
  trigger_room_no TEXT,
  trigger_elevator_id TEXT,
  delay_seconds INTEGER NOT NULL DEFAULT 0 CHECK (delay_seconds BETWEEN 0 AND 300),
  execution_node TEXT NOT NULL DEFAULT 'EDGE',
  source TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE elevator_users (
  data_id TEXT NOT NULL REFERENCES elevator_relations(data_id) ON DELETE CASCADE,
  param_type TEXT NOT NULL CHECK (param_type IN ('IDENTITY','QRCODE','CARD')),
  param_value TEXT NOT NULL,
  expiry_time TEXT NOT NULL DEFAULT '',
  expiry_ms INTEGER,
  targets TEXT NOT NULL,
  version TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (data_id, param_type, param_value)
) WITHOUT ROWID;

CREATE TABLE elevator_jobs (
  event_id TEXT PRIMARY KEY,
  data_id TEXT NOT NULL REFERENCES elevator_relations(data_id) ON DELETE CASCADE,
  due_at INTEGER NOT NULL,
  pass TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX elevator_jobs_due ON elevator_jobs(due_at);

CREATE TABLE elevator_records (
  event_id TEXT PRIMARY KEY,
  time INTEGER NOT NULL,
  data_id TEXT NOT NULL,
  elevator_key TEXT NOT NULL,
  result_code INTEGER NOT NULL,
  record TEXT NOT NULL,
  uploaded INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX elevator_records_time ON elevator_records(time);
CREATE INDEX elevator_records_upload ON elevator_records(uploaded);

CREATE TABLE elevator_switches (
  device_key TEXT PRIMARY KEY,
  availability TEXT NOT NULL CHECK (availability IN ('enable','disable')),
  updated_at INTEGER NOT NULL
);

CREATE TABLE elevator_rule_deploy (
  device_key TEXT NOT NULL,
  rule_id TEXT NOT NULL,
  data_id TEXT NOT NULL,
  identity_id TEXT NOT NULL,
  is_delete INTEGER NOT NULL DEFAULT 0,
  on_device INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL CHECK (status IN ('pending','transferring','transferred','failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (device_key, rule_id)
) WITHOUT ROWID;
CREATE INDEX elevator_rule_deploy_status ON elevator_rule_deploy(device_key, status);
`,
  },
];
