/**
 * The service in its own process: a 50 MB upload streams (the process's RSS barely moves), and a
 * kill -9 in the middle of an upload leaves no partial file anywhere a client can see.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { BOUNDARY, FORM_TYPE, http, pattern, startFiles, upload } from './helpers.js';

const dirs: string[] = [];
const children: ChildProcessWithoutNullStreams[] = [];

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await waitFor(() => children.every((c) => c.exitCode !== null || c.signalCode !== null), 5000);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Child {
  child: ChildProcessWithoutNullStreams;
  base: string;
  /** Send a line; resolves with the next output line that starts with `prefix`. */
  ask(line: string, prefix: string): Promise<string>;
}

async function serve(dir: string, flags: string[] = []): Promise<Child> {
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', resolve('test/files/fixtures/serve.ts'), dir], { stdio: 'pipe' });
  children.push(child);
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const port = await waitFor(() => /port (\d+)/.exec(out)?.[1], { timeoutMs: 20_000, what: 'the child to listen', explain: () => out });
  const ask = async (line: string, prefix: string): Promise<string> => {
    const from = out.length;
    child.stdin.write(`${line}\n`);
    return waitFor(
      () =>
        out
          .slice(from)
          .split('\n')
          .find((l) => l.startsWith(prefix)),
      5000,
    );
  };
  return { child, base: `http://127.0.0.1:${port}`, ask };
}

const head = (filePath: string): Buffer =>
  Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="filePath"\r\n\r\n${filePath}\r\n` +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="f.bin"\r\n\r\n`,
  );
const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);

describe('the file service in its own process', () => {
  /** Upload 50 MiB through a child started with `flags`; its RSS peak over the mark. */
  async function fifty(flags: string[]): Promise<number> {
    const dir = mkdtempSync(join(tmpdir(), 'pe-files-rss-'));
    dirs.push(dir);
    const s = await serve(dir, flags);
    await upload(s.base, { filePath: 'warm.jpg' }, pattern(256 * 1024)); // first-use allocations are not the upload's
    await s.ask('mark', 'marked');
    const chunk = pattern(64 * 1024, 5);
    const chunks = 800; // 50 MiB
    const md5 = createHash('md5');
    async function* body(): AsyncGenerator<Buffer> {
      yield head('big/fifty.bin');
      for (let i = 0; i < chunks; i++) {
        const c = Buffer.from(chunk);
        c.writeUInt32BE(i, 0);
        md5.update(c);
        yield c;
      }
      yield tail;
    }
    const length = head('big/fifty.bin').length + chunks * chunk.length + tail.length;
    const a = await http(`${s.base}/home/paas/file/add`, {
      method: 'POST',
      headers: { 'Content-Type': FORM_TYPE, 'Content-Length': length },
      body: Readable.from(body()),
    });
    expect(a.json()).toMatchObject({ code: 200 });
    const grew = Number((await s.ask('peak', 'peak')).split(' ')[1]);
    const h = await http(`${s.base}/oss/big/fifty.bin`, { method: 'HEAD' });
    expect(h.headers['content-length']).toBe(String(chunks * chunk.length));
    expect(h.headers.etag).toBe(`"${md5.digest('hex')}"`);
    s.child.kill('SIGKILL');
    return grew;
  }

  it('streams a 50 MB upload to disk: what stays live is a few MB; RSS grows by less than the file', async () => {
    // Collected every 20 ms: a service that held the file would show 50 MiB here.
    const live = await fifty(['--expose-gc']);
    // As the daemon runs: read socket chunks wait for the collector, bounded by V8's external-memory trigger.
    const plain = await fifty(['--max-semi-space-size=4']);
    console.info(
      `50 MiB upload, service RSS over baseline: live ${(live / 2 ** 20).toFixed(1)} MiB, uncollected ${(plain / 2 ** 20).toFixed(1)} MiB`,
    );
    expect(live).toBeLessThan(16 * 2 ** 20);
    expect(plain).toBeLessThan(45 * 2 ** 20);
    // Two 50 MiB uploads, one of them collecting every 20 ms: 12-15 s alone on the two-core
    // machine, past the default 30 s when the suite runs beside it.
  }, 90_000);

  it('kill -9 mid-upload: no file under oss/, no index row; the next start clears .tmp and keeps the finished files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pe-files-kill-'));
    dirs.push(dir);
    const s = await serve(dir);
    expect((await upload(s.base, { filePath: 'k/done.jpg' }, Buffer.from('finished'))).json().code).toBe(200);
    let release = (): void => undefined;
    const stalled = new Promise<void>((r) => {
      release = r;
    });
    async function* body(): AsyncGenerator<Buffer> {
      yield head('k/partial.jpg');
      for (let i = 0; i < 40; i++) yield pattern(64 * 1024, i);
      await stalled; // never sends the rest
    }
    const sent = http(`${s.base}/home/paas/file/add`, {
      method: 'POST',
      headers: { 'Content-Type': FORM_TYPE },
      body: Readable.from(body()),
    }).catch((err: Error) => err);
    const tmp = join(dir, 'files', '.tmp');
    await waitFor(() => readdirSync(tmp).some((f) => statSync(join(tmp, f)).size >= 1024 * 1024), { what: 'a partial upload on disk' });
    s.child.kill('SIGKILL');
    await waitFor(() => s.child.signalCode === 'SIGKILL');
    release();
    expect(await sent).toBeInstanceOf(Error);
    expect(existsSync(join(dir, 'files', 'oss', 'k', 'partial.jpg'))).toBe(false);
    const t = await startFiles({}, dir);
    try {
      expect(t.service.store.index.has('k/partial.jpg')).toBe(false);
      expect(readdirSync(tmp)).toEqual([]);
      expect((await http(`${t.base}/oss/k/partial.jpg`)).status).toBe(404);
      expect((await http(`${t.base}/oss/k/done.jpg`)).body.toString()).toBe('finished');
    } finally {
      await t.stop();
    }
  });
});
