/**
 * The box's side of the edge security event API (seed 001 L41486-43966): the smart security
 * service (智能安防应用) on port 5080 (L41507) that camera vendors' event adapters call.
 *
 * Transport (A8, our decision): `POST http://<box>:5080/edgeSecurityEvent/<name>` with a JSON
 * body; the token is the body field `token` (the seed shows it in every request body). The calls
 * the seed marks GET (getConfig) are also taken as GET with the same JSON body.
 *
 * Order of checks, cheapest first: path and method; the source address must be a configured
 * adapter (else 801 for appAuthentication, 802 for the rest, before the body is read); the body
 * under the cap (413, 805); JSON object (806); the token, bound to the address it was issued to
 * (802); the fields (804); then vendor (809) and camera (807) in the handlers. Time limits,
 * connection caps, the body cap and the per-address rate (429, 810) are the shared device-facing
 * listener's (protocols/common/http-listener.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, RequestAbortedError, readBody } from '../common/body.js';
import { LISTENER_LIMITS, type Endpoint, type ListenerLimits, type ListenerLog } from '../common/http-listener.js';
import { DeviceHttpServer } from '../common/device-http-server.js';
import { peerAddress } from '../common/source-address.js';
import { checkAlarmEvent, type AlarmEventReport } from './alarm-event.js';
import { EseCode, EseError, eseFailure, eseSuccess, type EseReply } from './codes.js';
import { isObj, type Obj } from './fields.js';
import {
  checkAuth,
  checkCaptureReport,
  reqManufacture,
  type AuthRequest,
  type CaptureReport,
  type ConfigEntry,
  type Manufacture,
} from './messages.js';
import { AdapterSessions, type AdapterSession } from './sessions.js';
import { verifyAuthSign } from './sign.js';

/** The port of the smart security service (L41507). */
export const EDGE_SECURITY_EVENT_PORT = 5080;

export const ESE_PATHS = {
  appAuthentication: '/edgeSecurityEvent/appAuthentication',
  getConfig: '/edgeSecurityEvent/deviceManage/getConfig',
  reportAlarmEvent: '/edgeSecurityEvent/reportAlarmEvent',
  captureReport: '/edgeSecurityEvent/capture/report',
} as const;

/** What the adapters call on the box (the listener registry lists them). */
export const ESE_ENDPOINTS: readonly Endpoint[] = [
  { method: 'POST', path: ESE_PATHS.appAuthentication },
  { method: 'POST', path: ESE_PATHS.getConfig },
  { method: 'GET', path: ESE_PATHS.getConfig },
  { method: 'POST', path: ESE_PATHS.reportAlarmEvent },
  { method: 'POST', path: ESE_PATHS.captureReport },
];

/**
 * Listener defaults: a report carries up to three Base64 pictures (scene, target, library face),
 * so bodies reach a few MiB; one adapter speaks for all its vendor's cameras, and a multi-target
 * event is one report per target, so an address may make 200 requests a second (bursts of 400).
 */
export const eseServerDefaults: ListenerLimits = {
  ...LISTENER_LIMITS,
  maxBodyBytes: 4 * 1024 * 1024,
  perSourceConnections: 32,
  perSourceRequestsPerS: 200,
  perSourceBurst: 400,
};

export interface ConfiguredAdapter {
  manufacture: Manufacture;
  /** When configured, an authentication with another MAC fails. */
  mac?: string;
}

export interface EseHandlers {
  /** The adapter configured at `source`, if any. */
  adapterAt(source: string): ConfiguredAdapter | undefined;
  /** An adapter authenticated (called after its answer was written). */
  authenticated(s: AdapterSession, req: AuthRequest): void;
  /** The cameras configured for `manufacture`. */
  config(s: AdapterSession, manufacture: Manufacture): ConfigEntry[];
  /** One alarm report; throw EseError 807/809 for a camera that is not the adapter's. Answered after it resolves. */
  alarmEvent(s: AdapterSession, report: AlarmEventReport, receivedAt: number): Promise<void>;
  capture(s: AdapterSession, report: CaptureReport): Promise<void>;
}

export interface EseServerOptions extends Partial<ListenerLimits> {
  host: string;
  port: number;
  log?: ListenerLog;
  now?: () => number;
}

const JSON_TYPE = 'application/json';
type Out = { status: number; reply: EseReply; after?: () => void };

export class EdgeSecurityEventServer extends DeviceHttpServer {
  readonly sessions: AdapterSessions;
  readonly #h: EseHandlers;
  readonly #maxBody: number;
  readonly #now: () => number;

  constructor(handlers: EseHandlers, o: EseServerOptions) {
    const limits = { ...eseServerDefaults, ...o };
    super({
      ...limits,
      refusal: () => ({ contentType: JSON_TYPE, body: JSON.stringify(eseFailure(EseCode.COMMUNICATION)) }),
      ...(o.log ? { log: o.log } : {}),
    });
    this.#h = handlers;
    this.#now = o.now ?? Date.now;
    this.sessions = new AdapterSessions(this.#now);
    this.#maxBody = limits.maxBodyBytes;
  }

  protected async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let out: Out;
    try {
      out = await this.#route(req);
    } catch (err) {
      if (err instanceof BodyTooLargeError) out = { status: 413, reply: eseFailure(EseCode.MEMORY) };
      else if (err instanceof RequestAbortedError) return void res.destroy();
      else if (err instanceof EseError) out = { status: 200, reply: eseFailure(err.code, err.param) };
      else out = { status: 200, reply: eseFailure(EseCode.COMMUNICATION) };
    }
    const body = JSON.stringify(out.reply);
    const headers: Record<string, string | number> = { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(body) };
    // A body left unread (refused before or while reading it) is not drained: the connection closes.
    if (out.status === 413 || !req.complete) headers.Connection = 'close';
    res.writeHead(out.status, headers);
    res.end(body, () => out.after?.());
  }

  async #route(req: IncomingMessage): Promise<Out> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const source = peerAddress(req.socket);
    const endpoints = ESE_ENDPOINTS.filter((e) => e.path === path);
    if (endpoints.length === 0) return { status: 404, reply: eseFailure(EseCode.PROTOCOL_NOT_SUPPORTED) };
    if (!endpoints.some((e) => e.method === req.method)) return { status: 405, reply: eseFailure(EseCode.PROTOCOL_NOT_SUPPORTED) };
    if (Number(req.headers['content-length']) > this.#maxBody) throw new BodyTooLargeError(this.#maxBody);
    const adapter = this.#h.adapterAt(source);
    const auth = path === ESE_PATHS.appAuthentication;
    if (!adapter) throw new EseError(auth ? EseCode.AUTH_FAILED : EseCode.NOT_AUTHENTICATED);
    const body = await jsonBody(req, this.#maxBody);
    if (auth) return this.#authenticate(body, source, adapter);
    const token = body.token;
    const s = typeof token === 'string' ? this.sessions.use(token, source) : undefined;
    if (!s) throw new EseError(EseCode.NOT_AUTHENTICATED);
    if (path === ESE_PATHS.getConfig) {
      const manufacture = reqManufacture(body);
      if (manufacture !== s.manufacture) throw new EseError(EseCode.MANUFACTURE_ERROR);
      return { status: 200, reply: eseSuccess(this.#h.config(s, manufacture)) };
    }
    if (path === ESE_PATHS.reportAlarmEvent) {
      const report = checkAlarmEvent(body);
      await this.#h.alarmEvent(s, report, this.#now());
      return { status: 200, reply: eseSuccess() };
    }
    await this.#h.capture(s, checkCaptureReport(body));
    return { status: 200, reply: eseSuccess() };
  }

  #authenticate(body: Obj, source: string, adapter: ConfiguredAdapter): Out {
    const a = checkAuth(body);
    // The adapter names its own address (L41518): it must be the configured one it comes from.
    if (a.ip !== source) throw new EseError(EseCode.AUTH_FAILED);
    if (a.manufacture !== adapter.manufacture) throw new EseError(EseCode.MANUFACTURE_ERROR);
    if (adapter.mac !== undefined && adapter.mac.toUpperCase() !== a.mac.toUpperCase()) throw new EseError(EseCode.AUTH_FAILED);
    if (!verifyAuthSign(a, a.sign)) throw new EseError(EseCode.AUTH_FAILED);
    const s = this.sessions.issue({ ip: source, mac: a.mac, manufacture: a.manufacture, port: a.alarmAdapterPort });
    return { status: 200, reply: eseSuccess({ token: s.token }), after: () => this.#h.authenticated(s, a) };
  }
}

async function jsonBody(req: IncomingMessage, max: number): Promise<Obj> {
  const raw = await readBody(req, max);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new EseError(EseCode.JSON_FORMAT);
  }
  if (!isObj(body)) throw new EseError(EseCode.JSON_FORMAT);
  return body;
}
