/** Prometheus metrics of the box (prom-client), on a registry of its own so tests stay isolated. */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { EventBus } from './events.js';
import type { DriverHost } from './host/host.js';
import type { StoreWriteHealth } from './store/write-health.js';
import type { DeviceRegistry } from './thing/registry.js';

const OWNER = 'metrics';

export class Metrics {
  readonly registry = new Registry();
  readonly #events: EventBus;
  readonly valuesAccepted: Counter;
  readonly valuesDropped: Counter;
  readonly eventsReported: Counter;
  readonly driverRestarts: Counter<'driver'>;

  constructor(deps: {
    events: EventBus;
    host: DriverHost;
    devices: DeviceRegistry;
    busClients: () => number;
    busPublished: () => number;
    store?: StoreWriteHealth;
  }) {
    this.#events = deps.events;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'edge_process_' });
    this.valuesAccepted = new Counter({ name: 'edge_property_values_total', help: 'property values accepted from drivers', registers });
    this.valuesDropped = new Counter({
      name: 'edge_property_values_dropped_total',
      help: 'property values dropped at the thing-model boundary',
      registers,
    });
    this.eventsReported = new Counter({ name: 'edge_events_total', help: 'device events accepted', registers });
    this.driverRestarts = new Counter({
      name: 'edge_driver_restarts_total',
      help: 'driver process restarts',
      labelNames: ['driver'],
      registers,
    });
    new Gauge({
      name: 'edge_drivers',
      help: 'drivers by state',
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        for (const d of deps.host.status()) this.inc({ state: d.state });
      },
    });
    new Gauge({
      name: 'edge_devices',
      help: 'devices by status',
      labelNames: ['status'],
      registers,
      collect() {
        this.reset();
        for (const s of ['online', 'offline', 'notActivated', 'disabled']) this.set({ status: s }, 0);
        for (const d of deps.devices.list()) this.inc({ status: d.status });
      },
    });
    new Gauge({
      name: 'edge_bus_clients',
      help: 'clients connected to the local bus',
      registers,
      collect() {
        this.set(deps.busClients());
      },
    });
    new Gauge({
      name: 'edge_bus_published_total',
      help: 'messages the box published on the local bus',
      registers,
      collect() {
        this.set(deps.busPublished());
      },
    });
    const store = deps.store;
    if (store) {
      new Gauge({
        name: 'edge_store_writable',
        help: '0 while the box database cannot write (disk full or failing)',
        registers,
        collect() {
          this.set(store.writable ? 1 : 0);
        },
      });
      new Counter({
        name: 'edge_store_write_failures_total',
        help: 'writes the box database refused (held in memory and retried)',
        registers,
        collect() {
          this.reset();
          this.inc(store.state().failures);
        },
      });
    }
  }

  start(): void {
    this.#events.on(OWNER, 'device.properties', ({ params }) => this.valuesAccepted.inc(Object.keys(params).length));
    this.#events.on(OWNER, 'value.dropped', () => this.valuesDropped.inc());
    this.#events.on(OWNER, 'device.event', () => this.eventsReported.inc());
    this.#events.on(OWNER, 'driver.state', ({ driver, state }) => {
      if (state === 'restarting') this.driverRestarts.inc({ driver });
    });
  }

  stop(): void {
    this.#events.removeAll(OWNER);
  }
}
