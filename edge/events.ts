import type { Logger } from './log.js';
import type { DeviceStatus } from './thing/registry.js';
import type { AlarmRecord } from './rules/alarm-record.js';

/** A property value as it travels through the runtime: value plus the device-side time (UTC ms). */
export interface TimedValue {
  value: unknown;
  time: number;
}

/** Every in-process event and its payload. One map, so a listener's type follows from the name. */
export interface EdgeEvents {
  'device.properties': { productKey: string; deviceName: string; params: Record<string, TimedValue> };
  'device.event': { productKey: string; deviceName: string; eventId: string; params: Record<string, unknown>; time: number };
  'device.status': { productKey: string; deviceName: string; status: DeviceStatus; previous: DeviceStatus; reason?: string };
  'driver.state': { driver: string; state: string; restarts: number; lastError?: string };
  'driver.restart': { driver: string; attempt: number; delayMs: number; reason: string };
  'deploy.starting': { diff: DeployDiffSummary };
  'deploy.finished': { diff: DeployDiffSummary; ok: boolean; error?: string };
  /** The platform clock measured against the box's (Alink NTP answer): platform minus box, ms. */
  'clock.offset': { offsetMs: number };
  'value.dropped': { productKey: string; deviceName: string; key: string; reason: string };
  /** A pass record committed by the access core (it reaches the cloud through the outbox, not through this event). */
  'access.pass': {
    passId: string;
    deviceKey: string;
    identifier: string;
    params: Record<string, unknown>;
    time: number;
    /** The record's own fields, for in-process listeners (elevator linkage); the bus shows only the event. */
    kind: string;
    code: number;
    identityId: string;
    content: string;
    faceId?: string;
  };
  /** A box-made record event of a device, committed with its cloud upload (AutoElevatorCallRecord); the bus shows it. */
  'elevator.record': { deviceKey: string; identifier: string; params: Record<string, unknown>; time: number };
  /** A security alarm of a device (indoor alarm unit zones), committed with its cloud upload (edge/security); the bus shows it. */
  'security.alarm': { alarmId: string; deviceKey: string; eventId: string; params: Record<string, unknown>; time: number };
  /** An EBA alarm raised, recovered or acknowledged, after its record was committed (edge/rules). */
  'rules.alarm': { change: 'raised' | 'recovered' | 'confirmed'; record: AlarmRecord };
}

export interface DeployDiffSummary {
  added: string[];
  removed: string[];
  restarted: string[];
  devicesChanged: string[];
}

type Listener<K extends keyof EdgeEvents> = (payload: EdgeEvents[K]) => void | Promise<void>;

interface Entry {
  owner: string;
  event: keyof EdgeEvents;
  fn: (payload: never) => void | Promise<void>;
}

/**
 * The typed in-process event bus. Listeners are registered per owner so a component can
 * drop all of its listeners in `stop()`. A listener that throws is logged with its owner,
 * never allowed to break the emitter or the other listeners.
 */
export class EventBus {
  readonly #byEvent = new Map<keyof EdgeEvents, Entry[]>();
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  on<K extends keyof EdgeEvents>(owner: string, event: K, fn: Listener<K>): void {
    const list = this.#byEvent.get(event) ?? [];
    list.push({ owner, event, fn: fn as Entry['fn'] });
    this.#byEvent.set(event, list);
  }

  emit<K extends keyof EdgeEvents>(event: K, payload: EdgeEvents[K]): void {
    const list = this.#byEvent.get(event);
    if (!list) return;
    for (const entry of list) {
      try {
        const result = (entry.fn as Listener<K>)(payload);
        if (result && typeof (result as Promise<void>).catch === 'function') {
          (result as Promise<void>).catch((err: unknown) => this.#log.error({ err, owner: entry.owner, event }, 'listener failed'));
        }
      } catch (err) {
        this.#log.error({ err, owner: entry.owner, event }, 'listener failed');
      }
    }
  }

  removeAll(owner: string): void {
    for (const [event, list] of this.#byEvent) {
      this.#byEvent.set(
        event,
        list.filter((e) => e.owner !== owner),
      );
    }
  }
}
