/**
 * Issue 13 "fail loudly, fail fast": a listener that cannot bind stops the daemon within 5 s
 * with a message that names it; a driver that cannot listen is `failed` with the reason in
 * /healthz (and recovers by itself when the port is free); a device its driver cannot start
 * makes /healthz `degraded` naming the device and the reason.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureBusCredentials } from '../../edge/bus/credentials.js';
import { MISBEHAVE, startBox, waitFor, type TestBox } from '../helpers/runtime.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** Something else already listening on a port of 127.0.0.1. */
async function occupy(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => new Promise<void>((r) => server.close(() => r())));
  return { port: (server.address() as { port: number }).port, server };
}

/** `edge start` from the built daemon; resolves with its exit code, output and how long it ran. */
function runDaemon(
  yaml: string,
  prepare: (dir: string) => void = () => undefined,
): Promise<{ code: number | null; out: string; ms: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'pe-loud-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  prepare(dir);
  const file = join(dir, 'box.yaml');
  writeFileSync(file, `box: { name: loud, dataDir: ./data }\n${yaml}`);
  const t0 = Date.now();
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'edge', 'main.js'), 'start', '-c', file], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  return new Promise((r) =>
    child.on('exit', (code) => {
      clearTimeout(killer);
      r({ code, out, ms: Date.now() - t0 });
    }),
  );
}

describe('listeners that cannot bind', () => {
  it('the local bus: the daemon exits 1 within 5 s and names bus.port', async () => {
    const { port } = await occupy();
    const r = await runDaemon(`http: { host: 127.0.0.1, port: 0 }\nbus: { host: 127.0.0.1, port: ${port} }\ndrivers: []\n`);
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(5000);
    expect(r.out).toContain(
      `edge: cannot start: the local bus (bus.port) cannot listen on 127.0.0.1:${port}: the port is taken by another program`,
    );
  });

  it('the HTTP server: the daemon exits 1 within 5 s and names http.port', async () => {
    const { port } = await occupy();
    const r = await runDaemon(`http: { host: 127.0.0.1, port: ${port} }\nbus: { host: 127.0.0.1, port: 0 }\ndrivers: []\n`);
    expect(r.code).toBe(1);
    expect(r.ms).toBeLessThan(5000);
    expect(r.out).toContain(`the HTTP server for the console and /healthz (http.port) cannot listen on 127.0.0.1:${port}`);
  });
});

describe('files the box wrote that cannot be read', () => {
  it('an empty bus-credentials.json stops the start with the file named and the fix', async () => {
    const r = await runDaemon('http: { host: 127.0.0.1, port: 0 }\nbus: { host: 127.0.0.1, port: 0 }\ndrivers: []\n', (dir) => {
      mkdirSync(join(dir, 'data'), { recursive: true });
      writeFileSync(join(dir, 'data', 'bus-credentials.json'), '');
    });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /data\/bus-credentials\.json is not readable as local-bus credentials \(Unexpected end of JSON input\): delete it to have the box generate new ones/,
    );
  });

  it('credentials are written whole: no temporary file is left, mode 0600', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pe-cred-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const user = ensureBusCredentials(dir);
    expect(readdirSync(dir)).toEqual(['bus-credentials.json']);
    expect(statSync(join(dir, 'bus-credentials.json')).mode & 0o777).toBe(0o600);
    expect(ensureBusCredentials(dir)).toEqual(user);
  });
});

describe('drivers and devices that cannot start', () => {
  let box: TestBox | undefined;
  afterEach(async () => {
    await box?.close();
    box = undefined;
  });

  it('a door driver whose port is taken is failed with the reason in /healthz, and runs once the port is free', async () => {
    const taken = await occupy();
    box = await startBox(`
host: { restartBaseMs: 200, restartMaxMs: 400 }
drivers:
  - name: Door_Busy_Port
    type: door-standard
    config: { host: 127.0.0.1, port: ${taken.port}, boxIp: 127.0.0.1 }
    devices:
      - { productKey: PEDoorQr, deviceName: BUSY-01.2, custom: { ip: 127.0.0.1, port: 18099 } }
`);
    const h = await waitFor(() => {
      const health = box!.runtime.health() as {
        status: string;
        drivers: { down: Array<{ name: string; state: string; lastError?: string }> };
      };
      return health.drivers.down.find((d) => d.state === 'failed') ? health : undefined;
    }, 20_000);
    expect(h.status).toBe('degraded');
    expect(h.drivers.down[0]).toMatchObject({ name: 'Door_Busy_Port', state: 'failed' });
    expect(h.drivers.down[0]!.lastError).toMatch(new RegExp(`EADDRINUSE.*${taken.port}`));
    await new Promise<void>((r) => taken.server.close(() => r()));
    await waitFor(() => box!.runtime.host.status().find((d) => d.name === 'Door_Busy_Port')?.state === 'running', 20_000);
    expect(box.runtime.health().status).toBe('ok');
  }, 60_000);

  it('a device its driver cannot start makes /healthz degraded with the device and the reason', async () => {
    box = await startBox(`
drivers:
  - name: Test_Misbehave
    module: ${MISBEHAVE}
    config: { failDevice: broken-1 }
    devices:
      - { productKey: TestCounter, deviceName: good-1, custom: { intervalMs: 100 } }
      - { productKey: TestCounter, deviceName: broken-1 }
`);
    const h = await waitFor(() => {
      const health = box!.runtime.health() as {
        status: string;
        devices: { cannotStart?: Array<{ device: string; driver: string; reason: string }> };
      };
      return health.devices.cannotStart ? health : undefined;
    }, 20_000);
    expect(h.status).toBe('degraded');
    expect(h.devices.cannotStart).toEqual([{ device: 'TestCounter/broken-1', driver: 'Test_Misbehave', reason: 'cannot reach broken-1' }]);
  }, 30_000);
});
