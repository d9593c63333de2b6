/**
 * The data of the backup benchmark's box, written straight through the store modules in bulk
 * transactions (no daemon, no cloud sync): persons with a card and a QR code each on two doors
 * (the community gate pattern: every door holds its share, not every card), faces with feature
 * vectors and images in the face library's own folder, alarm rules, and the imported point tables
 * of the EBA devices in the Modbus driver's data folder. Every door's permissions are marked
 * delivered (`transferred`), as on a box that has run for a while.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { AccessCore } from '../../../edge/access/access-core.js';
import { parseAccessConfig } from '../../../edge/access/config.js';
import { modelsFor } from '../../../edge/eba/apply.js';
import { modbusV3Profile } from '../../../edge/eba/profiles/modbus-v3.js';
import { validateWorkbook } from '../../../edge/eba/validate.js';
import { readXlsx } from '../../../edge/eba/workbook-io.js';
import { silentLogger } from '../../../edge/log.js';
import { checkRule } from '../../../edge/rules/rule.js';
import { RulesStore } from '../../../edge/rules/store.js';
import { openDatabase } from '../../../edge/store/db.js';
import { ROOT } from '../lib.js';

export interface BoxShape {
  persons: number;
  faces: number;
  ebaDevices: number;
  pointsPerDevice: number;
  rules: number;
  doors: number;
}

/** Door `d`'s serial number; its QR role is `<sn>.2`, its card role `<sn>.3` (door-standard). */
export const doorSn = (d: number): string => `BK-${String(d).padStart(4, '0')}`;
export const cardKey = (d: number): string => `PEDoorCard/${doorSn(d)}.3`;
export const qrKey = (d: number): string => `PEDoorQr/${doorSn(d)}.2`;
export const qrOf = (person: number): string => `BKQR${String(person).padStart(28, '0')}`;
/** Person `i` passes at doors `i mod D` and `(i + 1) mod D`. */
export const doorsOf = (person: number, doors: number): [number, number] => [person % doors, (person + 1) % doors];
export const cardOf = (person: number): string => `C${String(person).padStart(8, '0')}`;
/** The persons whose cards each door must hold. */
export function personsPerDoor(s: BoxShape): number[][] {
  const out = Array.from({ length: s.doors }, () => [] as number[]);
  for (let i = 0; i < s.persons; i++) for (const d of new Set(doorsOf(i, s.doors))) out[d]!.push(i);
  return out;
}
export const FACE_GROUP = 'bench-community';
export const FACE_TERMINAL = 'PEFacePush/bench-face-gate';
export const FAR = '9999999999999';
const DIMS = 512;

/**
 * A distinct small JPEG per face, as incompressible as a photo: 1,000 pictures of smooth random
 * structure (a 25 × 32 noise image scaled up), each face one of them with its own number in a
 * comment segment. Two equal pictures rarely fall within gzip's 32 KB window of each other.
 */
async function faceJpegs(): Promise<(i: number) => { jpeg: Buffer; thumb: Buffer }> {
  let seed = 99;
  const rnd = (): number => (seed = (seed * 1664525 + 1013904223) >>> 0) >>> 24;
  const pictures: Array<{ jpeg: Buffer; thumb: Buffer }> = [];
  for (let p = 0; p < 1000; p++) {
    const raw = Buffer.from(Array.from({ length: 25 * 32 * 3 }, rnd));
    const jpeg = await sharp(raw, { raw: { width: 25, height: 32, channels: 3 } })
      .resize(200, 256, { kernel: 'cubic' })
      .jpeg({ quality: 85 })
      .toBuffer();
    pictures.push({ jpeg, thumb: await sharp(jpeg).resize(64, 80).jpeg({ quality: 70 }).toBuffer() });
  }
  const tag = (jpeg: Buffer, i: number): Buffer => {
    const text = Buffer.from(`face ${i}`);
    const com = Buffer.from([0xff, 0xfe, 0, text.length + 2]);
    return Buffer.concat([jpeg.subarray(0, 2), com, text, jpeg.subarray(2)]); // after SOI
  };
  return (i) => ({ jpeg: tag(pictures[i % 1000]!.jpeg, i), thumb: tag(pictures[i % 1000]!.thumb, i) });
}

function seedAccess(core: AccessCore, s: BoxShape): void {
  const now = Date.now();
  core.db.transaction(() =>
    core.persons.upsert(
      Array.from({ length: s.persons }, (_, i) => ({ identityId: `p${i}`, name: `Resident ${i}`, extInfo: '' })),
      now,
    ),
  )();
  const cards = Array.from({ length: s.doors }, () => [] as object[]);
  const qrs = Array.from({ length: s.doors }, () => [] as object[]);
  for (let i = 0; i < s.persons; i++)
    for (const d of new Set(doorsOf(i, s.doors))) {
      cards[d]!.push({ type: 1, cardId: cardOf(i), endTime: FAR, userId: `p${i}` });
      qrs[d]!.push({ type: 1, qrCode: qrOf(i), userId: `p${i}`, startTime: '0', endTime: FAR, maxScanTimes: -1 });
    }
  for (let d = 0; d < s.doors; d++) {
    const c = core.applyPermissionText(cardKey(d), JSON.stringify({ tradCardPermissionList: cards[d] }));
    const q = core.applyPermissionText(qrKey(d), JSON.stringify({ qrCodePermissionList: qrs[d] }));
    if (c.SyncPicStatus !== 0 || q.SyncPicStatus !== 0) throw new Error(`seeding door ${d}: ${c.message} ${q.message}`);
  }
}

async function seedFaces(core: AccessCore, s: BoxShape): Promise<void> {
  const adds = Array.from({ length: s.faces }, (_, i) => ({
    faceId: `f${i}`,
    userInfo: JSON.stringify({ userName: `p${i}`, userId: `p${i}` }),
  }));
  const r = core.applyFaceText(FACE_TERMINAL, JSON.stringify({ groupId: FACE_GROUP, addFaceInfos: adds }), { features: false });
  if (r.SyncPicStatus !== 0) throw new Error(`seeding faces: ${r.message}`);
  const picture = await faceJpegs();
  let seed = 7;
  const rnd = (): number => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32 - 0.5;
  const vector = new Float32Array(DIMS);
  core.db.transaction(() => {
    for (let i = 0; i < s.faces; i++) {
      for (let k = 0; k < DIMS; k++) vector[k] = rnd();
      core.library.put(FACE_GROUP, `f${i}`, vector);
      const { jpeg, thumb } = picture(i);
      const sha = createHash('sha256').update(jpeg).digest('hex');
      mkdirSync(join(core.images.dir, sha.slice(0, 2)), { recursive: true });
      writeFileSync(core.images.path(sha), jpeg);
      writeFileSync(core.images.path(sha, true), thumb);
      core.faces.setImage(FACE_GROUP, `f${i}`, 'ready', sha, null);
    }
  })();
}

function seedRules(store: RulesStore, s: BoxShape): void {
  const now = Date.now();
  for (let i = 0; i < s.rules; i++) {
    const checked = checkRule({
      alarmRuleId: `bench-rule-${i}`,
      alarmName: `电表 ${i} 电压`,
      alarmLevel: 2,
      alarmContent: '电压高于阈值',
      productKey: 'PEDemoMeter',
      sceneConfig: JSON.stringify({
        type: 'IFTTT',
        trigger: {
          uri: 'trigger/device/property',
          params: {
            productKey: 'PEDemoMeter',
            deviceName: `meter-${i % s.ebaDevices}`,
            propertyName: 'Voltage',
            compareType: '>',
            compareValue: 240,
          },
        },
        action: [{ uri: 'action/mqtt/pub/sceneInfo', params: { env: 'edge' } }],
      }),
      alarmType: 1,
      alarmMode: 1,
      runEnv: 'edge',
      multiDevice: 0,
    });
    if (!checked.ok) throw new Error(`rule ${i}: ${JSON.stringify(checked.problems)}`);
    store.putRule(checked.rule, 'cloud', now);
  }
}

/** The Modbus driver's tables file as `edge import points` writes it, for `ebaDevices` × `pointsPerDevice`. */
async function seedPointTables(dataDir: string, s: BoxShape): Promise<void> {
  const example = join(ROOT, 'config', 'examples', 'modbus-v3-example.xlsx');
  const w = validateWorkbook(modbusV3Profile, await readXlsx(example), modelsFor(undefined));
  const template = w.points[0]!;
  const points = [];
  for (let dev = 0; dev < s.ebaDevices; dev++)
    for (let k = 0; k < s.pointsPerDevice; k++) points.push({ ...template, id: `${dev}-P${k}`, slave: (dev % 247) + 1, address: k });
  const dir = join(dataDir, 'drivers', 'Official_ModbusV3_EBA_Points');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'tables.json'), `${JSON.stringify(modbusV3Profile.toDriverTables(w.channels, points), null, 1)}\n`);
}

/** Write the box database and data folder under `dataDir`. */
export async function seedBox(dataDir: string, s: BoxShape): Promise<void> {
  const db = openDatabase(join(dataDir, 'edge.db'));
  const core = new AccessCore({ db, log: silentLogger(), dataDir }, parseAccessConfig({}));
  try {
    seedAccess(core, s);
    await seedFaces(core, s);
    seedRules(new RulesStore(db), s);
    // Delivered before the backup: the restore is what queues everything again.
    db.prepare("UPDATE access_deploy SET status = 'transferred', pre_status = 'transferring'").run();
  } finally {
    await core.stop();
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
  }
  await seedPointTables(dataDir, s);
}
