/**
 * One OpenAPI terminal: its API client, its record push link, and the face sync through
 * `/api/user` (seed 004 §8.2). Online while the record link is up (§8.3.3: 10 s heartbeats,
 * broken after 33 s of silence) — the link is the terminal's live channel to the box.
 */
import { PASS, type PassResult } from '../../protocols/door-service/pass-codes.js';
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { DeviceHandle } from '../../edge/host/sdk/driver.js';
import { OpenApiClient, OpenApiCode, OpenApiError, RecordLink, type UserObject } from '../../protocols/face-openapi/index.js';
import type { AccessCalls } from '../face-shared/access-calls.js';
import { timeoutStatus, userIdOf, type FaceDeployment, type FaceFailure } from '../face-shared/deployment.js';
import type { OpenApiDeviceConfig, OpenApiDriverSettings } from './config.js';
import { keyOf } from '../../edge/host/sdk/device-key.js';

/** How one face change went: done, the device's own refusal, or a named failure for the access core. */
type Outcome = { status: 'done' } | { status: 'refused'; message: string } | { status: FaceFailure; message: string };

/** inputType → pass kind: 1 face, 2 QR code, 3 IC card, 4 card UUID. */
const INPUT_KIND: Record<number, 'face' | 'qrCode' | 'tradCard'> = { 1: 'face', 2: 'qrCode', 3: 'tradCard', 4: 'tradCard' };

/** A record's outcome as the door service's pass result (seed 001 L22154-22178, L23427-23447). */
function passResultOf(kind: 'face' | 'qrCode' | 'tradCard', stranger: boolean, blacklisted: boolean): PassResult {
  if (blacklisted) return PASS.FACE_BLACKLIST;
  if (!stranger) return PASS.OK;
  return kind === 'face' ? PASS.FACE_BELOW_THRESHOLD : kind === 'qrCode' ? PASS.QR_NOT_FOUND : PASS.CARD_NOT_FOUND;
}

export class OpenApiTerminal {
  readonly handle: DeviceHandle;
  readonly cfg: OpenApiDeviceConfig;
  readonly client: OpenApiClient;
  readonly link: RecordLink;
  readonly deviceKey: string;
  readonly props: Record<string, unknown> = {};
  readonly #calls: AccessCalls;
  readonly #settings: OpenApiDriverSettings;
  readonly #log: Logger;
  readonly faceUsers: Map<string, string>;
  /** Faces handed out in a 9.1 library answer and not yet confirmed by 9.4 feedback ('pull' face sync). */
  readonly handedOut = new Map<string, { op: FaceDeployment['op']; at: number }>();
  #sync: NodeJS.Timeout | undefined;
  #syncing = false;

  constructor(
    handle: DeviceHandle,
    cfg: OpenApiDeviceConfig,
    deps: { calls: AccessCalls; settings: OpenApiDriverSettings; log: Logger; faceUsers: Map<string, string> },
  ) {
    this.handle = handle;
    this.cfg = cfg;
    this.deviceKey = keyOf(handle);
    this.#calls = deps.calls;
    this.#settings = deps.settings;
    this.#log = deps.log.child({ dev: handle.deviceName });
    this.faceUsers = deps.faceUsers;
    this.client = new OpenApiClient({ baseUrl: `http://${cfg.ip}:${cfg.port}`, password: cfg.password });
    this.link = new RecordLink({ url: `ws://${cfg.ip}:${cfg.wsPort}/api/record`, password: cfg.password });
    this.link.on('up', () => {
      this.#log.info('record link up');
      this.report({ recordLink: 1 });
      handle.online();
      void this.#refreshInfo();
      this.kick();
    });
    this.link.on('down', (why) => {
      this.#log.warn({ why }, 'record link down');
      this.report({ recordLink: 0 });
      handle.offline(`record link down: ${why}`);
    });
    this.link.on(
      'record',
      (r) => void this.onRecord(r).catch((err: Error) => this.#log.warn({ err: err.message }, 'pushed record not stored')),
    );
  }

  start(): void {
    this.handle.offline('connecting to the terminal');
    this.link.start();
    this.#sync = setInterval(() => this.kick(), this.#settings.syncPollMs);
    this.#sync.unref?.();
  }

  stop(): void {
    clearInterval(this.#sync);
    this.link.stop();
  }

  report(values: Record<string, unknown>): void {
    Object.assign(this.props, values);
    this.handle.reportProperties(values);
  }

  async #refreshInfo(): Promise<void> {
    const info = await this.client.information().catch(() => undefined);
    if (info)
      this.report({
        FirmwareVersion: String(info.appVer ?? ''),
        webVer: String(info.webVer ?? ''),
        deviceID: String(info.deviceID ?? ''),
        deviceName: String(info.deviceName ?? ''),
        deviceMoel: String(info.deviceMoel ?? ''),
        SupportFaceFeature: 1,
      });
  }

  /**
   * A record pushed on the link (SignObject, L793-810) → a pass record (to the cloud through the
   * box's outbox). The record's id and time are its `ref`: a record pushed again is stored once.
   * Resolves once the record is committed; a failure leaves the record unacknowledged.
   */
  async onRecord(r: Record<string, unknown>, source = 'push'): Promise<void> {
    const signTime = Number(r.signTime);
    // §5: times are UTC seconds unless stated; a millisecond value is recognised by its size.
    const time = Number.isFinite(signTime) && signTime > 0 ? (signTime < 1e11 ? signTime * 1000 : signTime) : Date.now();
    const kind = INPUT_KIND[Number(r.inputType)] ?? 'face';
    const stranger = Number(r.type ?? r.userType) === -1;
    const deviceUser = stranger ? '' : String(r.userId ?? '');
    const userId = deviceUser ? (this.faceUsers.get(deviceUser) ?? deviceUser) : '';
    const similarity = Number(r.similarity);
    const temperature = Number(r.temperature);
    const res = await this.#calls.recordPass({
      deviceKey: this.deviceKey,
      kind,
      content: kind === 'tradCard' ? String(r.icNumber ?? '').slice(0, 255) : '',
      ...passResultOf(kind, stranger, Number(r.type) === 3),
      ref: `${String(r.id ?? '')}|${String(r.signTime ?? '')}`.slice(0, 128),
      time,
      ...(userId ? { identityId: userId.slice(0, 64) } : {}),
      ...(kind === 'face' && deviceUser ? { faceId: deviceUser.slice(0, 64) } : {}),
      ...(Number.isFinite(similarity) && similarity >= 0 && similarity <= 100 ? { score: similarity / 100 } : {}),
      ...(Number.isFinite(temperature) && r.temperature !== undefined ? { temperature } : {}),
      ...(typeof r.signAvatar === 'string' && r.signAvatar.length > 32 && r.signAvatar.length <= 2_000_000 ? { photo: r.signAvatar } : {}),
    });
    this.#log.debug({ source, kind, pass: res.passId, duplicate: res.duplicate || undefined }, 'pass recorded');
  }

  /** Push pending face changes through /api/user while online ('api' face sync); time out unconfirmed pulls ('pull'). */
  kick(): void {
    if (this.#settings.faceSync === 'pull') {
      void this.#expireHandedOut().catch((err: Error) => this.#log.warn({ err: err.message }, 'feedback timeout report failed'));
      return;
    }
    if (this.link.state !== 'up' || this.#syncing) return;
    this.#syncing = true;
    void this.#syncFaces()
      .catch((err: Error) => this.#log.warn({ err: err.message }, 'face sync stopped'))
      .finally(() => (this.#syncing = false));
  }

  async #syncFaces(): Promise<void> {
    for (;;) {
      const entries = await this.#calls.pendingFaces(this.deviceKey, 10);
      if (entries.length === 0) return;
      for (const [i, e] of entries.entries()) {
        const o = await this.#deployFace(e);
        if (o.status === 'done' || o.status === 'refused')
          await this.#calls.ackFaces(this.deviceKey, [e.id], o.status === 'done', o.status === 'refused' ? o.message : undefined);
        else if (o.status !== 'deviceOffline')
          await this.#calls.failFaces(this.deviceKey, [{ id: e.id, status: o.status, message: o.message }]);
        else {
          // Unreachable: this face and the rest of the batch wait for the terminal (no attempt used); retried on the next kick.
          await this.#calls.failFaces(
            this.deviceKey,
            entries.slice(i).map((x) => ({ id: x.id, status: 'deviceOffline' as const, message: o.message })),
          );
          return;
        }
      }
    }
  }

  /** Library changes the terminal never confirmed (9.4) within the feedback time: timeouts for the access core. */
  async #expireHandedOut(now = Date.now()): Promise<void> {
    const late = [...this.handedOut].filter(([, h]) => now - h.at > this.#settings.feedbackTimeoutMs);
    if (late.length === 0) return;
    for (const [id] of late) this.handedOut.delete(id);
    await this.#calls.failFaces(
      this.deviceKey,
      late.map(([id, h]) => ({
        id,
        status: timeoutStatus(h.op),
        message: `no 9.4 feedback within ${this.#settings.feedbackTimeoutMs / 1000} s`,
      })),
    );
  }

  async #deployFace(e: FaceDeployment): Promise<Outcome> {
    try {
      if (e.op === 'delete') {
        await this.client.deleteUser(e.id).catch((err) => {
          if (!(err instanceof OpenApiError && err.code === OpenApiCode.USER_NOT_EXISTS)) throw err; // already gone is done
        });
        return { status: 'done' };
      }
      const info = e.data?.userInfo ?? {};
      const photo = e.data?.imageFile ? (await readFile(e.data.imageFile)).toString('base64') : undefined;
      const user: UserObject = {
        userId: e.id,
        userType: (info.isInBlackList ?? e.isInBlackList) ? 3 : 1,
        name: String(info.userName ?? e.userName ?? e.id).slice(0, 80),
        icNumber: '',
        jobNumber: '',
        mobile: '',
        remark: userIdOf(e).slice(0, 255),
        ...(photo ? { photo } : {}),
      };
      this.faceUsers.set(e.id, userIdOf(e));
      // Update first; a terminal without the user answers 20001 and it is added (L669-699, L637-667).
      await this.client.updateUser(e.id, user).catch(async (err) => {
        if (err instanceof OpenApiError && err.code === OpenApiCode.USER_NOT_EXISTS) return this.client.addUser(user);
        throw err;
      });
      return { status: 'done' };
    } catch (err) {
      const message = (err as Error).message;
      if (err instanceof OpenApiError)
        return err.kind === 'deviceError' || err.kind === 'unknown'
          ? { status: e.op === 'delete' ? 'deleteFailed' : 'facePushError', message }
          : { status: 'refused', message };
      if ((err as Error).name === 'TimeoutError') return { status: timeoutStatus(e.op), message: `no answer: ${message}` };
      if ((err as { code?: string }).code === 'ENOENT') return { status: 'refused', message: `face picture unreadable: ${message}` };
      return { status: 'deviceOffline', message: `terminal unreachable: ${message}` };
    }
  }
}
