/**
 * A door device's client of the edge box (every D→E row of seed 001 §2-§9). Used by the door
 * simulator and by tests; a real door firmware plays this part in the field.
 */
import { ELEVATOR_VERSION } from './endpoints.js';
import type { DoorReply } from './errors.js';
import { post, postJson } from './http/client.js';
import { buildMultipart, type FilePart } from './http/multipart.js';
import type { RuleReport, RunState } from './messages/elevator.js';
import type { ReportOpenDoor } from './messages/intercom.js';
import type { ConnectRequest } from './messages/session.js';

export interface EdgeClientOptions {
  /** `http://<edge ip>:10000`. */
  baseUrl: string;
  /** Source address: the door's own IP (a simulated door binds its 127.0.0.x). */
  localAddress?: string;
  timeoutMs?: number;
}

/** Every method resolves with the raw reply: the simulator shows codes as they come. */
export class DoorEdgeClient {
  readonly #opts: EdgeClientOptions & { timeoutMs: number };
  /** The token the edge issued at our /connect. */
  token: string | undefined;

  constructor(opts: EdgeClientOptions) {
    this.#opts = { timeoutMs: 5000, ...opts };
  }

  #post(path: string, body: Record<string, unknown>): Promise<DoorReply> {
    return postJson(`${this.#opts.baseUrl}${path}`, body, {
      timeoutMs: this.#opts.timeoutMs,
      ...(this.#opts.localAddress ? { localAddress: this.#opts.localAddress } : {}),
    });
  }

  #call(path: string, body: Record<string, unknown> = {}): Promise<DoorReply> {
    return this.#post(path, { token: this.token ?? '', ...body });
  }

  async connect(req: ConnectRequest): Promise<DoorReply> {
    const reply = await this.#post('/connect', { ...req });
    const data = reply.data as { token?: unknown } | undefined;
    if (reply.code === 0 && typeof data?.token === 'string') this.token = data.token;
    return reply;
  }

  keepalive(): Promise<DoorReply> {
    return this.#call('/keepalive');
  }

  alarmEvent(alarmType: number, cardId?: string): Promise<DoorReply> {
    return this.#call('/alarmEvent', cardId === undefined ? { alarmType } : { alarmType, cardId });
  }

  #form(path: string, fields: Record<string, string>, photo: FilePart): Promise<DoorReply> {
    const { body, contentType } = buildMultipart({ token: this.token ?? '', ...fields }, { photo });
    return post(`${this.#opts.baseUrl}${path}`, body, contentType, {
      timeoutMs: this.#opts.timeoutMs,
      ...(this.#opts.localAddress ? { localAddress: this.#opts.localAddress } : {}),
    });
  }

  recognize(photo: FilePart, fields: { disableEdgeDetectFace?: '1'; temperature?: string } = {}): Promise<DoorReply> {
    return this.#form('/recognize', fields, photo);
  }

  facePassEvent(photo: FilePart, fields: { faceId: string; similarity: string; temperature?: string }): Promise<DoorReply> {
    return this.#form('/faceAC/passEvent', fields, photo);
  }

  qrcode(qrCode: string): Promise<DoorReply> {
    return this.#call('/qrcode', { qrCode });
  }

  cardPassEvent(cardId: string): Promise<DoorReply> {
    return this.#call('/cardAC/passEvent', { cardId });
  }

  blePassEvent(cardId: string): Promise<DoorReply> {
    return this.#call('/bleAC/passEvent', { cardId });
  }

  getGroupId(roomId: string): Promise<DoorReply> {
    return this.#call('/visualIntercom/getGroupId', { roomId });
  }

  checkPhoneNumber(phoneNumber: string): Promise<DoorReply> {
    return this.#call('/visualIntercom/checkPhoneNumber', { phoneNumber });
  }

  reportOpenDoor(r: ReportOpenDoor): Promise<DoorReply> {
    return this.#call('/visualIntercom/reportOpenDoor', { ...r });
  }

  reportRunState(data: RunState[]): Promise<DoorReply> {
    return this.#call('/elevator/reportRunState', { version: ELEVATOR_VERSION, data });
  }

  ruleReport(r: RuleReport): Promise<DoorReply> {
    return this.#call('/elevator/rule/report', { version: ELEVATOR_VERSION, ...r });
  }
}
