/**
 * The box side of the face benchmark, in its own process: the real Runtime (store, access core,
 * face command queue, driver host) with both face drivers in their child processes, as
 * `edge start` runs them; logging off. IPC with the bench:
 *   in  `{t:'deploy', n}` → a face file of n faces applied to every terminal; `{t:'deployed', …}` when all are transferred
 *   in  `{t:'passes', target}` → `{t:'passesDone', ms}` once that many passEvents arrived (counted from the message)
 *   in  `{t:'open', productKey, deviceName}` → `{t:'opened', ms, code}`
 *   in  `{t:'online'}` → `{t:'online', n}`;  `{t:'stop'}`
 */
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { parseConfig } from '../../../edge/config/load.js';
import { silentLogger } from '../../../edge/log.js';
import { Runtime } from '../../../edge/runtime.js';

export interface BoxSetup {
  pushPort: number;
  chapter9Port: number;
  push: string[];
  openapi: { deviceName: string; port: number; wsPort: number }[];
}
type Msg =
  | { t: 'deploy'; n: number }
  | { t: 'passes'; target: number }
  | { t: 'open'; productKey: string; deviceName: string }
  | { t: 'online' }
  | { t: 'stop' };

const setup = JSON.parse(process.argv[2]!) as BoxSetup;
const send = (m: object): void => void process.send?.(m);
const dir = mkdtempSync(join(tmpdir(), 'pe-bench-face-'));

// One picture for every face, served on loopback like the cloud's face URLs.
const png = await sharp({ create: { width: 320, height: 320, channels: 3, background: { r: 120, g: 80, b: 60 } } })
  .png()
  .toBuffer();
const pics = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'image/png' }).end(png));
await new Promise<void>((r) => pics.listen(0, '127.0.0.1', r));
const picUrl = `http://127.0.0.1:${(pics.address() as { port: number }).port}/face.png`;

// Every simulated terminal speaks from 127.0.0.1: one address carries all of them, so the per-address limits are lifted.
const limits = '{ perSourceRequestsPerS: 1000000, perSourceBurst: 1000000, perSourceConnections: 4096 }';
const yaml = `box: { name: bench-face, dataDir: ${dir} }
http: { host: 127.0.0.1, port: 0 }
bus: { enabled: false }
drivers:
  - name: Bench_Face_Push
    type: face-terminal-push
    config: { host: 127.0.0.1, port: ${setup.pushPort}, intervalsS: { heartbeat: 30, person: 1, open: 1, other: 10 }, limits: ${limits} }
    devices:
${setup.push.map((no) => `      - { productKey: PEFacePush, deviceName: ${no}, custom: { deviceNo: ${no} } }`).join('\n')}
  - name: Bench_Face_OpenApi
    type: face-terminal-openapi
    config: { host: 127.0.0.1, port: ${setup.chapter9Port}, syncPollMs: 500, limits: ${limits} }
    devices:
${setup.openapi.map((d) => `      - { productKey: PEFaceOpenApi, deviceName: ${d.deviceName}, custom: { ip: 127.0.0.1, port: ${d.port}, wsPort: ${d.wsPort}, deviceId: ${d.deviceName} } }`).join('\n')}
`;
const runtime = new Runtime({ config: parseConfig(yaml), baseDir: dir, file: undefined }, { log: silentLogger() });
await runtime.start();
const access = runtime.access!;
const keys = [...setup.push.map((d) => `PEFacePush/${d}`), ...setup.openapi.map((d) => `PEFaceOpenApi/${d.deviceName}`)];

let passes = 0;
runtime.events.on('bench', 'device.event', (e) => void (e.eventId === 'passEvent' && passes++));
send({ t: 'ready' });

async function deploy(n: number): Promise<void> {
  const ids = Array.from({ length: n }, (_, i) => `bf${i}`);
  const file = JSON.stringify({
    groupId: 'bench',
    addFaceInfos: ids.map((id, i) => ({
      faceId: id,
      faceMd5: '',
      faceUrl: picUrl,
      userInfo: JSON.stringify({ userName: `P${i}`, userId: `u${i}` }),
      index: i,
      clientTag: '',
    })),
  });
  const t0 = performance.now();
  for (const k of keys) access.applyFaceText(k, file, { features: false });
  await access.facesIdle();
  const pipelineMs = performance.now() - t0;
  const doneAt = new Map<string, number>();
  while (doneAt.size < keys.length) {
    for (const k of keys)
      if (!doneAt.has(k) && ids.every((id) => access.deployments.get(k, 'face', id)?.status === 'transferred'))
        doneAt.set(k, performance.now() - t0);
    await new Promise((r) => setTimeout(r, 100));
  }
  const last = (pk: string) => Math.max(...[...doneAt].filter(([k]) => k.startsWith(pk)).map(([, ms]) => ms));
  send({ t: 'deployed', pipelineMs, pushMs: last('PEFacePush/'), openapiMs: last('PEFaceOpenApi/') });
}

process.on('message', (m: Msg) => {
  if (m.t === 'deploy') void deploy(m.n);
  else if (m.t === 'passes') {
    const t0 = performance.now();
    const base = passes;
    const check = setInterval(() => {
      if (passes - base < m.target) return;
      clearInterval(check);
      send({ t: 'passesDone', ms: performance.now() - t0 });
    }, 5);
  } else if (m.t === 'open') {
    const t0 = performance.now();
    void runtime.host.callService(m.productKey, m.deviceName, 'remoteOpen', {}, 30_000).then(
      (a) => send({ t: 'opened', ms: performance.now() - t0, code: a.code }),
      (err: Error) => send({ t: 'opened', ms: performance.now() - t0, code: -1, error: err.message }),
    );
  } else if (m.t === 'online') {
    send({ t: 'online', n: keys.filter((k) => runtime.registry.get(...(k.split('/') as [string, string]))?.status === 'online').length });
  } else if (m.t === 'stop') {
    void runtime.stop().then(() => {
      pics.close();
      rmSync(dir, { recursive: true, force: true });
      process.exit(0);
    });
  }
});
