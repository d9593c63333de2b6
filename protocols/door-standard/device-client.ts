/**
 * The edge's client of one door device's HTTP server (every E→D row of seed 001 §2-§9).
 * Each call carries the device's token (L35059). A non-zero reply code rejects with
 * `DoorReplyError` (code 4 means: reconnect, L35060); network failures reject with
 * `DoorTransportError`. Batch sizes are checked here; splitting is the caller's job so it can
 * record progress per batch.
 */
import { ELEVATOR_VERSION, LIMITS } from './endpoints.js';
import { DoorReplyError, type DoorReply } from './errors.js';
import { expectSuccess, postJson } from './http/client.js';
import type { KeepOpen, TempCheckRule } from './messages/common.js';
import type { CardPermission } from './messages/credentials.js';
import {
  parseElevatorInfo,
  parseRulePage,
  type Availability,
  type ElevatorCall,
  type ElevatorInfo,
  type ElevatorRule,
  type FloorRoom,
  type RulePage,
  type RunState,
} from './messages/elevator.js';
import { parseQueryFacesReplyData, type FaceDigest, type FaceSyncEntry, type QueryFacesReplyData } from './messages/face.js';
import type { SipAccount, VerifyPhoneResult } from './messages/intercom.js';
import { parseConnectReplyData, type ConnectRequest } from './messages/session.js';
import { RateLimiter } from './rate-limit.js';
import { asObj, parse } from './validate.js';

export interface PeerOptions {
  /** `http://<device ip>:<vendor port>` (L34925). */
  baseUrl: string;
  /** Local address to send from (the box's own IP; tests use 127.0.0.1). */
  localAddress?: string;
  /** Time limit of calls the seed gives none for (spec 001f A20). */
  timeoutMs?: number;
}

export class DoorDeviceClient {
  readonly #opts: Required<Pick<PeerOptions, 'timeoutMs'>> & PeerOptions;
  readonly #elevatorLimit = new RateLimiter(LIMITS.elevatorMaxQps);
  /** The token the device issued at our /connect. */
  token: string | undefined;

  constructor(opts: PeerOptions) {
    this.#opts = { timeoutMs: 5000, ...opts };
  }

  get baseUrl(): string {
    return this.#opts.baseUrl;
  }

  async #call(path: string, body: Record<string, unknown>, timeoutMs = this.#opts.timeoutMs): Promise<DoorReply> {
    const reply = await postJson(
      `${this.#opts.baseUrl}${path}`,
      { token: this.token ?? '', ...body },
      { timeoutMs, ...(this.#opts.localAddress ? { localAddress: this.#opts.localAddress } : {}) },
    );
    if (reply.code !== 0) throw new DoorReplyError(path, reply.code, String(reply.message ?? ''));
    return reply;
  }

  async #elevator(path: string, body: Record<string, unknown>, timeoutMs?: number): Promise<DoorReply> {
    await this.#elevatorLimit.acquire();
    return this.#call(path, { version: ELEVATOR_VERSION, ...body }, timeoutMs);
  }

  /** Our half of the two-way connect (L34952-34956); stores and returns the device's token. */
  async connect(req: ConnectRequest): Promise<string> {
    const reply = await postJson(`${this.#opts.baseUrl}/connect`, req, {
      timeoutMs: this.#opts.timeoutMs,
      ...(this.#opts.localAddress ? { localAddress: this.#opts.localAddress } : {}),
    });
    const data = expectSuccess<unknown>('/connect', reply);
    const parsed = parse(parseConnectReplyData, data);
    if (!parsed.ok) throw new DoorReplyError('/connect', 5, `device reply: ${parsed.error}`);
    this.token = parsed.value.token;
    return this.token;
  }

  async keepalive(): Promise<void> {
    await this.#call('/keepalive', {});
  }

  async remoteOpen(): Promise<void> {
    await this.#call('/remoteOpen', {});
  }

  async setKeepOpen(v: KeepOpen): Promise<void> {
    await this.#call('/setKeepOpen', { data: v });
  }

  async getKeepOpen(): Promise<KeepOpen> {
    const data = asObj((await this.#call('/getKeepOpen', {})).data, 'data');
    const k = data.keepOpen;
    if (k !== 0 && k !== 1) throw new DoorReplyError('/getKeepOpen', 5, 'keepOpen must be 0 or 1');
    return { keepOpen: k };
  }

  async setTempCheckRule(rule: TempCheckRule): Promise<void> {
    // Thresholds are sent only when the check is on (L35390-35398).
    const data = rule.isCheck === 1 ? rule : { isCheck: 0 };
    await this.#call('/setTempCheckRule', { data });
  }

  async syncFaces(faces: FaceSyncEntry[]): Promise<void> {
    if (faces.length === 0 || faces.length > LIMITS.faceSyncBatch) throw new RangeError(`syncFaces takes 1-${LIMITS.faceSyncBatch} faces`);
    await this.#call('/faceAC/syncFaces', { faces }, LIMITS.faceSyncTimeoutMs);
  }

  async queryFaces(page?: { currentPage: number; pageSize: number }): Promise<QueryFacesReplyData> {
    const reply = await this.#call('/faceAC/queryFaces', page ?? {}, LIMITS.faceQueryTimeoutMs);
    const parsed = parse(parseQueryFacesReplyData, reply.data);
    if (!parsed.ok) throw new DoorReplyError('/faceAC/queryFaces', 5, `device reply: ${parsed.error}`);
    return parsed.value;
  }

  /** The device's whole face inventory: a full query first, then the remaining pages (L35683-35690). */
  async queryAllFaces(): Promise<FaceDigest[]> {
    const first = await this.queryFaces();
    const all = [...first.faceInfo];
    const pageSize = first.pageSize > 0 ? first.pageSize : first.faceInfo.length;
    for (let p = (first.currentPage || 1) + 1; p <= first.pageCount && pageSize > 0; p++) {
      all.push(...(await this.queryFaces({ currentPage: p, pageSize })).faceInfo);
    }
    return all;
  }

  async syncCardPermissions(permissions: CardPermission[]): Promise<void> {
    if (permissions.length === 0 || permissions.length > LIMITS.cardSyncBatch)
      throw new RangeError(`syncPermissions takes 1-${LIMITS.cardSyncBatch} entries`);
    await this.#call('/cardAC/syncPermissions', { permissions }, LIMITS.cardSyncTimeoutMs);
  }

  async syncBlePermissions(permissions: CardPermission[]): Promise<void> {
    if (permissions.length === 0 || permissions.length > LIMITS.cardSyncBatch)
      throw new RangeError(`syncPermissions takes 1-${LIMITS.cardSyncBatch} entries`);
    await this.#call('/bleAC/syncPermissions', { permissions }, LIMITS.cardSyncTimeoutMs);
  }

  async syncSipNumber(account: SipAccount): Promise<void> {
    await this.#call('/visualIntercom/syncSipNumber', { ...account });
  }

  async verifyPhoneResult(r: VerifyPhoneResult): Promise<void> {
    await this.#call('/visualIntercom/verifyPhoneResult', { ...r });
  }

  async getRunState(elevatorList: string[] = []): Promise<RunState[]> {
    // The example sends the list as `data` (L36717); we follow the example.
    const reply = await this.#elevator('/elevator/getRunState', elevatorList.length ? { data: elevatorList } : {});
    return Array.isArray(reply.data) ? (reply.data as RunState[]) : [];
  }

  async releaseFloors(elevatorId: string | undefined, floors: FloorRoom[] | undefined): Promise<void> {
    // 8.3 names the room `room` (L36790).
    const floorRoomList = floors?.map((f) => (f.roomNumber !== undefined ? { floor: f.floor, room: f.roomNumber } : { floor: f.floor }));
    await this.#elevator('/elevator/releaseFloors', { ...(elevatorId ? { elevatorId } : {}), ...(floorRoomList ? { floorRoomList } : {}) });
  }

  async activateFloor(elevatorId: string | undefined, floors: FloorRoom[]): Promise<void> {
    await this.#elevator('/elevator/activateFloor', { ...(elevatorId ? { elevatorId } : {}), floorRoomList: floors });
  }

  async call(c: ElevatorCall): Promise<void> {
    await this.#elevator('/elevator/call', { ...c });
  }

  async elevatorInfo(): Promise<ElevatorInfo> {
    const parsed = parse(parseElevatorInfo, (await this.#elevator('/elevator/info/get', {})).data);
    if (!parsed.ok) throw new DoorReplyError('/elevator/info/get', 5, `device reply: ${parsed.error}`);
    return parsed.value;
  }

  async syncRules(rules: ElevatorRule[]): Promise<void> {
    if (rules.length === 0 || rules.length > LIMITS.ruleSyncBatch) throw new RangeError(`rule/sync takes 1-${LIMITS.ruleSyncBatch} rules`);
    await this.#elevator('/elevator/rule/sync', { rules }, LIMITS.ruleSyncTimeoutMs);
  }

  async getRules(page?: { currentPage: number; pageSize: number }): Promise<RulePage> {
    const parsed = parse(parseRulePage, (await this.#elevator('/elevator/rule/get', page ?? {})).data);
    if (!parsed.ok) throw new DoorReplyError('/elevator/rule/get', 5, `device reply: ${parsed.error}`);
    return parsed.value;
  }

  async setAvailability(availability: Availability): Promise<void> {
    await this.#elevator('/elevator/rule/setAvailability', { availability });
  }

  async getAvailability(): Promise<Availability> {
    const a = asObj((await this.#elevator('/elevator/rule/getAvailability', {})).data, 'data').availability;
    if (a !== 'enable' && a !== 'disable')
      throw new DoorReplyError('/elevator/rule/getAvailability', 5, 'availability must be enable or disable');
    return a;
  }

  close(): void {
    this.#elevatorLimit.clear();
  }
}
