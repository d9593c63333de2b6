/**
 * The embedded local MQTT broker (aedes). Local apps log in with a username and password (no
 * anonymous access unless configured) and read and write only the topics their user's rights
 * name (edge/bus/acl.ts); reports, status and replies only the box publishes, whatever the rights.
 * Packets are size-limited before and after login, and each user's connections and message rate.
 */
import { createServer, type Server, type Socket } from 'node:net';
import aedesModule from 'aedes';

// aedes is CommonJS: its factory is a property of the default export.
const { createBroker } = aedesModule;
import type { Client } from 'aedes';
import type { Logger } from '../log.js';
import { ALL_RIGHTS, mayRead, mayWrite, type BusRights } from './acl.js';
import { MAX_CONNECT_BYTES, MAX_PENDING_SOCKETS, UserRate, guardPacketSizes, type BusLimits } from './limits.js';
import { isBoxOnlyTopic, parseRequestTopic } from './topics.js';
import { parseDriverTopic } from './driver-router.js';

export interface BusUser {
  username: string;
  password: string;
}

/** A granted login: the user's rights, and a stamp of the user entry they came from. */
export interface BusLogin {
  rights: BusRights;
  stamp: string;
}

/** Who may log in to the bus, and with which topic rights. */
export interface BusAccounts {
  /** The login when the password is right. */
  verify(username: string, password: Buffer): BusLogin | undefined;
  /** The user's current stamp; undefined once removed. */
  stampOf(username: string): string | undefined;
}

export interface BrokerOptions {
  host: string;
  port: number;
  accounts: BusAccounts;
  allowAnonymous: boolean;
  limits: BusLimits;
  /** The bus user a bus driver logs in as; only it may use the driver's topics. */
  driverUser?: (driverName: string) => string | undefined;
}

export type BrokerInstance = ReturnType<typeof createBroker>;

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

interface Session {
  username: string | undefined;
  rights: BusRights;
  stamp: string;
}

export class LocalBroker {
  readonly aedes: BrokerInstance;
  readonly #server: Server;
  readonly #opts: BrokerOptions;
  readonly #log: Logger;
  /** Logged-in clients: who they are and what they may do. */
  readonly #sessions = new WeakMap<object, Session>();
  readonly #byUser = new Map<string, Set<Client>>();
  readonly #rate: UserRate;
  #pending = 0;
  port = 0;

  constructor(deps: { log: Logger }, options: BrokerOptions) {
    this.#opts = options;
    this.#log = deps.log;
    this.#rate = new UserRate(options.limits.messagesPerSecondPerUser);
    const driverUser = options.driverUser ?? (() => undefined);
    const userOf = (client: object): string | undefined => this.#sessions.get(client)?.username;
    this.aedes = createBroker({
      authenticate: (client, username, password, done) => {
        const refuse = (returnCode: 2 | 3 | 4, why: string): void => {
          this.#log.warn({ clientId: client.id, username }, `bus login refused: ${why}`);
          done(Object.assign(new Error(why), { returnCode }) as Error & { returnCode: typeof returnCode }, null);
        };
        const anonymous = username === undefined && password === undefined;
        const login = anonymous
          ? options.allowAnonymous
            ? { rights: ALL_RIGHTS, stamp: 'anonymous' }
            : undefined
          : username !== undefined && password
            ? options.accounts.verify(username, password)
            : undefined;
        if (!login) return refuse(4, 'bad username or password');
        // A client id in use is taken over (MQTT) only by the same user: another app cannot
        // kick a client off the bus by reusing its id.
        // aedes keeps its connected clients by id in `clients` (not in its types).
        const holder = (this.aedes as unknown as { clients: Record<string, object | undefined> }).clients[client.id];
        if (holder && holder !== client && userOf(holder) !== username) return refuse(2, 'client id in use by another user');
        const mine = username === undefined ? undefined : this.#byUser.get(username);
        if (mine && mine.size >= options.limits.connectionsPerUser && !(holder && mine.has(holder as Client))) {
          return refuse(3, `user has ${mine.size} connections (bus.limits.connectionsPerUser)`);
        }
        this.#sessions.set(client, { username, ...login });
        if (username !== undefined) {
          if (!this.#byUser.has(username)) this.#byUser.set(username, new Set());
          this.#byUser.get(username)!.add(client);
          // The socket's close, not aedes's clientDisconnect: that one misses clients closed before their CONNACK.
          client.conn.once('close', () => this.#byUser.get(username)?.delete(client));
        }
        done(null, true);
      },
      authorizePublish: (client, packet, done) => {
        if (!client) return done(null); // the box's own publications
        const session = this.#sessions.get(client);
        const refuse = (why: string): void => {
          this.#log.warn(
            { clientId: client.id, username: session?.username, topic: packet.topic, retain: packet.retain },
            `bus publish refused: ${why}`,
          );
          done(new Error(why));
        };
        if (!session) return refuse('not logged in');
        if (!this.#rate.take(session.username ?? '')) return refuse('over bus.limits.messagesPerSecondPerUser');
        const drv = parseDriverTopic(packet.topic);
        if (drv) {
          // A bus driver publishes only its own up topic, under its own user.
          const owner = driverUser(drv.name);
          return drv.dir === 'up' && owner !== undefined && session.username === owner
            ? done(null)
            : refuse('driver topic of another user');
        }
        if (isBoxOnlyTopic(packet.topic)) return refuse('topic belongs to the box');
        // A retained command (remoteOpen, property set …) would run again for every client that
        // subscribes later, and the broker's own `$SYS` tree is not the apps'.
        if ((packet.retain && parseRequestTopic(packet.topic)) || packet.topic.startsWith('$'))
          return refuse('retained command or $ topic');
        if (!mayWrite(session.rights, packet.topic)) return refuse('no write right on the topic');
        done(null);
      },
      authorizeSubscribe: (client, sub, done) => {
        const session = this.#sessions.get(client);
        if (session && (mayRead(session.rights, sub.topic) || this.#isOwnDriverDownTopic(session, sub.topic))) return done(null, sub);
        this.#log.warn(
          { clientId: client.id, username: session?.username, topic: sub.topic },
          'bus subscribe refused: no read right on the filter',
        );
        done(null, null); // SUBACK 0x80 for this filter; the others stand
      },
    });
    // A driver's down topic carries its devices' config: deliver it to that driver's user only.
    this.aedes.authorizeForward = (client, packet) => {
      const drv = parseDriverTopic(packet.topic);
      if (drv && (drv.dir === 'up' || userOf(client) !== driverUser(drv.name))) return null;
      return packet;
    };
    this.aedes.on('clientError', (client, err) => this.#log.debug({ clientId: client.id, err: err.message }, 'bus client error'));
    // noDelay: without it a small publish waits behind the previous one's delayed ACK (Nagle): ~40 ms stalls.
    this.#server = createServer({ noDelay: true }, (socket) => this.#accept(socket));
  }

  #accept(socket: Socket): void {
    if (this.#pending >= MAX_PENDING_SOCKETS) return void socket.destroy();
    this.#pending++;
    let counted = true;
    const done = (): void => {
      if (counted) this.#pending--;
      counted = false;
    };
    socket.once('close', done);
    gateConnect(socket, MAX_CONNECT_BYTES, (s) => {
      done();
      guardPacketSizes(s, MAX_CONNECT_BYTES, this.#opts.limits.maxPacketBytes, (declared) =>
        this.#log.warn({ remote: s.remoteAddress, declared }, 'bus connection closed: packet over bus.limits.maxPacketBytes'),
      );
      this.aedes.handle(s);
    });
  }

  /** A bus driver's user subscribes to its down topic whatever its configured read rights. */
  #isOwnDriverDownTopic(session: Session, filter: string): boolean {
    const drv = parseDriverTopic(filter);
    return (
      drv !== undefined && drv.dir === 'down' && session.username !== undefined && this.#opts.driverUser?.(drv.name) === session.username
    );
  }

  /**
   * Close the connections of users removed or changed since they logged in: a live subscription
   * or session would otherwise keep a right that was taken away.
   */
  revalidate(): number {
    let closed = 0;
    for (const [username, clients] of this.#byUser) {
      const now = this.#opts.accounts.stampOf(username);
      for (const c of clients) {
        if (this.#sessions.get(c)?.stamp === now) continue;
        c.close();
        closed++;
        this.#log.info({ username, clientId: c.id }, 'bus connection closed: its user was changed or removed');
      }
    }
    return closed;
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
