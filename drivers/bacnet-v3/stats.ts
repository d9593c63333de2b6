/** The driver's counters written to `<dataDir>/stats.json` (benchmarks and the console read them). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { PointDef } from '../../protocols/bacnet/point.js';
import type { BacnetSession } from '../../protocols/bacnet/session.js';
import type { PointValue } from '../../protocols/bacnet/values.js';
import type { DeviceBook } from '../eba-shared/book.js';
import type { LinkStats } from './link.js';

export function statsWriter(deps: {
  dataDir: string;
  book: DeviceBook<PointDef, PointValue>;
  stats: LinkStats;
  session: BacnetSession;
  log: Logger;
}): () => void {
  const { dataDir, book, stats, session, log } = deps;
  return () => {
    const snapshot = {
      time: Date.now(),
      devices: book.devices.size,
      online: [...book.devices.values()].filter((d) => d.online).length,
      ...stats,
      ...session.counters,
      inFlight: session.inFlight,
      maxInFlight: session.maxInFlight,
      recvBufferBytes: session.transport.recvBufferBytes,
      transport: session.transport.counters,
      destinations: [...session.transport.destinations].slice(0, 100),
    };
    try {
      writeFileSync(join(dataDir, 'stats.json'), JSON.stringify(snapshot));
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'stats not written');
    }
  };
}
