/**
 * What a rule (stored, or a draft) would make of every device's last values now: whether the
 * condition holds, whether it would recover, and the stored episode if any. Reads only.
 */
import { type Device, deviceKey, STATUS_CODE } from '../../thing/registry.js';
import { holdMsOf, inRanges, type SideState } from '../evaluator.js';
import { evaluate } from '../recover-expr.js';
import type { CompiledRule } from '../rule.js';
import type { Scene } from '../scene-config.js';
import { propertyMatches } from '../scene-trigger.js';
import type { SideRef } from './rule-index.js';

export interface DryRunRow {
  device: string;
  side: number;
  property: string;
  value: unknown;
  triggerMatches: boolean;
  inTimeRange: boolean;
  recovers: boolean;
  holdS: number;
  count?: { needed: number; withinMin: number; now: number };
  openAlarmId?: string;
  holdingSince?: number;
}

/** `stored`: the installed rule's sides (their states), absent for a draft. */
export function dryRunRows(
  compiled: CompiledRule,
  stored: readonly SideRef[] | undefined,
  devices: readonly Device[],
  now: number,
): DryRunRow[] {
  const rows: DryRunRow[] = [];
  const { rule } = compiled;
  const own = devices.filter((d) => d.productKey === rule.productKey);
  for (const { side, scene } of compiled.sides) {
    for (const d of own) {
      if (scene.trigger.deviceName !== undefined && rule.multiDevice === 0 && d.deviceName !== scene.trigger.deviceName) continue;
      const state = stored?.find((r) => r.side === side)?.states.get(d.deviceName);
      rows.push(rowOf(scene, side, d, state, holdMsOf(scene, rule.timeWindow), now));
    }
  }
  return rows;
}

function rowOf(scene: Scene, side: number, d: Device, state: SideState | undefined, holdMs: number, now: number): DryRunRow {
  const valueAt = (p: string): unknown => (p === 'status' ? STATUS_CODE[d.status] : d.shadow.get(p)?.value);
  const value = valueAt(scene.watched);
  const triggerMatches =
    value === undefined
      ? false
      : scene.trigger.kind === 'property'
        ? propertyMatches(scene.trigger, value)
        : value === scene.trigger.status;
  const { pause } = scene;
  return {
    device: deviceKey(d.productKey, d.deviceName),
    side,
    property: scene.watched,
    value: value ?? null,
    triggerMatches,
    inTimeRange: inRanges(scene, now),
    recovers: scene.recover ? evaluate(scene.recover, valueAt) : !triggerMatches,
    holdS: holdMs / 1000,
    ...(pause.type === 'count'
      ? { count: { needed: pause.conditionMatchNum, withinMin: pause.windowIntervalMin, now: state?.matches.length ?? 0 } }
      : {}),
    ...(state?.openAlarmId ? { openAlarmId: state.openAlarmId } : {}),
    ...(state?.holdSince ? { holdingSince: state.holdSince } : {}),
  };
}
