/**
 * App supervision: a crashing app is restarted with growing delays, a hung one (its port stops
 * answering) is killed and restarted, a leaking one is stopped for memory with the reason logged
 * and left stopped after maxMemoryRestarts — and an app beside them is never touched. Each app
 * gets the contract's environment and nothing of the box's own.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppHost } from '../../edge/apps/index.js';
import { silentLogger } from '../../edge/log.js';
import { freePort, waitFor } from '../helpers/runtime.js';
import { fastHost, writeApp } from './helpers.js';

const alive = (pid: number | undefined): boolean => {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('app supervision', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pe-apps-'));
  let host: AppHost;
  let servePort = 0;
  let hangPort = 0;
  const status = (name: string) => host.status().find((a) => a.name === name)!;

  beforeAll(async () => {
    process.env.PE_TEST_BOX_SECRET = 'must-not-reach-apps';
    servePort = await freePort();
    hangPort = await freePort();
    const apps = [
      writeApp(join(dir, 'src'), {
        name: 'serve',
        fixture: 'serve',
        provides: [{ serviceModelId: 'test_model', port: servePort }],
        env: { FROM_MANIFEST: 'm', BOTH: 'manifest' },
        write: ['iot_park_pass_record'],
      }),
      writeApp(join(dir, 'src'), { name: 'crash', fixture: 'crash' }),
      writeApp(join(dir, 'src'), {
        name: 'hang',
        fixture: 'hang',
        provides: [{ serviceModelId: 'hang_model', port: hangPort }],
        env: { HANG_AFTER_MS: '1500' },
      }),
      writeApp(join(dir, 'src'), { name: 'leak', fixture: 'leak', memoryMb: 64 }),
      writeApp(join(dir, 'src'), { name: 'stubborn', fixture: 'ignore-term' }),
    ];
    apps[0]!.entry.env = { FROM_CONFIG: 'c', BOTH: 'config' };
    host = new AppHost(
      {
        log: silentLogger(),
        dataDir: join(dir, 'data'),
        apiDomain: '127.0.0.1:10061',
        fileService: '127.0.0.1:9102',
        logMaxBytes: 1 << 20,
        logKeep: 2,
      },
      fastHost(),
      apps,
    );
    await host.start();
  });

  afterAll(async () => {
    delete process.env.PE_TEST_BOX_SECRET;
    const pids = host.status().map((a) => a.pid);
    await host.stop();
    expect(pids.filter(alive)).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('restarts the crashing app with backoff, its output in its own log, while the serving app keeps its one process', async () => {
    await waitFor(() => status('serve').state === 'running', { what: 'serve running' });
    const servePid = status('serve').pid;
    await waitFor(() => status('crash').restarts >= 3, { what: 'three restarts', explain: () => status('crash') });
    const crash = status('crash');
    expect(['failed', 'starting']).toContain(crash.state); // never reached running
    expect(crash.lastError).toMatch(/exited with code 3/);
    const log = readFileSync(join(dir, 'data', 'logs', 'apps', 'crash.log'), 'utf8');
    // Backoff: the pauses between starts grow (base 100 ms, cap 400 ms, jitter over the upper half).
    const delays = [...log.matchAll(/restart in (\d+) ms \(attempt (\d+)\)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(delays.slice(0, 3).map((d) => d[1])).toEqual([1, 2, 3]);
    expect(delays[0]![0]).toBeGreaterThanOrEqual(50);
    expect(delays[0]![0]).toBeLessThanOrEqual(100);
    expect(delays[2]![0]).toBeGreaterThanOrEqual(200);
    expect(delays[2]![0]).toBeLessThanOrEqual(400);
    expect(log).toContain('crash fixture: cannot start (on purpose)');
    expect(log).toMatch(/\[edge .*\] ended: exited with code 3/);
    expect(status('serve')).toMatchObject({ state: 'running', restarts: 0, pid: servePid });
  });

  it('kills and restarts the app whose port stops answering', async () => {
    await waitFor(() => status('hang').state === 'running', { what: 'hang app answering first' });
    await waitFor(() => status('hang').restarts >= 1, { what: 'hang restarted', explain: () => status('hang') });
    await waitFor(
      () => /stopping: hung: port \d+ unanswered for \d+ ms/.test(readFileSync(join(dir, 'data', 'logs', 'apps', 'hang.log'), 'utf8')),
      {
        what: 'the hang logged',
      },
    );
  });

  it('stops the leaking app for memory with the reason logged, and leaves it stopped after maxMemoryRestarts', async () => {
    await waitFor(() => status('leak').state === 'failed' && status('leak').memoryStops === 2, {
      timeoutMs: 20_000,
      what: 'leak left stopped',
      explain: () => status('leak'),
    });
    const leak = status('leak');
    expect(leak.lastError).toMatch(/memory \d+ MB over its limit of 64 MB; over its memory limit 2 times in a row, left stopped/);
    expect(alive(leak.pid)).toBe(false);
    const log = readFileSync(join(dir, 'data', 'logs', 'apps', 'leak.log'), 'utf8');
    expect(log).toMatch(/stopping: memory \d+ MB over its limit of 64 MB/);
    expect(status('serve')).toMatchObject({ state: 'running', restarts: 0 });
  });

  it('gives an app the contract environment only: iot.hosting.*, PE_*, manifest env then config env', async () => {
    const res = await fetch(`http://127.0.0.1:${host.bus.port}/test_model/env`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: '1', version: '1.0', request: { apiVer: '1.0' }, params: {} }),
    });
    const env = ((await res.json()) as { data: Record<string, string> }).data;
    const keys = host.credentials.get('serve')!;
    expect(env).toMatchObject({
      'iot.hosting.appKey': keys.appKey,
      'iot.hosting.appSecret': keys.appSecret,
      'iot.hosting.api.domain': '127.0.0.1:10061',
      PE_APP_NAME: 'serve',
      PE_APP_DATA_DIR: join(dir, 'data', 'app-data', 'serve'),
      PE_SERVICE_BUS: `127.0.0.1:${host.bus.port}`,
      PE_FILE_SERVICE: '127.0.0.1:9102',
      FROM_MANIFEST: 'm',
      FROM_CONFIG: 'c',
      BOTH: 'config',
    });
    // Nothing of the daemon's own environment: only what the contract names (and Node's own).
    expect(env.PE_TEST_BOX_SECRET).toBeUndefined();
    expect(env.HOME).toBeUndefined();
    const allowed = new Set([
      'PATH',
      'PORT',
      'FROM_MANIFEST',
      'FROM_CONFIG',
      'BOTH',
      'iot.hosting.appKey',
      'iot.hosting.appSecret',
      'iot.hosting.api.domain',
      'PE_APP_NAME',
      'PE_APP_DATA_DIR',
      'PE_SERVICE_BUS',
      'PE_FILE_SERVICE',
    ]);
    expect(Object.keys(env).filter((k) => !allowed.has(k))).toEqual([]);
    expect(existsSync(join(dir, 'data', 'app-data', 'serve'))).toBe(true);
  });

  it('keeps the app credentials with the box secrets (owner-only file) and answers the data-model lookup', () => {
    const keys = host.credentials.get('serve')!;
    expect(host.appCredentials(keys.appKey)).toEqual({
      app: 'serve',
      appSecret: keys.appSecret,
      read: [],
      write: ['iot_park_pass_record'],
    });
    expect(host.appCredentials('nope')).toBeUndefined();
    const file = join(dir, 'data', 'app-credentials.json');
    expect(JSON.parse(readFileSync(file, 'utf8')).apps.serve).toEqual(keys);
    expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
  });

  it('ends an app that ignores SIGTERM with SIGKILL after stopTimeoutMs', async () => {
    await waitFor(() => status('stubborn').state === 'running', { what: 'stubborn running' });
    const pid = status('stubborn').pid;
    const t0 = Date.now();
    await host.act('stubborn', 'stop');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(alive(pid)).toBe(false);
    const log = await waitFor(() => {
      const text = readFileSync(join(dir, 'data', 'logs', 'apps', 'stubborn.log'), 'utf8');
      return /stopped \(killed by SIGKILL\)/.test(text) && text;
    });
    expect(log).toContain('SIGTERM ignored');
  });

  it('stops on request and starts again from the console actions', async () => {
    const before = status('serve').pid;
    expect(await host.act('serve', 'stop')).toBe(true);
    expect(status('serve').state).toBe('stopped');
    expect(alive(before)).toBe(false);
    expect(await host.act('serve', 'start')).toBe(true);
    await waitFor(() => status('serve').state === 'running', { what: 'serve running again' });
    expect(status('serve').pid).not.toBe(before);
    expect(await host.act('nope', 'restart')).toBe(false);
  });
});
