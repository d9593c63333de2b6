/** A face-terminal command as the queue stores it: its row, its states and the table's migrations. */
import type { Migration } from '../store/db.js';
import { PERSON_LEDGER_DDL } from './person-ledger.js';

export type CommandState = 'queued' | 'sent' | 'done' | 'failed' | 'expired' | 'superseded' | 'cancelled';
export const ACTIVE: readonly CommandState[] = ['queued', 'sent'];

export interface Command {
  id: number;
  deviceKey: string;
  service: string;
  msgId: string;
  ref: string | null;
  payload: Record<string, unknown>;
  state: CommandState;
  attempts: number;
  maxAttempts: number;
  createdAt: number;
  sentAt: number | null;
  expiresAt: number | null;
  errorCode: string | null;
  result: Record<string, unknown> | null;
  updatedAt: number;
}

export interface Row {
  id: number;
  device_key: string;
  service: string;
  msg_id: string;
  ref: string | null;
  payload: string;
  state: CommandState;
  attempts: number;
  max_attempts: number;
  created_at: number;
  sent_at: number | null;
  expires_at: number | null;
  error_code: string | null;
  result: string | null;
  updated_at: number;
  result_timeout_ms: number | null;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    up: `CREATE TABLE face_commands (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      device_key TEXT NOT NULL,
      service TEXT NOT NULL,
      msg_id TEXT NOT NULL UNIQUE,
      ref TEXT,
      payload TEXT NOT NULL,
      state TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      max_attempts INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      sent_at INTEGER,
      expires_at INTEGER,
      error_code TEXT,
      result TEXT,
      updated_at INTEGER NOT NULL
    );
    CREATE INDEX face_commands_active ON face_commands (device_key, service, state, id);
    CREATE INDEX face_commands_ref ON face_commands (device_key, service, ref) WHERE ref IS NOT NULL;`,
  },
  {
    version: 2,
    up: `ALTER TABLE face_commands ADD COLUMN result_timeout_ms INTEGER;
${PERSON_LEDGER_DDL}`,
  },
];

export interface EnqueueInput {
  deviceKey: string;
  service: string;
  payload: Record<string, unknown>;
  /** What the command is about (e.g. `face:<faceId>`): a newer queued command for the same ref replaces an older queued one. */
  ref?: string;
  /** The command is dropped (state `expired`) if the terminal has not completed it by then. */
  expiresAt?: number;
  maxAttempts?: number;
  /** How long this command, once sent, waits for the terminal's result before it is sent again (default: the queue's). */
  resultTimeoutMs?: number;
}

/**
 * `ended`: commands that ended on this call without an answer from the terminal (attempts used
 * up, or past `expiresAt`), so the caller can report them (a face deployment must not stay
 * "transferring" forever).
 */
export type NextResult = ({ command: Command } | { busy: Command } | { empty: true }) & { ended?: Command[] };

export type ResultOutcome =
  | { status: 'done' | 'failed'; command: Command }
  | { status: 'progress'; command: Command }
  | { status: 'duplicate'; command: Command }
  | { status: 'unknown' };

export interface QueueOptions {
  /** How long a sent command waits for the terminal's result before it is sent again. */
  resultTimeoutMs: number;
  maxAttempts: number;
  /** Finished commands are kept this long for callers and the console. */
  keepFinishedMs: number;
  /** Items of an info/get extraction kept in the result (photos stripped). */
  maxItems: number;
}

export const QUEUE_DEFAULTS: QueueOptions = { resultTimeoutMs: 60_000, maxAttempts: 3, keepFinishedMs: 7 * 86_400_000, maxItems: 1000 };

export const toCommand = (r: Row): Command => ({
  id: r.id,
  deviceKey: r.device_key,
  service: r.service,
  msgId: r.msg_id,
  ref: r.ref,
  payload: JSON.parse(r.payload) as Record<string, unknown>,
  state: r.state,
  attempts: r.attempts,
  maxAttempts: r.max_attempts,
  createdAt: r.created_at,
  sentAt: r.sent_at,
  expiresAt: r.expires_at,
  errorCode: r.error_code,
  result: r.result ? (JSON.parse(r.result) as Record<string, unknown>) : null,
  updatedAt: r.updated_at,
});
