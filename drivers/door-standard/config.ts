/**
 * Driver and device configuration of the door-standard driver, checked at the boundary.
 *
 * One physical terminal is up to five logical devices (spec 001b R9): `<IoT code>.1` face,
 * `.2` QR, `.3` card, `.4` BLE, `.5` intercom, all with the terminal's `custom.ip`; plus our
 * optional elevator device (product PEElevatorGateway, the seed's elevator-gateway thing model;
 * PEDoorElevator is the older wire-level model). A standalone elevator gateway is a terminal with
 * only the elevator device. The driver groups logical devices by IP: the
 * box matches a `/connect` by the `ip` it carries (seed 001 L34948).
 */
import type { DeviceInfo } from '../../edge/host/sdk/driver.js';
import { networkInterfaces } from 'node:os';
import { readSettings, settingsProblems } from '../../edge/host/sdk/settings.js';
import type { ListenerLimits } from '../../protocols/common/http-listener.js';
import type { SignForm } from '../../protocols/door-standard/index.js';
import settings from './settings.js';

/** The seed's elevator-gateway thing model (config/tsl/PEElevatorGateway.json). */
export const ELEVATOR_GATEWAY_PRODUCT = 'PEElevatorGateway';

export type Role = 'face' | 'qr' | 'card' | 'ble' | 'intercom' | 'elevator';

const SUFFIX_ROLES: Record<string, Role> = { '1': 'face', '2': 'qr', '3': 'card', '4': 'ble', '5': 'intercom' };
const PRODUCT_ROLES: Record<string, Role> = {
  PEDoorFace: 'face',
  PEDoorQr: 'qr',
  PEDoorCard: 'card',
  PEDoorBle: 'ble',
  PEDoorIntercom: 'intercom',
  PEDoorElevator: 'elevator',
  PEElevatorGateway: 'elevator',
};

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
  /** Hostile-input limits of the port-10000 server. */
  limits: ListenerLimits;
}

export interface TerminalConfig {
  ip: string;
  port: number;
  /** The IoT code without suffix (for logs). */
  code: string;
  faceMode: 'edge' | 'device';
  devices: Map<Role, DeviceInfo>;
}

/**
 * The driver config with its defaults (checked against settings.ts; the host refused a bad one
 * before the driver started). Without `boxIp` the doors are told the address of the box's first
 * LAN interface: `lanAddress` says which, for the log.
 */
export function driverSettings(
  c: Record<string, unknown>,
  lanAddress: () => { address: string; iface: string } | undefined = firstLanAddress,
): DriverSettings & { boxIpFrom?: string } {
  const s = readSettings(settings.config, c, 'door-standard driver config');
  if (s.boxIp) return { ...s, boxIp: s.boxIp };
  const lan = lanAddress();
  return { ...s, boxIp: lan?.address ?? '127.0.0.1', boxIpFrom: lan ? `interface ${lan.iface}` : 'no LAN interface found' };
}

/** The first non-internal IPv4 address of this machine and its interface. */
export function firstLanAddress(): { address: string; iface: string } | undefined {
  for (const [iface, addrs] of Object.entries(networkInterfaces())) {
    const a = addrs?.find((x) => x.family === 'IPv4' && !x.internal);
    if (a) return { address: a.address, iface };
  }
  return undefined;
}

export function roleOf(d: DeviceInfo): Role | undefined {
  const fromProduct = PRODUCT_ROLES[d.productKey];
  if (fromProduct) return fromProduct;
  const m = /\.([1-5])$/.exec(d.deviceName);
  return m ? SUFFIX_ROLES[m[1]!] : undefined;
}

/** Check one logical device's custom config; returns the problem or undefined. */
export function deviceProblem(d: DeviceInfo): string | undefined {
  if (!roleOf(d)) return `cannot tell the role of ${d.productKey}/${d.deviceName} (use a PEDoor* product or a .1-.5 suffix)`;
  const problems = settingsProblems(settings.device, d.custom);
  return problems.length > 0 ? problems.map((p) => `custom${p.path} ${p.message} (${p.hint})`).join('; ') : undefined;
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
