/**
 * The box's port-10000 endpoints (seed 001 §2-§9, every D→E row): the dispatch table, one
 * handler per endpoint in `routes/`. Each route checks the token the box issued (code 4),
 * validates the body (code 5), then maps the message to the access core (decisions, pass
 * records) and to the thing model (events, properties) of the logical device.
 *
 * Passes: a pass is answered success only after its record is committed by the access core,
 * which also sends it to the cloud through the durable outbox (the driver reports no pass event
 * of its own). When the record cannot be made in time the door gets 99 (other error), never 0.
 */
import type { DoorRoute } from '../../protocols/door-standard/index.js';
import { alarmEventRoute } from './routes/alarm.js';
import { connectRoute, keepaliveRoute } from './routes/connect.js';
import { type EdgeRouteDeps, routeContext } from './routes/context.js';
import { cardPassRoute, qrCodeRoute } from './routes/credentials.js';
import { reportRunStateRoute, ruleReportRoute } from './routes/elevator.js';
import { facePassRoute, recognizeRoute } from './routes/face.js';
import { checkPhoneNumberRoute, getGroupIdRoute, reportOpenDoorRoute } from './routes/intercom.js';

export type { EdgeRouteDeps } from './routes/context.js';

export function edgeRoutes(deps: EdgeRouteDeps): Record<string, DoorRoute> {
  const ctx = routeContext(deps);
  return {
    '/connect': connectRoute(ctx),
    '/keepalive': keepaliveRoute(ctx),
    '/alarmEvent': alarmEventRoute(ctx),
    '/recognize': recognizeRoute(ctx),
    '/faceAC/passEvent': facePassRoute(ctx),
    '/qrcode': qrCodeRoute(ctx),
    '/cardAC/passEvent': cardPassRoute(ctx, 'card'),
    '/bleAC/passEvent': cardPassRoute(ctx, 'ble'),
    '/visualIntercom/getGroupId': getGroupIdRoute(ctx),
    '/visualIntercom/checkPhoneNumber': checkPhoneNumberRoute(ctx),
    '/visualIntercom/reportOpenDoor': reportOpenDoorRoute(ctx),
    '/elevator/reportRunState': reportRunStateRoute(ctx),
    '/elevator/rule/report': ruleReportRoute(ctx),
  };
}
