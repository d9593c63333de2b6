/**
 * File-service benchmark (`npm run bench -- files [--files 1000] [--clients 50] [--kb 200] [--rounds 4]`):
 * the real daemon (`edge start`, the file service on) takes 200 KB pictures from 50 concurrent
 * clients as form-data uploads, then serves them back. Baseline, same run: a bare Node `http`
 * server in its own process that writes each raw body the same durable way (temporary file,
 * fsync, rename) and streams it back; the two take turns in rounds (uploads, then downloads of
 * the same files), so the load of a shared machine falls on both alike. Figures: files/s and MB/s both ways, the ratios, and the
 * daemon's RSS growth during the run (sampled every 20 ms): streams, not buffers.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, round, rssMb, startDaemon } from './lib.js';

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '1000' },
    clients: { type: 'string', default: '50' },
    kb: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '4' },
  },
});
const FILES = Number(values.files);
const CLIENTS = Number(values.clients);
const SIZE = Number(values.kb) * 1024;
const ROUNDS = Math.max(1, Number(values.rounds));
const PER_ROUND = Math.ceil(FILES / ROUNDS);
const BOUNDARY = '----pe-bench-files';
const picture = randomBytes(SIZE);

/** The bare server: POST /<name> writes the body (temp, fsync, rename); GET /<name> streams it. */
const BARE = `
const http = require('node:http'); const fs = require('node:fs'); const { pipeline } = require('node:stream');
const dir = process.argv[1];
http.createServer((req, res) => {
  const file = dir + '/' + req.url.slice(1).replace(/[^a-z0-9.-]/gi, '_');
  if (req.method === 'POST') {
    const tmp = file + '.tmp'; const out = fs.createWriteStream(tmp);
    pipeline(req, out, (err) => {
      if (err) { res.writeHead(500).end(); return; }
      const fd = fs.openSync(tmp, 'r'); fs.fsync(fd, () => { fs.closeSync(fd); fs.renameSync(tmp, file); res.writeHead(200).end('{}'); });
    });
  } else {
    fs.stat(file, (err, st) => {
      if (err) { res.writeHead(404).end(); return; }
      res.writeHead(200, { 'Content-Length': st.size }); pipeline(fs.createReadStream(file), res, () => {});
    });
  }
}).listen(Number(process.argv[2]), '127.0.0.1', () => process.stdout.write('ready\\n'));
`;

function send(agent: Agent, url: string, method: string, body?: Buffer, headers: Record<string, string | number> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => (res.statusCode === 200 ? resolve(bytes) : reject(new Error(`${method} ${url}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** `count` requests over `CLIENTS` concurrent workers; the milliseconds they took. */
async function run(count: number, one: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < count) await one(next++);
    }),
  );
  return performance.now() - t0;
}

function formOf(name: string): Buffer {
  return Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="filePath"\r\n\r\nbench/${name}\r\n`),
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: image/jpeg\r\n\r\n`),
    picture,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
}

const work = mkdtempSync(join(tmpdir(), 'pe-bench-files-'));
const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
const filesPort = await freePort();
// One client address sends everything here: the per-source limits are lifted for the run.
const daemon = await startDaemon(
  `bus: { enabled: false }\nfiles: { port: ${filesPort}, quotaMb: 100000, limits: { perSourceConnections: 1000, perSourceRequestsPerS: 1000000, perSourceBurst: 1000000 } }\n`,
);
const bare = spawn(process.execPath, ['-e', BARE, work, String(await freePort())], { stdio: ['ignore', 'pipe', 'inherit'] });
try {
  const barePort = Number(bare.spawnargs.at(-1));
  await new Promise<void>((r) => bare.stdout!.once('data', () => r()));
  const base = `http://127.0.0.1:${filesPort}`;
  const bareBase = `http://127.0.0.1:${barePort}`;
  const form = { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` };
  const rss0 = rssMb(daemon.pid);
  let peak = rss0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(daemon.pid))), 20);
  // The machine is shared: the daemon and the baseline take turns in ROUNDS short rounds, so a
  // change in the load outside the run weighs on both sides alike rather than on whichever ran then.
  const t = { up: 0, down: 0, baseUp: 0, baseDown: 0 };
  for (let r = 0; r < ROUNDS; r++) {
    const names = Array.from({ length: PER_ROUND }, (_, i) => `r${r}p${i}.jpg`);
    t.baseUp += await run(PER_ROUND, (i) => send(agent, `${bareBase}/${names[i]}`, 'POST', picture));
    t.up += await run(PER_ROUND, (i) => send(agent, `${base}/home/paas/file/add`, 'POST', formOf(names[i]!), form));
    t.baseDown += await run(PER_ROUND, (i) => send(agent, `${bareBase}/${names[i]}`, 'GET'));
    t.down += await run(PER_ROUND, (i) => send(agent, `${base}/oss/bench/${names[i]}`, 'GET'));
  }
  clearInterval(sampler);
  const perS = (ms: number): number => (PER_ROUND * ROUNDS) / (ms / 1000);
  const [up, down, baseUp, baseDown] = [perS(t.up), perS(t.down), perS(t.baseUp), perS(t.baseDown)];
  const mb = SIZE / 1024 / 1024;
  const out = {
    upload_files_per_s: round(up),
    download_files_per_s: round(down),
    upload_mb_per_s: round(up * mb),
    download_mb_per_s: round(down * mb),
    baseline_upload_files_per_s: round(baseUp),
    baseline_download_files_per_s: round(baseDown),
    upload_ratio: round(up / baseUp, 2),
    download_ratio: round(down / baseDown, 2),
    rss_growth_mb: round(peak - rss0),
  };
  process.stdout.write(
    `${PER_ROUND * ROUNDS} files of ${values.kb} KB, ${CLIENTS} clients, ${ROUNDS} rounds taking turns with the baseline\n` +
      `  upload:   ${out.upload_files_per_s} files/s (${out.upload_mb_per_s} MB/s), bare node ${out.baseline_upload_files_per_s} files/s, ratio ${out.upload_ratio}\n` +
      `  download: ${out.download_files_per_s} files/s (${out.download_mb_per_s} MB/s), bare node ${out.baseline_download_files_per_s} files/s, ratio ${out.download_ratio}\n` +
      `  daemon RSS growth: ${out.rss_growth_mb} MB\n${JSON.stringify(out)}\n`,
  );
} finally {
  agent.destroy();
  bare.kill();
  await daemon.stop();
  rmSync(work, { recursive: true, force: true });
  rmSync(daemon.dir, { recursive: true, force: true });
}
