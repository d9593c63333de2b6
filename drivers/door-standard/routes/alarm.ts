/** `/alarmEvent`: alarms as thing events; an invalid card or BLE swipe is also a refused pass. */
import { PASS } from '../../../protocols/door-service/pass-codes.js';
import { type DoorRoute, parseAlarmEvent, success } from '../../../protocols/door-standard/index.js';
import type { Role } from '../config.js';
import { deviceKeyOf, report } from '../thing.js';
import type { RouteContext } from './context.js';
import { platformNow } from '../../../edge/host/sdk/clock.js';

const ALARM_ROLES: Role[] = ['qr', 'card', 'face', 'ble', 'intercom'];

export function alarmEventRoute(ctx: RouteContext): DoorRoute {
  return ctx.authed(parseAlarmEvent, (t, a) => {
    const role =
      a.alarmType === 2 && t.has('card') ? 'card' : a.alarmType === 3 && t.has('ble') ? 'ble' : ALARM_ROLES.find((r) => t.has(r));
    const params = { alarmType: a.alarmType, ...(a.cardId !== undefined ? { cardId: a.cardId } : {}) };
    if (role) report(t, role, 'alarmEvent', params);
    // The card and BLE sync capabilities have their own abnormal-swipe events (spec 000 §3.7).
    if (a.alarmType === 2 && t.has('card')) report(t, 'card', 'abnormalCreditCard', { cardId: a.cardId ?? '' });
    if (a.alarmType === 3 && t.has('ble')) report(t, 'ble', 'abnormalBleCard', { cardId: a.cardId ?? '' });
    t.log.info({ alarmType: a.alarmType }, 'alarm');
    // An invalid card or BLE card is the door's refused pass (spec 001f A9: failed swipes come
    // only as alarms): it is a pass record like any other, stored before the door is answered.
    // The door does not say why; "does not exist" is the code of a card it does not hold.
    if ((a.alarmType === 2 && t.has('card')) || (a.alarmType === 3 && t.has('ble'))) {
      const card = a.alarmType === 2;
      const refused = card ? PASS.CARD_NOT_FOUND : PASS.BLE_NOT_FOUND;
      return ctx.recorded(t, `refused ${card ? 'card' : 'BLE'} pass`, {
        deviceKey: deviceKeyOf(t, card ? 'card' : 'ble'),
        kind: card ? 'tradCard' : 'bleCard',
        content: a.cardId ?? '',
        ...refused,
        time: platformNow(),
      });
    }
    return success();
  });
}
