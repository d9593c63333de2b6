/** A mosquitto with the platform's password rule for the gateway, plus the cloud stand-in. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Mosquitto } from '../../scripts/sim/cloud/broker.js';
import { CloudStandIn, type Identity } from '../../scripts/sim/cloud/stand-in.js';
import { gatewayPassword } from '../../scripts/sim/cloud/verify.js';

export const SIGN_TS = 2524608000000; // the Link SDK's fixed signing timestamp
export const GATEWAY: Identity = { productKey: 'PEGateway', deviceName: 'box-01', deviceSecret: 'gw-secret-0123456789' };
export const SUBS: Identity[] = [
  { productKey: 'PEDemoMeter', deviceName: 'm1', deviceSecret: 'm1-secret-abcdef' },
  { productKey: 'PEDemoMeter', deviceName: 'm2', deviceSecret: 'm2-secret-abcdef' },
  { productKey: 'PEDemoThermo', deviceName: 't1', deviceSecret: 't1-secret-abcdef' },
];
const CLOUD_USER = { username: 'cloud', password: 'cloud-password-1' };

export interface CloudRig {
  broker: Mosquitto;
  cloud: CloudStandIn;
  dir: string;
  close(): Promise<void>;
}

/** Broker that only admits the gateway with a correct signature, and the stand-in. */
export async function startRig(): Promise<CloudRig> {
  const dir = mkdtempSync(join(tmpdir(), 'pe-cloud-'));
  const gw = gatewayPassword(GATEWAY, `${GATEWAY.productKey}.${GATEWAY.deviceName}`, SIGN_TS);
  const broker = new Mosquitto({ dir, users: { [gw.username]: gw.password, [CLOUD_USER.username]: CLOUD_USER.password } });
  await broker.start();
  const cloud = new CloudStandIn({ url: broker.url, ...CLOUD_USER, gateway: GATEWAY, subDevices: SUBS, clientId: `stand-in-${process.pid}-${Date.now()}` });
  await cloud.start();
  return {
    broker,
    cloud,
    dir,
    async close() {
      await cloud.stop().catch(() => undefined);
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The `cloud` section of a box config for this rig (YAML flow style). */
export function cloudYaml(url: string, overrides: Record<string, unknown> = {}): string {
  const section = {
    productKey: GATEWAY.productKey,
    deviceName: GATEWAY.deviceName,
    deviceSecret: GATEWAY.deviceSecret,
    url,
    signTimestamp: SIGN_TS,
    keepaliveS: 30,
    reconnectMinMs: 200,
    reconnectMaxMs: 2000,
    replyTimeoutMs: 3000,
    subDevices: SUBS,
    ...overrides,
  };
  return `cloud: ${JSON.stringify(section)}\n`;
}

export const DEMO_DRIVER = (intervalMs: number) => `
drivers:
  - name: Demo_Sim_EBA_Meter
    type: demo-sim
    config: { intervalMs: ${intervalMs} }
    devices:
      - { productKey: PEDemoMeter, deviceName: m1, custom: { kind: meter } }
      - { productKey: PEDemoMeter, deviceName: m2, custom: { kind: meter } }
      - { productKey: PEDemoThermo, deviceName: t1, custom: { kind: thermostat } }
`;
