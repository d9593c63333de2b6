import type { Runtime } from '../runtime.js';
import type { DriverConfig } from '../host/host.js';
import type { Part } from './part.js';

/** The drivers of the config, deployed by the host; the deployment is recorded. */
export function hostPart(rt: Runtime): Part {
  return {
    name: 'host',
    start: async () => {
      const drivers = rt.config.drivers;
      const diff = await rt.host.deploy(drivers as DriverConfig[]);
      rt.deployments.record('start', true, drivers, diff);
    },
    stop: () => rt.host.stop(),
  };
}
