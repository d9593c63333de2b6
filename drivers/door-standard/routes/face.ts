/** Face endpoints: `/recognize` (the box matches the door's photo) and `/faceAC/passEvent` (the door matched). */
import {
  DoorCode,
  type DoorRoute,
  failure,
  parseFacePassFields,
  parseRecognizeFields,
  success,
} from '../../../protocols/door-standard/index.js';
import type { PassRecordArgs } from '../gateway.js';
import { deviceKeyOf } from '../thing.js';
import type { RouteContext } from './context.js';
import { platformNow } from '../../../edge/host/sdk/clock.js';

export function recognizeRoute(ctx: RouteContext): DoorRoute {
  const { gateway, tempRule } = ctx.deps;
  return ctx.authed(parseRecognizeFields, (t, f, req) => {
    const photo = ctx.photoOf(t, req);
    if (!Buffer.isBuffer(photo)) return photo;
    const temperature = f.temperature !== undefined ? Number(f.temperature) : undefined;
    const rule = tempRule(t);
    // [seed 001 L35434] temperature outside the normal range: passage denied.
    if (rule && temperature !== undefined && (temperature < rule.min || temperature > rule.max)) {
      t.log.info({ temperature }, 'face refused: temperature out of range');
      return failure(DoorCode.AUTH_FAILED, 'temperature out of range');
    }
    return ctx.guarded(t, 'face decision', async () => {
      const d = await gateway.decideFace(deviceKeyOf(t, 'face'), photo, {
        detect: f.disableEdgeDetectFace === '1',
        ...(temperature !== undefined ? { temperature } : {}),
      });
      t.log.info({ pass: d.passId, code: d.code }, 'face decided');
      if (d.code !== 0 || !d.faceId) return failure(DoorCode.AUTH_FAILED, d.message);
      return success({ faceId: d.faceId, name: d.name ?? '', photoId: d.photoId ?? '', userId: d.identityId });
    });
  });
}

export function facePassRoute(ctx: RouteContext): DoorRoute {
  return ctx.authed(parseFacePassFields, (t, f, req) => {
    const photo = ctx.photoOf(t, req);
    if (!Buffer.isBuffer(photo)) return photo;
    const score = Number(f.similarity);
    const temperature = f.temperature !== undefined ? Number(f.temperature) : undefined;
    const args: PassRecordArgs = {
      deviceKey: deviceKeyOf(t, 'face'),
      kind: 'face',
      content: '',
      code: 0,
      faceId: f.faceId,
      photo: photo.toString('base64'),
      time: platformNow(),
      ...(Number.isFinite(score) ? { score } : {}),
      ...(temperature !== undefined ? { temperature } : {}),
    };
    return ctx.recorded(t, 'face pass', args, (r) => success({ photoId: r.photoId ?? '' }));
  });
}
