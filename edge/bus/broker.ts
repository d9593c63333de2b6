/**
 * The embedded local MQTT broker (aedes). Local apps log in with a username and password
 * (no anonymous access unless configured); they may subscribe to anything but publish only
 * requests, never reports, status or replies, which only the box publishes.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import aedesModule from 'aedes';

// aedes is CommonJS: its factory is a property of the default export.
const { createBroker } = aedesModule;
import type { Logger } from '../log.js';
import { isBoxOnlyTopic, parseRequestTopic } from './topics.js';
import { parseDriverTopic } from './driver-router.js';

export interface BusUser {
  username: string;
  password: string;
}

export interface BrokerOptions {
  host: string;
  port: number;
  users: BusUser[];
  allowAnonymous: boolean;
  /** The bus user a bus driver logs in as; only it may use the driver's topics. */
  driverUser?: (driverName: string) => string | undefined;
}

export type BrokerInstance = ReturnType<typeof createBroker>;

function same(a: string, b: Buffer): boolean {
  const x = Buffer.from(a);
  return x.length === b.length && timingSafeEqual(x, b);
}

/** The default authenticate: a configured user with a matching password. */
export function defaultAuthenticate(users: BusUser[], allowAnonymous: boolean) {
  return (username: string | undefined, password: Buffer | undefined): boolean => {
    if (username === undefined && password === undefined) return allowAnonymous;
    const user = users.find((u) => u.username === username);
    return Boolean(user && password && same(user.password, password));
  };
}

/**
 * The largest CONNECT a client may send before it is authenticated. The MQTT parser would
 * otherwise buffer a whole packet of the size the client declares (up to 256 MB) before anyone
 * checked its password: three such sockets once took the daemon from 158 to 715 MB.
 */
export const MAX_CONNECT_BYTES = 64 * 1024;

/** The first packet's type and declared length, once its fixed header is complete. */
function fixedHeader(buf: Buffer): { type: number; length: number } | 'incomplete' | 'malformed' {
  if (buf.length < 2) return 'incomplete';
  let length = 0;
  for (let i = 1; i <= 4; i++) {
    if (i >= buf.length) return 'incomplete';
    const b = buf[i]!;
    length += (b & 0x7f) * 128 ** (i - 1);
    if ((b & 0x80) === 0) return { type: buf[0]! >> 4, length };
  }
  return 'malformed';
}

/** Hand a connection to the broker only once its first packet is a CONNECT of a sane size. */
function gateConnect(socket: Socket, maxBytes: number, accept: (s: Socket) => void): void {
  let seen = Buffer.alloc(0);
  // A client that never completes its first fixed header (5 bytes) is not waited for.
  const timer = setTimeout(() => socket.destroy(), 10_000);
  const onData = (chunk: Buffer): void => {
    seen = Buffer.concat([seen, chunk]);
    const h = fixedHeader(seen);
    if (h === 'incomplete') return;
    clearTimeout(timer);
    socket.removeListener('data', onData);
    socket.pause();
    if (h === 'malformed' || h.type !== 1 || h.length > maxBytes) {
      socket.destroy();
      return;
    }
    socket.unshift(seen);
    accept(socket);
  };
  socket.on('data', onData);
  socket.on('error', () => socket.destroy());
  socket.on('close', () => clearTimeout(timer));
}

export class LocalBroker {
  readonly aedes: BrokerInstance;
  readonly #server: Server;
  readonly #opts: BrokerOptions;
  readonly #log: Logger;
  port = 0;

  constructor(deps: { log: Logger }, options: BrokerOptions) {
    this.#opts = options;
    this.#log = deps.log;
    const check = defaultAuthenticate(options.users, options.allowAnonymous);
    const usernames = new WeakMap<object, string>();
    const driverUser = options.driverUser ?? (() => undefined);
    this.aedes = createBroker({
      authenticate: (client, username, password, done) => {
        if (check(username, password)) {
          // A client id in use is taken over (MQTT) only by the same user: another app cannot
          // kick a client off the bus by reusing its id.
          // aedes keeps its connected clients by id in `clients` (not in its types).
          const holder = (this.aedes as unknown as { clients: Record<string, object | undefined> }).clients[client.id];
          if (holder && holder !== client && usernames.get(holder) !== username) {
            this.#log.warn({ clientId: client.id, username }, 'bus login refused: client id in use by another user');
            return done(Object.assign(new Error('client id in use by another user'), { returnCode: 2 }) as Error & { returnCode: 2 }, null);
          }
          if (username !== undefined) usernames.set(client, username);
          return done(null, true);
        }
        this.#log.warn({ clientId: client.id, username }, 'bus login refused');
        const err = Object.assign(new Error('bad username or password'), { returnCode: 4 });
        done(err as Error & { returnCode: 4 }, null);
      },
      authorizePublish: (client, packet, done) => {
        const drv = parseDriverTopic(packet.topic);
        if (client && drv) {
          // A bus driver publishes only its own up topic, under its own user.
          if (drv.dir === 'up' && usernames.get(client) === driverUser(drv.name) && driverUser(drv.name) !== undefined) return done(null);
          this.#log.warn({ clientId: client.id, topic: packet.topic }, 'bus publish refused: driver topic of another user');
          return done(new Error('driver topic reserved'));
        }
        if (client && isBoxOnlyTopic(packet.topic)) {
          this.#log.warn({ clientId: client.id, topic: packet.topic }, 'bus publish refused: topic belongs to the box');
          return done(new Error('topic reserved for the box'));
        }
        // A retained command (remoteOpen, property set …) would run again for every client that
        // subscribes later, and the broker's own `$SYS` tree is not the apps'.
        if (client && ((packet.retain && parseRequestTopic(packet.topic)) || packet.topic.startsWith('$'))) {
          this.#log.warn({ clientId: client.id, topic: packet.topic, retain: packet.retain }, 'bus publish refused: retained command or $ topic');
          return done(new Error('retained commands and $ topics are refused'));
        }
        done(null);
      },
    });
    // A driver's down topic carries its devices' config: deliver it to that driver's user only.
    this.aedes.authorizeForward = (client, packet) => {
      const drv = parseDriverTopic(packet.topic);
      if (drv && (drv.dir === 'up' || usernames.get(client) !== driverUser(drv.name))) return null;
      return packet;
    };
    this.aedes.on('clientError', (client, err) => this.#log.debug({ clientId: client.id, err: err.message }, 'bus client error'));
    // noDelay: without it a small publish waits behind the previous one's delayed ACK (Nagle): ~40 ms stalls.
    this.#server = createServer({ noDelay: true }, (socket) => gateConnect(socket, MAX_CONNECT_BYTES, (s) => this.aedes.handle(s)));
  }

  get clients(): number {
    return this.aedes.connectedClients;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#opts.port, this.#opts.host, () => {
        const addr = this.#server.address();
        this.port = typeof addr === 'object' && addr ? addr.port : this.#opts.port;
        this.#log.info({ host: this.#opts.host, port: this.port }, 'local bus listening');
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
