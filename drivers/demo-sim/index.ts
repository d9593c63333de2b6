/**
 * Simulated demo devices, so a fresh box shows live values: a virtual energy meter whose load
 * wanders and whose energy counter grows, and a virtual thermostat that drifts toward its target.
 *
 * Driver config and device custom (`{ kind: 'meter' | 'thermostat', intervalMs? }`): settings.ts.
 */
import { defineDriver, DRIVER_ERRORS, fail, ok, type DeviceHandle } from '../../edge/host/sdk/driver.js';
import { readSettings } from '../../edge/host/sdk/settings.js';
import settings from './settings.js';
import { keyOf } from '../../edge/host/sdk/device-key.js';

interface MeterState {
  kind: 'meter';
  voltage: number;
  current: number;
  energy: number;
  relay: 0 | 1;
}

interface ThermoState {
  kind: 'thermostat';
  temperature: number;
  target: number;
  mode: 0 | 1 | 2;
  power: 0 | 1;
}

type State = MeterState | ThermoState;

const round = (x: number, places: number): number => Number(x.toFixed(places));

/** One simulation step: the values drift, and are reported. */
function tick(d: DeviceHandle, s: State, dtMs: number): void {
  if (s.kind === 'meter') {
    s.voltage = round(220 + (Math.random() - 0.5) * 6, 1);
    s.current = s.relay ? round(Math.max(0, Math.min(99, s.current + (Math.random() - 0.5) * 2)), 2) : 0;
    s.energy = round(s.energy + (s.voltage * s.current * dtMs) / 3_600_000_000, 3);
    d.reportProperties({
      Voltage: s.voltage,
      Current: s.current,
      ActivePower: round(s.voltage * s.current, 1),
      PowerConsumption: s.energy,
      RelayState: s.relay,
    });
    if (s.current > 30) d.reportEvent('OverCurrent', { Current: s.current });
  } else {
    const goal = s.power && s.mode !== 0 ? s.target : 18;
    s.temperature = round(s.temperature + (goal - s.temperature) * 0.05 + (Math.random() - 0.5) * 0.2, 1);
    d.reportProperties({ Temperature: s.temperature, TargetTemperature: s.target, Mode: s.mode, PowerSwitch: s.power });
  }
}

function propertiesOf(s: State): Record<string, unknown> {
  return s.kind === 'meter'
    ? {
        Voltage: s.voltage,
        Current: s.current,
        ActivePower: round(s.voltage * s.current, 1),
        PowerConsumption: s.energy,
        RelayState: s.relay,
      }
    : { Temperature: s.temperature, TargetTemperature: s.target, Mode: s.mode, PowerSwitch: s.power };
}

function applyValues(s: State, values: Record<string, unknown>): void {
  if (s.kind === 'meter') {
    if ('RelayState' in values) s.relay = values.RelayState === 1 ? 1 : 0;
  } else {
    if ('TargetTemperature' in values) s.target = Number(values.TargetTemperature);
    if ('Mode' in values) s.mode = Number(values.Mode) as 0 | 1 | 2;
    if ('PowerSwitch' in values) s.power = values.PowerSwitch === 1 ? 1 : 0;
  }
}

export default defineDriver(({ config, log }) => {
  const defaultInterval = readSettings(settings.config, config, 'demo-sim driver config').intervalMs;
  const devices = new Map<string, { state: State; timer: NodeJS.Timeout }>();

  return {
    async addDevice(d) {
      const custom = readSettings(settings.device, d.custom, `custom of ${d.deviceName}`);
      const kind = custom.kind;
      const state: State =
        kind === 'meter'
          ? { kind, voltage: 220, current: 5 + Math.random() * 5, energy: 0, relay: 1 }
          : { kind, temperature: 22, target: 24, mode: 1, power: 1 };
      const interval = custom.intervalMs ?? defaultInterval;
      const timer = setInterval(() => tick(d, state, interval), interval);
      devices.set(keyOf(d), { state, timer });
      d.online();
      tick(d, state, 0);
    },
    async removeDevice(d) {
      const entry = devices.get(keyOf(d));
      if (entry) clearInterval(entry.timer);
      devices.delete(keyOf(d));
      d.offline('removed');
    },
    async getProperties(d, keys) {
      const s = devices.get(keyOf(d))?.state;
      if (!s) return fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_UNKNOWN, 'unknown device');
      const all = propertiesOf(s);
      return ok(Object.fromEntries(keys.map((k) => [k, all[k]])));
    },
    async setProperties(d, values) {
      const s = devices.get(keyOf(d))?.state;
      if (!s) return fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_UNKNOWN, 'unknown device');
      applyValues(s, values);
      log.info({ dev: keyOf(d), keys: Object.keys(values) }, 'properties set');
      tick(d, s, 0);
      return ok();
    },
    async callService(d, serviceId, args) {
      const s = devices.get(keyOf(d))?.state;
      if (serviceId === 'ResetEnergy' && s?.kind === 'meter') {
        const previous = s.energy;
        s.energy = 0;
        log.info({ dev: keyOf(d), reason: args.Reason }, 'energy reset');
        return ok({ Previous: previous });
      }
      return fail(DRIVER_ERRORS.EDGE_ERR_SERVICE_UNKNOWN, `service ${serviceId} not supported by ${keyOf(d)}`);
    },
    async stop() {
      for (const { timer } of devices.values()) clearInterval(timer);
      devices.clear();
    },
  };
});
