/**
 * Everything the cloud sends down, each kind to its handler: property set/get and
 * asynchronous services (`/thing/service/...`, replied on `_reply`), synchronous services over
 * RRPC (replied on `rrpc/response/{messageId}` within the deadline), config push, the
 * platform's sub-device lifecycle notifications, replies to the box's own requests, NTP.
 * A bad message gets the Alink error reply (460, the host's 61xx/62xx codes, 429 when busy)
 * or, where no reply is possible, a logged drop. Never a crash, never silence on a request.
 */
import type { MqttClient } from 'mqtt';
import { ALINK, answerOf, edgeError, ERRORS, fail, ok, type Answer } from '../errors.js';
import type { Logger } from '../log.js';
import { idOf, parseBody, reply, type AlinkReply } from './alink/messages.js';
import { alinkTopics, parseDownTopic, type DownTopic } from './alink/topics.js';
import type { CloudConfig } from './config.js';
import { TOPO_CHANGE_STATUS, type LifecycleAction } from './lifecycle.js';
import { replyKey, type ReplyTracker } from './replies.js';
import { deviceKey } from '../thing/registry.js';

export const MAX_CONCURRENT_CALLS = 64;

export interface DownlinkDeps {
  log: Logger;
  replies: ReplyTracker;
  client(): MqttClient | undefined;
  host: {
    callService(pk: string, dn: string, serviceId: string, params: unknown, timeoutMs?: number): Promise<Answer>;
  };
  configPush(params: unknown): Promise<Answer>;
  lifecycle(pk: string, dn: string, action: LifecycleAction): Promise<void>;
  /** A post was answered with an error code (520: no session → log in again). */
  onRejected(pk: string, dn: string, reply: AlinkReply): void;
  onClock(offsetMs: number): void;
  /** Services the box itself offers on the gateway device (e.g. SyncPersons), by identifier. */
  gatewayServices?: ReadonlyMap<string, GatewayService>;
}

export type GatewayService = (params: unknown) => Answer | Promise<Answer>;

export class Downlink {
  readonly #deps: DownlinkDeps;
  readonly #cfg: CloudConfig;
  #busy = 0;
  dropped = 0;
  errors = 0;

  constructor(deps: DownlinkDeps, cfg: CloudConfig) {
    this.#deps = deps;
    this.#cfg = cfg;
  }

  handle(topic: string, payload: Buffer): void {
    const t = parseDownTopic(topic);
    if (!t) {
      this.#drop(topic, 'topic not served');
      return;
    }
    const parsed = parseBody(payload, t.kind === 'configPush' ? this.#cfg.maxDownBytes : this.#cfg.maxDownBytes);
    if (!parsed.ok) {
      this.#refuse(topic, t, '', fail(ERRORS.EDGE_ERR_REQUEST_INVALID, parsed.reason));
      return;
    }
    const body = parsed.body;
    switch (t.kind) {
      case 'reply':
        this.#onReply(replyKey(deviceKey(t.pk, t.dn), t.request, idOf(body)), t.pk, t.dn, body);
        return;
      case 'sessionReply':
        this.#onReply(replyKey(deviceKey(t.pk, t.dn), `combine/${t.action}`, idOf(body)), t.pk, t.dn, body);
        return;
      case 'ntp':
        this.#onNtp(body);
        return;
      default:
        void this.#request(topic, t, body);
    }
  }

  async #request(
    topic: string,
    t: Exclude<DownTopic, { kind: 'reply' | 'sessionReply' | 'ntp' }>,
    body: Record<string, unknown>,
  ): Promise<void> {
    const id = idOf(body);
    if (id === '') {
      this.#refuse(topic, t, '', fail(ERRORS.EDGE_ERR_REQUEST_INVALID, 'request needs an id (numeric string)'));
      return;
    }
    if (this.#busy >= MAX_CONCURRENT_CALLS) {
      this.#refuse(topic, t, id, answerOf(edgeError('EDGE_ERR_BUSY', `${this.#busy} calls in progress`)));
      return;
    }
    this.#busy++;
    try {
      const answer = await this.#dispatch(t, body);
      this.#respond(topic, t, id, answer);
    } catch (err) {
      this.errors++;
      this.#deps.log.error({ err, topic }, 'downlink request failed');
      this.#respond(topic, t, id, answerOf(err));
    } finally {
      this.#busy--;
    }
  }

  async #dispatch(t: Exclude<DownTopic, { kind: 'reply' | 'sessionReply' | 'ntp' }>, body: Record<string, unknown>): Promise<Answer> {
    switch (t.kind) {
      case 'service':
        if (this.#isGateway(t.pk, t.dn)) return this.#gatewayService(t.serviceId, body.params ?? {});
        return this.#deps.host.callService(t.pk, t.dn, t.serviceId, body.params ?? {});
      case 'rrpc': {
        const serviceId = serviceOfMethod(body.method);
        if (!serviceId) return fail(ERRORS.EDGE_ERR_REQUEST_INVALID, 'RRPC body needs method thing.service.<identifier>');
        const call = this.#isGateway(t.pk, t.dn)
          ? this.#gatewayService(serviceId, body.params ?? {})
          : this.#deps.host.callService(t.pk, t.dn, serviceId, body.params ?? {}, this.#cfg.rrpcTimeoutMs);
        return withDeadline(call, this.#cfg.rrpcTimeoutMs, serviceId);
      }
      case 'configPush':
        if (!this.#isGateway(t.pk, t.dn)) return fail(ERRORS.EDGE_ERR_REQUEST_INVALID, 'config push is served on the gateway topic only');
        return this.#deps.configPush(body.params);
      case 'lifecycle':
        if (this.#isGateway(t.pk, t.dn)) return fail(ERRORS.EDGE_ERR_REQUEST_INVALID, 'the gateway cannot disable itself');
        await this.#deps.lifecycle(t.pk, t.dn, t.action);
        return ok();
      case 'topoChange':
        return this.#topoChange(body.params);
    }
  }

  async #gatewayService(serviceId: string, params: unknown): Promise<Answer> {
    const fn = this.#deps.gatewayServices?.get(serviceId);
    if (!fn)
      return answerOf(edgeError('EDGE_ERR_SERVICE_UNKNOWN', serviceId, `the gateway ${this.#cfg.productKey}/${this.#cfg.deviceName}`));
    return fn(params);
  }

  async #topoChange(params: unknown): Promise<Answer> {
    const p = params as { status?: unknown; subList?: unknown } | null;
    const action = typeof p?.status === 'number' ? TOPO_CHANGE_STATUS[p.status] : undefined;
    if (!action || !Array.isArray(p?.subList)) return fail(ERRORS.EDGE_ERR_REQUEST_INVALID, 'params needs status (0,1,2,8) and subList');
    for (const s of p.subList as Array<{ productKey?: unknown; deviceName?: unknown }>) {
      if (typeof s?.productKey !== 'string' || typeof s.deviceName !== 'string')
        return fail(ERRORS.EDGE_ERR_REQUEST_INVALID, 'subList entries need productKey and deviceName');
    }
    for (const s of p.subList as Array<{ productKey: string; deviceName: string }>)
      await this.#deps.lifecycle(s.productKey, s.deviceName, action);
    return ok();
  }

  #respond(topic: string, t: DownTopic, id: string, answer: Answer): void {
    const client = this.#deps.client();
    if (!client) {
      this.#deps.log.warn({ topic, id, code: answer.code }, 'link went down before the reply; reply lost (the cloud times out)');
      return;
    }
    const body = reply(id, answer.code, answer.message, answer.data ?? {});
    // RRPC responses are QoS 0 only (doc 90568).
    if (t.kind === 'rrpc') client.publish(alinkTopics.rrpcResponse(t.pk, t.dn, t.messageId), body, { qos: 0 });
    else client.publish(alinkTopics.reply(topic), body, { qos: 1 });
  }

  #refuse(topic: string, t: DownTopic, id: string, answer: Answer): void {
    this.#deps.log.warn({ topic, id, code: answer.code, reason: answer.message }, 'downlink message refused');
    this.errors++;
    if (t.kind === 'reply' || t.kind === 'sessionReply' || t.kind === 'ntp') {
      this.dropped++;
      return;
    }
    this.#respond(topic, t, id, answer);
  }

  #onReply(key: string, pk: string, dn: string, body: Record<string, unknown>): void {
    const code = typeof body.code === 'number' ? body.code : Number(body.code);
    const r: AlinkReply = { id: idOf(body), code, ...(typeof body.message === 'string' ? { message: body.message } : {}), data: body.data };
    if (!this.#deps.replies.settle(key, r)) {
      this.#drop(key, 'reply to an unknown or expired id');
      return;
    }
    if (code !== ALINK.SUCCESS) this.#deps.onRejected(pk, dn, r);
  }

  #onNtp(body: Record<string, unknown>): void {
    const deviceRecv = Date.now();
    const [send, srvRecv, srvSend] = [body.deviceSendTime, body.serverRecvTime, body.serverSendTime].map(Number);
    if (![send, srvRecv, srvSend].every((n) => Number.isFinite(n) && (n as number) > 0)) {
      this.#drop('ntp', 'NTP response without the four timestamps');
      return;
    }
    // Doc 102509: device time = (serverRecvTime + serverSendTime + deviceRecvTime - deviceSendTime) / 2
    const now = (srvRecv! + srvSend! + deviceRecv - send!) / 2;
    this.#deps.onClock(Math.round(now - deviceRecv));
  }

  #drop(what: string, reason: string): void {
    this.dropped++;
    this.#deps.log.debug({ what, reason }, 'downlink message dropped');
  }

  #isGateway(pk: string, dn: string): boolean {
    return pk === this.#cfg.productKey && dn === this.#cfg.deviceName;
  }
}

/** `thing.service.Open` → `Open`; `thing.service.property.set` → `set`. */
export function serviceOfMethod(method: unknown): string | undefined {
  if (typeof method !== 'string' || !method.startsWith('thing.service.')) return undefined;
  const rest = method.slice('thing.service.'.length);
  if (rest === 'property.set') return 'set';
  if (rest === 'property.get') return 'get';
  return /^[A-Za-z0-9_-]{1,64}$/.test(rest) ? rest : undefined;
}

function withDeadline(call: Promise<Answer>, ms: number, what: string): Promise<Answer> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Answer>((resolve) => {
    timer = setTimeout(() => resolve(answerOf(edgeError('EDGE_ERR_DRIVER_TIMEOUT', what, 'the RRPC call', ms))), ms);
  });
  return Promise.race([call, late]).finally(() => clearTimeout(timer));
}
