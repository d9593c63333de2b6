/**
 * controlMode → the elevator gateway's thing-model calls. The seeds define the modes
 * (L26212-26222) and the services (L26541-26756) but no mapping between them (spec 001d §5.10);
 * these are the box's decisions, written down in docs/elevators.md:
 *
 *  CALL_ONLY         CloudCallElevator {StartFloor: triggerFloor, StartRoomNumber: triggerRoomNo}
 *                    — the user's targets only decide whether the rule fires (L26897-26921).
 *  CALL_WITH_TARGET  one target:  CloudCallElevator {StartFloor…, TargetFloor, TargetRoomNumber}
 *                    several:     CloudCallElevator {StartFloor…, TargetDirection when every target
 *                                 lies on one side} + ReleaseFloors {all targets}: the device call
 *                                 takes one target only (L36957-36961), and scenario 3 lets the
 *                                 car release several floors on arrival (L26862-26866).
 *  RELEASE_ONLY      ReleaseFloors {ElevatorID: triggerElevatorId, FloorRoomList: all targets}
 *  ACTIVATE_ONLY     ActivateFloor {ElevatorID: triggerElevatorId, FloorRoomList: the one target}
 *
 * `ElevatorID` of a hall call is the relation's `triggerElevatorId` when it has one; otherwise
 * the gateway picks the car (L36950-36952).
 */
import type { Relation, Target } from './validate.js';

export interface ElevatorCommand {
  service: 'CloudCallElevator' | 'ReleaseFloors' | 'ActivateFloor';
  args: Record<string, unknown>;
}

const floorRooms = (targets: readonly Target[]) =>
  targets.map((t) => ({ Floor: t.targetFloor, ...(t.targetRoomNo ? { RoomNumber: t.targetRoomNo } : {}) }));

/** 1 up when every target is above the start floor, 2 down when every one is below; else none. */
export function directionOf(start: string, targets: readonly Target[]): 1 | 2 | undefined {
  const from = Number(start);
  const to = targets.map((t) => Number(t.targetFloor));
  if (!Number.isFinite(from) || to.length === 0 || !to.every(Number.isFinite)) return undefined;
  if (to.every((f) => f > from)) return 1;
  if (to.every((f) => f < from)) return 2;
  return undefined;
}

/** The targets a mode acts on (CALL_ONLY: none; ACTIVATE_ONLY: the first). */
export function effectiveTargets(r: Relation, targets: readonly Target[]): Target[] {
  if (r.controlMode === 'CALL_ONLY') return [];
  if (r.controlMode === 'ACTIVATE_ONLY') return targets.slice(0, 1);
  return [...targets];
}

export function commandsFor(r: Relation, userTargets: readonly Target[]): ElevatorCommand[] {
  const targets = effectiveTargets(r, userTargets);
  const car = r.triggerElevatorId ? { ElevatorID: r.triggerElevatorId } : {};
  switch (r.controlMode) {
    case 'CALL_ONLY':
    case 'CALL_WITH_TARGET': {
      const start = { ...car, StartFloor: r.triggerFloor ?? '', ...(r.triggerRoomNo ? { StartRoomNumber: r.triggerRoomNo } : {}) };
      if (targets.length === 0) return [{ service: 'CloudCallElevator', args: start }];
      if (targets.length === 1) {
        const t = targets[0]!;
        return [
          {
            service: 'CloudCallElevator',
            args: { ...start, TargetFloor: t.targetFloor, ...(t.targetRoomNo ? { TargetRoomNumber: t.targetRoomNo } : {}) },
          },
        ];
      }
      const dir = directionOf(r.triggerFloor ?? '', targets);
      return [
        { service: 'CloudCallElevator', args: { ...start, ...(dir ? { TargetDirection: dir } : {}) } },
        { service: 'ReleaseFloors', args: { ...car, FloorRoomList: floorRooms(targets) } },
      ];
    }
    case 'RELEASE_ONLY':
      return [{ service: 'ReleaseFloors', args: { ...car, FloorRoomList: floorRooms(targets) } }];
    case 'ACTIVATE_ONLY':
      return [{ service: 'ActivateFloor', args: { ...car, FloorRoomList: floorRooms(targets) } }];
  }
}
