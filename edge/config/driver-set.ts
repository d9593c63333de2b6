/**
 * The checks of a driver set that hold wherever it comes from (the config file, a console edit,
 * a cloud push): unique driver names, each driver runnable, each device on one driver with a
 * thing model. `edge check` and the host's deploy both use this one list.
 */
import type { ConfigProblem } from './sections.js';
import { keyOf } from '../host/sdk/device-key.js';

/** What these checks read of a driver (the config's and the host's driver shapes both have it). */
export interface DriverSetEntry {
  name: string;
  type?: string | undefined;
  module?: string | undefined;
  transport?: 'process' | 'mqtt' | undefined;
  busUser?: string | undefined;
  devices: ReadonlyArray<{ productKey: string; deviceName: string }>;
}

export interface DriverSetContext {
  /** Whether a product has a thing model; undefined: not checked (the models failed to load). */
  hasModel?: (productKey: string) => boolean;
  /** The bus users a bus driver may log in as; undefined: not checked. */
  busUsers?: readonly string[];
  /** Whether a driver's module is installed; undefined: not checked. */
  installed?: (d: DriverSetEntry) => boolean;
}

export function driverSetProblems(drivers: readonly DriverSetEntry[], ctx: DriverSetContext = {}): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const names = new Set<string>();
  const devices = new Map<string, string>();
  drivers.forEach((d, i) => {
    const at = `/drivers/${i}`;
    if (names.has(d.name))
      problems.push({ path: `${at}/name`, message: `duplicate driver name ${d.name}`, hint: 'give every driver instance its own name' });
    names.add(d.name);
    if (d.transport === 'mqtt') {
      if (!d.busUser || (ctx.busUsers && !ctx.busUsers.includes(d.busUser))) {
        problems.push({
          path: `${at}/busUser`,
          message: 'a bus driver needs busUser, one of bus.users',
          hint: 'add a user under bus.users and name it here',
        });
      }
    } else if (!d.type && !d.module)
      problems.push({
        path: at,
        message: 'a driver needs a type or a module',
        hint: 'type: demo-sim (a folder of drivers/) or module: /path/to/driver',
      });
    else if (ctx.installed && !ctx.installed(d)) {
      problems.push({
        path: `${at}/${d.module ? 'module' : 'type'}`,
        message: `driver ${d.module ?? d.type} is not installed`,
        hint: 'check the name against the folders of drivers/ or install the package',
      });
    }
    d.devices.forEach((dev, j) => {
      const key = keyOf(dev);
      const owner = devices.get(key);
      if (owner !== undefined)
        problems.push({
          path: `${at}/devices/${j}/deviceName`,
          message: `device ${key} already listed under driver ${owner}`,
          hint: 'a device belongs to exactly one driver',
        });
      devices.set(key, d.name);
      if (ctx.hasModel && !ctx.hasModel(dev.productKey)) {
        problems.push({
          path: `${at}/devices/${j}/productKey`,
          message: `no thing model for product ${dev.productKey}`,
          hint: `add a TSL JSON file with profile.productKey ${dev.productKey} to a thingModels folder`,
        });
      }
    });
  });
  return problems;
}
