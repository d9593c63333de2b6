/**
 * Host replacement, end to end (issue 21), with the built daemon and CLI: box A (a door-standard
 * door with card and QR roles, a demo meter) gets persons, cards and QR codes, delivers the cards
 * to the door, decides a QR pass, and is backed up with `edge backup` while it runs. Box B — a
 * fresh data folder, other HTTP and bus ports — is restored with `edge restore`; a blank door
 * (the old one wiped) is pointed at it. B comes up, re-sends every card to the door, decides the
 * same QR codes and cards, and reports every device in sync; nothing is entered again.
 *
 * An EBA alarm rule and a person-elevator linkage relation commissioned on A come back on B too.
 * Two Modbus meters (point tables imported with `edge import points` into A's driver folder,
 * polled from scripts/sim/modbus) and a BACnet air handler (a BACnetV3 workbook imported the
 * same way, read from scripts/sim/bacnet) are read by B from the restored tables.
 * The face terminal and its face library: replacement-faces.test.ts.
 * Runs dist/: `npm run build` first.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { modelsFor } from '../../edge/eba/apply.js';
import { rowsFromDevices } from '../../edge/eba/devices-table.js';
import { modbusV3Profile } from '../../edge/eba/profiles/modbus-v3.js';
import { validateWorkbook } from '../../edge/eba/validate.js';
import { readXlsx, writeXlsx } from '../../edge/eba/workbook-io.js';
import { SimulatedDoor } from '../../scripts/sim/door-standard/door.js';
import { startSimulator, type Simulator } from '../../scripts/sim/modbus/index.js';
import type { SimDevice } from '../../scripts/sim/bacnet/device.js';
import { freePort as freeUdpPort, startSim as startBacnetSim } from '../bacnet/helpers.js';
import { startDaemon, type Daemon } from '../cloud/helpers.js';
import { bacnetWorkbook } from '../console/workbook.js';
import { connectDoor, freePort } from '../helpers/runtime.js';
import { waitFor } from '../helpers/wait.js';

const MAIN = resolve(import.meta.dirname, '..', '..', 'dist', 'edge', 'main.js');
const SN = 'REPL-DOOR-01';
const CARD_KEY = `PEDoorCard/${SN}.3`;
const CARDS = Array.from({ length: 5 }, (_, i) => ({ cardId: `RC${String(i).padStart(6, '0')}`, userId: `resident-${i}` }));
const QRS = Array.from({ length: 3 }, (_, i) => `REPLQR${String(i).padStart(26, '0')}`);

const root = mkdtempSync(join(tmpdir(), 'pe-replace-'));
const EXAMPLE = resolve(import.meta.dirname, '..', '..', 'config', 'examples', 'modbus-v3-example.xlsx');
const daemons: Daemon[] = [];
let modbus: Simulator | undefined;
let bacnet: SimDevice | undefined;
const doors: SimulatedDoor[] = [];

afterAll(async () => {
  for (const d of daemons) if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGKILL');
  await Promise.all(daemons.map((d) => d.exited));
  for (const d of doors) await d.stop();
  await modbus?.stop();
  await bacnet?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** The example ModbusV3 point tables (two meters) with their channel on the simulator's port. */
async function pointTables(file: string, port: number): Promise<void> {
  const w = validateWorkbook(modbusV3Profile, await readXlsx(EXAMPLE), modelsFor(undefined));
  const channels = w.channels.map((c) => ({ ...c, port }));
  await writeXlsx(file, modbusV3Profile, { channels, points: w.points, devices: rowsFromDevices(w.devices, () => undefined) });
}

const BACNET_DEVICE = 7701;

function boxYaml(name: string, doorPort: number, edgePort: number, seed: boolean, bacnetPort = 0): string {
  const now = Date.now();
  const custom = `{ ip: 127.0.0.1, port: ${doorPort} }`;
  const seeds = {
    seedPersons: CARDS.map((c) => ({ identityId: c.userId, name: 'Resident' })),
    seedPermissions: [
      {
        device: CARD_KEY,
        file: {
          tradCardPermissionList: CARDS.map((c) => ({
            type: 1,
            ...c,
            effectiveTime: String(now - 86_400_000),
            expiryTime: String(now + 86_400_000),
          })),
        },
      },
      {
        device: `PEDoorQr/${SN}.2`,
        file: {
          qrCodePermissionList: QRS.map((qrCode) => ({
            type: 1,
            qrCode,
            userId: 'resident-0',
            startTime: String(now - 60_000),
            endTime: String(now + 3_600_000),
            maxScanTimes: 10,
          })),
        },
      },
    ],
  };
  if (seed)
    return `access: ${JSON.stringify({ ...seeds, elevators: { file: 'elevators.yaml' } })}\nrules: ${JSON.stringify({ alarmRules: [RULE] })}\n`;
  return `box: { name: ${name}, dataDir: ./data }
http: { host: 127.0.0.1, port: 0 }
bus: { host: 127.0.0.1, port: 0 }
drivers:
  - name: Property_Door_PerAccess_Standard
    type: door-standard
    config: { host: 127.0.0.1, port: ${edgePort}, boxIp: 127.0.0.1 }
    devices:
      - { productKey: PEDoorQr, deviceName: ${SN}.2, custom: ${custom} }
      - { productKey: PEDoorCard, deviceName: ${SN}.3, custom: ${custom} }
  - name: Demo_Sim_EBA_Meter
    type: demo-sim
    config: { intervalMs: 200 }
    devices:
      - { productKey: PEDemoMeter, deviceName: meter-r1, custom: { kind: meter } }
  - name: Official_BACnetV3_EBA_Points
    type: bacnet-v3
    config: { bindAddress: 127.0.0.30, localPort: ${bacnetPort} }
    devices: []
`;
}

/** An EBA alarm rule and a person-elevator linkage relation, commissioned on box A only. */
const RULE = {
  alarmRuleId: 'repl-meter-voltage',
  alarmName: '电表电压',
  alarmLevel: 2,
  alarmContent: '电压高于0',
  productKey: 'PEDemoMeter',
  sceneConfig: JSON.stringify({
    type: 'IFTTT',
    trigger: {
      uri: 'trigger/device/property',
      params: { productKey: 'PEDemoMeter', deviceName: 'meter-r1', propertyName: 'Voltage', compareType: '>', compareValue: 0 },
    },
    action: [{ uri: 'action/mqtt/pub/sceneInfo', params: { env: 'edge' } }],
  }),
  alarmType: 1,
  alarmMode: 1,
  runEnv: 'edge',
  multiDevice: 0,
};
const ELEVATORS = `relations:
  - { dataId: repl-lobby, controlMode: CALL_WITH_TARGET, elevatorIotId: repl-elevator-iot, triggerIotId: repl-door-iot, triggerFloor: '1' }
users:
  - { dataId: repl-lobby, identityId: resident-0, userTargetList: [ { targetFloor: '10', targetRoomNo: '01' } ] }
`;

/** What box B's database holds of A's rules and linkage (read after B stopped). */
function rulesOf(dbFile: string): { rules: string[]; relations: string[]; users: number } {
  const db = new Database(dbFile, { readonly: true });
  try {
    return {
      rules: db.prepare('SELECT alarm_rule_id FROM rules_alarm_rules').pluck().all() as string[],
      relations: db.prepare('SELECT data_id FROM elevator_relations').pluck().all() as string[],
      users: db.prepare('SELECT count(*) FROM elevator_users').pluck().get() as number,
    };
  } finally {
    db.close();
  }
}

async function ready(d: Daemon): Promise<string> {
  return waitFor(() => /health: (http:\/\/\S+)\/healthz/.exec(d.out())?.[1], 20_000);
}

/** Waits until `n` devices are online (the meter, the two Modbus meters, then the door's two). */
async function online(url: string, n: number): Promise<void> {
  await waitFor(async () => {
    const h = (await (await fetch(`${url}/healthz`)).json()) as { devices: { online: number } };
    return h.devices.online >= n ? true : undefined;
  }, 20_000);
}

const cli = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });

describe('replacing a box', () => {
  it('a second box restored from the first one’s backup serves the same doors with nothing entered again', async () => {
    const edgePort = await freePort();
    const oldDoor = new SimulatedDoor({ sn: SN, ip: '127.0.0.1', port: 0, edgeUrl: `http://127.0.0.1:${edgePort}`, keepaliveS: 10 });
    await oldDoor.start();
    doors.push(oldDoor);
    const a = join(root, 'a');
    mkdirSync(a);
    writeFileSync(join(a, 'elevators.yaml'), ELEVATORS);
    modbus = await startSimulator({ devices: 2, points: 50, tickMs: 500 });
    const bacnetSimPort = await freeUdpPort();
    bacnet = await startBacnetSim({
      deviceId: BACNET_DEVICE,
      host: '127.0.0.1',
      port: bacnetSimPort,
      objects: [
        { type: 0, instance: 1, value: 21.5 },
        { type: 4, instance: 3, value: 1 },
      ],
    });
    const bacnetPort = await freeUdpPort('127.0.0.30');
    // The site's config (what the backup carries) with the Modbus point tables imported into it;
    // A first starts on it plus the commissioning data (persons, permissions, rule, linkage).
    writeFileSync(join(a, 'box.yaml'), boxYaml('site-7', oldDoor.port, edgePort, false, bacnetPort));
    await pointTables(join(a, 'points.xlsx'), modbus.ports[0]!);
    const imported = cli('import', 'points', join(a, 'points.xlsx'), '-c', join(a, 'box.yaml'));
    expect(imported.status, imported.stderr).toBe(0);
    await bacnetWorkbook(join(a, 'ahu.xlsx'), { address: `127.0.0.1:${bacnetSimPort}`, deviceId: BACNET_DEVICE, device: 'REPL-AHU-01' });
    const importedBacnet = cli('import', 'points', join(a, 'ahu.xlsx'), '--type', 'bacnet-v3', '-c', join(a, 'box.yaml'));
    expect(importedBacnet.status, importedBacnet.stderr).toBe(0);
    writeFileSync(join(a, 'first.yaml'), `${readFileSync(join(a, 'box.yaml'), 'utf8')}${boxYaml('site-7', oldDoor.port, edgePort, true)}`);
    const boxA = startDaemon(join(a, 'first.yaml'), a, [], true);
    daemons.push(boxA);
    const urlA = await ready(boxA);
    await online(urlA, 4);
    await connectDoor(oldDoor).catch((err: unknown) => {
      throw new Error(`A: ${String(err)}\n${boxA.out().slice(-3000)}`);
    });
    await waitFor(() => oldDoor.state.cards.size === CARDS.length, 20_000);
    expect((await oldDoor.scanQr(QRS[0]!)).code).toBe(0);

    const file = join(root, 'site-7.tar.gz');
    const backup = cli('backup', '-c', join(a, 'box.yaml'), '-o', file);
    expect(backup.status, backup.stderr).toBe(0);
    boxA.child.kill('SIGTERM');
    expect(await boxA.exited).toBe(0);
    const doorPort = oldDoor.port;
    await oldDoor.stop();

    // The spare box: its own folder and ports; the door is a blank one at the same address.
    const b = join(root, 'b');
    mkdirSync(b);
    writeFileSync(
      join(b, 'box.yaml'),
      'box: { name: spare, dataDir: ./data }\nhttp: { host: 127.0.0.1, port: 0 }\nbus: { host: 127.0.0.1, port: 0 }\n',
    );
    const restore = cli('restore', file, '-c', join(b, 'box.yaml'));
    expect(restore.status, restore.stderr).toBe(0);
    expect(restore.stdout).toMatch(/restored site-7/);
    const door = new SimulatedDoor({ sn: SN, ip: '127.0.0.1', port: doorPort, edgeUrl: `http://127.0.0.1:${edgePort}`, keepaliveS: 10 });
    await door.start();
    doors.push(door);
    expect(door.state.cards.size).toBe(0);
    const boxB = startDaemon(join(b, 'box.yaml'), b, [], true);
    daemons.push(boxB);
    const urlB = await ready(boxB);
    const polledBefore = modbus.requests();
    const bacnetReads = () => bacnet!.counters.rp + bacnet!.counters.rpm;
    const readBefore = bacnetReads();
    // The demo meter, both Modbus meters and the air handler, read by B from the restored point tables.
    await online(urlB, 4);
    expect(modbus.requests()).toBeGreaterThan(polledBefore);
    await waitFor(() => bacnetReads() > readBefore, 10_000);
    expect(boxB.out()).toMatch(/started on restored data: every permission and rule is sent to every device again/);
    await connectDoor(door).catch((err: unknown) => {
      throw new Error(`B: ${String(err)}\n${boxB.out().slice(-3000)}`);
    });
    await waitFor(() => door.state.cards.size === CARDS.length, 20_000);
    await online(urlB, 6);
    for (const c of CARDS) expect(door.state.cards.get(c.cardId)).toMatchObject({ userId: c.userId });
    for (const q of QRS) expect((await door.scanQr(q)).code).toBe(0);
    expect((await door.scanQr('X'.repeat(32))).code).toBe(1);
    expect((await door.swipeCard(CARDS[1]!.cardId)).code).toBe(0);
    await waitFor(() => /restore re-sync finished[^\n]*/.exec(boxB.out()), 20_000);
    const finished = /"failed":\[([^\]]*)\][^\n]*restore re-sync finished/.exec(boxB.out());
    expect(finished?.[1]).toBe('');
    expect(boxB.out()).toMatch(new RegExp(`"device":"${CARD_KEY}","synced":${CARDS.length},"pending":0,"failed":0,"state":"in sync"`));
    boxB.child.kill('SIGTERM');
    expect(await boxB.exited).toBe(0);
    // Commissioned on A only (B's config and folder never saw them): restored with the database.
    expect(rulesOf(join(b, 'data', 'edge.db'))).toEqual({ rules: ['repl-meter-voltage'], relations: ['repl-lobby'], users: 1 });
  }, 90_000);
});
