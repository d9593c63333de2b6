/** The rules engine as the console shows it (edge/console/services.ts RulesConsoleService). */
import type { RulesEngine } from '../../rules/engine.js';
import type { RulesConsoleService } from '../services.js';

export function rulesConsoleService(engine: RulesEngine): RulesConsoleService {
  return {
    list: (q) => engine.query(q),
    detail: (id) => engine.detail(id),
    save: (rule) => engine.addOrUpdate(rule, 'console'),
    setStatus: (id, status) => engine.setStatus([id], status).length === 0,
    remove: (id) => engine.delete([id]).length === 0,
    dryRun: (input) => engine.dryRun(input) as ReturnType<RulesConsoleService['dryRun']>,
    open: (limit) => ({ total: engine.store.openCount(), alarms: engine.openAlarms(limit) as unknown as Record<string, unknown>[] }),
    history: (f) => engine.history(f) as unknown as Record<string, unknown>[],
    confirm: (alarmId, c) => engine.confirm(alarmId, c) as unknown as Record<string, unknown> | undefined,
  };
}
