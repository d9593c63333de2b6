/**
 * Answers a simulated device already gave, by request. A ReadProperty or ReadPropertyMultiple
 * that repeats byte for byte (all but its invoke id) while the objects it read are unchanged
 * gets the same answer again, its invoke id patched, without the library's decoder and encoder
 * (whose debug tracing formats every request it serves, `util.format('%o')` and
 * `JSON.stringify`, even when tracing is off). What goes on the wire is what the library
 * produced for that request: the cache keeps the library's own answer datagram, and only
 * complex acks (no errors, rejects or aborts, which depend on switches tests flip).
 */
import { apduHeader, normalizeAddress, UdpTransport } from '../../../protocols/bacnet/transport.js';
import type { SimObject } from './objects.js';

const READ_PROPERTY = 12;
const READ_PROPERTY_MULTIPLE = 14;
const ORIGINAL_UNICAST = 0x0a;
const COMPLEX_ACK = 0x30;

interface Entry {
  datagram: Buffer;
  /** Where the invoke id sits in `datagram`. */
  invokeAt: number;
  objects: SimObject[];
  versions: number[];
  maxApdu: number;
}

interface Pending {
  key: string;
  to: string;
  invokeId: number;
  service: number;
  maxApdu: number;
  objects: SimObject[];
}

export interface CachedAnswer {
  datagram: Buffer;
  service: 'rp' | 'rpm';
}

export class AnswerCache {
  readonly #entries = new Map<string, Entry>();
  readonly #limit: number;
  #pending: Pending | undefined;
  readonly counters = { hits: 0, stored: 0 };

  constructor(limit = 2048) {
    this.#limit = limit;
  }

  /**
   * A datagram came in (`apduAt`: where its APDU starts). For a repeated read: the answer to send.
   * Otherwise undefined, and if it is a cacheable read the answer the library gives next is kept.
   */
  lookup(raw: Buffer, apduAt: number, from: string, maxApdu: number): CachedAnswer | undefined {
    this.#pending = undefined;
    // An unsegmented confirmed request (type 0, SEG bit clear) in an original unicast.
    if (raw[1] !== ORIGINAL_UNICAST || raw.length < apduAt + 4 || (raw[apduAt]! & 0xf8) !== 0) return undefined;
    const service = raw[apduAt + 3]!;
    if (service !== READ_PROPERTY && service !== READ_PROPERTY_MULTIPLE) return undefined;
    const invokeId = raw[apduAt + 2]!;
    raw[apduAt + 2] = 0;
    const key = raw.toString('latin1');
    raw[apduAt + 2] = invokeId;
    const e = this.#entries.get(key);
    if (e && e.maxApdu === maxApdu && e.objects.every((o, i) => o.version === e.versions[i])) {
      this.counters.hits++;
      const datagram = Buffer.allocUnsafe(e.datagram.length);
      e.datagram.copy(datagram);
      datagram[e.invokeAt] = invokeId;
      return { datagram, service: service === READ_PROPERTY ? 'rp' : 'rpm' };
    }
    this.#pending = { key, to: normalizeAddress(from), invokeId, service, maxApdu, objects: [] };
    return undefined;
  }

  /** The request being answered read this object (its answer is stale once the object changes). */
  uses(o: SimObject): void {
    this.#pending?.objects.push(o);
  }

  /** A datagram left the device: keep it if it is the complex ack to the pending read. */
  sent(buffer: Buffer, length: number, to: string | undefined): void {
    const p = this.#pending;
    if (!p || to === undefined || normalizeAddress(to) !== p.to) return;
    this.#pending = undefined;
    const datagram = Buffer.from(buffer.subarray(0, length));
    const h = apduHeader(datagram);
    if (!h || h.pduType !== COMPLEX_ACK || h.invokeId !== p.invokeId || datagram[h.offset + 2] !== p.service) return;
    // The device object's answers (object-list) depend on more than its own state: never kept.
    if (p.objects.length === 0 || p.objects.some((o) => o.objectId.type === 8)) return;
    if (this.#entries.size >= this.#limit) this.#entries.clear();
    this.#entries.set(p.key, {
      datagram,
      invokeAt: h.offset + 1,
      objects: p.objects,
      versions: p.objects.map((o) => o.version),
      maxApdu: p.maxApdu,
    });
    this.counters.stored++;
  }

  clear(): void {
    this.#entries.clear();
    this.#pending = undefined;
  }
}

/** The UDP transport, telling the answer cache what the library sends. */
export class CapturingTransport extends UdpTransport {
  onSend: ((buffer: Buffer, length: number, to: string | undefined) => void) | undefined;

  override send(buffer: Buffer, offset: number, receiver?: string): void {
    this.onSend?.(buffer, offset, receiver);
    super.send(buffer, offset, receiver);
  }
}
