/**
 * The box's clock against the platform's (the Alink NTP request and response, topics in
 * alink/topics.ts): asked at each connect, after the subscriptions so the response is not lost
 * on a clean session; the offset is kept for the clock health (R41), warned about past 1 s, and
 * announced to the drivers so every record is stamped with the platform's time.
 */
import type { MqttClient } from 'mqtt';
import type { EventBus } from '../events.js';
import type { Logger } from '../log.js';
import { alinkTopics } from './alink/topics.js';

export class PlatformClock {
  /** Platform time minus box time, from the last response; undefined before one. */
  offsetMs: number | undefined;
  readonly #log: Logger;
  readonly #events: EventBus;
  readonly #gateway: { productKey: string; deviceName: string };

  constructor(log: Logger, events: EventBus, gateway: { productKey: string; deviceName: string }) {
    this.#log = log;
    this.#events = events;
    this.#gateway = gateway;
  }

  ask(client: MqttClient): void {
    const topic = alinkTopics.ntpRequest(this.#gateway.productKey, this.#gateway.deviceName);
    client.publish(topic, JSON.stringify({ deviceSendTime: String(Date.now()) }), { qos: 0 });
  }

  heard(offsetMs: number): void {
    this.offsetMs = offsetMs;
    if (Math.abs(offsetMs) > 1000) this.#log.warn({ offsetMs }, 'box clock differs from the platform clock');
    // Drivers stamp records in their own processes: the host passes the offset on (clock.offset).
    this.#events.emit('clock.offset', { offsetMs });
  }
}
