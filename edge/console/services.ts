/**
 * Services other areas offer to the console. Each is optional: a page whose service is
 * missing says so instead of failing. The shapes are what the console pages show; an area
 * adapts its own API to them in the runtime wiring.
 */
import type { R41Health } from '../box-health/r41.js';
import type { AlarmHistoryFilter } from '../rules/store.js';
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
  /** Box health as the seed defines it (R41): Internet, gateway connection, deployment, clock. */
  health?(): R41Health;
}

export interface EbaRowError {
  sheet: string;
  /** Spreadsheet row (1 = the header row, 0 = the whole sheet). */
  row: number;
  column?: string | undefined;
  /** The cell as written. */
  value?: string | undefined;
  message: string;
}

/** One column of a template sheet, as the installer's workbook heads it. */
export interface EbaColumn {
  key: string;
  header: string;
  note?: string | undefined;
}

/** An uploaded file: one .xlsx workbook, or one .csv per sheet. */
export interface EbaUpload {
  name: string;
  data: Buffer;
}

/** Point tables of the EBA drivers (ModbusV3, BACnetV3): three sheets — channels, points, devices. */
export interface EbaTablesService {
  /** The driver types with a point-table template. */
  types(): string[];
  /** One sheet as the workbook shows it: the template's headers, cells formatted as on export (hex addresses). */
  view(type: string, sheet: 'channels' | 'points' | 'devices'): Promise<{ columns: EbaColumn[]; rows: string[][] }>;
  /** Validate whole, then (unless `checkOnly`) apply; `ok: false` carries every row error and changes nothing. */
  importWorkbook(
    type: string,
    files: EbaUpload[],
    o: { checkOnly: boolean },
    onProgress?: (done: number, total: number) => void,
  ): Promise<{ ok: true; applied: boolean; counts: Record<string, number> } | { ok: false; errors: EbaRowError[] }>;
  /** The tables as a workbook, or the blank template. */
  exportWorkbook(type: string, o: { template: boolean }): Promise<Buffer>;
}

/** Access control (persons, faces, cards, QR codes, pass records, device sync). */
/** A person as the console lists them: credentials counted, card numbers masked, faces as thumbnails. */
export interface PersonView {
  identityId: string;
  name: string;
  credentials: Record<string, number>;
  cards?: { kind: string; masked: string; devices: string[] }[];
  faces?: { groupId: string; faceId: string; state: string; thumbUrl?: string | undefined }[];
}

export interface AccessConsoleService {
  counts(): { persons: number; faces: number; cards: number; qrCodes: number };
  findPerson(id: string): PersonView | undefined;
  /** Persons whose name or identityId contains `q`. */
  searchPersons(q: { text: string; limit: number; offset: number }): { total: number; persons: PersonView[] };
  /** A stored face picture's thumbnail (JPEG), by its SHA-256. */
  faceThumb(sha: string): Buffer | undefined;
  syncStatus(): { device: string; state: string; pending: number; lastError?: string | undefined; lastSyncAt?: number | undefined }[];
  /** Queue a door's failed items again; how many were queued. */
  retrySync(device: string): Promise<number>;
  passRecords(filter: { devices?: readonly string[]; personId?: string; from?: number; to?: number; limit: number }): {
    id: string | number;
    time: number;
    device: string;
    personId?: string | undefined;
    personName?: string | undefined;
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
  history(f: AlarmHistoryFilter): Record<string, unknown>[];
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

/** Hosted apps (edge/apps): their state, start/stop/restart, their log. */
export interface AppsConsoleService {
  status(): ReadonlyArray<{ name: string; version: string; state: string; lastError: string | undefined }>;
  act(name: string, action: 'start' | 'stop' | 'restart'): Promise<boolean>;
  logFile(name: string): string | undefined;
}

/** Property values and events kept on the box (edge/history): trends, CSV, event history, retention. */
export interface HistoryConsoleService {
  series(device: string, prop: string, from: number, to: number): Series;
  events(q: EventQuery): { events: StoredEvent[]; next: number | null };
  status(): HistoryStatus;
}

export interface ConsoleServices {
  apps?: AppsConsoleService | undefined;
  history?: HistoryConsoleService | undefined;
  elevators?: ElevatorsConsoleService | undefined;
  busUsers?: BusUsersService | undefined;
  cloud?: CloudLinkView | undefined;
  eba?: EbaTablesService | undefined;
  access?: AccessConsoleService | undefined;
  rules?: RulesConsoleService | undefined;
}
