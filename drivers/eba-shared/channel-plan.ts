/**
 * What the point-table drivers (ModbusV3, BACnetV3) do alike around their channels: re-plan the
 * polled points when devices change, and write their counters to `<dataDir>/stats.json`
 * (benchmarks and the console read it).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { BookPoint, DeviceBook } from './book.js';
import { oncePerBurst } from './tables.js';

/** One channel's poller as the re-planner sees it. */
export interface PlannedChannel<P> {
  setPoints(points: P[]): void;
  start(): void;
}

/**
 * Devices arrive one by one at start and on redeploy: re-plan the channels they touched once per
 * burst, and start those that now have points (once the driver itself runs).
 */
export function channelReplanner<P extends BookPoint, V>(
  book: DeviceBook<P, V>,
  channel: (id: string) => PlannedChannel<P> | undefined,
  started: () => boolean = () => true,
): (id: string) => void {
  return oncePerBurst((ids) => {
    for (const id of ids) {
      const ch = channel(id);
      if (!ch) continue;
      const used = book.pointsOf(id);
      ch.setPoints(used);
      if (used.length > 0 && started()) ch.start();
    }
  });
}

/** Writes `snapshot()` with the book's device counts every `intervalMs` (0: never) and once more at stop. */
export function statsFile<P extends BookPoint, V>(deps: {
  dataDir: string;
  log: Logger;
  intervalMs: number;
  book: DeviceBook<P, V>;
  snapshot: () => Record<string, unknown>;
}): { start(): void; stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  const write = (): void => {
    const { book } = deps;
    const online = [...book.devices.values()].filter((d) => d.online).length;
    try {
      writeFileSync(
        join(deps.dataDir, 'stats.json'),
        JSON.stringify({ time: Date.now(), devices: book.devices.size, online, ...deps.snapshot() }),
      );
    } catch (err) {
      deps.log.warn({ err: (err as Error).message }, 'stats not written');
    }
  };
  return {
    start: () => {
      if (deps.intervalMs > 0) timer = setInterval(write, deps.intervalMs);
    },
    stop: () => {
      clearInterval(timer);
      if (deps.intervalMs > 0) write();
    },
  };
}
