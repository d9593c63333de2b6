/**
 * A BACnet/IP client session on one UDP socket, over @bacnet-js/client:
 *  - invoke ids are ours: the library matches answers by invoke id alone (not by peer) and
 *    hands ids out round-robin, so an id is only reused once its request ended, and an id
 *    whose request timed out rests one timeout longer (a late answer cannot complete a
 *    newer request); answers from any peer other than the one asked are dropped;
 *  - that bounds the requests in flight (at most 255, `maxInFlight`, and no more answers than
 *    the socket's receive buffer holds at once); more wait in a queue;
 *  - errors come back as the classes of errors.ts;
 *  - I-Am and COV notifications come out as events; confirmed notifications are acknowledged.
 */
import { EventEmitter } from 'node:events';
import { ConfirmedServiceChoice, type BACNetAppData } from '@bacnet-js/client';
import { BACnetClient, type Client } from './client.js';
import { classify } from './errors.js';
import type { RpmBatch } from './batch.js';
import { readMultipleEncoded, requestManagerOf, resultsOf } from './rpm-request.js';
import { normalizeAddress, UdpTransport, type TransportOptions } from './transport.js';

export interface SessionOptions extends Omit<TransportOptions, 'inspect'> {
  apduTimeoutMs: number;
  maxInFlight: number;
}

/** What one full-size answer (1476-octet APDU) costs in a socket's receive buffer, with the kernel's overhead. */
const ANSWER_BUFFER_BYTES = 2560;
const RECV_BUFFER_BYTES = 4 * 1024 * 1024;

export interface IAm {
  deviceId: number;
  address: string;
  maxApdu: number;
  segmentation: number;
  vendorId: number;
}

export interface CovNotification {
  address: string;
  processId: number;
  deviceId: number;
  objectType: number;
  instance: number;
  timeRemaining: number;
  values: { property: number; value: { type: number; value: unknown }[] }[];
  confirmed: boolean;
}

export interface ReadResult {
  objectType: number;
  instance: number;
  property: number;
  /** Application values, or the property-level error the device gave. */
  value?: { type: number; value: unknown }[];
  error?: { errorClass: number; errorCode: number };
}

interface Pending {
  address: string;
  rejected: boolean;
}

export class BacnetSession extends EventEmitter {
  readonly #opts: SessionOptions;
  readonly transport: UdpTransport;
  #client: Client | undefined;
  readonly #pending = new Map<number, Pending>();
  readonly #resting = new Map<number, number>();
  readonly #waiters: (() => void)[] = [];
  #nextId = 1;
  readonly counters = { requests: 0, timeouts: 0, strayAnswers: 0 };

  constructor(opts: SessionOptions) {
    super();
    this.#opts = { ...opts, maxInFlight: Math.max(1, Math.min(255, opts.maxInFlight)) };
    this.transport = new UdpTransport({
      recvBufferBytes: RECV_BUFFER_BYTES,
      ...opts,
      inspect: (h, from) => this.#inspect(h.pduType, h.invokeId, from),
    });
  }

  async start(): Promise<{ address: string; port: number }> {
    const listening = new Promise<void>((resolve, reject) => {
      this.transport.once('listening', () => resolve());
      this.transport.once('error', reject);
    });
    const client = new BACnetClient({ transport: this.transport, apduTimeout: this.#opts.apduTimeoutMs });
    this.#client = client;
    client.on('error', (err: Error) => this.emit('error', err));
    client.on('iAm', (c) => {
      const p = c.payload;
      const address = normalizeAddress(c.header?.sender.address ?? '');
      if (typeof p?.deviceId === 'number')
        this.emit('iAm', {
          deviceId: p.deviceId,
          address,
          maxApdu: p.maxApdu,
          segmentation: p.segmentation,
          vendorId: p.vendorId,
        } satisfies IAm);
    });
    const onCov =
      (confirmed: boolean) =>
      (c: {
        header?: { sender: { address?: string } };
        invokeId?: number;
        payload: {
          subscriberProcessId: number;
          initiatingDeviceId: number | { instance: number };
          monitoredObjectId: { type: number; instance: number };
          timeRemaining: number;
          values: { property: { id: number }; value: { type: number; value: unknown }[] }[];
        };
      }) => {
        const sender = c.header?.sender;
        if (confirmed && sender && c.invokeId !== undefined)
          client.simpleAckResponse(sender, ConfirmedServiceChoice.CONFIRMED_COV_NOTIFICATION, c.invokeId);
        const p = c.payload;
        if (!p?.monitoredObjectId || !Array.isArray(p.values)) return;
        this.emit('cov', {
          address: normalizeAddress(sender?.address ?? ''),
          processId: p.subscriberProcessId,
          deviceId: typeof p.initiatingDeviceId === 'object' ? p.initiatingDeviceId.instance : p.initiatingDeviceId,
          objectType: p.monitoredObjectId.type,
          instance: p.monitoredObjectId.instance,
          timeRemaining: p.timeRemaining,
          values: p.values.map((v) => ({ property: v.property?.id, value: v.value })),
          confirmed,
        } satisfies CovNotification);
      };
    client.on('covNotify', onCov(true));
    client.on('covNotifyUnconfirmed', onCov(false));
    await listening;
    // Answers to everything in flight may arrive in one burst: no more than the buffer holds.
    const fits = Math.floor(this.transport.recvBufferBytes / ANSWER_BUFFER_BYTES);
    if (fits > 0) this.#opts.maxInFlight = Math.max(1, Math.min(this.#opts.maxInFlight, fits));
    return this.transport.ownAddress;
  }

  /** Drop answers nobody asked this peer for; note rejects (the library calls them aborts). */
  #inspect(pduType: number, invokeId: number | undefined, from: string): boolean {
    if (pduType < 0x20 || invokeId === undefined) return true; // requests and unconfirmed services
    const p = this.#pending.get(invokeId);
    if (!p || p.address !== from) {
      this.counters.strayAnswers++;
      return false;
    }
    if (pduType === 0x60) p.rejected = true;
    return true;
  }

  async #acquire(address: string): Promise<number> {
    for (;;) {
      if (this.#pending.size < this.#opts.maxInFlight) {
        const now = Date.now();
        for (let i = 0; i < 255; i++) {
          const id = this.#nextId;
          this.#nextId = (this.#nextId % 255) + 1; // 1..255: the library treats 0 as "pick one"
          if (this.#pending.has(id)) continue;
          const restUntil = this.#resting.get(id);
          if (restUntil !== undefined) {
            if (restUntil > now) continue;
            this.#resting.delete(id);
          }
          this.#pending.set(id, { address, rejected: false });
          return id;
        }
      }
      await new Promise<void>((resolve) => {
        // Resting ids free themselves by time, not by a release: look again soon. A waiter woken
        // by its timer leaves the queue, or a later release would wake it again instead of one
        // still waiting (and that one would sit out its 50 ms).
        const timer = setTimeout(() => {
          const i = this.#waiters.indexOf(wake);
          if (i >= 0) this.#waiters.splice(i, 1);
          resolve();
        }, 50);
        const wake = (): void => {
          clearTimeout(timer);
          resolve();
        };
        timer.unref();
        this.#waiters.push(wake);
      });
    }
  }

  #release(id: number, timedOut: boolean): void {
    this.#pending.delete(id);
    if (timedOut) this.#resting.set(id, Date.now() + this.#opts.apduTimeoutMs);
    this.#waiters.shift()?.();
  }

  async #request<T>(address: string, run: (client: Client, receiver: { address: string }, invokeId: number) => Promise<T>): Promise<T> {
    const client = this.#client;
    if (!client) throw new Error('BACnet session not started');
    const to = normalizeAddress(address);
    const id = await this.#acquire(to);
    this.counters.requests++;
    try {
      return await run(client, { address: to }, id);
    } catch (err) {
      const e = classify(err, to, this.#pending.get(id)?.rejected ?? false);
      if (e.name === 'BacnetTimeout' || (err as Error).message === 'ERR_TIMEOUT') {
        this.counters.timeouts++;
        this.#release(id, true);
      }
      throw e;
    } finally {
      if (this.#pending.has(id)) this.#release(id, false);
    }
  }

  whoIs(options: { target?: string; broadcast?: string; lowLimit?: number; highLimit?: number }): void {
    const client = this.#client;
    if (!client) throw new Error('BACnet session not started');
    const limits = options.lowLimit !== undefined ? { lowLimit: options.lowLimit, highLimit: options.highLimit ?? options.lowLimit } : {};
    if (options.target) {
      client.whoIs({ address: normalizeAddress(options.target) }, limits);
      return;
    }
    if (options.broadcast) this.transport.setBroadcastAddress(options.broadcast);
    client.whoIs(limits);
  }

  /** ReadPropertyMultiple for one planned batch; per-property errors come back in the results. */
  async readMultiple(address: string, batch: RpmBatch, maxApdu: number): Promise<ReadResult[]> {
    return this.#request(address, async (c, r, invokeId) => {
      const rm = requestManagerOf(c);
      return rm
        ? readMultipleEncoded(c, rm, r, invokeId, batch, apduCode(maxApdu))
        : resultsOf(await c.readPropertyMultiple(r, batch.specs as never, { invokeId, maxApdu: apduCode(maxApdu) }));
    });
  }

  async readProperty(address: string, objectType: number, instance: number, property: number): Promise<{ type: number; value: unknown }[]> {
    const ack = await this.#request(address, (c, r, invokeId) => c.readProperty(r, { type: objectType, instance }, property, { invokeId }));
    return (ack.values ?? []) as { type: number; value: unknown }[];
  }

  /** ReadProperty of one array element (index 0 = the array length). */
  async readPropertyIndex(
    address: string,
    objectType: number,
    instance: number,
    property: number,
    arrayIndex: number,
  ): Promise<{ type: number; value: unknown }[]> {
    const ack = await this.#request(address, (c, r, invokeId) =>
      c.readProperty(r, { type: objectType, instance }, property, { invokeId, arrayIndex }),
    );
    return (ack.values ?? []) as { type: number; value: unknown }[];
  }

  async writeProperty(
    address: string,
    objectType: number,
    instance: number,
    property: number,
    value: BACNetAppData,
    priority: number | undefined,
  ): Promise<void> {
    await this.#request(address, (c, r, invokeId) =>
      c.writeProperty(r, { type: objectType, instance }, property, [value], { invokeId, ...(priority ? { priority } : {}) }),
    );
  }

  async subscribeCov(
    address: string,
    objectType: number,
    instance: number,
    processId: number,
    confirmed: boolean,
    lifetimeS: number,
    cancel = false,
  ): Promise<void> {
    await this.#request(address, (c, r, invokeId) =>
      c.subscribeCov(r, { type: objectType, instance }, processId, cancel, confirmed, lifetimeS, { invokeId }),
    );
  }

  /** Requests allowed in flight at once (the configured bound, or less if the receive buffer is small). */
  get maxInFlight(): number {
    return this.#opts.maxInFlight;
  }

  get inFlight(): number {
    return this.#pending.size;
  }

  close(): void {
    this.#client?.close();
    this.#client = undefined;
  }
}

/** Max-APDU octets → the 4-bit code the request header carries (Clause 20.1.2.5). */
export function apduCode(octets: number): number {
  return octets >= 1476 ? 5 : octets >= 1024 ? 4 : octets >= 480 ? 3 : octets >= 206 ? 2 : octets >= 128 ? 1 : 0;
}
