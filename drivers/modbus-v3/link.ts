/**
 * One connection per channel, kept up with exponential backoff and jitter. The state
 * machine has one place that arms the reconnect timer (`#scheduleReconnect`) and one that
 * clears it (`#clearReconnect`).
 */
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { ModbusClient, rtuSilenceMs, serialCharMs } from '../../protocols/modbus/client.js';
import { ModbusDisconnected } from '../../protocols/modbus/frames.js';
import type { ChannelDef } from '../../protocols/modbus/point.js';
import type { DriverOptions } from './config.js';
import { RetryTimer } from '../../protocols/common/backoff.js';

type LinkState = 'idle' | 'connecting' | 'up' | 'waiting' | 'stopping';

export class ChannelLink {
  readonly channel: ChannelDef;
  readonly #opts: DriverOptions;
  readonly #log: Logger;
  readonly #onState: (up: boolean, reason?: string) => void;
  #state: LinkState = 'idle';
  #client: ModbusClient | undefined;
  readonly #retry: RetryTimer;

  constructor(channel: ChannelDef, opts: DriverOptions, log: Logger, onState: (up: boolean, reason?: string) => void) {
    this.channel = channel;
    this.#opts = opts;
    this.#log = log;
    this.#onState = onState;
    this.#retry = new RetryTimer({ minMs: opts.backoffMinMs, maxMs: opts.backoffMaxMs });
  }

  get up(): boolean {
    return this.#state === 'up';
  }

  get requests(): number {
    return this.#client?.sent ?? 0;
  }

  start(): void {
    if (this.#state === 'idle') void this.#connect();
  }

  /** `urgent`: a command or on-demand read, sent before queued polls. */
  request(unit: number, pdu: Buffer, urgent = false): Promise<Buffer> {
    if (this.#state !== 'up' || !this.#client) return Promise.reject(new ModbusDisconnected(`channel ${this.channel.id} is not connected`));
    return this.#client.request(unit, pdu, undefined, urgent);
  }

  stop(): void {
    this.#state = 'stopping';
    this.#clearReconnect();
    this.#client?.close();
    this.#client = undefined;
  }

  #stopping(): boolean {
    return this.#state === 'stopping';
  }

  async #connect(): Promise<void> {
    this.#state = 'connecting';
    const c = this.channel;
    const baud = c.transport === 'rtu' ? c.serial!.baudRate : 0;
    const client = new ModbusClient({
      framing: c.transport === 'tcp' ? 'mbap' : 'rtu',
      timeoutMs: this.#opts.timeoutMs,
      maxInFlight: this.#opts.maxInFlight,
      // On the serial line frames are told apart by 3.5 characters of silence.
      minIntervalMs: baud ? Math.max(c.minIntervalMs, Math.ceil(rtuSilenceMs(baud))) : c.minIntervalMs,
      charMs: baud ? serialCharMs(baud) : 0,
    });
    try {
      if (c.transport === 'rtu') client.attach(await openSerial(c));
      else await client.connectTcp(c.host!, c.port!);
    } catch (err) {
      if (this.#stopping()) return;
      this.#down(`connect failed: ${(err as Error).message}`);
      return;
    }
    if (this.#stopping()) {
      client.close();
      return;
    }
    this.#client = client;
    this.#state = 'up';
    this.#retry.reset();
    client.once('close', (reason) => {
      if (this.#state === 'stopping') return;
      this.#client = undefined;
      this.#down(`connection lost: ${reason}`);
    });
    this.#log.info({ channel: c.id }, 'channel connected');
    this.#onState(true);
  }

  #down(reason: string): void {
    const wasUp = this.#state === 'up';
    this.#state = 'waiting';
    if (wasUp || this.#retry.attempt === 0) {
      this.#log.warn({ channel: this.channel.id, reason }, 'channel down');
      this.#onState(false, reason);
    }
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#state !== 'waiting') return;
    const delay = this.#retry.schedule(() => void this.#connect());
    if (delay !== undefined) this.#log.debug({ channel: this.channel.id, delay }, 'scheduleReconnect');
  }

  #clearReconnect(): void {
    this.#retry.cancel();
  }
}

/** RTU over a serial line through `serialport` (installed with modbus-serial). */
async function openSerial(c: ChannelDef): Promise<Duplex> {
  const s = c.serial!;
  const mod = (await import('serialport')) as unknown as {
    SerialPort: new (o: Record<string, unknown>) => Duplex & { once(e: 'open', f: () => void): void };
  };
  return new Promise((resolve, reject) => {
    const port = new mod.SerialPort({ path: s.path, baudRate: s.baudRate, dataBits: s.dataBits, parity: s.parity, stopBits: s.stopBits });
    port.once('open', () => resolve(port));
    port.once('error', reject);
  });
}
