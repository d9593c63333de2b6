/**
 * The simulated device's COV service: SubscribeCOV with lifetimes and cancellation, and the
 * notifications (confirmed or not) when a subscribed object's present value moves by its COV
 * increment, with an initial one after each subscription.
 */
import { ConfirmedServiceChoice, ErrorClass, ErrorCode, RejectReason } from '@bacnet-js/client';
import type { SubscribeCovContent as SubscribeRequest } from '@bacnet-js/client/dist/lib/EventTypes.js';
import type { Client } from '../../../protocols/bacnet/client.js';
import type { Receiver, SimDevice } from './device.js';
import type { SimObject } from './objects.js';

export interface Subscription {
  address: string;
  processId: number;
  key: string;
  confirmed: boolean;
  expiresAt: number;
  lastSent: Map<number, unknown>;
}

/** What the service needs of the device beyond its public state. */
export interface CovIo {
  client(): Client | undefined;
  reject(receiver: Receiver, invokeId: number, reason: number): void;
}

export class CovService {
  readonly subscriptions = new Map<string, Subscription>();
  readonly #device: SimDevice;
  readonly #io: CovIo;

  constructor(device: SimDevice, io: CovIo) {
    this.#device = device;
    this.#io = io;
  }

  /** SubscribeCOV (Clause 13.14): a subscription added, renewed or cancelled, and its initial notification. */
  subscribe(client: Client, c: SubscribeRequest): void {
    if (this.#device.silent) return;
    this.#device.counters.subscribe++;
    const sender = c.header!.sender;
    if (!this.#device.options.cov) return this.#io.reject(sender, c.invokeId!, RejectReason.UNRECOGNIZED_SERVICE);
    const p = c.payload as typeof c.payload & { cancellationRequest?: boolean };
    const key = `${p.monitoredObjectId.type}:${p.monitoredObjectId.instance}`;
    const o = this.#device.objects.get(key);
    if (!o)
      return client.errorResponse(sender, ConfirmedServiceChoice.SUBSCRIBE_COV, c.invokeId!, ErrorClass.OBJECT, ErrorCode.UNKNOWN_OBJECT);
    if (!o.covCapable)
      return client.errorResponse(
        sender,
        ConfirmedServiceChoice.SUBSCRIBE_COV,
        c.invokeId!,
        ErrorClass.SERVICES,
        ErrorCode.COV_SUBSCRIPTION_FAILED,
      );
    const subKey = `${sender.address}|${p.subscriberProcessId}|${key}`;
    if (p.cancellationRequest) {
      this.subscriptions.delete(subKey);
      return client.simpleAckResponse(sender, ConfirmedServiceChoice.SUBSCRIBE_COV, c.invokeId!);
    }
    const sub: Subscription = {
      address: sender.address!,
      processId: p.subscriberProcessId,
      key,
      confirmed: !!p.issueConfirmedNotifications,
      expiresAt: p.lifetime ? Date.now() + p.lifetime * 1000 : Infinity,
      lastSent: new Map(),
    };
    this.subscriptions.set(subKey, sub);
    client.simpleAckResponse(sender, ConfirmedServiceChoice.SUBSCRIBE_COV, c.invokeId!);
    this.#send(sub, o, true); // an initial notification follows a subscription (Clause 13.14.1.3)
  }

  /** Subscriptions past their lifetime end. */
  expire(): void {
    const now = Date.now();
    for (const [k, s] of this.subscriptions) if (s.expiresAt <= now) this.subscriptions.delete(k);
  }

  /** An object's value changed: its subscribers are told (when it moved by the COV increment). */
  notify(key: string): void {
    const o = this.#device.objects.get(key);
    if (!o || this.#device.silent) return;
    for (const s of this.subscriptions.values()) if (s.key === key) this.#send(s, o, false);
  }

  #send(s: Subscription, o: SimObject, initial: boolean): void {
    const pv = o.presentValue;
    const last = s.lastSent.get(85) as number | undefined;
    if (!initial && last !== undefined && Math.abs(pv - last) < o.covIncrement && pv !== last) return;
    if (!initial && last === pv) return;
    s.lastSent.set(85, pv);
    const remaining = s.expiresAt === Infinity ? 0 : Math.max(0, Math.round((s.expiresAt - Date.now()) / 1000));
    const values = [
      { property: { id: 85, index: 0xffffffff }, value: o.read(85, this.#device)! },
      { property: { id: 111, index: 0xffffffff }, value: o.read(111, this.#device)! },
    ];
    const client = this.#io.client();
    if (!client) return;
    this.#device.counters.covSent++;
    if (s.confirmed) {
      client
        .confirmedCOVNotification(
          { address: s.address },
          o.objectId,
          s.processId,
          this.#device.options.deviceId,
          remaining,
          values as never,
        )
        .catch(() => undefined);
    } else
      client.unconfirmedCOVNotification(
        { address: s.address },
        s.processId,
        this.#device.options.deviceId,
        o.objectId,
        remaining,
        values as never,
      );
  }
}
