/**
 * Messages the outbox quota dropped while the link was down go up as one gateway event when it
 * returns, so the platform knows what is missing; the counts clear only once that event is acked.
 */
import type { MqttClient } from 'mqtt';
import type { Logger } from '../log.js';
import { request } from './alink/messages.js';
import { alinkTopics } from './alink/topics.js';
import type { Outbox } from './outbox/outbox.js';

/** The gateway event that reports quota drops; define it on the gateway product. */
export const DROPPED_EVENT = 'OutboxDropped';

export class DropReporter {
  readonly #outbox: Outbox;
  readonly #gateway: { productKey: string; deviceName: string };
  readonly #log: Logger;
  #pending = false;

  constructor(deps: { outbox: Outbox; gateway: { productKey: string; deviceName: string }; log: Logger }) {
    this.#outbox = deps.outbox;
    this.#gateway = deps.gateway;
    this.#log = deps.log;
  }

  /** Reports the drops since the last acked report, if any and none is on its way. */
  report(client: MqttClient, id: string): void {
    const d = this.#outbox.dropped();
    if (d.property + d.event + d.record === 0 || this.#pending) return;
    this.#pending = true;
    this.#log.warn({ dropped: d }, 'reporting messages dropped by the outbox quota');
    const topic = alinkTopics.eventPost(this.#gateway.productKey, this.#gateway.deviceName, DROPPED_EVENT);
    const body = request(id, `thing.event.${DROPPED_EVENT}.post`, {
      value: { property: d.property, event: d.event, record: d.record, since: d.since },
      time: Date.now(),
    });
    client.publish(topic, body, { qos: 1 }, (err) => {
      this.#pending = false;
      if (!err) this.#outbox.clearDropped(d);
    });
  }
}
