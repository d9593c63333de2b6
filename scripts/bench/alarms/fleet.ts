/**
 * The alarms benchmark's box config and simulated devices: indoor units (encrypted, 8 zones, each
 * on its own 127.0.x.y address, serving the box's ping there), DC-09 panels over TCP and camera
 * vendors' event adapters (one per vendor per security-adapter driver, so 10 take 3 drivers).
 */
import { SimulatedAlarmUnit, type SimZone } from '../../sim/alarm-unit/unit.js';
import { SimulatedPanel } from '../../sim/dc09-panel/panel.js';
import { SimulatedAdapter } from '../../sim/security-adapter/adapter.js';
import type { ZoneDeviceType } from '../../../protocols/alarm-unit/index.js';
import { MANUFACTURES, type Manufacture } from '../../../protocols/edge-security-event/index.js';
import { PRODUCT_OF_TYPE } from '../../../drivers/alarm-unit/products.js';
import { sleep } from '../lib.js';

export const ZONES_PER_UNIT = 8;
export const KEEPALIVE_S = 10;
/** The protocol's connect limit per unit (R13): a unit retries no faster. */
const CONNECT_RETRY_MS = 100;

/** Unit i's address: 127.0.10.2 … (the whole 127/8 is loopback on Linux). */
export const unitIp = (i: number): string => `127.0.${10 + Math.floor(i / 250)}.${2 + (i % 250)}`;
const adapterIp = (i: number): string => `127.0.100.${2 + i}`;
const unitName = (i: number): string => `BENCH-U${String(i).padStart(4, '0')}`;
const panelAccount = (i: number): string => String(1000 + i);

export interface Ports {
  unit: number;
  dc09: number;
  adapter: number[];
}

const zonesOf = (): SimZone[] =>
  Array.from({ length: ZONES_PER_UNIT }, (_, z) => ({
    zoneID: String(z + 1).padStart(2, '0'),
    zoneDeviceType: (z + 1) as ZoneDeviceType,
    zoneState: 1,
  }));

/** The drivers section (YAML flow style, one device a line). */
export function driversYaml(o: { units: number; panels: number; adapters: number; ports: Ports }): string {
  const lines = ['drivers:', '  - name: Bench_Indoor_Alarm_Units', '    type: alarm-unit'];
  lines.push(`    config: { host: 127.0.0.1, port: ${o.ports.unit} }`, '    devices:');
  for (let i = 0; i < o.units; i++) {
    const ip = unitIp(i);
    lines.push(`      - { productKey: PEAlarmUnit, deviceName: ${unitName(i)}, custom: { ip: ${ip} } }`);
    for (const z of zonesOf())
      lines.push(
        `      - { productKey: ${PRODUCT_OF_TYPE[z.zoneDeviceType]}, deviceName: ${unitName(i)}-${z.zoneID}, custom: { ip: ${ip}, zoneID: "${z.zoneID}" } }`,
      );
  }
  lines.push('  - name: Bench_Alarm_Hosts', '    type: alarm-host');
  lines.push(
    `    config: { protocolName: JhlAlarmHostDriver, localIp: 127.0.0.1, localPort: ${o.ports.dc09}, udpPort: 0, supervisionS: 60 }`,
  );
  lines.push('    devices:');
  for (let i = 0; i < o.panels; i++)
    lines.push(
      `      - { productKey: PEAlarmHost, deviceName: BENCH-HOST-${i}, custom: { deviceId: "${panelAccount(i)}", passwd: "123456", channelList: [Z1, Z2, Z3, Z4] } }`,
    );
  o.ports.adapter.forEach((port, d) => {
    lines.push(
      `  - name: Bench_Adapters_${d}`,
      '    type: security-adapter',
      `    config: { host: 127.0.0.1, port: ${port} }`,
      '    devices:',
    );
    for (let i = d * MANUFACTURES.length; i < Math.min(o.adapters, (d + 1) * MANUFACTURES.length); i++) {
      const m = MANUFACTURES[i % MANUFACTURES.length]!;
      lines.push(
        `      - { productKey: PESecurityAdapter, deviceName: BENCH-AD-${i}, custom: { manufacture: ${m}, ip: ${adapterIp(i)} } }`,
      );
      lines.push(
        `      - { productKey: PESecurityCamera, deviceName: BENCH-CAM-${i}, custom: { manufacture: ${m}, deviceType: 2, ip: 192.168.9.${i + 1}, port: 80, username: admin, password: bench } }`,
      );
    }
  });
  return `${lines.join('\n')}\n`;
}

/** Security-adapter drivers needed for `adapters` (one adapter per vendor per driver). */
export const adapterDrivers = (adapters: number): number => Math.ceil(adapters / MANUFACTURES.length);

export function makeUnits(n: number, edgeUrl: string, boxPublicKey: string): SimulatedAlarmUnit[] {
  return Array.from(
    { length: n },
    (_, i) =>
      new SimulatedAlarmUnit({ sn: unitName(i), ip: unitIp(i), port: 0, edgeUrl, keepaliveS: KEEPALIVE_S, boxPublicKey, zones: zonesOf() }),
  );
}

/** Connect (retried at the protocol's rate while refused) and report the zones; the connect's answer time. */
export async function connectUnit(u: SimulatedAlarmUnit, deadline: number): Promise<void> {
  for (;;) {
    const r = await u.connect().catch(() => undefined);
    if (r?.body.code === 0) break;
    if (Date.now() > deadline) throw new Error(`unit ${u.o.ip} did not connect: ${JSON.stringify(r?.body)}`);
    await sleep(CONNECT_RETRY_MS);
  }
  const z = await u.reportZoneInfo();
  if (z.body.code !== 0) throw new Error(`unit ${u.o.ip} zoneInfo: ${JSON.stringify(z.body)}`);
}

export function makePanels(n: number, port: number): SimulatedPanel[] {
  // Each from its own address: the receiver holds one address to 8 connections.
  return Array.from(
    { length: n },
    (_, i) =>
      new SimulatedPanel({ host: '127.0.0.1', port, transport: 'tcp', account: panelAccount(i), localAddress: `127.0.90.${2 + i}` }),
  );
}

export function makeAdapters(n: number, ports: number[]): SimulatedAdapter[] {
  return Array.from({ length: n }, (_, i) => {
    const manufacture: Manufacture = MANUFACTURES[i % MANUFACTURES.length]!;
    const port = ports[Math.floor(i / MANUFACTURES.length)]!;
    return new SimulatedAdapter({ ip: adapterIp(i), port: 0, edgeUrl: `http://127.0.0.1:${port}`, manufacture });
  });
}
