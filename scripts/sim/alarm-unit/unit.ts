/**
 * A simulated indoor alarm unit (室内机, seed 001 L40647-41298): the unit's side of every
 * exchange, plain or encrypted, so the box can be tested end to end and an installer can try a
 * box without hardware.
 *
 * - calls the box: connect (with a fresh AES key under the box's public key when encrypted),
 *   keepalive, reportZoneInfo, reportAlarm, each `Connection: close`, from its own address;
 * - serves its own port: `GET /alarm/ping` → pong, `POST /alarm/setZoneAlertState` decrypted
 *   with its key, dropping any request whose `time` is not above the last it took (L41100-41109).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../../../protocols/common/body.js';
import { send, type SimAnswer } from '../common/send.js';
import { HttpListener, NO_SOURCE_LIMITS } from '../../../protocols/common/http-listener.js';
import {
  aesDecrypt,
  aesEncrypt,
  AES_KEY_BYTES,
  checkZoneAlertStates,
  encryptKeyBlock,
  PONG,
  PROTOCOL_VERSION,
  type AlarmInfo,
  type ZoneDeviceType,
  type ZoneState,
} from '../../../protocols/alarm-unit/index.js';

export interface SimZone {
  zoneID: string;
  zoneDeviceType: ZoneDeviceType;
  zoneState: ZoneState;
}

export interface SimUnitOptions {
  sn: string;
  /** The unit's address: its requests leave from it and it serves on it. */
  ip: string;
  /** Its own port (0: any); -1: it serves nothing and says so in connect. */
  port: number;
  /** `http://<box>:<port>` */
  edgeUrl: string;
  keepaliveS?: number;
  /** The box's public key (PEM): encrypted mode; absent: plain. */
  boxPublicKey?: string;
  zones?: SimZone[];
  vendor?: string;
  model?: string;
}

export type { SimAnswer } from '../common/send.js';

export class SimulatedAlarmUnit {
  readonly o: SimUnitOptions & { keepaliveS: number };
  readonly zones: SimZone[];
  token: string | undefined;
  /** The AES key of the current connection (encrypted mode). */
  key: Buffer | undefined;
  /** What the unit saw: the box's pings, the setZoneAlertState requests it took and dropped. */
  readonly state = { pings: 0, taken: [] as Array<{ zoneID: string; zoneState: 1 | 2; time: string }>, dropped: 0, lastTime: 0 };
  #server: HttpListener | undefined;

  constructor(o: SimUnitOptions) {
    this.o = { keepaliveS: 30, ...o };
    this.zones = (
      o.zones ?? [
        { zoneID: '01', zoneDeviceType: 1, zoneState: 1 },
        { zoneID: '02', zoneDeviceType: 3, zoneState: 2 },
      ]
    ).map((z) => ({ ...z }));
  }

  get port(): number {
    return this.o.port === -1 ? -1 : (this.#server?.port ?? 0);
  }

  async start(): Promise<void> {
    if (this.o.port === -1) return;
    this.#server = new HttpListener((req, res) => void this.#serve(req, res), { host: this.o.ip, port: this.o.port, ...NO_SOURCE_LIMITS });
    await this.#server.listen();
  }

  async stop(): Promise<void> {
    await this.#server?.close();
  }

  /** POST to the box from the unit's address (`Connection: close`, L40659). */
  post(path: string, body: unknown): Promise<SimAnswer> {
    return send(this.o.edgeUrl, this.o.ip, 'POST', path, typeof body === 'string' ? body : JSON.stringify(body));
  }

  get(path: string): Promise<SimAnswer> {
    return send(this.o.edgeUrl, this.o.ip, 'GET', path, undefined);
  }

  /** The connect body of the seed's example (L40845-40860) for this unit; a fresh AES key when encrypted. */
  connectBody(): Record<string, unknown> {
    const body: Record<string, unknown> = {
      version: PROTOCOL_VERSION,
      protocol: PROTOCOL_VERSION,
      sn: this.o.sn,
      vendor: this.o.vendor ?? 'DEV',
      model: this.o.model ?? 'DEV-HW-210',
      time: Math.floor(Date.now() / 1000),
      ip: this.o.ip,
      mac: '00-16-EA-AE-3D-40',
      port: this.port,
      keepalive: this.o.keepaliveS,
      encrypted: this.o.boxPublicKey ? 1 : 0,
    };
    if (this.o.boxPublicKey) {
      this.key = randomBytes(AES_KEY_BYTES);
      body.ciphertext = encryptKeyBlock(this.o.boxPublicKey, this.key);
    } else this.key = undefined;
    return body;
  }

  async connect(): Promise<SimAnswer> {
    const r = await this.post('/alarm/connect', this.connectBody());
    const token = (r.body.data as { token?: unknown } | undefined)?.token;
    this.token = r.body.code === 0 && typeof token === 'string' ? token : undefined;
    return r;
  }

  keepalive(): Promise<SimAnswer> {
    return this.post('/alarm/keepalive', { version: PROTOCOL_VERSION, token: this.token });
  }

  /** A report body: the array in clear, or Base64(AES(JSON)) in `ciphertext` on an encrypted connection (L41008-41019). */
  reportBody(field: 'zoneInfo' | 'alarmInfo', value: unknown): Record<string, unknown> {
    const base = { version: PROTOCOL_VERSION, token: this.token };
    return this.key ? { ...base, ciphertext: aesEncrypt(this.key, JSON.stringify(value)) } : { ...base, [field]: value };
  }

  reportZoneInfo(): Promise<SimAnswer> {
    return this.post('/alarm/reportZoneInfo', this.reportBody('zoneInfo', this.zones));
  }

  reportAlarm(alarms: AlarmInfo[]): Promise<SimAnswer> {
    return this.post('/alarm/reportAlarm', this.reportBody('alarmInfo', alarms));
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reply = (o: unknown): void => {
      const b = JSON.stringify(o);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(b), Connection: 'close' });
      res.end(b);
    };
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/alarm/ping') {
      this.state.pings++;
      reply(PONG);
      return;
    }
    if (req.method !== 'POST' || path !== '/alarm/setZoneAlertState') {
      reply({ code: 99, message: 'unknown path' });
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse((await readBody(req, 64 * 1024)).toString('utf8')) as Record<string, unknown>;
    } catch {
      reply({ code: 5, message: 'parameter error: not JSON' });
      return;
    }
    let list: unknown = body.zoneInfo;
    if (this.key) {
      const text = typeof body.ciphertext === 'string' && body.zoneInfo === undefined ? aesDecrypt(this.key, body.ciphertext) : undefined;
      if (text === undefined) {
        reply({ code: 6, message: 'decrypt error' });
        return;
      }
      try {
        list = JSON.parse(text);
      } catch {
        reply({ code: 5, message: 'parameter error: not JSON' });
        return;
      }
    }
    const c = checkZoneAlertStates(list);
    if (body.version !== PROTOCOL_VERSION || !c.ok) {
      reply({ code: 5, message: `parameter error: ${c.ok ? 'version' : c.problem}` });
      return;
    }
    // Anti-replay (L41100-41109): a time not above the last recorded one is dropped.
    const time = Math.max(...c.value.map((z) => Number(z.time)));
    if (c.value.some((z) => Number(z.time) <= this.state.lastTime)) {
      this.state.dropped++;
      reply({ code: 5, message: 'parameter error: time not after the last request' });
      return;
    }
    this.state.lastTime = time;
    for (const z of c.value) {
      this.state.taken.push(z);
      const zone = this.zones.find((x) => x.zoneID === z.zoneID);
      if (zone) zone.zoneState = z.zoneState;
    }
    reply({ code: 0, message: 'success' });
  }
}
