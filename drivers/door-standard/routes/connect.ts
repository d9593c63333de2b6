/** `/connect` [seed 001 L34948]: a configured door signs in and gets a token; `/keepalive`. */
import {
  DoorCode,
  type DoorRoute,
  failure,
  parse,
  parseConnectRequest,
  success,
  verifySign,
} from '../../../protocols/door-standard/index.js';
import { none, type RouteContext } from './context.js';

export function connectRoute({ deps }: RouteContext): DoorRoute {
  const { settings, terminals, tokens, log } = deps;
  return (req) => {
    const p = parse(parseConnectRequest, req.json);
    if (!p.ok) {
      log.warn({ peer: req.remoteAddress, reason: p.error }, 'connect refused: invalid parameters');
      return failure(DoorCode.PARAM_ERROR, p.error);
    }
    const c = p.value;
    const t = terminals.get(c.ip);
    // [seed 001 L34948] the ip must be configured; we also require it to be the socket's source.
    if (!t || (settings.matchSourceIp && req.remoteAddress !== c.ip)) {
      log.warn({ peer: req.remoteAddress, ip: c.ip, sn: c.sn }, 'connect refused: device ip not configured');
      return failure(DoorCode.DEVICE_ILLEGAL);
    }
    if (!verifySign(c.signMethod, c, c.sign, settings.signForms)) {
      t.log.warn({ sn: c.sn, signMethod: c.signMethod }, 'connect refused: wrong sign');
      return failure(DoorCode.SIGN_ERROR);
    }
    const token = tokens.issue(t.cfg.ip, t.cfg.ip, t);
    t.accepted(c.sn, c.keepalive);
    return success({ token });
  };
}

export function keepaliveRoute(ctx: RouteContext): DoorRoute {
  return ctx.authed(none, () => success());
}
