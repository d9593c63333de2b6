import type { Runtime } from '../runtime.js';
import { parseAccessConfig } from '../access/config.js';
import { ElevatorLinkage } from '../elevators/index.js';
import type { Part } from './part.js';

/** Person-elevator linkage on the box (docs/elevators.md): listens to committed passes. */
export function elevatorsPart(rt: Runtime): Part {
  return {
    name: 'elevators',
    start: async () => {
      const access = parseAccessConfig(rt.config.access);
      rt.elevators = new ElevatorLinkage(
        {
          db: rt.db,
          host: rt.host,
          devices: rt.registry,
          events: rt.events,
          log: rt.logOf('elevators'),
          baseDir: rt.baseDir,
          // A card pass names its holder only through the card's permission.
          identityOf: (p) =>
            p.identityId ||
            (rt.access && (p.kind === 'tradCard' || p.kind === 'bleCard')
              ? (rt.access.permissions.credential(p.kind, p.content, p.deviceKey)?.identity_id ?? '')
              : ''),
        },
        { ...access.elevators, timezoneOffsetMinutes: access.timezoneOffsetMinutes },
      );
      await rt.elevators.start();
    },
    stop: async () => {
      await rt.elevators?.stop();
    },
  };
}
