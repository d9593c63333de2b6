/** Shared by the driver-settings tests: the problems of a YAML box config, or of one driver's settings checked alone. */
import { resolve } from 'node:path';
import { parseConfig } from '../../../edge/config/load.js';
import { boxListeners } from '../../../edge/config/listeners.js';
import { driverSettingsProblems, type DriverEntry } from '../../../edge/host/driver-settings.js';
import type { ConfigProblem } from '../../../edge/config/sections.js';
import type { DeviceInfo } from '../../../edge/host/sdk/driver.js';

export const ROOT = resolve(import.meta.dirname, '..', '..', '..');

export const problemsOfYaml = async (yaml: string): Promise<ConfigProblem[]> => {
  const cfg = parseConfig(yaml);
  return driverSettingsProblems(cfg.drivers, ROOT, boxListeners(cfg));
};

/** One driver with its devices, checked alone (no box listeners unless given). */
export const problemsOf = (type: string, config: Record<string, unknown>, devices: DriverEntry['devices'] = []): Promise<ConfigProblem[]> =>
  driverSettingsProblems([{ name: 'D', type, config, devices }], ROOT);

export const brief = (ps: ConfigProblem[]) => ps.map((p) => ({ path: p.path, message: p.message, hint: p.hint }));

export const device = (productKey: string, deviceName: string, custom: Record<string, unknown>): DeviceInfo => ({
  productKey,
  deviceName,
  custom,
});
