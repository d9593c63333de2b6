/**
 * The platform side of the push protocol as an HTTP server: the terminal POSTs JSON under the
 * configured push address `http://ip:port[/path]` (seed 003 L13-21, L43-47). This module parses,
 * tidies and checks each message, routes it by path and msgType to a handler and writes the
 * handler's answer back as strings only. Protocol failures answer with the protocol's own codes
 * (§3.1): unknown path or msgType 203, malformed body, body too large or too many requests 200,
 * handler crash 1000. Time limits, connection caps, per-source rate limits and the body cap are
 * the shared device-facing listener's (protocols/common/http-listener.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, RequestAbortedError, readBody } from '../common/body.js';
import type { Endpoint, ListenerLimits } from '../common/http-listener.js';
import { DeviceHttpServer } from '../common/device-http-server.js';
import { peerAddress } from '../common/source-address.js';
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

export interface PushServerOptions extends Partial<ListenerLimits> {
  host: string;
  port: number;
  /** The optional `/path` of the push address (L21), e.g. `/push`; '' for none. */
  prefix?: string;
  log?: PushLog;
}

/** Records carry base64 photos "不限" (L4621): a few MB. */
export const PUSH_MAX_BODY_BYTES = 8 * 1024 * 1024;

/** Every path a terminal calls, under the configured prefix (the listener registry lists them). */
export const PUSH_ENDPOINTS: readonly Endpoint[] = [...Object.values(PATHS), ...SERVICE_NAMES.map((s) => SERVICES[s].path)].map((path) => ({
  method: 'POST',
  path,
}));

type Route = { kind: 'register' | 'keepAlive' | 'uploadDevInfo' | 'record' } | { kind: 'service'; service: ServiceName };

const ROUTES = new Map<string, Route>([
  [PATHS.register, { kind: 'register' }],
  [PATHS.heartbeat, { kind: 'keepAlive' }],
  [PATHS.uploadDevInfo, { kind: 'uploadDevInfo' }],
  [PATHS.record, { kind: 'record' }],
  ...SERVICE_NAMES.map((s): [string, Route] => [SERVICES[s].path, { kind: 'service', service: s }]),
]);

const MSG_TYPES: Record<'register' | 'keepAlive' | 'uploadDevInfo' | 'record', string> = {
  register: 'register',
  keepAlive: 'keepAlive',
  uploadDevInfo: 'uploadDevInfo',
  record: 'uploadRecord',
};

const noLog: PushLog = { warn: () => {}, debug: () => {} };
const JSON_TYPE = 'application/json;charset=UTF-8';

export class PushServer extends DeviceHttpServer {
  readonly #opts: PushServerOptions & { prefix: string; log: PushLog; maxBodyBytes: number };
  readonly #handlers: PushHandlers;

  constructor(handlers: PushHandlers, opts: PushServerOptions) {
    const o = { prefix: '', maxBodyBytes: PUSH_MAX_BODY_BYTES, log: noLog, ...opts };
    super({
      ...o,
      // Terminals poll every few seconds: their connections are worth keeping.
      keepAliveTimeoutMs: 65_000,
      refusal: (r) => ({
        contentType: JSON_TYPE,
        body: JSON.stringify(stringsOnly({ msgType: '', errorCode: PushCode.FAILED, msg: r.reason })),
      }),
    });
    this.#handlers = handlers;
    this.#opts = o;
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
      return {
        status: 200,
        reply: {
          msgType: '',
          deviceNo: msg.deviceNo ?? '',
          errorCode: PushCode.FAILED,
          msg: 'unknown device, or not from its configured address',
        },
      };
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
      return {
        status: 200,
        reply: {
          msgType: svc.resp,
          deviceNo: msg.deviceNo ?? '',
          errorCode: PushCode.UNKNOWN_MESSAGE,
          msg: `unknown msgType "${msgType}" at ${svc.path}`,
        },
      };
    }
    const want = MSG_TYPES[route.kind];
    if (msgType !== want)
      return {
        status: 200,
        reply: {
          msgType: `${want}Resp`,
          deviceNo: msg.deviceNo ?? '',
          errorCode: PushCode.UNKNOWN_MESSAGE,
          msg: `msgType must be ${want}`,
        },
      };
    const lack = missing(msg, route.kind === 'record' ? 'uploadRecord' : route.kind);
    if (lack.length) return bad(`${want}Resp`, msg, `missing ${lack.join(', ')}`);
    return { status: 200, reply: await this.#handlers[route.kind](msg) };
  }

  protected async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    let out: { status: number; reply: Record<string, unknown> };
    try {
      if (req.method !== 'POST')
        out = { status: 405, reply: { msgType: '', errorCode: PushCode.FAILED, msg: 'the terminal calls with POST (L23)' } };
      else {
        const raw = await readBody(req, this.#opts.maxBodyBytes);
        let body: unknown;
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          body = undefined;
        }
        out =
          body === undefined
            ? { status: 200, reply: { msgType: '', errorCode: PushCode.FAILED, msg: 'body is not JSON' } }
            : await this.handle(path, body, peerAddress(req.socket));
      }
    } catch (err) {
      if (err instanceof BodyTooLargeError)
        out = { status: 413, reply: { msgType: '', errorCode: PushCode.FAILED, msg: 'body too large' } };
      else if (err instanceof RequestAbortedError)
        return; // the terminal went away mid-body: nobody to answer
      else {
        this.#opts.log.warn({ path, err: (err as Error).message }, 'push message failed');
        out = { status: 200, reply: { msgType: '', errorCode: PushCode.UNKNOWN_ERROR, msg: 'internal error' } };
      }
    }
    if (out.reply.errorCode !== undefined && out.reply.errorCode !== PushCode.OK)
      this.#opts.log.warn({ path, errorCode: out.reply.errorCode, msg: out.reply.msg }, 'push message refused');
    const text = JSON.stringify(stringsOnly(out.reply));
    // A body refused for its size is not drained: the connection closes instead.
    res.writeHead(out.status, {
      'Content-Type': JSON_TYPE,
      'Content-Length': Buffer.byteLength(text),
      ...(out.status === 413 ? { Connection: 'close' } : {}),
    });
    res.end(text);
  }
}

function bad(msgType: string, msg: Msg, why: string): { status: number; reply: Record<string, unknown> } {
  return {
    status: 200,
    reply: { msgType, ...(msg.msgID ? { msgID: msg.msgID } : {}), deviceNo: msg.deviceNo ?? '', errorCode: PushCode.FAILED, msg: why },
  };
}
