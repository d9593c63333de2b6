/**
 * Live values for the console over server-sent events, and the recent-alarms ring the
 * dashboard shows. One subscription to the event bus (owner `console`), fanned out to every
 * open stream; a stream may ask for one device only. Streams are closed before the HTTP
 * server closes, so shutdown never waits on an open browser tab.
 */
import type { ServerResponse } from 'node:http';
import type { EventBus } from '../events.js';
import type { DeviceRegistry } from '../thing/registry.js';
import { keyOf } from '../host/sdk/device-key.js';
import { DRIVER_STOPPED } from '../host/reports.js';
import type { ThingEvent } from '../thing/tsl.js';

export interface Alarm {
  time: number;
  source: string;
  kind: string;
  message: string;
  /** A device event's name in its thing model. */
  title?: string;
  /** A device event's parameters named by its thing model, bool and enum values with their labels. */
  fields?: AlarmField[];
}

export interface AlarmField {
  id: string;
  name: string;
  value: string;
  label?: string;
}

interface Client {
  res: ServerResponse;
  device: string | undefined;
  /** The console session the stream was opened in: ended with it. */
  session: string | undefined;
}

const OWNER = 'console';
const MAX_ALARMS = 100;

export class LiveHub {
  readonly #events: EventBus;
  readonly #registry: DeviceRegistry;
  readonly #clients = new Set<Client>();
  readonly #alarms: Alarm[] = [];
  #heartbeat: NodeJS.Timeout | undefined;

  readonly #bootId: string;
  readonly #sessionValid: (id: string) => boolean;

  /** `bootId` tells a reconnecting page whether the box restarted in between (then it must reload). */
  constructor(deps: { events: EventBus; registry: DeviceRegistry; bootId: string; sessionValid?: (id: string) => boolean }) {
    this.#events = deps.events;
    this.#registry = deps.registry;
    this.#bootId = deps.bootId;
    this.#sessionValid = deps.sessionValid ?? (() => true);
  }

  start(): void {
    this.#events.on(OWNER, 'device.properties', (p) => this.#send(keyOf(p), 'properties', p));
    this.#events.on(OWNER, 'device.status', (p) => {
      this.#send(keyOf(p), 'status', p);
      if (p.status === 'offline' && p.previous === 'online' && p.reason !== DRIVER_STOPPED)
        this.#alarm({ time: Date.now(), source: keyOf(p), kind: 'device.offline', message: p.reason ?? '' });
    });
    this.#events.on(OWNER, 'device.event', (p) => {
      const key = keyOf(p);
      this.#send(key, 'event', p);
      const event = this.#registry.get(p.productKey, p.deviceName)?.model.tsl.events.get(p.eventId);
      if (event?.type === 'alert' || event?.type === 'error')
        this.#alarm({
          time: p.time,
          source: key,
          kind: p.eventId,
          message: JSON.stringify(p.params).slice(0, 200),
          title: event.name,
          fields: eventFields(event, p.params),
        });
    });
    this.#events.on(OWNER, 'driver.state', (p) => {
      this.#send(undefined, 'driver', p);
      if (p.state === 'failed' || p.state === 'restarting')
        this.#alarm({ time: Date.now(), source: p.driver, kind: `driver.${p.state}`, message: p.lastError ?? '' });
    });
    // A comment line keeps idle streams open through proxies and lets dead sockets surface.
    // It also finds the streams whose session expired while only the stream was open.
    this.#heartbeat = setInterval(() => {
      for (const c of this.#clients) {
        if (c.session !== undefined && !this.#sessionValid(c.session)) this.endSession(c.session);
        else c.res.write(': ping\n\n');
      }
    }, 15_000);
    this.#heartbeat.unref();
  }

  stop(): void {
    this.#events.removeAll(OWNER);
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    for (const c of this.#clients) c.res.end();
    this.#clients.clear();
  }

  /** Take over a response as an event stream; `device` limits it to one device's events. */
  attach(res: ServerResponse, device: string | undefined, session?: string): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 2000\n\nevent: hello\ndata: ${JSON.stringify({ bootId: this.#bootId })}\n\n`);
    const client: Client = { res, device, session };
    this.#clients.add(client);
    res.on('close', () => this.#clients.delete(client));
  }

  /** The session ended (logout, expiry, password change): its pages are told, then their streams close. */
  endSession(session: string): void {
    for (const c of this.#clients) {
      if (c.session !== session) continue;
      c.res.end('event: session\ndata: {"ended":true}\n\n');
      this.#clients.delete(c);
    }
  }

  get streams(): number {
    return this.#clients.size;
  }

  alarms(limit = 20): Alarm[] {
    return this.#alarms.slice(-limit).reverse();
  }

  #alarm(a: Alarm): void {
    this.#alarms.push(a);
    if (this.#alarms.length > MAX_ALARMS) this.#alarms.shift();
  }

  #send(device: string | undefined, event: string, payload: unknown): void {
    if (this.#clients.size === 0) return;
    const line = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const c of this.#clients) {
      if (c.device === undefined || device === undefined || c.device === device) c.res.write(line);
    }
  }
}

/** An event's parameters in the order of its thing model, each with its name and value label. */
function eventFields(event: ThingEvent, params: Record<string, unknown>): AlarmField[] {
  const fields: AlarmField[] = [];
  for (const param of event.outputData) {
    if (!(param.identifier in params)) continue;
    const raw = params[param.identifier];
    const value = typeof raw === 'object' && raw !== null ? JSON.stringify(raw).slice(0, 200) : String(raw);
    const dt = param.dataType;
    const label = dt.type === 'bool' || dt.type === 'enum' ? dt.specs[value] : undefined;
    fields.push(
      label === undefined ? { id: param.identifier, name: param.name, value } : { id: param.identifier, name: param.name, value, label },
    );
  }
  return fields;
}
