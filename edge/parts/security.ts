import type { Runtime } from '../runtime.js';
import { SecurityAlarms } from '../security/alarms.js';
import type { Part } from './part.js';

/** Security alarms (docs/security-devices.md): drivers store each before answering their device. */
export function securityPart(rt: Runtime): Part {
  return {
    name: 'security',
    start: async () => {
      const alarms = new SecurityAlarms(rt.db, rt.events);
      rt.security = alarms;
      rt.host.registerServices({ 'security.recordAlarm': (a) => ({ alarmId: alarms.record(a) }) });
    },
    // Nothing to stop: the store lives in the box database, closed by the store part.
    stop: async () => undefined,
  };
}
