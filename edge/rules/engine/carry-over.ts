/**
 * An edited (or started/stopped) rule keeps its open episodes, so an alarm already raised is not
 * raised again; what was being timed or counted starts over unless the rule's condition is
 * unchanged. A side that no longer exists drops its state (its records stay).
 */
import { deviceKey } from '../../thing/registry.js';
import type { AlarmRule } from '../rule.js';
import type { RulesStore } from '../store.js';
import type { SideRef } from './rule-index.js';

export function carryOver(store: RulesStore, before: AlarmRule, oldRefs: SideRef[], newRefs: SideRef[], resetHolds = false): void {
  const after = newRefs[0]?.rule;
  const sameCondition =
    !resetHolds &&
    before.sceneConfig === after?.sceneConfig &&
    before.lowSceneConfig === after?.lowSceneConfig &&
    before.timeWindow === after?.timeWindow &&
    before.multiDevice === after?.multiDevice &&
    before.productKey === after?.productKey;
  const touched: Array<[SideRef, string]> = [];
  for (const ref of newRefs) {
    const old = oldRefs.find((o) => o.side === ref.side);
    if (!old) continue;
    for (const [name, s] of old.states) {
      if (!sameCondition) {
        s.lastMatch = null;
        s.holdSince = null;
        s.matches = [];
      }
      ref.states.set(name, s);
      touched.push([ref, name]);
    }
  }
  store.db
    .transaction(() => {
      store.deleteRuleState(after?.alarmRuleId ?? before.alarmRuleId);
      for (const [ref, name] of touched)
        store.putState(ref.rule.alarmRuleId, ref.side, deviceKey(ref.rule.productKey, name), ref.states.get(name)!);
    })
    .immediate();
}
