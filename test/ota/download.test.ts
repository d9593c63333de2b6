import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { download } from '../../edge/ota/download.js';
import { OTA_STEP, OtaError, parseUpgrade, safeUrl } from '../../edge/ota/messages.js';
import { firmwareOf, firmwareServer, type FirmwareServer } from './fixtures.js';

let srv: FirmwareServer;
let dir: string;
const FAST = { minMs: 10, maxMs: 50 };
const roomy = async () => 10 * 1024 ** 3;

beforeAll(async () => {
  srv = await firmwareServer();
  dir = mkdtempSync(join(tmpdir(), 'pe-ota-dl-'));
});
afterAll(async () => {
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<OtaError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OtaError);
  return err as OtaError;
}

describe('OTA download', () => {
  it('resumes with Range after the connection is cut midway, and the file verifies', async () => {
    const data = randomBytes(600_000);
    srv.put('resume.bin', data);
    srv.cut(2, 100_000);
    const before = srv.requests.length;
    const fw = firmwareOf(data, srv.url('resume.bin'), { version: '2.0.1' });
    const file = await download(fw, { dir, needBytes: data.length, freeBytes: roomy, retry: FAST });
    expect(createHash('sha256').update(readFileSync(file)).digest('hex')).toBe(fw.sign);
    const reqs = srv.requests.slice(before);
    // Three requests: the first whole, then two that start where the cut left the file.
    expect(reqs).toHaveLength(3);
    expect(reqs[0]!.range).toBeUndefined();
    const starts = reqs.slice(1).map((r) => Number(/^bytes=(\d+)-$/.exec(r.range ?? '')?.[1]));
    expect(starts[0]).toBeGreaterThan(0);
    expect(starts[1]).toBeGreaterThan(starts[0]!);
  });

  it('verifies MD5 as well', async () => {
    const data = randomBytes(10_000);
    srv.put('md5.bin', data);
    const fw = firmwareOf(data, srv.url('md5.bin'), {
      version: 'md5',
      signMethod: 'Md5',
      sign: createHash('md5').update(data).digest('hex'),
    });
    const file = await download(fw, { dir, needBytes: 1, freeBytes: roomy, retry: FAST });
    expect(readFileSync(file).equals(data)).toBe(true);
  });

  it('refuses a file whose checksum differs (-3) and keeps nothing of it', async () => {
    const data = randomBytes(20_000);
    srv.put('bad.bin', data);
    const fw = firmwareOf(data, srv.url('bad.bin'), { version: 'bad', sign: 'ab'.repeat(32) });
    const err = await failure(download(fw, { dir, needBytes: 1, freeBytes: roomy, retry: FAST }));
    expect(err.step).toBe(OTA_STEP.VERIFY_FAILED);
    expect(existsSync(join(dir, 'default-bad'))).toBe(false);
    expect(existsSync(join(dir, 'default-bad.part'))).toBe(false);
  });

  it('refuses a file larger than announced (-3)', async () => {
    const data = randomBytes(20_000);
    srv.put('big.bin', data);
    const fw = firmwareOf(data, srv.url('big.bin'), { version: 'big', size: 10_000 });
    expect((await failure(download(fw, { dir, needBytes: 1, freeBytes: roomy, retry: FAST }))).step).toBe(OTA_STEP.VERIFY_FAILED);
  });

  it('refuses before the first byte when free disk is below what the upgrade needs (-1)', async () => {
    const data = randomBytes(1000);
    srv.put('disk.bin', data);
    const before = srv.requests.length;
    const fw = firmwareOf(data, srv.url('disk.bin'), { version: 'disk' });
    const err = await failure(download(fw, { dir, needBytes: 5000, freeBytes: async () => 4999, retry: FAST }));
    expect(err.step).toBe(OTA_STEP.UPGRADE_FAILED);
    expect(err.message).toMatch(/not enough disk: 5000 bytes needed, 4999 free/);
    expect(srv.requests.length).toBe(before);
  });

  it('gives up with -2 on a missing file, without retrying a 404', async () => {
    const fw = firmwareOf(Buffer.from('x'), srv.url('missing.bin'), { version: 'missing' });
    const before = srv.requests.length;
    expect((await failure(download(fw, { dir, needBytes: 1, freeBytes: roomy, retry: FAST }))).step).toBe(OTA_STEP.DOWNLOAD_FAILED);
    expect(srv.requests.length - before).toBe(1);
  });

  it('gives up with -2 when the server is gone, after the attempts', async () => {
    const fw = firmwareOf(Buffer.from('x'), 'http://127.0.0.1:1/none.bin', { version: 'gone' });
    const err = await failure(download(fw, { dir, needBytes: 1, freeBytes: roomy, retry: FAST, attempts: 3 }));
    expect(err.step).toBe(OTA_STEP.DOWNLOAD_FAILED);
  });
});

describe('OTA upgrade notice', () => {
  const data = { size: 100, version: '2.0.0', url: 'https://oss.example/fw.bin?Expires=1&Signature=s3cr3t', md5: 'a'.repeat(32) };

  it('accepts the platform shape (md5, default module) and refuses what is unsafe', () => {
    const ok = parseUpgrade({ code: '1000', data, id: 1, message: 'success' });
    expect(ok).toMatchObject({ ok: true, value: { module: 'default', signMethod: 'Md5', sign: 'a'.repeat(32), size: 100 } });
    const bad = (d: Record<string, unknown>) => parseUpgrade({ code: '1000', data: { ...data, ...d } });
    expect(bad({ version: '../x' })).toMatchObject({ ok: false });
    expect(bad({ url: 'file:///etc/passwd' })).toMatchObject({ ok: false, reason: 'data.url must be http(s)' });
    expect(bad({ signMethod: 'SHA256' })).toMatchObject({ ok: false });
    expect(bad({ size: -1 })).toMatchObject({ ok: false });
    expect(bad({ module: 'a/b' })).toMatchObject({ ok: false });
    expect(parseUpgrade({ code: '9999', data })).toMatchObject({ ok: false });
    expect(parseUpgrade({ data: 'nope' })).toMatchObject({ ok: false });
  });

  it('logs URLs without their signed token', () => {
    expect(safeUrl(data.url)).toBe('https://oss.example/fw.bin?…');
  });
});
