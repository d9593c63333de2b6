/**
 * Driver and device configuration of the door-standard driver, checked at the boundary.
 *
 * One physical terminal is up to five logical devices (spec 001b R9): `<IoT code>.1` face,
 * `.2` QR, `.3` card, `.4` BLE, `.5` intercom, all with the terminal's `custom.ip`; plus our
 * optional elevator device (product PEDoorElevator). The driver groups logical devices by IP: the
 * box matches a `/connect` by the `ip` it carries (seed 001 L34948).
 */
import type { DeviceInfo } from '../../edge/host/sdk/driver.js';
import { EDGE_PORT, LIMITS, type SignForm } from '../../protocols/door-standard/index.js';

export type Role = 'face' | 'qr' | 'card' | 'ble' | 'intercom' | 'elevator';

const SUFFIX_ROLES: Record<string, Role> = { '1': 'face', '2': 'qr', '3': 'card', '4': 'ble', '5': 'intercom' };
const PRODUCT_ROLES: Record<string, Role> = { PEDoorFace: 'face', PEDoorQr: 'qr', PEDoorCard: 'card', PEDoorBle: 'ble', PEDoorIntercom: 'intercom', PEDoorElevator: 'elevator' };

export interface DriverSettings {
  host: string;
  port: number;
  /** Our identity in the reverse /connect (the seed does not say which sn the edge sends, A1). */
  boxSn: string;
  boxIp: string;
  boxMac: string;
  keepaliveS: number;
  /** Offline after this many keep-alive periods without a request from the device (A3). */
  offlineMisses: number;
  signForms: SignForm[];
  /** The `/connect` ip must be the socket's source address too. */
  matchSourceIp: boolean;
  /** How often deployments are pulled from the access core without a nudge. */
  syncPollMs: number;
  /** Backoff of failed deployments and reverse connects. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Time limit of E→D calls the seed gives none for. */
  callTimeoutMs: number;
}

export interface TerminalConfig {
  ip: string;
  port: number;
  /** The IoT code without suffix (for logs). */
  code: string;
  faceMode: 'edge' | 'device';
  devices: Map<Role, DeviceInfo>;
}

const str = (v: unknown, d: string): string => (typeof v === 'string' && v.length > 0 ? v : d);
const num = (v: unknown, d: number, min: number, max: number): number => (typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : d);

export function driverSettings(c: Record<string, unknown>): DriverSettings {
  const forms = Array.isArray(c.signForms) ? c.signForms.filter((f): f is SignForm => f === 'braces' || f === 'plain') : [];
  return {
    host: str(c.host, '0.0.0.0'),
    port: num(c.port, EDGE_PORT, 0, 65535),
    boxSn: str(c.boxSn, 'property-edge-box'),
    boxIp: str(c.boxIp, '127.0.0.1'),
    boxMac: str(c.boxMac, '02-00-00-00-00-01'),
    keepaliveS: num(c.keepaliveS, 30, LIMITS.keepaliveMinS, LIMITS.keepaliveMaxS),
    offlineMisses: num(c.offlineMisses, 3, 1, 10),
    signForms: forms.length > 0 ? forms : ['braces'],
    matchSourceIp: c.matchSourceIp !== false,
    syncPollMs: num(c.syncPollMs, 30_000, 50, 3_600_000),
    retryBaseMs: num(c.retryBaseMs, 1000, 10, 60_000),
    retryMaxMs: num(c.retryMaxMs, 60_000, 100, 3_600_000),
    callTimeoutMs: num(c.callTimeoutMs, 5000, 100, 60_000),
  };
}

export function roleOf(d: DeviceInfo): Role | undefined {
  const fromProduct = PRODUCT_ROLES[d.productKey];
  if (fromProduct) return fromProduct;
  const m = /\.([1-5])$/.exec(d.deviceName);
  return m ? SUFFIX_ROLES[m[1]!] : undefined;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Check one logical device's custom config; returns the problem or undefined. */
export function deviceProblem(d: DeviceInfo): string | undefined {
  if (!roleOf(d)) return `cannot tell the role of ${d.productKey}/${d.deviceName} (use a PEDoor* product or a .1-.5 suffix)`;
  const ip = d.custom.ip;
  if (typeof ip !== 'string' || !IPV4.test(ip) || ip.split('.').some((n) => Number(n) > 255)) return 'custom.ip must be an IPv4 address';
  const port = d.custom.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) return 'custom.port must be the door HTTP port (1-65535)';
  return undefined;
}

export function terminalKey(d: DeviceInfo): string {
  return String(d.custom.ip);
}

/** Merge one logical device into its terminal (created on first use). */
export function addToTerminal(terminals: Map<string, TerminalConfig>, d: DeviceInfo): TerminalConfig {
  const key = terminalKey(d);
  let t = terminals.get(key);
  if (!t) {
    t = { ip: key, port: Number(d.custom.port), code: d.deviceName.replace(/\.[1-5]$/, ''), faceMode: 'edge', devices: new Map() };
    terminals.set(key, t);
  }
  const role = roleOf(d)!;
  t.devices.set(role, d);
  if (role === 'face' && d.custom.faceMode === 'device') t.faceMode = 'device';
  return t;
}
