/**
 * Internet reachability (R41 (a), seed 001 L46640-46646: "ping 223.5.5.5"). The daemon has no
 * raw-socket capability (the systemd unit drops them all), so the probe is a TCP connect to a
 * configurable `host:port`, by default AliDNS's DNS port 223.5.5.5:53 — the same address the
 * seed pings, answered over TCP.
 */
import { connect as tcpConnect } from 'node:net';

export interface ProbeResult {
  reachable: boolean | undefined;
  target: string;
  lastOkAt: number | undefined;
  rttMs: number | undefined;
  lastError: string | undefined;
  checks: number;
}

export type Connect = (host: string, port: number, timeoutMs: number) => Promise<number>;

/** Resolves the connect time in ms; rejects on error or timeout. */
export const tcpProbe: Connect = (host, port, timeoutMs) =>
  new Promise((resolve, reject) => {
    const t0 = performance.now();
    const socket = tcpConnect({ host, port });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    socket.once('connect', () => {
      socket.destroy();
      resolve(Math.round(performance.now() - t0));
    });
    socket.once('error', reject);
  });

export class InternetProbe {
  readonly #host: string;
  readonly #port: number;
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  readonly #connect: Connect;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  readonly result: ProbeResult;

  constructor(o: { target: string; intervalMs: number; timeoutMs: number; connect?: Connect }) {
    const i = o.target.lastIndexOf(':');
    this.#host = o.target.slice(0, i).replace(/^\[|\]$/g, '');
    this.#port = Number(o.target.slice(i + 1));
    this.#intervalMs = o.intervalMs;
    this.#timeoutMs = o.timeoutMs;
    this.#connect = o.connect ?? tcpProbe;
    this.result = { reachable: undefined, target: o.target, lastOkAt: undefined, rttMs: undefined, lastError: undefined, checks: 0 };
  }

  start(): void {
    void this.check();
    this.#timer = setInterval(() => void this.check(), this.#intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /** One probe (never two at once). */
  check(): Promise<void> {
    this.#running ??= this.#connect(this.#host, this.#port, this.#timeoutMs)
      .then(
        (ms) => {
          Object.assign(this.result, { reachable: true, lastOkAt: Date.now(), rttMs: ms, lastError: undefined });
        },
        (err: Error) => {
          Object.assign(this.result, { reachable: false, rttMs: undefined, lastError: err.message });
        },
      )
      .finally(() => {
        this.result.checks++;
        this.#running = undefined;
      });
    return this.#running;
  }
}

/** `host:port` with a port in range; for the config check. */
export function probeTargetProblem(target: string): string | undefined {
  const i = target.lastIndexOf(':');
  const port = Number(target.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) return 'must be host:port (e.g. 223.5.5.5:53)';
  return undefined;
}
