/**
 * A box with the door-standard driver in its child process, the seed's scenario devices as
 * simulators on their own loopback addresses, and (optionally) the cloud stand-in on mosquitto:
 *
 *   UNIT-D  unit door (face .1 = iotId D, QR .2, card .3), floor 1        127.0.0.21
 *   EL-A    elevator gateway (PEElevatorGateway, iotId A)                 127.0.0.22
 *   CAR-B   in-car card reader (.3, iotId B)                              127.0.0.23
 *   CAR-C   in-car QR reader (.2, iotId C)                                127.0.0.24
 */
import type { CallRecords, StoredRecord } from '../../edge/elevators/records.js';
import { SimulatedDoor, type ElevatorCommand } from '../../scripts/sim/door-standard/door.js';
import { cloudYaml, GATEWAY, startRig, type CloudRig } from '../cloud/helpers.js';
import { bootRuntime, connectDoor, freePort, startBox, testBox, waitFor, type TestBox } from '../helpers/runtime.js';

export const DAY = 86_400_000;

const secret = (n: string) => `${n.toLowerCase().replace(/[^a-z0-9]/g, '')}-secret-0123456789`;
export const DEV = {
  unitFace: { productKey: 'PEDoorFace', deviceName: 'UNIT-D.1' },
  unitQr: { productKey: 'PEDoorQr', deviceName: 'UNIT-D.2' },
  unitCard: { productKey: 'PEDoorCard', deviceName: 'UNIT-D.3' },
  gateway: { productKey: 'PEElevatorGateway', deviceName: 'EL-A' },
  carB: { productKey: 'PEDoorCard', deviceName: 'CAR-B.3' },
  carC: { productKey: 'PEDoorQr', deviceName: 'CAR-C.2' },
} as const;
export const key = (d: { productKey: string; deviceName: string }) => `${d.productKey}/${d.deviceName}`;

export interface ElevatorBox {
  box: TestBox;
  rig: CloudRig | undefined;
  unit: SimulatedDoor;
  gateway: SimulatedDoor;
  carB: SimulatedDoor;
  carC: SimulatedDoor;
  yaml: string;
  /** Stop the box and start a new one on the same data folder and port; doors reconnect. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** The stored records of a relation, once there is one. */
export function recordsOf(records: CallRecords, dataId: string): Promise<StoredRecord[]> {
  return waitFor(() => {
    const l = records.list({ dataId });
    return l.length > 0 ? l : undefined;
  });
}

/** The next elevator command the gateway carries out. */
export function nextCommand(gateway: SimulatedDoor, timeoutMs = 15_000): Promise<ElevatorCommand> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no elevator command within ${timeoutMs} ms`)), timeoutMs);
    gateway.once('elevatorCommand', (c) => {
      clearTimeout(t);
      resolve(c);
    });
  });
}

export async function startElevatorBox(o: { cloud?: boolean; extraYaml?: string } = {}): Promise<ElevatorBox> {
  const rig = o.cloud ? await startRig(Object.values(DEV).map((d) => ({ ...d, deviceSecret: secret(d.deviceName) }))) : undefined;
  const boxPort = await freePort();
  const edgeUrl = `http://127.0.0.1:${boxPort}`;
  const sim = (sn: string, ip: string) => new SimulatedDoor({ sn, ip, port: 0, edgeUrl, keepaliveS: 10, autoKeepalive: false });
  const unit = sim('UNIT-D', '127.0.0.21');
  const gateway = sim('EL-A', '127.0.0.22');
  const carB = sim('CAR-B', '127.0.0.23');
  const carC = sim('CAR-C', '127.0.0.24');
  await Promise.all([unit, gateway, carB, carC].map((d) => d.start()));
  const dev = (d: { productKey: string; deviceName: string }, door: SimulatedDoor, iotId?: string) =>
    `      - { productKey: ${d.productKey}, deviceName: ${d.deviceName}, custom: { ip: ${door.opts.ip}, port: ${door.port}${iotId ? `, iotId: ${iotId}` : ''} } }`;
  const yaml = `
drivers:
  - name: Property_Door_PerAccess_Standard
    type: door-standard
    config: { host: 127.0.0.1, port: ${boxPort}, boxIp: 127.0.0.1, syncPollMs: 200, retryBaseMs: 50, retryMaxMs: 500 }
    devices:
${dev(DEV.unitFace, unit, 'D')}
${dev(DEV.unitQr, unit)}
${dev(DEV.unitCard, unit)}
${dev(DEV.gateway, gateway, 'A')}
${dev(DEV.carB, carB, 'B')}
${dev(DEV.carC, carC, 'C')}
${o.extraYaml ?? ''}
${rig ? cloudYaml(rig.broker.url, { subDevices: Object.values(DEV).map((d) => ({ ...d, deviceSecret: secret(d.deviceName) })), dynamicRegister: false }) : ''}`;
  let box = await startBox(yaml);
  const connectAll = async () => {
    for (const d of [unit, gateway, carB, carC]) d.edgeConnected = false;
    await Promise.all([unit, gateway, carB, carC].map((d) => connectDoor(d)));
    await waitFor(() => box.runtime.registry.get(DEV.gateway.productKey, DEV.gateway.deviceName)?.status === 'online', 10_000);
  };
  await connectAll();
  if (rig) await waitFor(() => box.runtime.cloud?.status().state === 'online', 20_000);
  return {
    get box() {
      return box;
    },
    rig,
    unit,
    gateway,
    carB,
    carC,
    yaml,
    async restart() {
      const dir = box.dir;
      await box.runtime.stop();
      const runtime = bootRuntime(dir, yaml);
      box = testBox(runtime, dir);
      await runtime.start();
      await connectAll();
    },
    async close() {
      await Promise.all([unit, gateway, carB, carC].map((d) => d.stop()));
      await box.close();
      await rig?.close();
    },
  };
}

/** The gateway's (the box's) cloud identity, for invoking the linkage services. */
export const GW = GATEWAY;
