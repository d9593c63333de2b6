/**
 * One probe per protocol in the listener registry (edge/host/listeners.ts): how to forge a
 * request to each of its endpoints as if from a configured device, what the protocol's refusal
 * of that forgery looks like, and the shape of its refusals for rate and size. The hostile suite
 * (device-listeners.test.ts) fails on any listener whose protocol has no entry here, and on any
 * endpoint a probe cannot forge: a new driver's listener is covered, or the suite says so.
 *
 * The forged requests (scripts/sim/hostile/forge.ts) name the devices the suite configures
 * (`DEVICES`) and carry plausible content (a correct /connect sign, a well-formed record): the
 * refusal asserted is the address or token check's, not a parse error's.
 */
import type { ListenerEndpoint } from '../../edge/host/sdk/settings.js';
import { forgeRequest, type Forged } from '../../scripts/sim/hostile/forge.js';
import type { Exchange } from './sockets.js';

/** The devices of the suite's box: all configured at 127.0.0.1; forgeries come from other addresses. */
export const DEVICES = {
  door: { sn: 'SEC-DOOR-1', ip: '127.0.0.1', mac: '02-00-7F-00-00-01' },
  push: { deviceNo: 'SEC-PUSH-1', ip: '127.0.0.1' },
  openapi: { deviceId: 'SEC-OA-1', ip: '127.0.0.1' },
  alarmUnit: { sn: 'SEC-ALARM-1', ip: '127.0.0.1' },
  securityAdapter: { ip: '127.0.0.1', mac: '02-00-7F-00-00-05', manufacture: 'DH' },
} as const;

export interface HttpProbe {
  kind: 'http';
  /** A forged request to `e` claiming to be the configured device; throws for an endpoint it does not know. */
  forge(e: ListenerEndpoint): Forged;
  /** The protocol's refusal of that forgery (the address or token check, not a parse error). */
  refusedForgery(e: ListenerEndpoint, r: Exchange): boolean;
  /** A refusal by the listener itself (429 rate, 413 size) in the protocol's error shape. */
  listenerRefusal(r: Exchange, status: 413 | 429): boolean;
}

export type Probe = HttpProbe | { kind: 'elsewhere'; by: string } | { kind: 'exempt'; why: string };

/** The forgeries of one protocol; an endpoint without one fails the suite, naming it. */
function forge(protocol: string): (e: ListenerEndpoint) => Forged {
  return (e) => {
    const f = forgeRequest(protocol, e, DEVICES);
    if (!f) throw new Error(`no forgery of ${protocol} ${e.method} ${e.path}: teach scripts/sim/hostile/forge.ts this endpoint`);
    return f;
  };
}

const door: HttpProbe = {
  kind: 'http',
  forge: forge('door-standard'),
  // /connect from an address that is not the claimed one: 7 "device is illegal"; anything else: 4 "token invalid".
  refusedForgery: (e, r) => r.status === 200 && r.json?.code === (e.path === '/connect' ? 7 : 4),
  listenerRefusal: (r, status) => r.status === status && typeof r.json?.code === 'number' && r.json.code !== 0,
};

const push: HttpProbe = {
  kind: 'http',
  forge: forge('face-push'),
  refusedForgery: (_e, r) => r.status === 200 && r.json?.errorCode === '200' && /configured address/.test(String(r.json.msg)),
  listenerRefusal: (r, status) => r.status === status && typeof r.json?.errorCode === 'string' && r.json.errorCode !== '100',
};

const openapi: HttpProbe = {
  kind: 'http',
  forge: forge('face-openapi'),
  // Face pictures: 403; everything naming a terminal: ret "1" as for an unknown one.
  refusedForgery: (e, r) => r.json?.ret === '1' && (e.path.startsWith('/syimage/') ? r.status === 403 : r.status === 200),
  listenerRefusal: (r, status) => r.status === status && r.json?.ret === '1',
};

const alarmUnit: HttpProbe = {
  kind: 'http',
  forge: forge('alarm-unit'),
  // Every request from an address that is no configured unit: 7 "device is illegal", before the body is read.
  refusedForgery: (_e, r) => r.status === 200 && r.json?.code === 7,
  listenerRefusal: (r, status) => r.status === status && r.json?.code === 99,
};

const securityAdapter: HttpProbe = {
  kind: 'http',
  forge: forge('edge-security-event'),
  // From an address that is no configured adapter: 801 on appAuthentication, 802 otherwise, before the body is read.
  refusedForgery: (e, r) => r.status === 200 && r.json?.code === (e.path.endsWith('/appAuthentication') ? 801 : 802),
  listenerRefusal: (r, status) => r.status === status && r.json?.code === (status === 413 ? 805 : 810),
};

export const PROBES: Readonly<Record<string, Probe>> = {
  'alarm-unit': alarmUnit,
  'edge-security-event': securityAdapter,
  'door-standard': door,
  'face-push': push,
  'face-openapi': openapi,
  'http-console': { kind: 'elsewhere', by: 'test/security/console-auth.test.ts (login throttling, lockout, sessions)' },
  'http-files': { kind: 'elsewhere', by: 'test/files/hostile.test.ts, store.test.ts (hostile multipart, paths, caps, rate limit)' },
  'http-datamodel': {
    kind: 'elsewhere',
    by: 'test/datamodel/api.test.ts (APPSIGN forgeries, replays, stale timestamps, wrong Content-MD5, oversize bodies, bad envelopes, path traversal)',
  },
  'http-service-bus': {
    kind: 'elsewhere',
    by: 'test/apps/service-bus.test.ts (malformed envelopes, wrong content types and methods, the body cap, unknown models and methods, slow and down apps)',
  },
  'http-app': {
    kind: 'exempt',
    why: "a hosted app's own server (docs/apps.md), not the box's code; the box reaches it through the service bus, probed as http-service-bus",
  },
  mqtt: { kind: 'elsewhere', by: 'test/security/bus-*.test.ts (pre-authentication limits, client ids, ACLs)' },
  'sia-dc09': {
    kind: 'elsewhere',
    by: 'test/alarm-host/receiver.test.ts and box.e2e.test.ts (a line protocol, TCP and UDP: unconfigured addresses and accounts, garbage, 5 MB lines, floods)',
  },
  'gb28181-sip': {
    kind: 'elsewhere',
    by: 'test/gb28181/server.test.ts and box.e2e.test.ts (SIP over UDP and TCP: garbage, oversized messages and streams, unknown ids, wrong passwords, floods)',
  },
  'bacnet-ip': {
    kind: 'exempt',
    why: 'UDP, no endpoints: the driver matches what arrives to its own requests to devices of its point tables',
  },
};
