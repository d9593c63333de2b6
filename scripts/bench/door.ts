/**
 * Door benchmark (`npm run bench -- door [--doors 200] [--cards 20000] [--scans 1000]`): 200
 * simulated doors (the pedestrian box's capacity, seed 001 L11407) against the door-standard
 * driver running in its own process.
 *   1. connect storm: all doors POST /connect at once; time until every door is online both ways
 *   2. QR scan round trip at 200 scans/s: p50/p99
 *   3. card sync: N cards to every door in batches of 200 (5 s limit each)
 *   4. box CPU and RSS
 * Baseline (same run): a bare node:http server answering the same POSTs with Connection: close.
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { postJson } from '../../protocols/door-standard/index.js';
import { SimulatedDoor } from '../sim/door-standard/door.js';

const { values } = parseArgs({
  options: {
    doors: { type: 'string', default: '200' },
    cards: { type: 'string', default: '20000' },
    scans: { type: 'string', default: '1000' },
  },
});
const DOORS = Number(values.doors);
const CARDS = Number(values.cards);
const SCANS = Number(values.scans);
const ipOf = (i: number): string => `127.0.${10 + Math.floor(i / 250)}.${2 + (i % 250)}`;
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};
const round = (x: number, d = 2): number => Number(x.toFixed(d));

type FromBox =
  | { t: 'ready'; port: number; qr: string }
  | { t: 'added' }
  | { t: 'stats'; cpu: NodeJS.CpuUsage; rss: number; online: number }
  | { t: 'cardsDone'; ms: number };
const box = fork(join(dirname(fileURLToPath(import.meta.url)), 'door', 'box-process.js'), [], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const waitMsg = <K extends FromBox['t']>(t: K, timeoutMs = 110_000): Promise<Extract<FromBox, { t: K }>> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`box did not send ${t} in ${timeoutMs} ms`)), timeoutMs);
    const on = (m: FromBox): void => {
      if (m.t !== t) return;
      clearTimeout(timer);
      box.off('message', on);
      resolve(m as Extract<FromBox, { t: K }>);
    };
    box.on('message', on);
  });
const stats = async (): Promise<Extract<FromBox, { t: 'stats' }>> => {
  box.send({ t: 'stats' });
  return waitMsg('stats');
};

async function paced(n: number, perSecond: number, fn: (i: number) => Promise<void>): Promise<void> {
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(fn(i));
  }
  await Promise.all(pending);
}

try {
  const { port, qr } = await waitMsg('ready', 30_000);
  const edgeUrl = `http://127.0.0.1:${port}`;
  const doors = Array.from(
    { length: DOORS },
    (_, i) =>
      new SimulatedDoor({ sn: `BENCH-${String(i).padStart(4, '0')}`, ip: ipOf(i), port: 0, edgeUrl, keepaliveS: 60, autoKeepalive: false }),
  );
  await Promise.all(doors.map((d) => d.start()));
  box.send({
    t: 'add',
    devices: doors.flatMap((d) =>
      ['PEDoorQr', 'PEDoorCard'].map((productKey, k) => ({
        productKey,
        deviceName: `${d.opts.sn}.${k + 2}`,
        custom: { ip: d.opts.ip, port: d.port },
      })),
    ),
  });
  await waitMsg('added');
  const cpu0 = (await stats()).cpu;

  // 1. connect storm
  const t0 = performance.now();
  const replies = await Promise.all(doors.map((d) => d.connect()));
  if (replies.some((r) => r.code !== 0)) throw new Error(`connect refused: ${JSON.stringify(replies.find((r) => r.code !== 0))}`);
  await Promise.all(doors.map((d) => d.waitEdgeConnected(60_000)));
  for (;;) {
    if ((await stats()).online === DOORS) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const connectMs = performance.now() - t0;

  // baseline: a bare HTTP server answering POSTs, same headers, same client
  const bare = createServer((req, res) => {
    req.resume();
    req.on('end', () =>
      res
        .writeHead(200, { 'Content-Type': 'application/json', Connection: 'close' })
        .end('{"code":0,"message":"success","data":{"userId":"x"}}'),
    );
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const barePort = (bare.address() as { port: number }).port;
  const b0 = performance.now();
  await Promise.all(
    doors.map((d) => postJson(`http://127.0.0.1:${barePort}/connect`, { sn: d.opts.sn }, { timeoutMs: 10_000, localAddress: d.opts.ip })),
  );
  const bareStormMs = performance.now() - b0;

  // 2. QR scans at 200/s
  const rtt: number[] = [];
  await paced(SCANS, 200, async (i) => {
    const s = performance.now();
    const r = await doors[i % DOORS]!.scanQr(qr);
    rtt.push(performance.now() - s);
    if (r.code !== 0) throw new Error(`scan refused: ${JSON.stringify(r)}`);
  });
  const bareRtt: number[] = [];
  await paced(SCANS, 200, async (i) => {
    const s = performance.now();
    await postJson(
      `http://127.0.0.1:${barePort}/qrcode`,
      { token: 't', qrCode: qr },
      { timeoutMs: 10_000, localAddress: doors[i % DOORS]!.opts.ip },
    );
    bareRtt.push(performance.now() - s);
  });
  bare.close();

  // 3. card sync
  box.send({ t: 'cards', n: CARDS });
  const { ms: cardsMs } = await waitMsg('cardsDone');
  const held = doors.filter((d) => d.state.cards.size === CARDS).length;
  if (held !== DOORS) throw new Error(`only ${held} doors hold all ${CARDS} cards`);

  // 4. box CPU and RSS
  const end = await stats();
  const cpuS = (end.cpu.user + end.cpu.system - cpu0.user - cpu0.system) / 1e6;
  const rssMb = end.rss / 1024 / 1024;

  const result = {
    doors: DOORS,
    connect_storm_ms: round(connectMs, 1),
    connect_storm_baseline_ms: round(bareStormMs, 1),
    qr_scans: SCANS,
    qr_p50_ms: round(pct(rtt, 50)),
    qr_p99_ms: round(pct(rtt, 99)),
    qr_baseline_p99_ms: round(pct(bareRtt, 99)),
    qr_p99_ratio_vs_baseline: round(pct(rtt, 99) / Math.max(0.001, pct(bareRtt, 99))),
    cards_per_door: CARDS,
    card_sync_ms: cardsMs,
    card_entries_per_s: Math.round((CARDS * DOORS) / (cardsMs / 1000)),
    box_cpu_s: round(cpuS),
    box_rss_mb: round(rssMb, 1),
  };
  process.stdout.write(
    `connect storm: ${DOORS} doors online both ways in ${result.connect_storm_ms} ms (goal ≤ 5000; bare HTTP ${result.connect_storm_baseline_ms} ms)\n`,
  );
  process.stdout.write(
    `QR round trip at 200/s: p50 ${result.qr_p50_ms} ms, p99 ${result.qr_p99_ms} ms (goal ≤ 20; bare HTTP p99 ${result.qr_baseline_p99_ms} ms, ratio ${result.qr_p99_ratio_vs_baseline})\n`,
  );
  process.stdout.write(`card sync: ${CARDS} cards to each of ${DOORS} doors in ${cardsMs} ms (${result.card_entries_per_s} entries/s)\n`);
  process.stdout.write(`box: ${result.box_cpu_s} s CPU over the run, RSS ${result.box_rss_mb} MB\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  box.send({ t: 'stop' });
  await Promise.all(doors.map((d) => d.stop()));
} catch (err) {
  box.kill();
  throw err;
}
