/**
 * The platform side of the push protocol as an HTTP server: the terminal POSTs JSON under the
 * configured push address `http://ip:port[/path]` (seed 003 L13-21, L43-47). This module parses,
 * tidies and checks each message, routes it by path and msgType to a handler and writes the
 * handler's answer back as strings only. Protocol failures answer with the protocol's own codes
 * (§3.1): unknown path or msgType 203, malformed body 200, handler crash 1000.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpListener } from '../common/http-listener.js';
import type { AddressInfo } from 'node:net';
import { PushCode } from './codes.js';
import { PATHS, RESULT_ALIASES, SERVICES, SERVICE_NAMES, missing, normalise, stringsOnly, type Msg, type ServiceName } from './messages.js';

export interface PushHandlers {
  /**
   * May a message naming `deviceNo` come from `source`? The protocol's only credential is the
   * deviceNo (its register sign has no secret), so a terminal with a configured address is held
   * to it. `source` is undefined when a message does not come over the network (tests).
   */
  sourceAllowed(deviceNo: string, source: string | undefined): boolean;
  register(msg: Msg): Promise<Record<string, unknown>>;
  keepAlive(msg: Msg): Promise<Record<string, unknown>>;
  uploadDevInfo(msg: Msg): Promise<Record<string, unknown>>;
  record(msg: Msg): Promise<Record<string, unknown>>;
  /** The terminal asks whether a command waits for `service`. */
  poll(service: ServiceName, msg: Msg): Promise<Record<string, unknown>>;
  /** The terminal reports the outcome of a command (or one item of an info/get extraction). */
  result(service: ServiceName, msg: Msg): Promise<Record<string, unknown>>;
}

export interface PushLog {
  warn(o: object, msg: string): void;
  debug(o: object, msg: string): void;
}

export interface PushServerOptions {
  host: string;
  port: number;
  /** The optional `/path` of the push address (L21), e.g. `/push`; '' for none. */
  prefix?: string;
  /** Largest accepted body; records carry base64 photos "不限" (L4621), so a few MB. */
  maxBodyBytes?: number;
  log?: PushLog;
}

type Route = { kind: 'register' | 'keepAlive' | 'uploadDevInfo' | 'record' } | { kind: 'service'; service: ServiceName };

const ROUTES = new Map<string, Route>([
  [PATHS.register, { kind: 'register' }],
  [PATHS.heartbeat, { kind: 'keepAlive' }],
  [PATHS.uploadDevInfo, { kind: 'uploadDevInfo' }],
  [PATHS.record, { kind: 'record' }],
  ...SERVICE_NAMES.map((s): [string, Route] => [SERVICES[s].path, { kind: 'service', service: s }]),
]);

const MSG_TYPES: Record<'register' | 'keepAlive' | 'uploadDevInfo' | 'record', string> = { register: 'register', keepAlive: 'keepAlive', uploadDevInfo: 'uploadDevInfo', record: 'uploadRecord' };

const noLog: PushLog = { warn: () => {}, debug: () => {} };

export class PushServer {
  readonly #opts: Required<PushServerOptions>;
  readonly #handlers: PushHandlers;

  constructor(handlers: PushHandlers, opts: PushServerOptions) {
    this.#handlers = handlers;
    this.#opts = { prefix: '', maxBodyBytes: 8 * 1024 * 1024, log: noLog, ...opts };
  }

  #http: HttpListener | undefined;

  listen(): Promise<AddressInfo> {
    this.#http ??= new HttpListener((req, res) => void this.#serve(req, res), { host: this.#opts.host, port: this.#opts.port, keepAliveTimeoutMs: 65_000 });
    return this.#http.listen();
  }

  get port(): number {
    return this.#http?.port ?? 0;
  }

  async close(): Promise<void> {
    await this.#http?.close();
  }


  /** Handle one message without HTTP (tests, and the HTTP path below). */
  async handle(path: string, body: unknown, source?: string): Promise<{ status: number; reply: Record<string, unknown> }> {
    const prefix = this.#opts.prefix.replace(/\/+$/, '');
    const rel = prefix && path.startsWith(prefix) ? path.slice(prefix.length) : path;
    const route = ROUTES.get(rel.replace(/\/+$/, ''));
    if (!route) return { status: 404, reply: { msgType: '', errorCode: PushCode.UNKNOWN_MESSAGE, msg: `unknown address ${path}` } };
    const n = normalise(body);
    if (!n) return { status: 200, reply: { msgType: '', errorCode: PushCode.FAILED, msg: 'body is not a JSON object' } };
    const { msg } = n;
    const msgType = msg.msgType ?? '';
    if (!this.#handlers.sourceAllowed(msg.deviceNo ?? '', source)) {
      return { status: 200, reply: { msgType: '', deviceNo: msg.deviceNo ?? '', errorCode: PushCode.FAILED, msg: 'unknown device, or not from its configured address' } };
    }
    if (route.kind === 'service') {
      const svc = SERVICES[route.service];
      const type = RESULT_ALIASES[msgType] ?? msgType;
      if (type === svc.req) {
        const lack = missing(msg, 'poll');
        if (lack.length) return bad(svc.resp, msg, `missing ${lack.join(', ')}`);
        return { status: 200, reply: await this.#handlers.poll(route.service, msg) };
      }
      if (type === svc.resp) {
        const lack = missing(msg, 'result');
        if (lack.length) return bad(svc.resp, msg, `missing ${lack.join(', ')}`);
        return { status: 200, reply: await this.#handlers.result(route.service, msg) };
      }
      return { status: 200, reply: { msgType: svc.resp, deviceNo: msg.deviceNo ?? '', errorCode: PushCode.UNKNOWN_MESSAGE, msg: `unknown msgType "${msgType}" at ${svc.path}` } };
    }
    const want = MSG_TYPES[route.kind];
    if (msgType !== want) return { status: 200, reply: { msgType: `${want}Resp`, deviceNo: msg.deviceNo ?? '', errorCode: PushCode.UNKNOWN_MESSAGE, msg: `msgType must be ${want}` } };
    const lack = missing(msg, route.kind === 'record' ? 'uploadRecord' : route.kind);
    if (lack.length) return bad(`${want}Resp`, msg, `missing ${lack.join(', ')}`);
    return { status: 200, reply: await this.#handlers[route.kind](msg) };
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    let out: { status: number; reply: Record<string, unknown> };
    try {
      if (req.method !== 'POST') out = { status: 405, reply: { msgType: '', errorCode: PushCode.FAILED, msg: 'the terminal calls with POST (L23)' } };
      else {
        const raw = await readBody(req, this.#opts.maxBodyBytes);
        if (raw === undefined) out = { status: 413, reply: { msgType: '', errorCode: PushCode.FAILED, msg: 'body too large' } };
        else {
          let body: unknown;
          try {
            body = JSON.parse(raw.toString('utf8'));
          } catch {
            body = undefined;
          }
          out = body === undefined ? { status: 200, reply: { msgType: '', errorCode: PushCode.FAILED, msg: 'body is not JSON' } } : await this.handle(path, body, req.socket.remoteAddress);
        }
      }
    } catch (err) {
      this.#opts.log.warn({ path, err: (err as Error).message }, 'push message failed');
      out = { status: 200, reply: { msgType: '', errorCode: PushCode.UNKNOWN_ERROR, msg: 'internal error' } };
    }
    if (out.reply.errorCode !== undefined && out.reply.errorCode !== PushCode.OK) this.#opts.log.warn({ path, errorCode: out.reply.errorCode, msg: out.reply.msg }, 'push message refused');
    const text = JSON.stringify(stringsOnly(out.reply));
    res.writeHead(out.status, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }
}

function bad(msgType: string, msg: Msg, why: string): { status: number; reply: Record<string, unknown> } {
  return { status: 200, reply: { msgType, ...(msg.msgID ? { msgID: msg.msgID } : {}), deviceNo: msg.deviceNo ?? '', errorCode: PushCode.FAILED, msg: why } };
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
