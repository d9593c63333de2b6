/**
 * The attacker of the `hostile` benchmark, in its own process so its work never delays the
 * legitimate doors' clock: `rate` new connections per second, round-robin over the box's
 * listeners (from its listener registry) and over the kinds below, each from one of `sources`
 * (127.x addresses, loopback only). Every socket is closed by the client after `maxLifeMs` at
 * the latest; what the box did with each is counted.
 *
 * Kinds: `slow` (headers that never end), `garbage` (bytes that are no request), `oversized` (a
 * body declared at 64 MiB, 256 KiB of it sent), `forged` (a device's record from the wrong
 * address, scripts/sim/hostile/forge.ts), `hold` (connect and say nothing), `churn` (connect
 * and close at once). The local bus gets MQTT's own versions of slow, garbage and oversized.
 */
import { connect, type Socket } from 'node:net';
import { forgeRequest, type Endpoint, type Identities } from '../../sim/hostile/forge.js';
import { mqttHeader } from '../../sim/hostile/forge.js';

export interface Target {
  name: string;
  protocol: string;
  port: number;
  endpoints: Endpoint[];
}

export interface AttackPlan {
  targets: Target[];
  rate: number;
  sources: string[];
  identities: Identities;
  maxLifeMs: number;
}

export type AttackerMessage = { t: 'ready' } | { t: 'resumed' } | { t: 'paused' } | { t: 'stats'; stats: AttackStats };

export interface AttackStats {
  started: number;
  byKind: Record<string, number>;
  /** HTTP status lines the box answered with, by status. */
  answers: Record<string, number>;
  /** Sockets the box closed (answer or not). */
  closedByBox: number;
  /** Sockets the client had to close at `maxLifeMs`. */
  closedByClient: number;
  errors: Record<string, number>;
  /** Time spent flooding (resumed), s. */
  seconds: number;
  /** CPU the attacker used, s. */
  cpuS: number;
}

const KINDS = ['slow', 'garbage', 'oversized', 'forged', 'hold', 'churn'] as const;
type Kind = (typeof KINDS)[number];

const stats: AttackStats = { started: 0, byKind: {}, answers: {}, closedByBox: 0, closedByClient: 0, errors: {}, seconds: 0, cpuS: 0 };
const bump = (o: Record<string, number>, k: string): void => void (o[k] = (o[k] ?? 0) + 1);

const JUNK = Buffer.alloc(256 * 1024, 0x41);
const garbage = (): Buffer => Buffer.from(Array.from({ length: 512 }, () => Math.floor(Math.random() * 256)));

function request(method: string, path: string, headers: Record<string, string | number>, body?: string | Buffer): Buffer {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: box', 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), ...(body === undefined ? [] : [Buffer.from(body)])]);
}

/** What to write for one kind at one target; undefined: nothing (hold, churn). */
function payload(kind: Kind, t: Target, n: number, plan: AttackPlan): Buffer | undefined {
  const e = t.endpoints.length > 0 ? t.endpoints[n % t.endpoints.length]! : { method: 'POST' as const, path: '/' };
  const mqtt = t.protocol === 'mqtt';
  switch (kind) {
    case 'slow':
      return mqtt ? mqttHeader(0x10, 100) : Buffer.from(`${e.method} ${e.path} HTTP/1.1\r\nHost: box\r\nX-Slow: `);
    case 'garbage':
      return garbage();
    case 'oversized':
      return mqtt
        ? Buffer.concat([mqttHeader(0x10, 64 * 1024 * 1024), JUNK])
        : Buffer.concat([request('POST', e.path, { 'Content-Type': 'application/json', 'Content-Length': 64 * 1024 * 1024 }), JUNK]);
    case 'forged': {
      const f = forgeRequest(t.protocol, e, plan.identities);
      // Listeners that take no device records (console, bus) get garbage instead.
      if (!f) return garbage();
      return request(
        f.method,
        f.path,
        {
          ...(f.body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(f.body) } : {}),
          ...f.headers,
        },
        f.body,
      );
    }
    default:
      return undefined;
  }
}

function attack(kind: Kind, t: Target, source: string, n: number, plan: AttackPlan): void {
  stats.started++;
  bump(stats.byKind, kind);
  const s: Socket = connect({ port: t.port, host: '127.0.0.1', localAddress: source });
  let first = '';
  let byClient = false;
  const life = setTimeout(() => {
    byClient = true;
    s.destroy();
  }, plan.maxLifeMs);
  s.on('error', (err: NodeJS.ErrnoException) => bump(stats.errors, err.code ?? 'error'));
  s.on('data', (d: Buffer) => {
    if (first.length < 16) first += d.toString('latin1', 0, 16);
  });
  s.on('close', () => {
    clearTimeout(life);
    if (byClient) stats.closedByClient++;
    else stats.closedByBox++;
    const status = /^HTTP\/1\.1 (\d{3})/.exec(first)?.[1];
    if (status) bump(stats.answers, status);
  });
  s.on('connect', () => {
    if (kind === 'churn') return void s.destroy();
    const p = payload(kind, t, n, plan);
    if (p) s.write(p);
  });
}

/** Floods while resumed: `resume` starts (again), `pause` stops new connections, `stop` reports and exits. */
function run(plan: AttackPlan): void {
  let n = 0;
  let floodingMs = 0;
  let tick: NodeJS.Timeout | undefined;
  let since = 0;
  const pause = (): void => {
    if (!tick) return;
    clearInterval(tick);
    tick = undefined;
    floodingMs += performance.now() - since;
  };
  process.on('message', (m: { t: string }) => {
    if (m.t === 'resume' && !tick) {
      since = performance.now();
      const n0 = n;
      tick = setInterval(() => {
        const due = n0 + Math.floor(((performance.now() - since) / 1000) * plan.rate);
        for (; n < due; n++) {
          const t = plan.targets[n % plan.targets.length]!;
          // The kind advances once per round over the targets, so every target gets every kind.
          const kind = KINDS[Math.floor(n / plan.targets.length) % KINDS.length]!;
          attack(kind, t, plan.sources[n % plan.sources.length]!, n, plan);
        }
      }, 5);
      process.send!({ t: 'resumed' } satisfies AttackerMessage);
    } else if (m.t === 'pause') {
      pause();
      process.send!({ t: 'paused' } satisfies AttackerMessage);
    } else if (m.t === 'stop') {
      pause();
      stats.seconds = floodingMs / 1000;
      const c = process.cpuUsage();
      stats.cpuS = (c.user + c.system) / 1e6;
      process.send!({ t: 'stats', stats } satisfies AttackerMessage, () => process.exit(0));
    }
  });
  process.send!({ t: 'ready' } satisfies AttackerMessage);
}

process.once('message', (plan: AttackPlan) => run(plan));
