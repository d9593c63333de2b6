import type { Runtime } from '../runtime.js';
import { parseHistoryConfig } from '../history/config.js';
import { HistoryRecorder } from '../history/recorder.js';
import { HistoryStore } from '../history/store.js';
import type { Part } from './part.js';

/** Property values and events kept on the box (`history:`); before the drivers, so no report goes unrecorded. */
export function historyPart(rt: Runtime): Part | undefined {
  const config = parseHistoryConfig(rt.config.history);
  if (!config.enabled) return undefined;
  let recorder: HistoryRecorder | undefined;
  return {
    name: 'history',
    start: async () => {
      const store = new HistoryStore(rt.db, config);
      recorder = new HistoryRecorder({ store, events: rt.events, log: rt.logOf('history') }, config);
      recorder.start();
      rt.consoleServices.history = store;
    },
    stop: async () => {
      recorder?.stop();
    },
  };
}
