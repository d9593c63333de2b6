/**
 * Load driver for the host benchmark: each device reports `valuesPerReport` Counter-style values
 * every tick so that the driver as a whole produces `valuesPerSecond`.
 * Driver config: `{ valuesPerSecond, tickMs }`; every device uses product PEBenchLoad.
 */
import { defineDriver, ok, type DeviceHandle } from '../../../../edge/host/sdk/driver.js';

const KEYS = ['V0', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6', 'V7', 'V8', 'V9'];

export default defineDriver(({ config, deviceList }) => {
  const rate = Number(config.valuesPerSecond ?? 1000);
  const tickMs = Number(config.tickMs ?? 10);
  const handles: DeviceHandle[] = [];
  let timer: NodeJS.Timeout | undefined;
  let n = 0;
  let debt = 0;
  let last = performance.now();

  function tick(): void {
    const now = performance.now();
    debt += ((now - last) / 1000) * rate;
    last = now;
    let budget = Math.floor(debt / KEYS.length);
    debt -= budget * KEYS.length;
    let i = 0;
    while (budget-- > 0 && handles.length > 0) {
      const h = handles[i++ % handles.length]!;
      n++;
      const values: Record<string, number> = {};
      for (const k of KEYS) values[k] = n % 1000;
      h.reportProperties(values);
    }
  }

  return {
    async start() {
      if (rate > 0) timer = setInterval(tick, tickMs);
    },
    async addDevice(d) {
      handles.push(d);
      d.online();
    },
    async removeDevice(d) {
      const i = handles.indexOf(d);
      if (i >= 0) handles.splice(i, 1);
    },
    async getProperties() {
      return ok({});
    },
    async setProperties() {
      return ok();
    },
    async callService() {
      return ok({ devices: deviceList.length });
    },
    async stop() {
      clearInterval(timer);
    },
  };
});
