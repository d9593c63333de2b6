/**
 * A simulated camera-vendor event adapter (事件适配应用) of the edge security event API (seed 001
 * L41486-43966): the adapter's side of every exchange, so the box can be tested end to end and an
 * installer can try a box without a vendor's software.
 *
 * - calls the box (`POST <edge>/edgeSecurityEvent/<name>`, JSON body with `token`, from its own
 *   address): appAuthentication with the MD5 sign (plain or braces form, either hex case),
 *   deviceManage/getConfig, reportAlarmEvent with pictures, capture/report;
 * - serves `/edgeEventAdapter/<name>` on its own port (POST, or GET with a JSON body as the seed
 *   writes the queries): checks the box's token (802 otherwise), records every request, and
 *   answers as the seed's examples do: face library, arming rules (kept and returned), capture
 *   tasks, record search, scene pictures, configChange (fetches the config again), getStatus.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from '../../../protocols/common/body.js';
import { send, type SimAnswer } from '../common/send.js';
import { HttpListener, NO_SOURCE_LIMITS } from '../../../protocols/common/http-listener.js';
import {
  ADAPTER_PREFIX,
  computeAuthSign,
  eseFailure,
  eseSuccess,
  isObj,
  type EseReply,
  type Manufacture,
  type Obj,
  type SignForm,
} from '../../../protocols/edge-security-event/index.js';
import { answerFor, type AdapterState } from './answers.js';

export interface SimAdapterOptions {
  /** The adapter's address: its requests leave from it and it serves on it. */
  ip: string;
  /** Its own port (0: any). */
  port: number;
  /** `http://<box>:5080` */
  edgeUrl: string;
  manufacture?: Manufacture;
  mac?: string;
}

export type { SimAnswer } from '../common/send.js';

/** A tiny JPEG header as Base64: a picture the box can store. */
export const SAMPLE_JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 0xff, 0xd9]).toString('base64');

export class SimulatedAdapter {
  readonly o: Required<SimAdapterOptions>;
  token: string | undefined;
  /** What the adapter took from the box, and what it keeps. */
  readonly state: AdapterState = { received: [], rules: new Map(), tasks: new Map(), config: [], statuses: undefined, groups: 0 };
  #server: HttpListener | undefined;

  constructor(o: SimAdapterOptions) {
    this.o = { manufacture: 'DH', mac: '00-1A-3D-40', ...o };
  }

  get port(): number {
    return this.#server?.port ?? 0;
  }

  async start(): Promise<void> {
    this.#server = new HttpListener((req, res) => void this.#serve(req, res), { host: this.o.ip, port: this.o.port, ...NO_SOURCE_LIMITS });
    await this.#server.listen();
  }

  async stop(): Promise<void> {
    await this.#server?.close();
  }

  /** appAuthentication (L41512-41606); `form`/`upper` choose the sign's spelling, `sign` overrides it. */
  async authenticate(opt: { form?: SignForm; upper?: boolean; sign?: string; time?: number; fields?: Obj } = {}): Promise<SimAnswer> {
    const f = { time: opt.time ?? Math.floor(Date.now() / 1000), mac: this.o.mac, ip: this.o.ip, manufacture: this.o.manufacture };
    const computed = computeAuthSign(f, opt.form ?? 'plain');
    const body = {
      ...f,
      signMethod: 'md5',
      sign: opt.sign ?? (opt.upper ? computed.toUpperCase() : computed),
      alarmAdapterPort: this.port,
      ...opt.fields,
    };
    const a = await this.post('appAuthentication', body);
    const data = a.body.data;
    if (a.body.code === 200 && isObj(data) && typeof data.token === 'string') this.token = data.token;
    return a;
  }

  async getConfig(): Promise<SimAnswer> {
    const a = await this.post('deviceManage/getConfig', { token: this.token, manufacture: this.o.manufacture });
    if (a.body.code === 200 && Array.isArray(a.body.data)) this.state.config = a.body.data as Obj[];
    return a;
  }

  /** reportAlarmEvent (L42732-43149) with the token; `fields` over a face recognition event of a type-2 camera. */
  reportAlarm(fields: Obj): Promise<SimAnswer> {
    return this.post('reportAlarmEvent', { token: this.token, ...fields });
  }

  reportCapture(fields: Obj): Promise<SimAnswer> {
    return this.post('capture/report', { token: this.token, ...fields });
  }

  /** One call to the box; `body` a value (sent as JSON) or raw text. */
  post(name: string, body: unknown, method: 'GET' | 'POST' = 'POST'): Promise<SimAnswer> {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return send(this.o.edgeUrl, this.o.ip, method, `/edgeSecurityEvent/${name}`, text);
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let reply: EseReply;
    const name = (req.url ?? '').split('?')[0]!.slice(ADAPTER_PREFIX.length);
    try {
      const raw = await readBody(req, 64 * 1024 * 1024);
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        body = undefined;
      }
      if (!isObj(body)) reply = eseFailure(806);
      else if (body.token === undefined || body.token !== this.token) reply = eseFailure(802);
      else {
        this.state.received.push({ name, method: req.method ?? '', body });
        reply = answerFor(name, body, this.state);
        // configChange: the adapter fetches its cameras again (R27).
        if (name === 'deviceManage/configChange') setImmediate(() => void this.getConfig().catch(() => undefined));
      }
    } catch {
      reply = eseFailure(805);
    }
    const text = JSON.stringify(reply ?? eseSuccess());
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }
}
