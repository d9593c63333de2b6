/**
 * The parking-system simulator: its API (api.ts) on `/acs/api/<op>`, the plate pictures the
 * pushes point at on `/images/<GUID>.jpg`, and a control surface for tests and the CLI:
 *   POST /control/pass    {carCode, channelID, payMoney?}  → a car passes; the push is sent → {push, answer}
 *   POST /control/channel {channelID, online?, fault?}     → take a barrier offline or make it fail
 *   GET  /control/state                                     → everything the system holds
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callOp } from './api.js';
import { type InOutPush, plateJpeg, sendPush } from './push.js';
import { ParkingState, SimError } from './state.js';

export interface ParkingSimOptions {
  host?: string;
  port?: number;
  /** Where pushes go: the adapter's push port and path. */
  pushUrl?: string;
  state?: ParkingState;
}

const MAX_BODY = 256 * 1024;
/** Pictures kept for the adapter to fetch; older ones are dropped (the real system rotates its disk too). */
const MAX_IMAGES = 200;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export class ParkingSim {
  readonly state: ParkingState;
  /** Every push sent, with the adapter's answer (tests read it). */
  readonly pushes: { push: InOutPush; answer: unknown }[] = [];
  pushUrl: string;
  #server: Server | undefined;
  #images = new Map<string, Buffer>();
  readonly #opts: ParkingSimOptions;

  constructor(opts: ParkingSimOptions = {}) {
    this.#opts = opts;
    this.state = opts.state ?? ParkingState.demo();
    this.pushUrl = opts.pushUrl ?? 'http://127.0.0.1:10072/reportInAndOutRecord';
  }

  get url(): string {
    const a = this.#server?.address() as AddressInfo | null | undefined;
    if (!a) throw new Error('simulator not started');
    return `http://${this.#opts.host ?? '127.0.0.1'}:${a.port}`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#opts.port ?? 18090, this.#opts.host ?? '127.0.0.1', () => resolve());
    });
    this.#server = server;
  }

  async stop(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** A car passes `channelID`: the state changes, the picture is kept, the push is sent and answered. */
  async pass(
    carCode: string,
    channelID: string,
    extra: { payMoney?: string; at?: Date } = {},
  ): Promise<{ push: InOutPush; answer: unknown }> {
    const { channel, inTime, passTime, guid } = this.state.pass(carCode, channelID, extra.at);
    this.#images.set(guid, await plateJpeg());
    while (this.#images.size > MAX_IMAGES) this.#images.delete(this.#images.keys().next().value as string);
    const push: InOutPush = {
      carCode,
      inTime,
      passTime,
      parkID: channel.parkID,
      inOrOut: channel.inOrOut === 0 ? '0' : '1',
      GUID: guid,
      channelID: channel.channelID,
      channelName: channel.channelName,
      imagePath: `${this.url}/images/${guid}.jpg`,
    };
    if (channel.inOrOut === 1 && extra.payMoney !== undefined) {
      const order = this.state.orderAdd({
        parkID: channel.parkID,
        carCode,
        inChannelID: channelID,
        inTime,
        outChannelID: channelID,
        outTime: passTime,
        payState: 0,
      });
      push.orderNo = order.orderNo;
      push.payMoney = extra.payMoney;
    }
    if (this.state.listOf(channel, carCode)?.listType === 2) push.blackList = '1';
    const answer = await sendPush(this.pushUrl, push).catch((err: Error) => ({ error: err.message }));
    this.pushes.push({ push, answer });
    return { push, answer };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const path = (req.url ?? '/').split('?')[0]!;
      const api = /^\/acs\/api\/([A-Za-z]+)$/.exec(path);
      if (api && req.method === 'POST') return send(res, 200, callOp(this.state, api[1]!, parse(await readBody(req))));
      const img = /^\/images\/([0-9a-f]{32})\.jpg$/.exec(path);
      if (img && req.method === 'GET') {
        const bytes = this.#images.get(img[1]!);
        if (!bytes) return send(res, 404, { error: 'no such picture' });
        res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': bytes.length });
        return void res.end(bytes);
      }
      if (path === '/control/state' && req.method === 'GET') return send(res, 200, this.#snapshot());
      if (path === '/control/pass' && req.method === 'POST') return send(res, 200, await this.#controlPass(parse(await readBody(req))));
      if (path === '/control/channel' && req.method === 'POST') return send(res, 200, this.#controlChannel(parse(await readBody(req))));
      send(res, 404, { error: 'not found' });
    } catch (err) {
      if (!res.headersSent) send(res, err instanceof SimError ? 400 : 500, { error: (err as Error).message });
    }
  }

  async #controlPass(body: unknown): Promise<unknown> {
    const b = (body ?? {}) as Record<string, unknown>;
    if (typeof b.carCode !== 'string' || typeof b.channelID !== 'string') throw new SimError(400, 'carCode and channelID required');
    return this.pass(b.carCode, b.channelID, typeof b.payMoney === 'string' ? { payMoney: b.payMoney } : {});
  }

  #controlChannel(body: unknown): unknown {
    const b = (body ?? {}) as Record<string, unknown>;
    const c = this.state.channel(String(b.channelID));
    if (typeof b.online === 'boolean') c.online = b.online;
    if (typeof b.fault === 'boolean') c.fault = b.fault;
    return c;
  }

  #snapshot(): unknown {
    const s = this.state;
    return {
      parks: [...s.parks.values()],
      areas: [...s.areas.values()],
      channels: [...s.channels.values()],
      inPark: [...s.inPark.values()],
      lists: s.lists,
      orders: [...s.orders.values()],
    };
  }
}
