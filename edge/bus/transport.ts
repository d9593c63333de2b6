/** How the bridge reaches the bus: the embedded aedes, or an external broker through mqtt.js. */
import mqtt, { type MqttClient } from 'mqtt';
import type { BrokerInstance } from './broker.js';

export type RequestHandler = (topic: string, payload: Buffer) => void;

export interface BusTransport {
  publish(topic: string, payload: string, retain?: boolean): void;
  subscribe(filters: readonly string[], handler: RequestHandler): Promise<void>;
  close(): Promise<void>;
}

export function embeddedTransport(aedes: BrokerInstance): BusTransport {
  const subs: Array<[string, Parameters<BrokerInstance['subscribe']>[1]]> = [];
  return {
    publish(topic, payload, retain = false) {
      aedes.publish({ cmd: 'publish', topic, payload, qos: 0, retain, dup: false }, () => undefined);
    },
    async subscribe(filters, handler) {
      for (const f of filters) {
        const deliver: Parameters<BrokerInstance['subscribe']>[1] = (packet, cb) => {
          // Our own publications (client null) never reach request filters; requests come from clients.
          handler(packet.topic, Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(String(packet.payload)));
          cb();
        };
        subs.push([f, deliver]);
        await new Promise<void>((resolve) => aedes.subscribe(f, deliver, resolve));
      }
    },
    async close() {
      await Promise.all(subs.map(([f, d]) => new Promise<void>((resolve) => aedes.unsubscribe(f, d, resolve))));
    },
  };
}

export async function externalTransport(
  url: string,
  options: { username?: string; password?: string; clientId: string },
): Promise<BusTransport> {
  const client: MqttClient = await mqtt.connectAsync(url, {
    clientId: options.clientId,
    ...(options.username ? { username: options.username } : {}),
    ...(options.password ? { password: options.password } : {}),
    reconnectPeriod: 2000,
  });
  return {
    publish(topic, payload, retain = false) {
      client.publish(topic, payload, { qos: 0, retain });
    },
    async subscribe(filters, handler) {
      client.on('message', (topic, payload) => handler(topic, payload));
      await client.subscribeAsync([...filters], { qos: 1 });
    },
    async close() {
      await client.endAsync();
    },
  };
}
