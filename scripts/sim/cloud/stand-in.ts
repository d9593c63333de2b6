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
import { signMatches } from './verify.js';

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

const key = (pk: string, dn: string) => `${pk}/${dn}`;

export class CloudStandIn {
  readonly posts: Post[] = [];
  readonly loggedIn = new Set<string>();
  readonly topology = new Set<string>();
  /** Every topo/delete the box sent, as received (valid or not). */
  readonly topoDeletes: Array<{ id: string; devices: string[]; code: number }> = [];
  /** Every topo/get the box sent (its id). */
  readonly topoGets: string[] = [];
  /** Every thing/sub/register the box sent: the devices in it. */
  readonly registrations: string[][] = [];
  /** Every topo/add the box sent: the devices in it. */
  readonly topoAdds: string[][] = [];
  /** Pack posts refused whole (one sub-device failed the check). */
  readonly packRejected: Array<{ id: string; reason: string; body: Record<string, unknown> }> = [];
  readonly authFailures: string[] = [];
  readonly replies: Array<{ topic: string; body: Record<string, unknown> }> = [];
  readonly #opts: StandInOptions;
  readonly #secrets = new Map<string, string>();
  readonly #waiting = new Map<string, (r: Reply) => void>();
  #client: MqttClient | undefined;
  #http: Server | undefined;
  #httpPort = 0;
  readonly #files = new Map<string, string>();
  #nextId = 1000;

  constructor(options: StandInOptions) {
    this.#opts = options;
    for (const d of options.subDevices) this.#secrets.set(key(d.productKey, d.deviceName), d.deviceSecret);
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
    if (topic.endsWith('_reply') || topic.includes('/rrpc/response/')) {
      this.replies.push({ topic, body });
      const waitKey = topic.includes('/rrpc/response/') ? topic : `${topic}#${id}`;
      this.#waiting.get(waitKey)?.({
        id,
        code: Number(body.code),
        ...(typeof body.message === 'string' ? { message: body.message } : {}),
        data: body.data,
      });
      this.#waiting.delete(waitKey);
      return;
    }
    const p = topic.split('/');
    if (p[1] === 'ext' && p[2] === 'ntp') {
      const now = String(Date.now());
      this.#publish(`/ext/ntp/${p[3]}/${p[4]}/response`, { deviceSendTime: body.deviceSendTime, serverRecvTime: now, serverSendTime: now });
      return;
    }
    if (p[1] === 'ext' && p[2] === 'session') {
      this.#session(topic, p[6] ?? '', id, body.params);
      return;
    }
    const rest = p.slice(4).join('/');
    if (rest === 'thing/topo/add') return this.#topoAdd(topic, id, body.params);
    if (rest === 'thing/sub/register') return this.#subRegister(topic, id, body.params);
    if (rest === 'thing/topo/get') return this.#topoGet(topic, id);
    if (rest === 'thing/topo/delete') return this.#topoDelete(topic, id, body.params);
    if (rest === 'thing/event/property/pack/post') return this.#packPost(topic, p[2]!, p[3]!, id, body);
    if (rest.startsWith('thing/event/') && rest.endsWith('/post')) {
      const pk = p[2]!;
      const dn = p[3]!;
      const kind =
        rest === 'thing/event/property/post' ? 'property' : rest === 'thing/event/property/history/post' ? 'history' : `event:${p[6]}`;
      this.posts.push({
        topic,
        device: key(pk, dn),
        kind,
        id,
        body,
        loggedIn: this.loggedIn.has(key(pk, dn)) || key(pk, dn) === key(this.#opts.gateway.productKey, this.#opts.gateway.deviceName),
        at: Date.now(),
      });
      this.#publish(`${topic}_reply`, { id, code: 200, data: {}, message: 'success' });
    }
  }

  #topoAdd(topic: string, id: string, params: unknown): void {
    const list = Array.isArray(params) ? (params as Array<Record<string, string>>) : [];
    const bad = list.filter((d) => !this.#verify(d, d.signmethod ?? ''));
    if (list.length === 0 || list.length > 30 || bad.length > 0) {
      this.authFailures.push(...bad.map((d) => key(d.productKey ?? '', d.deviceName ?? '')));
      this.#publish(`${topic}_reply`, {
        id,
        code: list.length > 30 ? 460 : 401,
        message: list.length > 30 ? 'too many sub-devices' : 'request auth error',
        data: bad.map((d) => ({ productKey: d.productKey, deviceName: d.deviceName })),
      });
      return;
    }
    for (const d of list) this.topology.add(key(d.productKey!, d.deviceName!));
    this.topoAdds.push(list.map((d) => key(d.productKey!, d.deviceName!)));
    this.#publish(`${topic}_reply`, {
      id,
      code: 200,
      message: 'success',
      data: list.map((d) => ({ productKey: d.productKey, deviceName: d.deviceName })),
    });
  }

  /**
   * Dynamic registration of sub-devices (method thing.sub.register): params [{productKey,
   * deviceName}]; data [{iotId, productKey, deviceName, deviceSecret}] for each device the
   * platform knows (the stand-in's sub-device list); 460 for a malformed request, 6402 when the
   * gateway names itself.
   */
  #subRegister(topic: string, id: string, params: unknown): void {
    const list = Array.isArray(params) ? (params as Array<Record<string, unknown>>) : [];
    const wellFormed =
      list.length > 0 && list.length <= 30 && list.every((d) => typeof d?.productKey === 'string' && typeof d.deviceName === 'string');
    const gw = this.#opts.gateway;
    if (!wellFormed) return this.#publish(`${topic}_reply`, { id, code: 460, message: 'request parameter error', data: {} });
    if (list.some((d) => d.productKey === gw.productKey && d.deviceName === gw.deviceName))
      return this.#publish(`${topic}_reply`, { id, code: 6402, message: 'topo relation cannot add by self', data: {} });
    const known = list
      .map((d) => this.#opts.subDevices.find((s) => s.productKey === d.productKey && s.deviceName === d.deviceName))
      .filter((s): s is Identity => s !== undefined);
    this.registrations.push(list.map((d) => key(d.productKey as string, d.deviceName as string)));
    this.#publish(`${topic}_reply`, {
      id,
      code: 200,
      message: 'success',
      data: known.map((s) => ({
        iotId: `iot-${s.deviceName}`,
        productKey: s.productKey,
        deviceName: s.deviceName,
        deviceSecret: s.deviceSecret,
      })),
    });
  }

  /** Doc "获取拓扑关系": reply data [{productKey, deviceName}] of every attached sub-device. */
  #topoGet(topic: string, id: string): void {
    this.topoGets.push(id);
    const data = [...this.topology].map((k) => {
      const i = k.indexOf('/');
      return { productKey: k.slice(0, i), deviceName: k.slice(i + 1) };
    });
    this.#publish(`${topic}_reply`, { id, code: 200, message: 'success', data });
  }

  /**
   * Doc "删除拓扑关系": params [{productKey, deviceName}], at most 30; 460 for a malformed
   * request, 6100 when a listed device is not attached (nothing is deleted then).
   */
  #topoDelete(topic: string, id: string, params: unknown): void {
    const list = Array.isArray(params) ? (params as Array<Record<string, unknown>>) : [];
    const wellFormed =
      list.length > 0 && list.length <= 30 && list.every((d) => typeof d?.productKey === 'string' && typeof d.deviceName === 'string');
    const devices = wellFormed ? list.map((d) => key(d.productKey as string, d.deviceName as string)) : [];
    const code = !wellFormed ? 460 : devices.some((k) => !this.topology.has(k)) ? 6100 : 200;
    this.topoDeletes.push({ id, devices, code });
    if (code === 200) {
      for (const k of devices) {
        this.topology.delete(k);
        this.loggedIn.delete(k);
      }
    }
    const message = code === 200 ? 'success' : code === 460 ? 'request parameter error' : 'device not found';
    this.#publish(`${topic}_reply`, {
      id,
      code,
      message,
      data: code === 200 ? list.map((d) => ({ productKey: d.productKey, deviceName: d.deviceName })) : {},
    });
  }

  /**
   * Gateway pack post (doc 89301 "网关批量上报数据"): at most 20 sub-devices, 200 properties,
   * 20 events; every sub-device must be attached and online, else the whole message fails.
   * Accepted ones are recorded per sub-device (kind 'pack', id = the gateway's message id).
   */
  #packPost(topic: string, gwPk: string, gwDn: string, id: string, body: Record<string, unknown>): void {
    const params = body.params as
      | {
          properties?: Record<string, unknown>;
          subDevices?: Array<{
            identity?: { productKey?: string; deviceName?: string };
            properties?: Record<string, unknown>;
            events?: Record<string, unknown>;
          }>;
        }
      | undefined;
    const subs = Array.isArray(params?.subDevices) ? params.subDevices : [];
    const props = subs.reduce((n, s) => n + Object.keys(s.properties ?? {}).length, Object.keys(params?.properties ?? {}).length);
    const events = subs.reduce((n, s) => n + Object.keys(s.events ?? {}).length, 0);
    let reason = '';
    if (body.method !== 'thing.event.property.pack.post') reason = 'wrong method';
    else if (subs.length > 20 || props > 200 || events > 20)
      reason = `over the limits (${subs.length} devices, ${props} properties, ${events} events)`;
    else {
      const bad = subs.find(
        (s) => !s.identity?.productKey || !s.identity.deviceName || !this.loggedIn.has(key(s.identity.productKey, s.identity.deviceName)),
      );
      if (bad) reason = `sub-device ${bad.identity?.productKey}/${bad.identity?.deviceName} not attached or not online`;
    }
    if (reason !== '') {
      this.packRejected.push({ id, reason, body });
      this.#publish(`${topic}_reply`, { id, code: 460, message: reason, data: {} });
      return;
    }
    const at = Date.now();
    this.posts.push({ topic, device: key(gwPk, gwDn), kind: 'pack', id, body, loggedIn: true, at });
    for (const s of subs) {
      const dev = key(s.identity!.productKey!, s.identity!.deviceName!);
      this.posts.push({ topic, device: dev, kind: 'pack', id, body: { id, params: s.properties ?? {} }, loggedIn: true, at });
    }
    this.#publish(`${topic}_reply`, { id, code: 200, message: 'success', data: {} });
  }

  #session(topic: string, action: string, id: string, params: unknown): void {
    const reply = (code: number, message: string, data: unknown) => this.#publish(`${topic}_reply`, { id, code, message, data });
    if (action === 'login' || action === 'batch_login') {
      const p = params as { deviceList?: Array<Record<string, string>>; signMethod?: string } & Record<string, string>;
      const list = action === 'login' ? [p] : Array.isArray(p?.deviceList) ? p.deviceList : [];
      // A batch succeeds or fails whole (doc 89300); at most 50.
      const bad = list.filter(
        (d) => !this.#verify(d, d.signMethod ?? p?.signMethod ?? '') || !this.topology.has(key(d.productKey ?? '', d.deviceName ?? '')),
      );
      if (list.length === 0 || list.length > 50 || bad.length > 0) {
        this.authFailures.push(...bad.map((d) => key(d.productKey ?? '', d.deviceName ?? '')));
        reply(
          list.length > 50 ? 460 : 401,
          'request auth error',
          bad.map((d) => ({ productKey: d.productKey, deviceName: d.deviceName })),
        );
        return;
      }
      for (const d of list) this.loggedIn.add(key(d.productKey!, d.deviceName!));
      reply(
        200,
        'success',
        action === 'login'
          ? { productKey: p.productKey, deviceName: p.deviceName }
          : list.map((d) => ({ productKey: d.productKey, deviceName: d.deviceName })),
      );
      return;
    }
    if (action === 'logout' || action === 'batch_logout') {
      const list = (Array.isArray(params) ? params : [params]) as Array<{ productKey?: string; deviceName?: string }>;
      for (const d of list) this.loggedIn.delete(key(d.productKey ?? '', d.deviceName ?? ''));
      reply(200, 'success', {});
    }
  }

  #verify(d: Record<string, string>, method: string): boolean {
    const secret = this.#secrets.get(key(d.productKey ?? '', d.deviceName ?? ''));
    if (!secret || typeof d.timestamp !== 'string') return false;
    const fields: Record<string, string> = { productKey: d.productKey!, deviceName: d.deviceName!, timestamp: d.timestamp };
    if (typeof d.clientId === 'string') fields.clientId = d.clientId;
    return signMatches(secret, method, fields, d.sign);
  }

  #publish(topic: string, body: unknown): void {
    this.#client?.publish(topic, JSON.stringify(body), { qos: 0 });
  }
}
