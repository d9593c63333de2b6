/**
 * `npm run bench -- access`: the access core at the project limit of 50,000 entries.
 * - apply a 50,000-entry card/QR sync file (goal ≤ 3 s)
 * - QR and card decisions at 1,000/s (goal p99 ≤ 1 ms), encrypted QR (goal p99 ≤ 2 ms)
 * - 1:N face match over 50,000 × 512 floats (goal p99 ≤ 15 ms) vs a naive per-face JS loop;
 *   enrolled people and strangers; RSS of a fresh daemon-like process holding the 50,000 faces
 * - face image normalisation (goal ≥ 30 images/s)
 * Logging is silent: the figures are about the core, not the logger. Last line: JSON.
 */
import { spawnSync } from 'node:child_process';
import { constants, generateKeyPairSync, privateEncrypt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { AccessCore } from '../../edge/access/access-core.js';
import { parseAccessConfig } from '../../edge/access/config.js';
import { normalizeFaceImage } from '../../edge/access/faces/face-image.js';
import { silentLogger } from '../../edge/log.js';
import { startCheckpointing } from '../../edge/store/checkpointer.js';
import { openDatabase } from '../../edge/store/db.js';

const N = 50_000;
const DIMS = 512;
const D = 'PK/bench-door';
const dir = mkdtempSync(join(tmpdir(), 'bench-access-'));
const db = openDatabase(join(dir, 'edge.db'));
// Checkpoints off the main thread, as the daemon runs them (edge/store/checkpointer.ts).
const checkpointer = startCheckpointing(db, join(dir, 'edge.db'), 250, (m) => console.error(`checkpoint failed: ${m}`));
const core = new AccessCore({ db, log: silentLogger(), dataDir: dir }, parseAccessConfig({}));
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * p)] ?? NaN;
const p99 = (xs: number[]): number => pct(xs, 0.99);
const round = (x: number, d = 3): number => Number(x.toFixed(d));

// 1. A 50,000-entry sync file (half QR codes, half cards).
const far = '9999999999999';
const file = JSON.stringify({
  qrCodePermissionList: Array.from({ length: N / 2 }, (_, i) => ({
    type: 1,
    qrCode: `Q${String(i).padStart(31, '0')}`,
    startTime: '0',
    endTime: far,
    maxScanTimes: -1,
  })),
  tradCardPermissionList: Array.from({ length: N / 2 }, (_, i) => ({ type: 1, cardId: `C${i}`, endTime: far, userId: `u${i}` })),
});
let t0 = performance.now();
const applied = core.applyPermissionText(D, file);
const applyS = (performance.now() - t0) / 1000;
if (applied.SyncPicStatus !== 0) throw new Error(`sync failed: ${applied.message}`);
console.log(`apply 50,000-entry sync file: ${applyS.toFixed(2)} s (goal ≤ 3 s)`);

// 2. Decisions paced at 1,000/s for 3 s each (records committed in groups as in production).
async function paced(fn: (i: number) => void, seconds: number): Promise<number[]> {
  const lat: number[] = [];
  const start = performance.now();
  for (let i = 0; i < seconds * 1000; i++) {
    const due = start + i;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const a = performance.now();
    fn(i);
    lat.push(performance.now() - a);
  }
  return lat;
}
const qrLat = await paced((i) => {
  if (core.passage.decideQr(D, `Q${String((i * 7919) % (N / 2)).padStart(31, '0')}`).code !== 0) throw new Error('QR refused');
}, 3);
const cardLat = await paced((i) => {
  if (core.passage.decideCard(D, `C${(i * 7919) % (N / 2)}`).code !== 0) throw new Error('card refused');
}, 3);
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 512 });
core.setRsaPublicKey(D, publicKey.export({ type: 'spki', format: 'der' }).toString('base64'));
const exp = Math.floor(Date.now() / 1000) + 3600;
const encrypted = Array.from({ length: 200 }, (_, i) =>
  privateEncrypt(
    { key: privateKey, padding: constants.RSA_PKCS1_PADDING },
    Buffer.from(`Q${String(i * 101).padStart(31, '0')}:${exp}`),
  ).toString('base64'),
);
const encLat = await paced((i) => {
  if (core.passage.decideQr(D, encrypted[i % encrypted.length]!).code !== 0) throw new Error('encrypted QR refused');
}, 2);
console.log(
  `QR decision p99 ${p99(qrLat).toFixed(3)} ms, card p99 ${p99(cardLat).toFixed(3)} ms (goal ≤ 1 ms at 1,000/s); encrypted QR p99 ${p99(encLat).toFixed(3)} ms (goal ≤ 2 ms); records written ${core.records.written}`,
);

// 3. Face matching over 50,000 × 512.
let seed = 12345;
const rnd = (): number => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32 - 0.5;
const G = 'bench-group';
core.applyFaceText(
  D,
  JSON.stringify({
    groupId: G,
    addFaceInfos: Array.from({ length: N }, (_, i) => ({ faceId: `f${i}`, userInfo: JSON.stringify({ userName: `p${i}` }) })),
  }),
  { features: false },
);
// One flat buffer (not 50,000 arrays) so garbage collection does not blur the timings.
const all = new Float32Array(N * DIMS);
for (let i = 0; i < all.length; i++) all[i] = rnd();
const naive = Array.from({ length: N }, (_, i) => ({ id: `f${i}`, v: all.subarray(i * DIMS, (i + 1) * DIMS) }));
t0 = performance.now();
db.transaction(() => {
  for (let i = 0; i < N; i++) core.library.put(G, `f${i}`, naive[i]!.v);
})();
const loadS = (performance.now() - t0) / 1000;
// 100 enrolled people (their vector plus noise) and 100 strangers: a stranger's best score is
// low and crowded, the case where the int8 scan leaves the most faces to re-score exactly.
const queries = Array.from({ length: 200 }, (_, q) =>
  q % 2 === 0 ? Array.from(naive[(q * 811) % N]!.v, (x) => x + 0.1 * rnd()) : Array.from({ length: DIMS }, rnd),
);
const matchLat: number[] = [];
const rescored: number[] = [];
// Process CPU time (all threads) next to wall time: on 2 shared cores the wall-time tail is
// mostly waiting for a core.
const matchCpu: number[] = [];
let correct = 0;
// Steady state: the daemon warms the scan up when it loads the library at start (FaceLibrary.load);
// here the faces came in through put(), so five unrecorded matches do the same.
for (let i = 0; i < 5; i++) core.library.best([G], queries[1]!);
(globalThis as { gc?: () => void }).gc?.();
for (const [q, query] of queries.entries()) {
  const c = process.cpuUsage();
  const a = performance.now();
  const d = core.passage.decideFaceVector(D, query);
  matchLat.push(performance.now() - a);
  const used = process.cpuUsage(c);
  matchCpu.push((used.user + used.system) / 1000);
  rescored.push(core.library.lastRescored);
  if (q % 2 === 0 ? d.faceId === `f${(q * 811) % N}` : d.code === 505) correct++;
}
// Baseline: the obvious per-face JS loop (cosine with norms over number[] arrays).
function naiveBest(query: number[]): string {
  let best = -2,
    id = '';
  for (const f of naive) {
    let dot = 0,
      na = 0,
      nb = 0;
    for (let k = 0; k < DIMS; k++) {
      dot += query[k]! * f.v[k]!;
      na += query[k]! * query[k]!;
      nb += f.v[k]! * f.v[k]!;
    }
    const s = dot / Math.sqrt(na * nb);
    if (s > best) {
      best = s;
      id = f.id;
    }
  }
  return id;
}
const naiveLat: number[] = [];
for (const query of queries.slice(0, 10)) {
  const a = performance.now();
  naiveBest(query);
  naiveLat.push(performance.now() - a);
}
const rescoredMean = rescored.reduce((a, b) => a + b, 0) / rescored.length;
console.log(
  `face 1:N over ${N} × ${DIMS}: p50 ${pct(matchLat, 0.5).toFixed(2)} ms, p99 ${p99(matchLat).toFixed(2)} ms (goal ≤ 15 ms; process CPU time p50 ${pct(matchCpu, 0.5).toFixed(2)} ms, p99 ${p99(matchCpu).toFixed(2)} ms), ${correct}/${queries.length} correct; re-scored exactly per query: mean ${rescoredMean.toFixed(1)}, max ${Math.max(...rescored)}; naive JS loop p99 ${p99(naiveLat).toFixed(1)} ms → ${(p99(naiveLat) / p99(matchLat)).toFixed(1)}× faster; index load ${loadS.toFixed(1)} s`,
);

// RSS of a daemon-like process holding these 50,000 faces (fresh process, same database).
db.pragma('wal_checkpoint(TRUNCATE)');
const child = spawnSync(
  process.execPath,
  ['--expose-gc', join(dirname(fileURLToPath(import.meta.url)), 'access', 'daemon-rss.js'), join(dir, 'edge.db'), dir, D],
  { encoding: 'utf8' },
);
const daemon = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as { rss_mb?: number; faces?: number; load_s?: number };
if (daemon.faces !== N) throw new Error(`daemon-rss child failed: ${child.stderr}`);
console.log(`daemon-like process with ${N} faces: RSS ${daemon.rss_mb} MB, index load ${daemon.load_s} s`);

// 4. Face image normalisation (a 1280 × 960 camera JPEG with detail).
const raw = Buffer.alloc(1280 * 960 * 3);
for (let i = 0; i < raw.length; i++) raw[i] = (i * 31 + (i >> 7)) & 0xff;
const photo = await sharp(raw, { raw: { width: 1280, height: 960, channels: 3 } })
  .jpeg({ quality: 90 })
  .toBuffer();
const IMAGES = 60;
t0 = performance.now();
for (let i = 0; i < IMAGES; i++) await normalizeFaceImage(photo);
const imgSequentialPerS = IMAGES / ((performance.now() - t0) / 1000);
// As a face sync runs them: `access.sync.imageConcurrency` (default 4) images at a time. sharp
// runs each image on one libvips thread here (its default on glibc without jemalloc), so
// images in parallel are what uses the second core.
const inFlight = parseAccessConfig({}).sync.imageConcurrency;
t0 = performance.now();
let next = 0;
await Promise.all(
  Array.from({ length: inFlight }, async () => {
    while (next < IMAGES) {
      next++;
      await normalizeFaceImage(photo);
    }
  }),
);
const imgPerS = IMAGES / ((performance.now() - t0) / 1000);
console.log(
  `face image normalisation: ${imgPerS.toFixed(1)} images/s with ${inFlight} in flight as a face sync runs them (goal ≥ 30); one at a time ${imgSequentialPerS.toFixed(1)} images/s`,
);

const rssMb = process.memoryUsage().rss / 1024 / 1024;
await core.stop();
await checkpointer.stop();
db.close();
rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    sync_apply_50k_s: round(applyS, 2),
    qr_decision_p99_ms: round(p99(qrLat)),
    card_decision_p99_ms: round(p99(cardLat)),
    encrypted_qr_p99_ms: round(p99(encLat)),
    face_match_50k_p50_ms: round(pct(matchLat, 0.5), 2),
    face_match_50k_p99_ms: round(p99(matchLat), 2),
    face_match_cpu_p50_ms: round(pct(matchCpu, 0.5), 2),
    face_match_cpu_p99_ms: round(p99(matchCpu), 2),
    face_rescored_mean: round(rescoredMean, 1),
    daemon_50k_faces_rss_mb: daemon.rss_mb,
    face_match_naive_p99_ms: round(p99(naiveLat), 1),
    face_match_speedup_ratio: round(p99(naiveLat) / p99(matchLat), 1),
    face_match_correct: correct / queries.length,
    image_normalize_per_s: round(imgPerS, 1),
    image_normalize_sequential_per_s: round(imgSequentialPerS, 1),
    rss_mb: Math.round(rssMb),
  }),
);
