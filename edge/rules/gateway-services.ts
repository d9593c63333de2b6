/**
 * The alarm rule API of seed 001 L29629-30331 (digest 001d H1-H5) as services of the gateway
 * device itself, called by the cloud on the gateway's service or RRPC topics:
 *
 *   AlarmRuleAddOrUpdate  {H1 fields}                    → {alarmRuleId, warnings?}
 *   AlarmRuleDelete       {alarmRuleIds, clusterId?}     → {failAlarmIds}
 *   AlarmRuleStatusUpdate {alarmRuleIds, operType, clusterId?} → {failAlarmIds}
 *   AlarmRuleQuery        {nameLike?, alarmLevel?, status?, alarmType?, alarmMode?, runEnv?, pageNo, pageSize} → {total, pageNo, pageSize, data}
 *   AlarmRuleDetailGet    {alarmRuleId}                  → the H4 shape
 *
 * A refused rule answers 460 with `data.problems: [{field, message}]` (every wrong field at once);
 * an unknown rule id answers the API's own 28420 "No access to alarm rule".
 */
import { edgeError, ERRORS, fail, ok, answerOf, type Answer } from '../errors.js';
import { intOf } from './rule.js';
import type { RulesEngine } from './engine.js';
import { parseQuery } from './engine/query.js';
import { type FieldProblem, isObject } from './field-problems.js';

// A TSL array holds at most 512 elements (seed 001 L16592): the ids of one call.
const MAX_IDS = 512;

const refused = (problems: FieldProblem[]): Answer =>
  fail(
    ERRORS.EDGE_ERR_RULE_INVALID,
    `alarm rule refused: ${problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join('; ')}`,
    { problems },
  );

function idsOf(params: Record<string, unknown>): string[] | FieldProblem[] {
  const ids = params.alarmRuleIds;
  if (
    !Array.isArray(ids) ||
    ids.length === 0 ||
    ids.length > MAX_IDS ||
    !ids.every((i) => typeof i === 'string' && i.length > 0 && i.length <= 64)
  )
    return [{ field: 'alarmRuleIds', message: `required: 1-${MAX_IDS} rule ids` }];
  return ids as string[];
}

export function rulesGatewayServices(engine: RulesEngine): Map<string, (params: unknown) => Answer> {
  return new Map<string, (params: unknown) => Answer>([
    [
      'AlarmRuleAddOrUpdate',
      (params) => {
        const r = engine.addOrUpdate(params, 'cloud');
        if (!r.ok) return refused(r.problems);
        return ok({ alarmRuleId: r.alarmRuleId, ...(r.warnings.length > 0 ? { warnings: r.warnings } : {}) });
      },
    ],
    [
      'AlarmRuleDelete',
      (params) => {
        const p = isObject(params) ? params : {};
        const ids = idsOf(p);
        if (typeof ids[0] !== 'string') return refused(ids as FieldProblem[]);
        return ok({ failAlarmIds: engine.delete(ids as string[]) });
      },
    ],
    [
      'AlarmRuleStatusUpdate',
      (params) => {
        const p = isObject(params) ? params : {};
        const ids = idsOf(p);
        const op = intOf(p.operType);
        const problems: FieldProblem[] = typeof ids[0] === 'string' ? [] : (ids as FieldProblem[]);
        if (op !== 0 && op !== 1) problems.push({ field: 'operType', message: 'required: 1 start, 0 stop' });
        if (problems.length > 0) return refused(problems);
        return ok({ failAlarmIds: engine.setStatus(ids as string[], op as 0 | 1) });
      },
    ],
    [
      'AlarmRuleQuery',
      (params) => {
        const q = parseQuery(isObject(params) ? params : {});
        return q.ok ? ok(engine.query(q.query)) : refused(q.problems);
      },
    ],
    [
      'AlarmRuleDetailGet',
      (params) => {
        const id = isObject(params) ? params.alarmRuleId : undefined;
        if (typeof id !== 'string' || id === '') return refused([{ field: 'alarmRuleId', message: 'required' }]);
        const d = engine.detail(id);
        return d ? ok(d) : answerOf(edgeError('EDGE_ERR_RULE_UNKNOWN', id));
      },
    ],
  ]);
}
