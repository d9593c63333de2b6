/** The gateway's pack post as the platform checks and records it (doc 89301). */
import type { Post } from './stand-in.js';
import { key, type Publish } from './sub-devices.js';

export interface PackContext {
  loggedIn: ReadonlySet<string>;
  posts: Post[];
  packRejected: Array<{ id: string; reason: string; body: Record<string, unknown> }>;
  publish: Publish;
}

/**
 * Gateway pack post (doc 89301 "网关批量上报数据"): at most 20 sub-devices, 200 properties,
 * 20 events; every sub-device must be attached and online, else the whole message fails.
 * Accepted ones are recorded per sub-device (kind 'pack', id = the gateway's message id).
 */
export function packPost(c: PackContext, topic: string, gwPk: string, gwDn: string, id: string, body: Record<string, unknown>): void {
  const params = body.params as
    | {
        properties?: Record<string, unknown>;
        subDevices?: Array<{
          identity?: { productKey?: string; deviceName?: string };
          properties?: Record<string, unknown>;
          events?: Record<string, unknown>;
        }>;
      }
    | undefined;
  const subs = Array.isArray(params?.subDevices) ? params.subDevices : [];
  const props = subs.reduce((n, s) => n + Object.keys(s.properties ?? {}).length, Object.keys(params?.properties ?? {}).length);
  const events = subs.reduce((n, s) => n + Object.keys(s.events ?? {}).length, 0);
  let reason = '';
  if (body.method !== 'thing.event.property.pack.post') reason = 'wrong method';
  else if (subs.length > 20 || props > 200 || events > 20)
    reason = `over the limits (${subs.length} devices, ${props} properties, ${events} events)`;
  else {
    const bad = subs.find(
      (s) => !s.identity?.productKey || !s.identity.deviceName || !c.loggedIn.has(key(s.identity.productKey, s.identity.deviceName)),
    );
    if (bad) reason = `sub-device ${bad.identity?.productKey}/${bad.identity?.deviceName} not attached or not online`;
  }
  if (reason !== '') {
    c.packRejected.push({ id, reason, body });
    c.publish(`${topic}_reply`, { id, code: 460, message: reason, data: {} });
    return;
  }
  const at = Date.now();
  c.posts.push({ topic, device: key(gwPk, gwDn), kind: 'pack', id, body, loggedIn: true, at });
  for (const s of subs) {
    const dev = key(s.identity!.productKey!, s.identity!.deviceName!);
    c.posts.push({ topic, device: dev, kind: 'pack', id, body: { id, params: s.properties ?? {} }, loggedIn: true, at });
  }
  c.publish(`${topic}_reply`, { id, code: 200, message: 'success', data: {} });
}
