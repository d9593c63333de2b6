/**
 * Face terminal benchmark (`npm run bench -- face [--terminals 20] [--faces 10] [--records 50] [--opens 100]`, ≈ 45 s):
 * 20 simulated terminals of each protocol (seed 003 push/poll, seed 004 OpenAPI) against the real
 * Runtime with both face drivers in their child processes (scripts/bench/face/box-process.ts).
 *   1. deploy N faces to every terminal: face file applied → every face `transferred` on every terminal
 *   2. pass records: every terminal uploads R records; time until the box raised all passEvents
 *   3. remote open round trip (thing service → driver → terminal → answer): p50/p99 per protocol
 * Baselines (same run): the same clients against a bare node:http server answering the push
 * protocol's `uploadRecord` (raw record round trip), the OpenAPI client calling the simulated
 * terminal's open directly (raw open round trip), and the push protocol's poll-interval floor.
 */
import { fork } from 'node:child_process';
import { createServer as createHttp } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { OpenApiClient } from '../../protocols/face-openapi/index.js';
import { postToPlatform } from '../../protocols/face-push/index.js';
import { SimulatedOpenApiTerminal } from '../sim/face-openapi/terminal.js';
import { SimulatedPushTerminal } from '../sim/face-push/terminal.js';
import type { BoxSetup } from './face/box-process.js';
import { freePort } from './lib.js';

const { values } = parseArgs({
  options: {
    terminals: { type: 'string', default: '20' },
    faces: { type: 'string', default: '10' },
    records: { type: 'string', default: '50' },
    opens: { type: 'string', default: '100' },
  },
});
const TERMINALS = Number(values.terminals);
const FACES = Number(values.faces);
const RECORDS = Number(values.records);
const OPENS = Number(values.opens);
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};
const round = (x: number, d = 2): number => Number(x.toFixed(d));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const openapi = Array.from(
  { length: TERMINALS },
  (_, i) => new SimulatedOpenApiTerminal({ port: 0, wsPort: 0, deviceId: `BOA${String(i).padStart(2, '0')}` }),
);
for (const t of openapi) await t.start();
const setup: BoxSetup = {
  pushPort: await freePort(),
  chapter9Port: await freePort(),
  push: Array.from({ length: TERMINALS }, (_, i) => `BFP${String(i).padStart(2, '0')}`),
  openapi: openapi.map((t) => ({ deviceName: t.o.deviceId, port: t.port, wsPort: t.wsPort })),
};
const box = fork(join(dirname(fileURLToPath(import.meta.url)), 'face', 'box-process.js'), [JSON.stringify(setup)], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
box.setMaxListeners(4 * TERMINALS + 10);
const waitMsg = <T extends { t: string }>(t: string, timeoutMs = 100_000): Promise<T> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`box did not send ${t} in ${timeoutMs} ms`)), timeoutMs);
    const on = (m: T): void => {
      if (m.t !== t) return;
      clearTimeout(timer);
      box.off('message', on);
      resolve(m);
    };
    box.on('message', on);
  });
const ask = <T extends { t: string }>(m: object, reply: string, timeoutMs?: number): Promise<T> => {
  const p = waitMsg<T>(reply, timeoutMs);
  box.send(m);
  return p;
};

const push = setup.push.map(
  (no) => new SimulatedPushTerminal({ deviceNo: no, platformUrl: `http://127.0.0.1:${setup.pushPort}`, retryMs: 200 }),
);
const started = performance.now();
try {
  await waitMsg('ready', 60_000);
  await Promise.all(push.map((t) => t.start()));
  for (let n = 0; (await ask<{ t: string; n: number }>({ t: 'online' }, 'online')).n < 2 * TERMINALS; n++) {
    if (n > 200) throw new Error('terminals did not come online');
    await sleep(100);
  }

  // 1. Face deployment.
  const dep = await ask<{ t: string; pipelineMs: number; pushMs: number; openapiMs: number }>(
    { t: 'deploy', n: FACES },
    'deployed',
    110_000,
  );
  const pushFloorMs = FACES * 1000; // one person per poll, person interval 1 s (seed 003 L3781)
  const okFaces = push.every((t) => t.persons.size === FACES) && openapi.every((t) => t.users.size === FACES);
  console.log(
    `deploy ${FACES} faces to ${TERMINALS}+${TERMINALS} terminals: picture pipeline ${round(dep.pipelineMs / 1000)} s; push all transferred ${round(dep.pushMs / 1000)} s (protocol floor ${pushFloorMs / 1000} s, ${round(dep.pushMs / pushFloorMs)}×); OpenAPI ${round(dep.openapiMs / 1000)} s; terminals hold all faces: ${okFaces}`,
  );

  // 2. Pass records → passEvents. Push: sequential per terminal (it waits for each answer, L4817-4821); OpenAPI: pushed on the link.
  const perProtocol = TERMINALS * RECORDS;
  const passPhase = async (fire: () => Promise<unknown>): Promise<number> => {
    const done = ask<{ t: string; ms: number }>({ t: 'passes', target: perProtocol }, 'passesDone', 100_000);
    await sleep(50);
    await fire();
    return perProtocol / ((await done).ms / 1000);
  };
  const pushRate = await passPhase(async () => {
    for (const t of push) for (let i = 0; i < RECORDS; i++) t.pass({ idNumber: `bf${i % FACES}` });
    await Promise.all(push.map((t) => t.flushRecords()));
  });
  const oaRate = await passPhase(async () => {
    for (const t of openapi) for (let i = 0; i < RECORDS; i++) t.recognise(`bf${i % FACES}`);
  });
  // Baseline: the same push-record uploads, same concurrency, against a bare server answering 100.
  const bare = createHttp((req, res) => {
    let b = '';
    req.on('data', (c: Buffer) => (b += c.toString()));
    req.on('end', () =>
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ msgType: 'uploadRecordResp', msgID: (JSON.parse(b) as { msgID: string }).msgID, errorCode: '100' })),
    );
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const bareUrl = `http://127.0.0.1:${(bare.address() as { port: number }).port}`;
  const recs = push.map((t) => t.history.slice(-RECORDS));
  const b0 = performance.now();
  await Promise.all(
    recs.map(async (list) => {
      for (const r of list) await postToPlatform(bareUrl, '/face/record', r);
    }),
  );
  const bareRate = perProtocol / ((performance.now() - b0) / 1000);
  bare.close();
  console.log(
    `pass records → passEvents (recorded in the access core, photo stored): push ${round(pushRate, 0)} records/s (${perProtocol} from ${TERMINALS} terminals; raw HTTP round trip of the same uploads ${round(bareRate, 0)}/s, box ${round(pushRate / bareRate)}× of raw); OpenAPI ${round(oaRate, 0)} records/s`,
  );

  // 3. Remote open round trips.
  const oaMs: number[] = [];
  for (let i = 0; i < OPENS; i++) {
    const r = await ask<{ t: string; ms: number; code: number }>(
      { t: 'open', productKey: 'PEFaceOpenApi', deviceName: setup.openapi[i % TERMINALS]!.deviceName },
      'opened',
    );
    if (r.code !== 200) throw new Error(`OpenAPI open answered ${r.code}`);
    oaMs.push(r.ms);
  }
  const raw: number[] = [];
  for (let i = 0; i < OPENS; i++) {
    const t = openapi[i % TERMINALS]!;
    const c = new OpenApiClient({ baseUrl: `http://127.0.0.1:${t.port}`, password: t.o.password });
    const s = performance.now();
    await c.open();
    raw.push(performance.now() - s);
  }
  const pushMs: number[] = [];
  for (let round_ = 0; round_ < 3; round_++) {
    const rs = await Promise.all(
      push.map((t) =>
        sleep(Math.random() * 1000).then(
          () =>
            new Promise<{ ms: number; code: number }>((resolve) => {
              const on = (m: { t: string; ms: number; code: number }) => {
                if (m.t !== 'opened') return;
                box.off('message', on);
                resolve(m);
              };
              box.on('message', on);
              box.send({ t: 'open', productKey: 'PEFacePush', deviceName: t.opts.deviceNo });
            }),
        ),
      ),
    );
    for (const r of rs) if (r.code !== 200) throw new Error(`push open answered ${r.code}`);
    pushMs.push(...rs.map((r) => r.ms));
  }
  console.log(
    `remote open OpenAPI: p50 ${round(pct(oaMs, 50))} ms, p99 ${round(pct(oaMs, 99))} ms (raw client → terminal p50 ${round(pct(raw, 50))} ms, p99 ${round(pct(raw, 99))} ms; box adds ${round(pct(oaMs, 50) - pct(raw, 50))} ms at p50)`,
  );
  console.log(
    `remote open push (waits for the terminal's 1 s open poll): p50 ${round(pct(pushMs, 50))} ms, p99 ${round(pct(pushMs, 99))} ms over ${pushMs.length} opens (floor: up to one poll interval, 1000 ms)`,
  );
  const violations = push.reduce((n, t) => n + t.violations.length, 0);
  console.log(`strings-only violations seen by the push terminals: ${violations}; run ${round((performance.now() - started) / 1000)} s`);
  console.log(
    JSON.stringify({
      terminals_per_protocol: TERMINALS,
      faces: FACES,
      deploy_push_s: round(dep.pushMs / 1000),
      deploy_push_floor_s: pushFloorMs / 1000,
      deploy_openapi_s: round(dep.openapiMs / 1000),
      picture_pipeline_s: round(dep.pipelineMs / 1000),
      push_records_per_s: round(pushRate, 0),
      raw_push_records_per_s: round(bareRate, 0),
      openapi_records_per_s: round(oaRate, 0),
      open_openapi_p50_ms: round(pct(oaMs, 50)),
      open_openapi_p99_ms: round(pct(oaMs, 99)),
      raw_open_p99_ms: round(pct(raw, 99)),
      open_push_p50_ms: round(pct(pushMs, 50)),
      open_push_p99_ms: round(pct(pushMs, 99)),
      violations,
    }),
  );
} finally {
  for (const t of push) t.stop();
  box.send({ t: 'stop' });
  await new Promise((r) => {
    box.once('exit', r);
    setTimeout(() => {
      box.kill('SIGKILL');
      r(null);
    }, 10_000);
  });
  for (const t of openapi) await t.stop();
}
