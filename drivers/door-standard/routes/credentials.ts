/** `/qrcode` (the box decides) and the card and BLE passes the door decided itself. */
import { DoorCode, type DoorRoute, failure, parseCardPass, parseQrCode, success } from '../../../protocols/door-standard/index.js';
import { deviceKeyOf } from '../thing.js';
import type { RouteContext } from './context.js';

export function qrCodeRoute(ctx: RouteContext): DoorRoute {
  const { gateway } = ctx.deps;
  return ctx.authed(parseQrCode, (t, q) =>
    ctx.guarded(t, 'QR decision', async () => {
      if (!t.has('qr')) return failure(DoorCode.AUTH_FAILED, 'this door has no QR device');
      const d = await gateway.decideQr(deviceKeyOf(t, 'qr'), q.qrCode);
      if (d.code !== 0) {
        t.log.info({ pass: d.passId, code: d.code, reason: d.message }, 'QR refused');
        return failure(DoorCode.AUTH_FAILED, d.message);
      }
      t.log.info({ pass: d.passId }, 'QR allowed');
      return success({ userId: d.identityId });
    }),
  );
}

export function cardPassRoute(ctx: RouteContext, role: 'card' | 'ble'): DoorRoute {
  return ctx.authed(parseCardPass, (t, c) => ctx.pass(t, role, c.cardId));
}
