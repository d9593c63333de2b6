/**
 * The cloud stand-in: plays the IoT Platform on a real broker. It checks the sub-devices'
 * signatures (topo/add, login), answers topo/add, topo/get and topo/delete from its own
 * topology and records every topology request, answers logins, records every post (pack posts
 * split per sub-device) with its arrival order, answers NTP, and drives the box: service calls (async and RRPC), property
 * set, config push (served from a loopback HTTP file server, SHA-256 signed like the
 * platform's OSS links), lifecycle notifications, and raw (hostile) messages.
 * The gateway's own CONNECT signature is checked by the broker's password file (verify.ts).
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import mqtt, { type MqttClient } from 'mqtt';
import { type PackContext, packPost } from './pack-post.js';
import { key, SubDevicePlatform } from './sub-devices.js';

export interface Identity {
  productKey: string;
  deviceName: string;
  deviceSecret: string;
}

export interface Post {
  topic: string;
  device: string;
  /** property | event:<id> | history */
  kind: string;
  id: string;
  body: Record<string, unknown>;
  loggedIn: boolean;
  at: number;
}

export interface Reply {
  id: string;
  code: number;
  message?: string;
  data?: unknown;
}

export interface StandInOptions {
  url: string;
  username?: string;
  password?: string;
  gateway: Identity;
  subDevices: Identity[];
  clientId?: string;
}

export class CloudStandIn {
  readonly posts: Post[] = [];
  /** Pack posts refused whole (one sub-device failed the check). */
  readonly packRejected: Array<{ id: string; reason: string; body: Record<string, unknown> }> = [];
  readonly replies: Array<{ topic: string; body: Record<string, unknown> }> = [];
  /** Topology, registrations and sessions of the sub-devices (sub-devices.ts); its records are the fields below. */
  readonly platform: SubDevicePlatform;
  readonly loggedIn: Set<string>;
  readonly topology: Set<string>;
  readonly topoDeletes: SubDevicePlatform['topoDeletes'];
  readonly topoGets: string[];
  readonly registrations: string[][];
  readonly topoAdds: string[][];
  readonly authFailures: string[];
  readonly #opts: StandInOptions;
  readonly #waiting = new Map<string, (r: Reply) => void>();
  #client: MqttClient | undefined;
  #http: Server | undefined;
  #httpPort = 0;
  readonly #files = new Map<string, string>();
  #nextId = 1000;

  constructor(options: StandInOptions) {
    this.#opts = options;
    this.platform = new SubDevicePlatform(options.gateway, options.subDevices, (topic, body) => this.#publish(topic, body));
    ({
      loggedIn: this.loggedIn,
      topology: this.topology,
      topoDeletes: this.topoDeletes,
      topoGets: this.topoGets,
      registrations: this.registrations,
      topoAdds: this.topoAdds,
      authFailures: this.authFailures,
    } = this.platform);
  }

  async start(): Promise<void> {
    // A persistent session: messages the box publishes while the stand-in reconnects queue for it.
    this.#client = await mqtt.connectAsync(this.#opts.url, {
      clientId: this.#opts.clientId ?? 'cloud-stand-in',
      clean: false,
      reconnectPeriod: 300,
      ...(this.#opts.username ? { username: this.#opts.username, password: this.#opts.password ?? '' } : {}),
    });
    this.#client.on('message', (topic, payload) => this.#onMessage(topic, payload));
    await this.#client.subscribeAsync(['/sys/#', '/ext/session/#', '/ext/ntp/+/+/request'], { qos: 1 });
    this.#http = createServer((req, res) => {
      const body = this.#files.get(req.url ?? '');
      if (body === undefined) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
    });
    await new Promise<void>((r) => this.#http!.listen(0, '127.0.0.1', r));
    const addr = this.#http.address();
    this.#httpPort = typeof addr === 'object' && addr ? addr.port : 0;
  }

  async stop(): Promise<void> {
    await this.#client?.endAsync(true).catch(() => undefined);
    await new Promise<void>((r) => (this.#http ? this.#http.close(() => r()) : r()));
  }

  get connected(): boolean {
    return this.#client?.connected ?? false;
  }

  postsOf(productKey: string, deviceName: string): Post[] {
    return this.posts.filter((p) => p.device === key(productKey, deviceName));
  }

  async waitFor<T>(check: () => T | undefined | false, timeoutMs = 15_000, what = 'condition'): Promise<T> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v) return v;
      if (Date.now() > until) throw new Error(`stand-in: timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Asynchronous service (or property set/get): `/thing/service/<id>`, reply on `_reply`. */
  invoke(pk: string, dn: string, serviceId: string, params: unknown, timeoutMs = 10_000): Promise<Reply> {
    const id = String(this.#nextId++);
    const suffix = serviceId === 'set' ? 'property/set' : serviceId === 'get' ? 'property/get' : serviceId;
    const method =
      serviceId === 'set'
        ? 'thing.service.property.set'
        : serviceId === 'get'
          ? 'thing.service.property.get'
          : `thing.service.${serviceId}`;
    const topic = `/sys/${pk}/${dn}/thing/service/${suffix}`;
    return this.#call(`${topic}_reply#${id}`, topic, JSON.stringify({ id, version: '1.0', params, method }), timeoutMs);
  }

  /** Synchronous service over RRPC; resolves with the response and how long it took. */
  async rrpc(pk: string, dn: string, serviceId: string, params: unknown, timeoutMs = 15_000): Promise<Reply & { ms: number }> {
    const messageId = String(Date.now()) + String(this.#nextId++);
    const id = String(this.#nextId++);
    const t0 = Date.now();
    const r = await this.#call(
      `/sys/${pk}/${dn}/rrpc/response/${messageId}`,
      `/sys/${pk}/${dn}/rrpc/request/${messageId}`,
      JSON.stringify({ id, version: '1.0', params, method: `thing.service.${serviceId}` }),
      timeoutMs,
      0,
    );
    return { ...r, ms: Date.now() - t0 };
  }

  /** Push a driver config the platform way: a file URL plus its SHA-256. */
  pushConfig(content: string, timeoutMs = 20_000): Promise<Reply> {
    const g = this.#opts.gateway;
    const configId = `cfg${this.#nextId++}`;
    this.#files.set(`/${configId}`, content);
    const id = String(this.#nextId++);
    const topic = `/sys/${g.productKey}/${g.deviceName}/thing/config/push`;
    const params = {
      configId,
      configSize: Buffer.byteLength(content),
      sign: createHash('sha256').update(content).digest('hex'),
      signMethod: 'Sha256',
      url: `http://127.0.0.1:${this.#httpPort}/${configId}`,
      getType: 'file',
    };
    return this.#call(
      `${topic}_reply#${id}`,
      topic,
      JSON.stringify({ id, version: '1.0', params, method: 'thing.config.push' }),
      timeoutMs,
    );
  }

  /** thing/disable | enable | delete on a sub-device's topic. */
  lifecycle(pk: string, dn: string, action: 'disable' | 'enable' | 'delete'): Promise<Reply> {
    const id = String(this.#nextId++);
    const topic = `/sys/${pk}/${dn}/thing/${action}`;
    return this.#call(`${topic}_reply#${id}`, topic, JSON.stringify({ id, version: '1.0', params: {}, method: `thing.${action}` }), 10_000);
  }

  /** Somebody else (console, another tool) attaches a sub-device to the gateway. */
  attachElsewhere(pk: string, dn: string): void {
    this.topology.add(key(pk, dn));
  }

  /**
   * The platform changes the topology itself and tells the gateway (topo/change; status 0
   * create, 1 delete). Its own topology changes first, as on the platform.
   */
  topoChange(status: 0 | 1, devices: Array<{ productKey: string; deviceName: string }>): void {
    for (const d of devices) {
      if (status === 0) this.topology.add(key(d.productKey, d.deviceName));
      else {
        this.topology.delete(key(d.productKey, d.deviceName));
        this.loggedIn.delete(key(d.productKey, d.deviceName));
      }
    }
    const g = this.#opts.gateway;
    const body = { id: String(this.#nextId++), version: '1.0', params: { status, subList: devices }, method: 'thing.topo.change' };
    this.#client!.publish(`/sys/${g.productKey}/${g.deviceName}/thing/topo/change`, JSON.stringify(body), { qos: 1 });
  }

  /** Anything, for hostile-input tests; the reply (if any) is awaited on `replyTopic` by id. */
  raw(topic: string, payload: string | Buffer, replyTopic?: string, id?: string, timeoutMs = 5_000): Promise<Reply | undefined> {
    if (!replyTopic) {
      this.#client!.publish(topic, payload, { qos: 1 });
      return Promise.resolve(undefined);
    }
    const waitKey = replyTopic.includes('/rrpc/response/') ? replyTopic : `${replyTopic}#${id ?? ''}`;
    return this.#call(waitKey, topic, payload, timeoutMs).catch(() => undefined);
  }

  #call(waitKey: string, topic: string, payload: string | Buffer, timeoutMs: number, qos: 0 | 1 = 1): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(waitKey);
        reject(new Error(`stand-in: no reply on ${waitKey}`));
      }, timeoutMs);
      this.#waiting.set(waitKey, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.#client!.publish(topic, payload, { qos });
    });
  }

  #onMessage(topic: string, payload: Buffer): void {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
    } catch {
      return;
    }
    if (typeof body !== 'object' || body === null) return;
    const id = typeof body.id === 'string' ? body.id : String(body.id ?? '');
    if (
      /\/thing\/event\/.*_reply$|\/thing\/topo\/(add|get|delete)_reply$|\/thing\/sub\/register_reply$|\/combine\/[a-z_]+_reply$/.test(topic)
    )
      return; // our own replies, echoed
    if (topic.endsWith('_reply') || topic.includes('/rrpc/response/')) return this.#onReply(topic, id, body);
    const p = topic.split('/');
    if (p[1] === 'ext' && p[2] === 'ntp') {
      const now = String(Date.now());
      this.#publish(`/ext/ntp/${p[3]}/${p[4]}/response`, { deviceSendTime: body.deviceSendTime, serverRecvTime: now, serverSendTime: now });
      return;
    }
    if (p[1] === 'ext' && p[2] === 'session') {
      this.platform.session(topic, p[6] ?? '', id, body.params);
      return;
    }
    const rest = p.slice(4).join('/');
    if (rest === 'thing/topo/add') return this.platform.topoAdd(topic, id, body.params);
    if (rest === 'thing/sub/register') return this.platform.subRegister(topic, id, body.params);
    if (rest === 'thing/topo/get') return this.platform.topoGet(topic, id);
    if (rest === 'thing/topo/delete') return this.platform.topoDelete(topic, id, body.params);
    if (rest === 'thing/event/property/pack/post') return packPost(this.#packContext, topic, p[2]!, p[3]!, id, body);
    if (rest.startsWith('thing/event/') && rest.endsWith('/post')) this.#recordPost(topic, p, id, body);
  }

  /** A property, history or event post of a device: recorded (with whether the device was logged in) and acknowledged. */
  #recordPost(topic: string, p: string[], id: string, body: Record<string, unknown>): void {
    const rest = p.slice(4).join('/');
    const device = key(p[2]!, p[3]!);
    const kind =
      rest === 'thing/event/property/post' ? 'property' : rest === 'thing/event/property/history/post' ? 'history' : `event:${p[6]}`;
    const gateway = key(this.#opts.gateway.productKey, this.#opts.gateway.deviceName);
    this.posts.push({ topic, device, kind, id, body, loggedIn: this.loggedIn.has(device) || device === gateway, at: Date.now() });
    this.#publish(`${topic}_reply`, { id, code: 200, data: {}, message: 'success' });
  }

  /** The box's answer to a call of ours: recorded, and handed to the call waiting for it. */
  #onReply(topic: string, id: string, body: Record<string, unknown>): void {
    this.replies.push({ topic, body });
    const waitKey = topic.includes('/rrpc/response/') ? topic : `${topic}#${id}`;
    const message = typeof body.message === 'string' ? { message: body.message } : {};
    this.#waiting.get(waitKey)?.({ id, code: Number(body.code), ...message, data: body.data });
    this.#waiting.delete(waitKey);
  }

  get #packContext(): PackContext {
    return { loggedIn: this.loggedIn, posts: this.posts, packRejected: this.packRejected, publish: (t, b) => this.#publish(t, b) };
  }

  #publish(topic: string, body: unknown): void {
    this.#client?.publish(topic, JSON.stringify(body), { qos: 0 });
  }
}
