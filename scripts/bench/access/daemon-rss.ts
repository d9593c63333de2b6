/**
 * Child of `npm run bench -- access`: a fresh process that opens the bench's database the way
 * the daemon does (AccessCore.start loads the face indexes), runs a few face decisions and
 * reports its RSS. The parent's own RSS would count the bench's 100 MB of test vectors.
 * Prints one JSON line: { rss_mb, faces, load_s }.
 */
import { AccessCore } from '../../../edge/access/access-core.js';
import { parseAccessConfig } from '../../../edge/access/config.js';
import { silentLogger } from '../../../edge/log.js';
import { openDatabase } from '../../../edge/store/db.js';

const [file, dataDir, deviceKey] = process.argv.slice(2);
if (!file || !dataDir || !deviceKey) throw new Error('usage: daemon-rss <db file> <data dir> <device key>');
const db = openDatabase(file);
const core = new AccessCore({ db, log: silentLogger(), dataDir }, parseAccessConfig({}));
const t0 = performance.now();
await core.start();
const loadS = (performance.now() - t0) / 1000;
const dims = core.library.dims ?? 512;
for (let i = 0; i < 20; i++)
  core.passage.decideFaceVector(
    deviceKey,
    Array.from({ length: dims }, (_, k) => Math.sin(i * 7 + k)),
  );
(globalThis as { gc?: () => void }).gc?.();
const rssMb = process.memoryUsage().rss / 1024 / 1024;
const faces = core.library.size(core.faces.groupsOf(deviceKey));
await core.stop();
db.close();
console.log(JSON.stringify({ rss_mb: Math.round(rssMb), faces, load_s: Number(loadS.toFixed(2)) }));
