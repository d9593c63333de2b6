/** Visual intercom endpoints [seed 001 L36339-36373]. */
import {
  DoorCode,
  type DoorRoute,
  failure,
  parseCheckPhoneNumber,
  parseGetGroupId,
  parseReportOpenDoor,
  success,
} from '../../../protocols/door-standard/index.js';
import { deviceKeyOf, report } from '../thing.js';
import type { RouteContext } from './context.js';
import { platformNow } from '../../../edge/host/sdk/clock.js';

export function getGroupIdRoute(ctx: RouteContext): DoorRoute {
  const { intercom } = ctx.deps;
  return ctx.authed(parseGetGroupId, (_t, r) => {
    const groupId = intercom.groupOf(r.roomId);
    if (!groupId) return failure(DoorCode.OTHER, `no SIP group for room ${r.roomId}`);
    return success(undefined, { groupId }); // groupId at the top level (L36339, L36355)
  });
}

export function checkPhoneNumberRoute(ctx: RouteContext): DoorRoute {
  const { gateway } = ctx.deps;
  return ctx.authed(parseCheckPhoneNumber, (t, p) =>
    // The reply says only whether the check was handed on to the cloud; the result comes by
    // verifyPhoneResult (L36370-36373). Without a connected cloud link it cannot be.
    ctx.guarded(t, 'phone number check', async () => {
      if (!t.has('intercom')) return failure(DoorCode.OTHER, 'this door has no intercom device');
      if (!(await gateway.cloudOnline())) {
        t.log.warn('phone number check refused: the box has no connected cloud link');
        return failure(DoorCode.OTHER, 'the box cannot reach the cloud to check the number');
      }
      report(t, 'intercom', 'checkPhoneNumber', { phoneNumber: p.phoneNumber });
      return success();
    }),
  );
}

export function reportOpenDoorRoute(ctx: RouteContext): DoorRoute {
  return ctx.authed(parseReportOpenDoor, (t, r) => {
    if (t.has('intercom')) report(t, 'intercom', 'doorOpenEvent', { type: r.type, number: r.number, roomId: r.roomId ?? '' });
    return ctx.recorded(t, 'intercom pass', {
      deviceKey: deviceKeyOf(t, 'intercom'),
      kind: 'intercom',
      content: r.number,
      code: 0,
      time: platformNow(),
    });
  });
}
