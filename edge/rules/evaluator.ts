/**
 * The state machine of one rule side on one device: what an observation (a reported value, a
 * status change) or a deadline does to it. Pure: time comes in as `now`, the caller stores the
 * state and acts on the verdict. docs/rules.md ("Evaluation") is the prose of this file.
 *
 * - The *condition* is the trigger's comparison and every time range.
 * - `time` pause: the condition must hold for `hold` = max(stateDuration, timeWindow) seconds
 *   from the observation that made it true (a transition; an unknown previous state counts as
 *   false); with no hold it fires on that transition.
 * - `count` pause: matching observations within the last `windowInterval` minutes (consecutive
 *   ones when `continuousMatch`: a non-matching one starts again) until `conditionMatchNum`; then
 *   the condition must keep holding for `timeWindow` seconds, if the rule has one.
 * - A firing opens an episode: nothing fires again until the recovery (the `recoverCondition`,
 *   else the trigger's comparison turning false) closes it — except a count rule with
 *   `executeOnce: false`, which raises a further alarm for every further full count.
 */
import { evaluate } from './recover-expr.js';
import type { Scene } from './scene-config.js';
import { inTimeRange } from './time-range.js';

export interface SideState {
  /** The condition at the last observation; null: unknown (never seen, or the device went away). */
  lastMatch: boolean | null;
  /** Time pause: since when the condition holds. Count pause: when the count was reached. */
  holdSince: number | null;
  /** Count pause: times of the matches inside the window, oldest first. */
  matches: number[];
  /** The alarm of the open episode. */
  openAlarmId: string | null;
  /** Observed since this process started (a deadline never fires on a value from before a restart). Not stored. */
  seen: boolean;
}

export const emptyState = (): SideState => ({ lastMatch: null, holdSince: null, matches: [], openAlarmId: null, seen: false });

export type Verdict = 'fire' | 'recover' | 'none';

export interface Outcome {
  verdict: Verdict;
  /** The state changed in a way worth storing. */
  changed: boolean;
  /** When to look again (a hold that may complete), UTC ms. */
  dueAt?: number;
}

/** Seconds the condition must hold before firing. */
export function holdMsOf(scene: Scene, timeWindowS: number | undefined): number {
  const tw = (timeWindowS ?? 0) * 1000;
  return scene.pause.type === 'time' ? Math.max(scene.pause.stateDurationS * 1000, tw) : tw;
}

/** The condition part that is not the trigger: every time range holds now. */
export function inRanges(scene: Scene, now: number): boolean {
  for (const r of scene.timeRanges) if (!inTimeRange(r, now)) return false;
  return true;
}

/**
 * One observation. `triggerMatch`: the trigger's comparison on the observed value (the caller
 * computed it); `valueAt` reads the device's values for the recovery expression.
 */
export function observe(
  scene: Scene,
  holdMs: number,
  s: SideState,
  triggerMatch: boolean,
  now: number,
  valueAt: (property: string) => unknown,
): Outcome {
  const cond = triggerMatch && (scene.timeRanges.length === 0 || inRanges(scene, now));
  const wasSeen = s.seen;
  s.seen = true;
  if (s.openAlarmId !== null) {
    const recovered = scene.recover ? evaluate(scene.recover, valueAt) : !triggerMatch;
    if (recovered) {
      s.openAlarmId = null;
      s.holdSince = null;
      s.matches = [];
      s.lastMatch = cond;
      return { verdict: 'recover', changed: true };
    }
    const changed = s.lastMatch !== cond;
    s.lastMatch = cond;
    // executeOnce: false — every further full count raises another alarm in the same episode.
    if (scene.pause.type === 'count' && !scene.pause.executeOnce) return countStep(scene, holdMs, s, cond, now, changed || !wasSeen);
    return { verdict: 'none', changed };
  }
  if (scene.pause.type === 'count') {
    const changed = s.lastMatch !== cond;
    s.lastMatch = cond;
    return countStep(scene, holdMs, s, cond, now, changed);
  }
  // time pause
  let changed = s.lastMatch !== cond;
  if (!cond) {
    if (s.holdSince !== null) changed = true;
    s.holdSince = null;
    s.lastMatch = cond;
    return { verdict: 'none', changed };
  }
  if (s.lastMatch !== true) {
    s.holdSince = now;
    changed = true;
  }
  s.lastMatch = true;
  if (s.holdSince === null) return { verdict: 'none', changed }; // true all along since the last recovery: wait for a new transition
  if (now - s.holdSince >= holdMs) return fire(s);
  return { verdict: 'none', changed, dueAt: s.holdSince + holdMs };
}

function countStep(scene: Scene, holdMs: number, s: SideState, cond: boolean, now: number, changedBefore: boolean): Outcome {
  const pause = scene.pause as Extract<Scene['pause'], { type: 'count' }>;
  if (!cond) {
    const changed = changedBefore || s.holdSince !== null || (pause.continuousMatch && s.matches.length > 0);
    s.holdSince = null;
    if (pause.continuousMatch) s.matches = [];
    return { verdict: 'none', changed };
  }
  if (s.holdSince === null) {
    const since = now - pause.windowIntervalMin * 60_000;
    while (s.matches.length > 0 && s.matches[0]! <= since) s.matches.shift();
    s.matches.push(now);
    if (s.matches.length > pause.conditionMatchNum) s.matches.shift();
    if (s.matches.length < pause.conditionMatchNum) return { verdict: 'none', changed: true };
    s.holdSince = now;
  }
  if (now - s.holdSince >= holdMs) {
    s.matches = [];
    return fire(s);
  }
  return { verdict: 'none', changed: true, dueAt: s.holdSince + holdMs };
}

function fire(s: SideState): Outcome {
  s.holdSince = null;
  return { verdict: 'fire', changed: true };
}

/**
 * A deadline passed: fire if the condition still holds on what was last observed in this
 * process and every time range still holds now.
 */
export function checkDue(scene: Scene, holdMs: number, s: SideState, now: number): Outcome {
  if (s.holdSince === null || s.lastMatch !== true || !s.seen) return { verdict: 'none', changed: false };
  if (s.openAlarmId !== null && !(scene.pause.type === 'count' && !scene.pause.executeOnce)) return { verdict: 'none', changed: false };
  if (scene.timeRanges.length > 0 && !inRanges(scene, now)) {
    s.holdSince = null;
    s.lastMatch = false;
    if (scene.pause.type === 'count' && scene.pause.continuousMatch) s.matches = [];
    return { verdict: 'none', changed: true };
  }
  if (now - s.holdSince < holdMs) return { verdict: 'none', changed: false, dueAt: s.holdSince + holdMs };
  if (scene.pause.type === 'count') s.matches = [];
  return fire(s);
}

/**
 * The device went offline (or was disabled): what was being counted or timed is no longer
 * observed, so holds and counts start again; an open episode stays open.
 */
export function lose(s: SideState): boolean {
  const changed = s.lastMatch !== null || s.holdSince !== null || s.matches.length > 0;
  s.lastMatch = null;
  s.holdSince = null;
  s.matches = [];
  s.seen = false;
  return changed;
}
