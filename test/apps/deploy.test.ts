/**
 * DeployApp from the cloud: a package whose checksum does not match is refused before anything
 * is unpacked; a good one is installed beside the earlier version and run; a version that
 * crashes at start is rolled back to the one before, which runs again. A restart of the host
 * starts the installed version.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTar } from '../../edge/backup/tar.js';
import { unpack } from '../../edge/apps/package.js';
import { AppHost } from '../../edge/apps/index.js';
import { ALINK } from '../../edge/errors.js';
import { silentLogger } from '../../edge/log.js';
import { freePort, waitFor } from '../helpers/runtime.js';
import { APP_FIXTURES, fastHost } from './helpers.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function pkg(version: string, fixture: string, port: number, top = ''): Buffer {
  const manifest = {
    name: 'pushed',
    version,
    command: ['node', 'main.cjs'],
    provides: [{ serviceModelId: 'pushed_model', port }],
    env: { PORT: String(port) },
  };
  return gzipSync(
    writeTar([
      { name: `${top}app.json`, data: Buffer.from(JSON.stringify(manifest)) },
      { name: `${top}main.cjs`, data: readFileSync(join(APP_FIXTURES, `${fixture}.cjs`)) },
    ]),
  );
}

describe('DeployApp', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pe-deploy-'));
  const packages = new Map<string, Buffer>();
  let server: Server;
  let base = '';
  let port = 0;
  let host: AppHost;
  const make = () =>
    new AppHost(
      { log: silentLogger(), dataDir: join(dir, 'data'), apiDomain: '127.0.0.1:10061', logMaxBytes: 1 << 20, logKeep: 2 },
      fastHost({ deployDeadlineMs: 2500 }),
      [],
    );
  const deploy = (params: unknown) => host.gatewayServices().get('DeployApp')!(params);
  const appDir = join(dir, 'data', 'apps', 'pushed');

  beforeAll(async () => {
    port = await freePort();
    packages.set('/v1.tgz', pkg('1.0.0', 'serve', port));
    packages.set('/v2.tgz', pkg('2.0.0', 'serve', port, 'pushed/'));
    packages.set('/v3.tgz', pkg('3.0.0', 'crash', port));
    server = createServer((req, res) => {
      const body = packages.get(req.url ?? '');
      res.writeHead(body ? 200 : 404).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    host = make();
    await host.start();
  });

  afterAll(async () => {
    await host.stop();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a package whose checksum does not match, before unpacking anything', async () => {
    const answer = await deploy({ name: 'pushed', version: '1.0.0', url: `${base}/v1.tgz`, sha256: 'a'.repeat(64) });
    expect(answer).toMatchObject({ code: ALINK.APP_PACKAGE_INVALID, message: expect.stringMatching(/sha256 .* is not the announced/) });
    expect(existsSync(appDir)).toBe(false);
    expect(await deploy({ name: 'pushed', version: '1.0.0', url: `${base}/v1.tgz` })).toMatchObject({ code: ALINK.REQUEST_INVALID });
    const md5 = createHash('md5').update(packages.get('/v1.tgz')!).digest('hex');
    expect(await deploy({ name: 'pushed', version: '1.0.0', url: `${base}/v1.tgz`, md5, size: 1 })).toMatchObject({
      code: ALINK.APP_PACKAGE_INVALID,
      message: expect.stringMatching(/size/),
    });
  });

  it('installs a good package and runs it; the next version goes beside it', async () => {
    const v1 = packages.get('/v1.tgz')!;
    expect(await deploy({ name: 'pushed', version: '1.0.0', url: `${base}/v1.tgz`, sha256: sha256(v1) })).toMatchObject({
      code: 200,
      data: { name: 'pushed', version: '1.0.0', previous: null },
    });
    expect(host.get('pushed')?.process.state).toBe('running');
    const v2 = packages.get('/v2.tgz')!;
    const md5 = createHash('md5').update(v2).digest('hex');
    expect(await deploy({ name: 'pushed', version: '2.0.0', url: `${base}/v2.tgz`, md5, size: v2.length })).toMatchObject({
      code: 200,
      data: { version: '2.0.0', previous: '1.0.0' },
    });
    expect(readFileSync(join(appDir, 'current'), 'utf8').trim()).toBe('2.0.0');
    expect(readdirSync(appDir).sort()).toEqual(['1.0.0', '2.0.0', 'current']);
    const res = await fetch(`http://127.0.0.1:${host.bus.port}/pushed_model/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: '1', version: '1.0', request: { apiVer: '1.0' }, params: {} }),
    });
    expect(res.status).toBe(200);
  });

  it('rolls a version that crashes at start back to the one before', async () => {
    const v3 = packages.get('/v3.tgz')!;
    const answer = await deploy({ name: 'pushed', version: '3.0.0', url: `${base}/v3.tgz`, sha256: sha256(v3) });
    expect(answer).toMatchObject({
      code: ALINK.APP_DEPLOY_FAILED,
      message: expect.stringMatching(/pushed 3\.0\.0 did not run within 2500 ms \(exited with code 3\); rolled back to 2\.0\.0/),
    });
    await waitFor(() => host.get('pushed')?.process.state === 'running', { what: 'v2 running again' });
    expect(host.get('pushed')?.manifest.version).toBe('2.0.0');
    expect(readFileSync(join(appDir, 'current'), 'utf8').trim()).toBe('2.0.0');
  });

  it('starts the installed version after a restart of the host', async () => {
    await host.stop();
    host = make();
    await host.start();
    await waitFor(() => host.get('pushed')?.process.state === 'running', { what: 'installed app running' });
    expect(host.get('pushed')?.manifest.version).toBe('2.0.0');
  });
});

describe('app package unpacking', () => {
  it('refuses paths that leave the target folder and a package without app.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pe-unpack-'));
    try {
      const evil = gzipSync(
        writeTar([
          { name: 'app.json', data: Buffer.from('{}') },
          { name: '../evil.txt', data: Buffer.from('x') },
        ]),
      );
      expect(() => unpack(evil, join(dir, 'a'), 1 << 20)).toThrow(/unsafe path/);
      expect(existsSync(join(dir, 'evil.txt'))).toBe(false);
      const none = gzipSync(writeTar([{ name: 'main.cjs', data: Buffer.from('x') }]));
      expect(() => unpack(none, join(dir, 'b'), 1 << 20)).toThrow(/no app.json/);
      expect(() => unpack(Buffer.from('not gzip'), join(dir, 'c'), 1 << 20)).toThrow(/not a gzip file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
