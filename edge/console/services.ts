/**
 * Services other areas offer to the console. Each is optional: a page whose service is
 * missing says so instead of failing. The shapes are what the console pages show; an area
 * adapts its own API to them in the runtime wiring.
 */
import type { EventQuery, HistoryStatus, Series, StoredEvent } from '../history/store.js';

/** The cloud link as the dashboard shows it. */
export interface CloudLinkView {
  state(): {
    /** e.g. 'connected' | 'connecting' | 'disconnected' | 'disabled' */
    state: string;
    connected: boolean;
    lastError?: string | undefined;
    lastConnectedAt?: number | undefined;
    outboxDepth: number;
    /** Enqueue time (UTC ms) of the oldest message still waiting, if any. */
    oldestQueuedAt?: number | undefined;
  };
}

export interface EbaRowError {
  sheet: string;
  row: number;
  column?: string | undefined;
  message: string;
}

/** The ModbusV3 point tables (three-sheet workbook: channels, points, devices). */
export interface EbaTablesService {
  /** Rows of one sheet as plain records, for viewing. */
  view(sheet: 'channels' | 'points' | 'devices'): Promise<Record<string, unknown>[]>;
  /** Import a workbook; `ok: false` carries every row error and changes nothing. */
  importWorkbook(
    data: Buffer,
    onProgress?: (done: number, total: number) => void,
  ): Promise<{ ok: true; counts: Record<string, number> } | { ok: false; errors: EbaRowError[] }>;
  exportWorkbook(): Promise<Buffer>;
}

/** Access control (persons, faces, cards, QR codes, pass records, device sync). */
export interface AccessConsoleService {
  counts(): { persons: number; faces: number; cards: number; qrCodes: number };
  findPerson(id: string): Record<string, unknown> | undefined;
  syncStatus(): { device: string; state: string; pending: number; lastError?: string | undefined; lastSyncAt?: number | undefined }[];
  retrySync(device: string): Promise<void>;
  passRecords(filter: { device?: string; personId?: string; from?: number; to?: number; limit: number }): {
    id: string | number;
    time: number;
    device: string;
    personId?: string | undefined;
    result: string;
    method?: string | undefined;
    photoUrl?: string | undefined;
  }[];
  /** A pass record's photo (JPEG), if it has one. */
  passPhoto?(id: string): Buffer | undefined;
  alarms(limit: number): { time: number; device: string; type: string; message: string }[];
}

/** The local bus's users (edge/bus/users.ts): config users are listed, app users managed. */
export interface BusUsersService {
  list(): { username: string; source: 'config' | 'generated' | 'app'; read: readonly string[]; write: readonly string[] }[];
  /** Throws BusUserError (a bad name or filter, a taken name); the password is returned once. */
  add(username: string, rights: { read: string[]; write: string[] }): { password: string };
  setRights(username: string, rights: { read: string[]; write: string[] }): void;
  remove(username: string): void;
}

/** EBA alarm rules and their alarms (edge/rules, docs/rules.md). */
export interface RulesConsoleService {
  list(q: { nameLike?: string; status?: number; productKey?: string; pageNo: number; pageSize: number }): {
    total: number;
    pageNo: number;
    pageSize: number;
    data: Record<string, unknown>[];
  };
  detail(id: string): Record<string, unknown> | undefined;
  /** Add or edit with the cloud's validation; refusals carry every wrong field. */
  save(
    rule: unknown,
  ): { ok: true; alarmRuleId: string; created: boolean; warnings: RuleFieldProblem[] } | { ok: false; problems: RuleFieldProblem[] };
  setStatus(id: string, status: 0 | 1): boolean;
  remove(id: string): boolean;
  /** A stored rule (by id) or a draft against every device's last values. */
  dryRun(
    input: { alarmRuleId: string } | { rule: unknown },
  ): { ok: true; warnings: RuleFieldProblem[]; devices: Record<string, unknown>[] } | { ok: false; problems: RuleFieldProblem[] };
  open(limit: number): { total: number; alarms: Record<string, unknown>[] };
  history(f: {
    device?: string;
    alarmRuleId?: string;
    from?: number;
    to?: number;
    open?: boolean;
    limit: number;
  }): Record<string, unknown>[];
  /** Acknowledge (H7 confirm fields); false when no such alarm. */
  confirm(alarmId: string, c: { confirmType: 1 | 2 | 3; comment?: string; operator: string }): Record<string, unknown> | undefined;
}

export interface RuleFieldProblem {
  field: string;
  message: string;
}

/** Person-elevator linkage (edge/elevators, docs/elevators.md): the cloud's operations, from the console. */
export interface ElevatorsConsoleService {
  relations(): Record<string, unknown>[];
  /** These throw the linkage's own errors (a refused field, an unknown relation). */
  addRelation(params: unknown): string;
  updateRelation(params: unknown): void;
  deleteRelation(dataId: string): void;
  users(dataId: string, like: string, limit: number): { total: number; users: Record<string, unknown>[] };
  saveUser(params: unknown): void;
  deleteUser(params: unknown): void;
  records(limit: number, dataId?: string): Record<string, unknown>[];
}

/** Property values and events kept on the box (edge/history): trends, CSV, event history, retention. */
export interface HistoryConsoleService {
  series(device: string, prop: string, from: number, to: number): Series;
  events(q: EventQuery): { events: StoredEvent[]; next: number | null };
  status(): HistoryStatus;
}

export interface ConsoleServices {
  history?: HistoryConsoleService | undefined;
  elevators?: ElevatorsConsoleService | undefined;
  busUsers?: BusUsersService | undefined;
  cloud?: CloudLinkView | undefined;
  eba?: EbaTablesService | undefined;
  access?: AccessConsoleService | undefined;
  rules?: RulesConsoleService | undefined;
}
