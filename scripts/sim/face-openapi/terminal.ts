/**
 * A face terminal serving the OpenAPI of seed 004, device side: the HTTP API on its port
 * (8899 on a real device) with the timestamp/sign check and the seed's error codes, the record
 * push WebSocket (9000) with `Connected!` / `Permission Denied!` / `push record` messages, and
 * the chapter 9 requests it makes to a platform (library pull, compare, temperature, feedback,
 * heartbeat).
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  NETWORK_FIELDS,
  PERPARA_FIELDS,
  SMARTFACE_FIELDS,
  type ConfigGroup,
  type UserObject,
} from '../../../protocols/face-openapi/index.js';
import { refusalOf, serveApi, type StoredUser } from './api.js';

export interface OpenApiTerminalOptions {
  host?: string;
  port?: number;
  wsPort?: number;
  password?: string;
  deviceId?: string;
  /** The terminal answers no WebSocket ping (a link that goes silent). */
  silent?: boolean;
}

type Body = Record<string, unknown>;

export class SimulatedOpenApiTerminal extends EventEmitter {
  readonly o: Required<OpenApiTerminalOptions>;
  readonly users = new Map<string, StoredUser>();
  readonly records: Body[] = [];
  readonly state = {
    opens: 0,
    reboots: 0,
    clockOffsetMs: 0,
    heartbeats: 0,
    wsConnects: 0,
    refused: [] as number[],
    jsonCmds: [] as Body[],
  };
  readonly config: Record<ConfigGroup, Body> = {
    network: { dhcpEnable: 0, ipAddress: '127.0.0.1', subMask: '255.0.0.0', DNS1: '', DNS2: '', defRout: '127.0.0.1' },
    smartface: {
      faceEnable: 1,
      faceCmpEnable: 1,
      faceThre: 5,
      faceMinsize: 60,
      faceMaxsize: 400,
      faceInterval: 6,
      imgType: 0,
      maskDetecEnable: 0,
      tempDetecEnable: 0,
      tempWarnThre: 37.3,
      ftpPutImgEnable: 0,
      faceFrame: 1,
    },
    perpara: {
      detecTemMod: 0,
      alarmType: 0,
      voiceProswitch: 1,
      tempNormal: 1,
      maskNormal: 1,
      cmpNormal: 1,
      RecordOpen: 0,
      unlockControl: 1,
      unlockOuttime: 5,
    },
  };
  #http: Server | undefined;
  #wsHttp: Server | undefined;
  #wss: WebSocketServer | undefined;
  #nextRecordId = 1;
  #libraryTime = 0;

  constructor(o: OpenApiTerminalOptions = {}) {
    super();
    this.o = { host: '127.0.0.1', port: 8899, wsPort: 9000, password: '123456', deviceId: '0000001', silent: false, ...o };
  }

  get port(): number {
    return (this.#http?.address() as AddressInfo | null)?.port ?? 0;
  }
  get wsPort(): number {
    return (this.#wsHttp?.address() as AddressInfo | null)?.port ?? 0;
  }
  get clients(): number {
    return this.#wss?.clients.size ?? 0;
  }

  async start(): Promise<void> {
    this.#http = createServer((req, res) => void serveApi(this, req, res));
    await listen(this.#http, this.o.port, this.o.host);
    this.#wsHttp = createServer((_req, res) => res.writeHead(426).end());
    this.#wss = new WebSocketServer({ server: this.#wsHttp, path: '/api/record', autoPong: !this.o.silent });
    this.#wss.on('connection', (ws, req) => this.#onWs(ws, req));
    await listen(this.#wsHttp, this.o.wsPort, this.o.host);
  }

  async stop(): Promise<void> {
    for (const c of this.#wss?.clients ?? []) c.terminate();
    this.#wss?.close();
    for (const s of [this.#http, this.#wsHttp]) {
      if (!s) continue;
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
    this.#http = this.#wsHttp = undefined;
  }

  /** The terminal's clock (set by syncTime). */
  now(): number {
    return Date.now() + this.state.clockOffsetMs;
  }

  #onWs(ws: WebSocket, req: IncomingMessage): void {
    if (refusalOf(this, new URL(req.url ?? '/', 'http://device'))) {
      ws.send(JSON.stringify({ code: 20002, message: 'Permission Denied!', desc: 'app key not exist' })); // L898-906
      ws.close();
      return;
    }
    this.state.wsConnects++;
    ws.send(JSON.stringify({ code: 20000, message: ' Connected!', desc: 'Connected!' })); // L888-896
    ws.on('message', () => void this.state.heartbeats++);
    ws.on('ping', () => void this.state.heartbeats++);
  }

  /** A recognition at the terminal: stored, and pushed on every record link (code 30000, L908-917). */
  recognise(userId?: string, extra: Body = {}): Body {
    const u = userId ? this.users.get(userId) : undefined;
    const {
      photo: _p,
      photoBytes: _b,
      ...user
    } = u ??
    ({ userId: '', userType: -1, name: '', icNumber: '', jobNumber: '', mobile: '', remark: '' } as UserObject & { photoBytes: number });
    const rec: Body = {
      ...user,
      userType: u ? u.userType : -1,
      id: this.#nextRecordId++,
      signTime: Math.floor(this.now() / 1000),
      type: u ? u.userType : -1,
      inputType: 1,
      similarity: u ? 93 : 20,
      temperature: 36.5,
      temperatureState: 0,
      wearMask: false,
      wearMaskAlarm: false,
      deviceMark: this.o.deviceId,
      ...extra,
    };
    this.records.push(rec);
    for (const c of this.#wss?.clients ?? []) c.send(JSON.stringify({ code: 30000, message: 'push record', desc: '', data: rec }));
    return rec;
  }

  // ── chapter 9: the terminal calls its platform ────────────────────────────

  async #platform(base: string, path: string, body?: Body): Promise<Body> {
    const res = await fetch(
      `${base.replace(/\/+$/, '')}${path}`,
      body ? { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) } : {},
    );
    return (await res.json()) as Body;
  }

  /** 9.1 then 9.4: pull library changes since the last pull, apply them, feed back each result. */
  async pullLibrary(base: string): Promise<{ saved: number; deleted: number }> {
    const r = await this.#platform(base, `/syrecord/${this.o.deviceId}?lastQueryTime=${this.#libraryTime}`);
    const sr = (r.serviceResponse ?? {}) as { list?: Body[]; lastQueryTime?: number };
    let saved = 0;
    let deleted = 0;
    for (const e of sr.list ?? []) {
      const op = String(e.operation ?? '').trim();
      const userId = String(e.userId ?? '');
      let status = '100';
      let msg = '操作成功';
      if (op === 'delete') {
        this.users.delete(userId);
        deleted++;
      } else if (op === 'save') {
        const img = await fetch(String(e.imageUrl ?? e.userImageUrl ?? ''))
          .then((x) => (x.ok ? x.arrayBuffer() : undefined))
          .catch(() => undefined);
        if (!img) {
          status = '303';
          msg = '图片下载失败';
        } else {
          this.users.set(userId, {
            userId,
            userType: 1,
            name: String(e.userName ?? ''),
            icNumber: '',
            jobNumber: '',
            mobile: '',
            remark: String(e.userRemark ?? ''),
            photoBytes: img.byteLength,
          });
          saved++;
        }
      }
      await this.#platform(base, `/syresult/${this.o.deviceId}`, { resultList: { userID: userId, status, msg } });
    }
    if (typeof sr.lastQueryTime === 'number') this.#libraryTime = sr.lastQueryTime;
    return { saved, deleted };
  }

  /** 9.2: a successful compare; the platform says whether to open. */
  compare(base: string, userId: string): Promise<Body> {
    const u = this.users.get(userId);
    return this.#platform(base, `/syface/${this.o.deviceId}`, {
      userId,
      userName: u?.name ?? '',
      userType: 'user',
      deviceId: this.o.deviceId,
      uuid: 'SY001',
      actionCode: 1,
      action: '进门',
      temperature: '36.5°C',
      mask: true,
      screenTime: Math.floor(this.now() / 1000),
      similarity: 90,
      img: '',
    });
  }

  /** 9.3 temperature (the example's `Info` wrapper, L1011). */
  temperature(base: string, temperature: string, openCode = 100): Promise<Body> {
    return this.#platform(base, `/syattribute/${this.o.deviceId}`, {
      Info: {
        deviceid: this.o.deviceId,
        uuid: 'SY001',
        temperature,
        mask: true,
        openCode,
        openMsg: openCode === 100 ? '开门成功' : '温度异常',
        screenTime: Math.floor(this.now() / 1000),
        img: '',
      },
    });
  }

  /** 9.5 heartbeat. */
  heartbeat(base: string): Promise<Body> {
    return this.#platform(base, `/syheartbeat/${this.o.deviceId}`, { Heartinfo: { deviceid: this.o.deviceId, ServerURL: base } });
  }
}

function listen(s: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen(port, host, () => resolve());
  });
}

export const FIELD_GROUPS = { network: NETWORK_FIELDS, smartface: SMARTFACE_FIELDS, perpara: PERPARA_FIELDS };
