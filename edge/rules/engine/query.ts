/** The rule list's filters (`AlarmRuleQuery`, the console): parsed from a request, applied to the installed rules. */
import { intOf, ruleSummary, type AlarmRule } from '../rule.js';
import type { FieldProblem } from '../field-problems.js';

export interface RuleQuery {
  nameLike?: string;
  alarmLevel?: number;
  status?: number;
  alarmType?: number;
  alarmMode?: number;
  runEnv?: string;
  productKey?: string;
  pageNo: number;
  pageSize: number;
}

export interface RulePage {
  total: number;
  pageNo: number;
  pageSize: number;
  data: Record<string, unknown>[];
}

const EXACT = ['alarmLevel', 'status', 'alarmType', 'alarmMode', 'runEnv', 'productKey'] as const;

/** One page of the rules the query selects, as summaries. */
export function queryRules(rules: readonly AlarmRule[], q: RuleQuery): RulePage {
  const like = q.nameLike?.toLowerCase();
  const all = rules.filter(
    (r) => (like === undefined || r.alarmName.toLowerCase().includes(like)) && EXACT.every((k) => q[k] === undefined || r[k] === q[k]),
  );
  const start = (q.pageNo - 1) * q.pageSize;
  return { total: all.length, pageNo: q.pageNo, pageSize: q.pageSize, data: all.slice(start, start + q.pageSize).map(ruleSummary) };
}

/** Query filters from a request (integers also as numeric text, as the seed's own example sends them). */
export function parseQuery(p: Record<string, unknown>): { ok: true; query: RuleQuery } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const q: RuleQuery = { pageNo: 1, pageSize: 20 };
  for (const k of ['alarmLevel', 'status', 'alarmType', 'alarmMode'] as const) {
    if (p[k] === undefined || p[k] === null || p[k] === '') continue;
    const n = intOf(p[k]);
    if (n === undefined) problems.push({ field: k, message: 'must be an integer' });
    else q[k] = n;
  }
  for (const k of ['pageNo', 'pageSize'] as const) {
    if (p[k] === undefined || p[k] === null) continue;
    const n = intOf(p[k]);
    if (n === undefined || n < 1 || (k === 'pageSize' && n > 500))
      problems.push({ field: k, message: k === 'pageSize' ? 'must be 1-500' : 'must be 1 or more' });
    else q[k] = n;
  }
  for (const k of ['nameLike', 'runEnv', 'productKey'] as const) {
    if (p[k] === undefined || p[k] === null || p[k] === '') continue;
    if (typeof p[k] !== 'string' || (p[k] as string).length > 128)
      problems.push({ field: k, message: 'must be text (at most 128 characters)' });
    else q[k] = p[k] as string;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, query: q };
}
