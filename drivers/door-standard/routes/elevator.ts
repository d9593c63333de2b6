/** Elevator endpoints: run states as properties, linkage reports as events. */
import { checkVersion, type DoorRoute, parseRuleReport, parseRunStates, success } from '../../../protocols/door-standard/index.js';
import { ELEVATOR_GATEWAY_PRODUCT } from '../config.js';
import { type ElevatorStatusEntry, toElevatorStatus } from '../elevator-services.js';
import { report, reportProps } from '../thing.js';
import type { RouteContext } from './context.js';

export function reportRunStateRoute(ctx: RouteContext): DoorRoute {
  /** Latest run state per car, per terminal IP (the thing model's ElevatorStatus property). */
  const runStates = new Map<string, Map<string, ElevatorStatusEntry>>();
  return ctx.authed(
    (o) => {
      checkVersion(o);
      return parseRunStates(o);
    },
    (t, states) => {
      const first = states[0];
      if (!first || !t.has('elevator')) return success();
      if (t.device('elevator')?.productKey === ELEVATOR_GATEWAY_PRODUCT) {
        // A report may carry only the cars that changed (L36558): the property is every car's latest.
        const all = runStates.get(t.cfg.ip) ?? new Map<string, ElevatorStatusEntry>();
        runStates.set(t.cfg.ip, all);
        for (const s of states) all.set(s.elevatorId ?? '', toElevatorStatus(s));
        reportProps(t, 'elevator', { ElevatorStatus: [...all.values()].slice(0, 64) });
      } else {
        reportProps(t, 'elevator', {
          CurrentFloor: first.currentFloor,
          CarState: first.carState,
          CarDirection: first.carDirection,
          RunStates: JSON.stringify(states),
        });
      }
      return success();
    },
  );
}

export function ruleReportRoute(ctx: RouteContext): DoorRoute {
  return ctx.authed(
    (o) => {
      checkVersion(o);
      return parseRuleReport(o);
    },
    (t, r) => {
      if (t.has('elevator')) {
        report(t, 'elevator', 'linkageReport', {
          ruleId: r.ruleId,
          userId: r.userId,
          authType: r.authType,
          controlMode: r.controlMode,
          startFloor: r.startFloor ?? '',
          targetFloors: (r.targetFloorRoomList ?? []).map((f) => f.floor).join(','),
        });
      }
      return success();
    },
  );
}
