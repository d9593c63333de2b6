/**
 * A rules engine on real parts without a daemon: the real event bus, the real device registry (the
 * TSL boundary), an in-memory box database, and simulated devices that report the way the host
 * does (registry.acceptProperties, then `device.properties`; status through registry.setStatus).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventBus, type EdgeEvents } from '../../edge/events.js';
import { silentLogger } from '../../edge/log.js';
import { RulesEngine } from '../../edge/rules/engine.js';
import { openDatabase, type Db } from '../../edge/store/db.js';
import { compileModel } from '../../edge/thing/model.js';
import { DeviceRegistry } from '../../edge/thing/registry.js';
import { parseThingModel } from '../../edge/thing/tsl.js';

export const MY_PRODUCT = compileModel(
  parseThingModel(JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'MyProduct.json'), 'utf8'))),
);

export class SimDevice {
  constructor(
    readonly rig: Rig,
    readonly deviceName: string,
    readonly productKey = 'MyProduct',
  ) {}

  /** Report values as a driver would: through the TSL boundary, then the event the host emits. */
  report(values: Record<string, unknown>): void {
    const { accepted, count } = this.rig.registry.acceptProperties(this.productKey, this.deviceName, values, Date.now());
    if (count > 0)
      this.rig.events.emit('device.properties', { productKey: this.productKey, deviceName: this.deviceName, params: accepted });
  }

  online(): void {
    this.rig.registry.setStatus(this.productKey, this.deviceName, 'online');
  }

  offline(): void {
    this.rig.registry.setStatus(this.productKey, this.deviceName, 'offline', 'simulated');
  }
}

export interface Rig {
  db: Db;
  events: EventBus;
  registry: DeviceRegistry;
  engine: RulesEngine;
  alarms: Array<EdgeEvents['rules.alarm']>;
  published: Array<{ topic: string; payload: string; retain: boolean }>;
  device(name: string): SimDevice;
  /** Add a rule that must be accepted. */
  add(rule: Record<string, unknown>): Extract<ReturnType<RulesEngine['addOrUpdate']>, { ok: true }>;
  /** The alarms raised (or recovered, acknowledged) so far, in order. */
  changes(change: EdgeEvents['rules.alarm']['change']): Array<EdgeEvents['rules.alarm']>;
  /** Stop the engine and start a new one on the same database (a restart of the daemon). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startRig(file = ':memory:', devices = ['MyDevice']): Promise<Rig> {
  const db = openDatabase(file);
  const events = new EventBus(silentLogger());
  const registry = new DeviceRegistry({ events, log: silentLogger() });
  const alarms: Rig['alarms'] = [];
  const published: Rig['published'] = [];
  events.on('test', 'rules.alarm', (a) => void alarms.push(a));
  const make = (): RulesEngine =>
    new RulesEngine(
      {
        db,
        events,
        registry,
        log: silentLogger(),
        gateway: { productKey: 'PEGateway', deviceName: 'box-01' },
        publish: (topic, payload, retain) => void published.push({ topic, payload, retain }),
      },
      { openIntervalMs: 0 },
    );
  const rig: Rig = {
    db,
    events,
    registry,
    alarms,
    published,
    engine: make(),
    device: (name) => {
      if (!registry.get('MyProduct', name))
        registry.upsert({ productKey: 'MyProduct', deviceName: name, driver: 'sim', custom: {} }, MY_PRODUCT);
      return new SimDevice(rig, name);
    },
    add(rule) {
      const r = rig.engine.addOrUpdate(rule, 'cloud');
      if (!r.ok) throw new Error(JSON.stringify(r.problems));
      return r;
    },
    changes: (change) => alarms.filter((a) => a.change === change),
    async restart() {
      await rig.engine.stop();
      rig.engine = make();
      await rig.engine.start();
    },
    async close() {
      await rig.engine.stop();
      db.close();
    },
  };
  for (const d of devices) rig.device(d).online();
  await rig.engine.start();
  return rig;
}
