import type { Runtime } from '../runtime.js';
import type { BoxConfig } from '../config/schema.js';
import { parseHistoryConfig } from '../history/config.js';
import { HistoryRecorder } from '../history/recorder.js';
import { HistoryStore } from '../history/store.js';
import type { Part } from './part.js';

/**
 * Property values and events kept on the box (`history:`); before the drivers, so no report goes
 * unrecorded. A redeployed section applies at once: the old recorder writes what it holds, and a
 * new one starts with the new limits (or none, when history was switched off; the rows stay).
 */
export function historyPart(rt: Runtime): Part {
  let recorder: HistoryRecorder | undefined;
  const begin = (raw: BoxConfig['history']): void => {
    const config = parseHistoryConfig(raw);
    if (!config.enabled) return;
    const store = new HistoryStore(rt.db, config);
    recorder = new HistoryRecorder({ store, events: rt.events, log: rt.logOf('history') }, config);
    recorder.start();
    rt.consoleServices.history = store;
  };
  const end = (): void => {
    recorder?.stop();
    recorder = undefined;
    rt.consoleServices.history = undefined;
  };
  return {
    name: 'history',
    section: 'history',
    start: async () => begin(rt.config.history),
    stop: async () => end(),
    reconfigure: async (next) => {
      end();
      begin(next.history);
    },
  };
}
