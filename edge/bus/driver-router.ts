/**
 * Drivers over the local bus: a driver written in any language joins by speaking the host
 * protocol (edge/host/sdk/protocol.ts) as JSON on two topics of its own. It logs in as the bus user
 * named in its driver config; only that user may publish its `up` topic or receive its `down`
 * topic (which carries the devices' custom config). See docs/drivers.md.
 */
import type { ChannelEvents, ChannelFactory } from '../host/channel.js';
import { isDriverMessage } from '../host/sdk/protocol.js';
import type { Logger } from '../log.js';
import type { BusTransport } from './transport.js';

export const driverTopics = {
  up: (name: string) => `edge-driver/${name}/up`,
  down: (name: string) => `edge-driver/${name}/down`,
} as const;

const UP = /^edge-driver\/([^/]+)\/up$/;
const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** Which driver a topic belongs to and in which direction, or undefined. */
export function parseDriverTopic(topic: string): { name: string; dir: 'up' | 'down' } | undefined {
  const m = /^edge-driver\/([^/]+)\/(up|down)$/.exec(topic);
  return m ? { name: m[1]!, dir: m[2] as 'up' | 'down' } : undefined;
}

export class DriverBusRouter {
  readonly #transport: BusTransport;
  readonly #log: Logger;
  readonly #sessions = new Map<string, ChannelEvents>();

  constructor(deps: { transport: BusTransport; log: Logger }) {
    this.#transport = deps.transport;
    this.#log = deps.log;
  }

  async start(): Promise<void> {
    await this.#transport.subscribe(['edge-driver/+/up'], (topic, payload) => this.#onUp(topic, payload));
  }

  #onUp(topic: string, payload: Buffer): void {
    const name = UP.exec(topic)?.[1];
    if (!name) return;
    const session = this.#sessions.get(name);
    if (!session) return; // not deployed (or not as a bus driver): ignore
    if (payload.length > MAX_MESSAGE_BYTES) {
      this.#log.warn({ driver: name, bytes: payload.length }, 'bus driver message too large; dropped');
      return;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(payload.toString('utf8'));
    } catch {
      this.#log.warn({ driver: name }, 'bus driver sent invalid JSON; dropped');
      return;
    }
    if (!isDriverMessage(msg)) {
      this.#log.warn({ driver: name }, 'bus driver sent a message without a type; dropped');
      return;
    }
    session.onMessage(msg);
    if (msg.t === 'stopped') this.#end(name, session, 'stopped');
  }

  #end(name: string, session: ChannelEvents, reason: string): void {
    if (this.#sessions.get(name) !== session) return;
    this.#sessions.delete(name);
    session.onEnd(reason);
  }

  /** The channel factory the host uses for `transport: mqtt` drivers. */
  readonly channel: ChannelFactory = (target, events) => {
    const previous = this.#sessions.get(target.name);
    if (previous) this.#end(target.name, previous, 'replaced');
    this.#sessions.set(target.name, events);
    const down = driverTopics.down(target.name);
    return {
      pid: undefined,
      send: (m) => this.#transport.publish(down, JSON.stringify(m)),
      kill: (reason) => {
        // Tell the remote driver to drop what it does; the session ends here whatever it does.
        this.#transport.publish(down, JSON.stringify({ t: 'stop', force: true }));
        setImmediate(() => this.#end(target.name, events, reason));
      },
    };
  };
}
