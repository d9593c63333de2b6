/**
 * A simulated BACnet/IP device in the server role, on @bacnet-js/client: answers Who-Is,
 * ReadProperty, ReadPropertyMultiple, WriteProperty (priority array and relinquish) and
 * SubscribeCOV, and sends COV notifications (confirmed or not) with subscription lifetimes.
 * Analog, binary and multistate objects. Loopback only: it binds a 127.0.0.x address and
 * listens on the loopback broadcast for Who-Is.
 *
 * Behaviour switches let tests play a poor device: no RPM (rejects it as unrecognised), no
 * COV, a small max APDU without segmentation (aborts answers that do not fit), silence, and
 * malformed answers.
 */
import {
  ApplicationTag,
  ConfirmedServiceChoice,
  ErrorClass,
  ErrorCode,
  RejectReason,
  Segmentation,
  UnconfirmedServiceChoice,
} from '@bacnet-js/client';
import { BACnetClient, type Client } from '../../../protocols/bacnet/client.js';
import * as baApdu from '@bacnet-js/client/dist/lib/apdu.js';
import * as baNpdu from '@bacnet-js/client/dist/lib/npdu.js';
import { IAm as IAmService, ReadPropertyMultiple } from '@bacnet-js/client/dist/lib/services/index.js';
import type { ApduHeader } from '../../../protocols/bacnet/transport.js';
import { AnswerCache, CapturingTransport } from './answers.js';
import { CovService, type Subscription } from './cov.js';
import type { ReadPropertyMultipleContent } from '@bacnet-js/client/dist/lib/EventTypes.js';
import { SimObject, type ObjectSpec } from './objects.js';

export type Receiver = { address?: string; forwardedFrom?: string | null };
type AppValue = { type: number; value: unknown };

export interface SimDeviceOptions {
  deviceId: number;
  host: string;
  port: number;
  broadcastAddress?: string;
  maxApdu?: number;
  vendorId?: number;
  objects: ObjectSpec[];
  rpm?: boolean;
  cov?: boolean;
}

const loopback = (ip: string): boolean => ip.startsWith('127.');
const APDU_OCTETS = [50, 128, 206, 480, 1024, 1476];

export class SimDevice {
  readonly options: Required<Omit<SimDeviceOptions, 'objects' | 'broadcastAddress'>> & { broadcastAddress: string };
  readonly objects = new Map<string, SimObject>();
  /** COV subscriptions by subscriber and object (cov.ts). */
  readonly subscriptions: Map<string, Subscription>;
  readonly #cov: CovService;
  /** Stop answering anything (the device "goes away" without closing its socket). */
  silent = false;
  /** Answer ReadPropertyMultiple with bytes that do not decode. */
  malformedRpm = false;
  readonly counters = { rp: 0, rpm: 0, wp: 0, subscribe: 0, covSent: 0, whoIs: 0 };
  /** Repeated reads of unchanged objects are answered with the library's earlier answer (answers.ts). */
  readonly answers = new AnswerCache();
  #client: Client | undefined;
  #transport: CapturingTransport | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: SimDeviceOptions) {
    this.options = { maxApdu: 1476, vendorId: 999, rpm: true, cov: true, broadcastAddress: '127.255.255.255', ...opts };
    if (!loopback(opts.host) || !loopback(this.options.broadcastAddress))
      throw new Error('the BACnet simulator binds loopback addresses only');
    this.objects.set(`8:${opts.deviceId}`, new SimObject({ type: 8, instance: opts.deviceId, name: `SIM-${opts.deviceId}`, value: 0 }));
    for (const o of opts.objects) this.objects.set(`${o.type}:${o.instance}`, new SimObject(o));
    this.#cov = new CovService(this, {
      client: () => this.#client,
      reject: (to: Receiver, invokeId: number, reason: number) => this.#reject(to, invokeId, reason),
    });
    this.subscriptions = this.#cov.subscriptions;
  }

  /** Datagrams the device's socket sent, received, dropped and refused (for diagnosis). */
  get transportCounters(): Record<string, number> | undefined {
    return this.#transport ? { ...this.#transport.counters } : undefined;
  }

  get address(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  async start(): Promise<void> {
    const transport = new CapturingTransport({
      bindAddress: this.options.host,
      port: this.options.port,
      broadcastAddress: this.options.broadcastAddress,
      listenBroadcast: true,
      allowSend: loopback,
      inspect: (h, from, raw) => this.#fastAnswer(h, from, raw),
    });
    transport.onSend = (buffer, length, to) => this.answers.sent(buffer, length, to);
    const listening = new Promise<void>((resolve, reject) => {
      transport.once('listening', () => resolve());
      transport.once('error', reject);
    });
    const client = new BACnetClient({ transport, apduTimeout: 2000 });
    client.on('error', () => undefined);
    this.#client = client;
    this.#transport = transport;
    this.#wire(client);
    await listening;
    this.options.port = transport.ownAddress.port;
    this.#timer = setInterval(() => this.#cov.expire(), 1000);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#client?.close();
    this.#client = undefined;
  }

  /** Change a present value from the "field" (inputs change this way) and notify subscribers. */
  setValue(type: number, instance: number, value: number): void {
    const o = this.objects.get(`${type}:${instance}`);
    if (!o) throw new Error(`no object ${type}:${instance}`);
    o.fieldValue = value;
    this.#cov.notify(o.key);
  }

  presentValue(type: number, instance: number): number | undefined {
    return this.objects.get(`${type}:${instance}`)?.presentValue;
  }

  /** Serve a repeated read from the answer cache; false = answered here, the library never sees it. */
  #fastAnswer(h: ApduHeader, from: string, raw: Buffer): boolean {
    if (this.silent || h.pduType !== 0x00) return true;
    // The library ignores requests from 127.0.0.1:47808; RPM answers depend on these switches.
    if (from === '127.0.0.1:47808' || (raw[h.offset + 3] === 14 && (!this.options.rpm || this.malformedRpm))) return true;
    const a = this.answers.lookup(raw, h.offset, from, this.options.maxApdu);
    if (!a) return true;
    this.counters[a.service]++;
    this.#transport!.send(a.datagram, a.datagram.length, from);
    return false;
  }

  #wire(client: Client): void {
    client.on('whoIs', (c) => {
      if (this.silent) return;
      this.counters.whoIs++;
      const { lowLimit, highLimit } = c.payload ?? {};
      const id = this.options.deviceId;
      if (lowLimit !== undefined && highLimit !== undefined && (id < lowLimit || id > highLimit)) return;
      this.#iAm(c.header!.sender);
    });
    client.on('readProperty', (c) => {
      if (this.silent) return;
      this.counters.rp++;
      const sender = c.header!.sender;
      const { objectId, property } = c.payload;
      const o = this.objects.get(`${objectId.type}:${objectId.instance}`);
      if (!o)
        return client.errorResponse(sender, ConfirmedServiceChoice.READ_PROPERTY, c.invokeId!, ErrorClass.OBJECT, ErrorCode.UNKNOWN_OBJECT);
      this.answers.uses(o);
      const v = o.read(property.id, this);
      if (!v)
        return client.errorResponse(
          sender,
          ConfirmedServiceChoice.READ_PROPERTY,
          c.invokeId!,
          ErrorClass.PROPERTY,
          ErrorCode.UNKNOWN_PROPERTY,
        );
      client.readPropertyResponse(sender, c.invokeId!, objectId, property, v as never);
    });
    client.on('readPropertyMultiple', (c) => this.#readPropertyMultiple(client, c));
    client.on('writeProperty', (c) => {
      if (this.silent) return;
      this.counters.wp++;
      const sender = c.header!.sender;
      const { objectId, value } = c.payload;
      const o = this.objects.get(`${objectId.type}:${objectId.instance}`);
      const fail = (cls: number, code: number): void =>
        client.errorResponse(sender, ConfirmedServiceChoice.WRITE_PROPERTY, c.invokeId!, cls, code);
      if (!o) return fail(ErrorClass.OBJECT, ErrorCode.UNKNOWN_OBJECT);
      const problem = o.write(value.property.id, value.value as AppValue[], value.priority);
      if (problem) return fail(problem[0], problem[1]);
      client.simpleAckResponse(sender, ConfirmedServiceChoice.WRITE_PROPERTY, c.invokeId!);
      this.#cov.notify(o.key);
    });
    client.on('subscribeCov', (c) => this.#cov.subscribe(client, c));
  }

  /** ReadPropertyMultiple: refused when switched off, malformed when asked to, aborted when the answer does not fit. */
  #readPropertyMultiple(client: Client, c: ReadPropertyMultipleContent): void {
    if (this.silent) return;
    this.counters.rpm++;
    const sender = c.header!.sender;
    if (!this.options.rpm) return this.#reject(sender, c.invokeId!, RejectReason.UNRECOGNIZED_SERVICE);
    if (this.malformedRpm) return this.#raw(sender, Buffer.from([0x30, c.invokeId!, 0x0e, 0x0c, 0xff, 0xff]));
    const values = c.payload.properties.map((spec) => {
      const o = this.objects.get(`${spec.objectId.type}:${spec.objectId.instance}`);
      if (o) this.answers.uses(o);
      return {
        objectId: spec.objectId,
        values: spec.properties.map((p) => {
          const v = o?.read(p.id, this);
          const err = {
            type: 'BacnetError',
            errorClass: o ? ErrorClass.PROPERTY : ErrorClass.OBJECT,
            errorCode: o ? ErrorCode.UNKNOWN_PROPERTY : ErrorCode.UNKNOWN_OBJECT,
          };
          return { property: { id: p.id, index: p.index }, value: v ?? [{ value: err }] };
        }),
      };
    });
    // Measure the answer: without segmentation it must fit the smaller of both max APDUs.
    const probe = { buffer: Buffer.alloc(65_536), offset: 0 };
    ReadPropertyMultiple.encodeAcknowledge(probe, values);
    const limit = Math.min(this.options.maxApdu, APDU_OCTETS[(c as { maxApdu?: number }).maxApdu ?? 5] ?? 1476);
    if (probe.offset + 3 > limit) return this.#abort(sender, c.invokeId!, 4); // segmentation-not-supported
    client.readPropertyMultipleResponse(sender, c.invokeId!, values);
  }

  #iAm(receiver: Receiver): void {
    const buffer = { buffer: Buffer.alloc(1482), offset: 4 };
    baNpdu.encode(buffer, 0, receiver as never);
    baApdu.encodeUnconfirmedServiceRequest(buffer, 0x10, UnconfirmedServiceChoice.I_AM);
    IAmService.encode(buffer, this.options.deviceId, this.options.maxApdu, Segmentation.NO_SEGMENTATION, this.options.vendorId);
    this.#client?.sendBvlc(receiver as never, buffer);
  }

  #reject(receiver: Receiver, invokeId: number, reason: number): void {
    this.#raw(receiver, Buffer.from([0x60, invokeId, reason]));
  }

  #abort(receiver: Receiver, invokeId: number, reason: number): void {
    this.#raw(receiver, Buffer.from([0x71, invokeId, reason])); // server bit set
  }

  /** Send an APDU as given (after a normal NPDU header). */
  #raw(receiver: Receiver, apdu: Buffer): void {
    const buffer = { buffer: Buffer.alloc(1482), offset: 4 };
    baNpdu.encode(buffer, 0, receiver as never);
    apdu.copy(buffer.buffer, buffer.offset);
    buffer.offset += apdu.length;
    this.#client?.sendBvlc(receiver as never, buffer);
  }

  /** For tests: write an arbitrary datagram to an address from this device's socket. */
  sendDatagram(to: string, bytes: Buffer): void {
    this.#transport?.send(bytes, bytes.length, to);
  }
}

export { ApplicationTag };
