/** The BACnet driver's own figures in `<dataDir>/stats.json` (drivers/eba-shared/channel-plan.ts writes it). */
import type { BacnetSession } from '../../protocols/bacnet/session.js';
import type { LinkStats } from './link.js';

export function statsSnapshot(stats: LinkStats, session: BacnetSession): Record<string, unknown> {
  return {
    ...stats,
    ...session.counters,
    inFlight: session.inFlight,
    maxInFlight: session.maxInFlight,
    recvBufferBytes: session.transport.recvBufferBytes,
    transport: session.transport.counters,
    destinations: [...session.transport.destinations].slice(0, 100),
  };
}
