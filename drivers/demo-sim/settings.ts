/**
 * What an installer may write for the simulated demo devices (driver `config`) and for each
 * device (`custom`): the single source for the driver, the host's deploy check, `edge check` and
 * docs/config.md.
 */
import { Type } from '@sinclair/typebox';
import { defineSettings, described } from '../../edge/host/sdk/settings.js';

// Each tick posts a property report: faster than this floods the bus for nothing.
const intervalMs = (en: string, zh: string, def?: number) =>
  described(Type.Integer({ minimum: 50, maximum: 3_600_000, ...(def === undefined ? {} : { default: def }) }), en, zh);

export default defineSettings({
  products: ['PEDemoMeter', 'PEDemoThermo'],
  config: Type.Object({
    intervalMs: intervalMs('how often each simulated device reports its values, ms', '模拟设备上报数值的周期(毫秒)', 1000),
  }),
  device: Type.Object({
    kind: described(
      Type.Union([Type.Literal('meter'), Type.Literal('thermostat')], { default: 'meter' }),
      'what the device simulates: an energy meter (PEDemoMeter) or a thermostat (PEDemoThermo)',
      '模拟的设备: 电表(meter)或温控器(thermostat)',
    ),
    intervalMs: Type.Optional(
      intervalMs("this device's report period, ms; default: the driver's intervalMs", '本设备上报周期(毫秒); 默认取驱动的intervalMs'),
    ),
  }),
});
