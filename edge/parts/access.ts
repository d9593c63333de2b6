import type { Runtime } from '../runtime.js';
import { AccessCore } from '../access/access-core.js';
import { parseAccessConfig } from '../access/config.js';
import { accessHostServices } from '../access/host-services.js';
import { handleAccessDeviceServices } from '../access/device-services.js';
import type { Part } from './part.js';

/** Offline access control on the box database; door drivers reach it as host services. */
export function accessPart(rt: Runtime): Part {
  return {
    name: 'access',
    start: async () => {
      const log = rt.logOf('access');
      const access = new AccessCore(
        // The platform's time as Alink NTP measured it (issue 21, R41): pass records the box
        // decides are stamped with it, and QR validity is judged by it (the platform set it).
        { db: rt.db, log, dataDir: rt.dataDir, events: rt.events, files: rt.files, now: () => Date.now() + (rt.cloud?.clockOffsetMs ?? 0) },
        parseAccessConfig(rt.config.access),
      );
      rt.access = access;
      rt.host.registerServices(accessHostServices(access, () => rt.elevators?.rules));
      handleAccessDeviceServices(rt.host, access, log);
      await access.start();
    },
    stop: async () => {
      await rt.access?.stop();
    },
  };
}
