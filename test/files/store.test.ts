/** Expiry, the sweeper, restarts, confinement to the store, the size cap and the quota. */
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { http, remove, startFiles, upload, type TestFiles } from './helpers.js';

const open: TestFiles[] = [];

async function files(over: Parameters<typeof startFiles>[0] = {}): Promise<TestFiles> {
  const t = await startFiles(over);
  open.push(t);
  return t;
}

afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});

const S = 1000;

describe('expiry and the sweeper', () => {
  it('keeps a file until its expiry (default 7200 s) and removes it at the first sweep after', async () => {
    const t = await files();
    await upload(t.base, { filePath: 'd/default.jpg' }, Buffer.from('a'));
    await upload(t.base, { filePath: 'd/short.jpg', expire: '60' }, Buffer.from('b'));
    expect(t.service.store.index.get('d/default.jpg')?.expires_ms).toBe(t.clock.now + 7200 * S);
    t.clock.now += 59 * S;
    expect(t.service.sweep()).toBe(0);
    t.clock.now += 1 * S;
    expect(t.service.sweep()).toBe(1);
    expect((await http(`${t.base}/oss/d/short.jpg`)).status).toBe(404);
    expect((await http(`${t.base}/oss/d/default.jpg`)).status).toBe(200);
    t.clock.now += (7200 - 61) * S;
    expect(t.service.sweep()).toBe(0);
    t.clock.now += 1 * S;
    expect(t.service.sweep()).toBe(1);
    expect(readdirSync(join(t.dir, 'files', 'oss'))).toEqual([]); // emptied folders go too
  });

  it('keeps expiries across a restart, and the sweep at start removes what expired meanwhile', async () => {
    let t = await files();
    open.pop();
    await upload(t.base, { filePath: 'r/one.jpg', expire: '100' }, Buffer.from('one'));
    await upload(t.base, { filePath: 'r/two.jpg', expire: '1000' }, Buffer.from('two'));
    t.clock.now += 500 * S;
    t = await t.restart();
    open.push(t);
    expect(t.service.store.index.get('r/two.jpg')?.expires_ms).toBe(Date.UTC(2026, 0, 1) + 1000 * S);
    expect((await http(`${t.base}/oss/r/one.jpg`)).status).toBe(404);
    expect((await http(`${t.base}/oss/r/two.jpg`)).body.toString()).toBe('two');
  });

  it('removes at start what a killed upload left in .tmp and files the index does not know', async () => {
    const t = await files();
    open.pop();
    await upload(t.base, { filePath: 'keep.jpg' }, Buffer.from('k'));
    await t.stop();
    writeFileSync(join(t.dir, 'files', '.tmp', 'dead.part'), 'half');
    mkdirSync(join(t.dir, 'files', 'oss', 'x'), { recursive: true });
    writeFileSync(join(t.dir, 'files', 'oss', 'x', 'orphan.jpg'), 'o');
    const tidied = await startFiles({}, t.dir);
    open.push(tidied);
    expect(readdirSync(join(t.dir, 'files', '.tmp'))).toEqual([]);
    expect(existsSync(join(t.dir, 'files', 'oss', 'x', 'orphan.jpg'))).toBe(false);
    expect((await http(`${tidied.base}/oss/x/orphan.jpg`)).status).toBe(404);
    expect((await http(`${tidied.base}/oss/keep.jpg`)).body.toString()).toBe('k');
  });
});

describe('paths stay inside the store', () => {
  it('refuses hostile filePaths on upload and delete with 460', async () => {
    const t = await files();
    const bad = [
      '/etc/passwd',
      '../x',
      'a/../../x',
      './a',
      'a/./b',
      'a//b',
      'a\\..\\b',
      'a\u0000b',
      '%2e%2e/x',
      'a/.hidden',
      '.tmp/x',
      'a?b',
      'a#b',
      `${'x'.repeat(256)}`,
      `${'a/'.repeat(16)}b`,
      'a\nb',
    ];
    for (const p of bad) {
      const a = await upload(t.base, { filePath: p }, Buffer.from('x'));
      expect(a.json(), JSON.stringify(p)).toMatchObject({ code: 460 });
      expect((await remove(t.base, p)).json(), JSON.stringify(p)).toMatchObject({ code: 460 });
    }
    expect(readdirSync(join(t.dir, 'files', 'oss'))).toEqual([]);
    expect(readdirSync(t.dir).sort()).toEqual(['edge.db', 'edge.db-shm', 'edge.db-wal', 'files']);
  });

  it('refuses traversal and encoded tricks in download URLs', async () => {
    const t = await files();
    await upload(t.base, { filePath: 'in/side.txt' }, Buffer.from('ok'));
    writeFileSync(join(t.dir, 'secret.txt'), 'secret');
    for (const p of [
      '/oss/../secret.txt',
      '/oss/%2e%2e/secret.txt',
      '/oss/in%2f..%2f..%2fsecret.txt',
      '/oss/in/..%5c..%5csecret.txt',
      '/oss/%00',
      '/oss/in/%E0%A4%A',
      '/oss//etc/passwd',
      '/oss/in/side.txt%00.jpg',
    ]) {
      const r = await http(`${t.base}${p}`);
      expect(r.status, p).not.toBe(200);
      expect(r.body.toString()).not.toContain('secret');
    }
    expect((await http(`${t.base}/oss/in/side.txt?x=1`)).body.toString()).toBe('ok');
  });

  it('neither writes through nor serves through a symlink planted in the store', async () => {
    const t = await files();
    const outside = join(t.dir, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.jpg'), 'secret');
    symlinkSync(outside, join(t.dir, 'files', 'oss', 'link'));
    const a = await upload(t.base, { filePath: 'link/new.jpg' }, Buffer.from('x'));
    expect(a.json()).toMatchObject({ code: 460, message: 'filePath leads outside the store' });
    expect(existsSync(join(outside, 'new.jpg'))).toBe(false);
    // Even indexed (as if the link appeared after the upload), it is not followed.
    await upload(t.base, { filePath: 'real/secret.jpg' }, Buffer.from('mine'));
    t.db.prepare("UPDATE files_index SET path = 'link/secret.jpg' WHERE path = 'real/secret.jpg'").run();
    const r = await http(`${t.base}/oss/link/secret.jpg`);
    expect(r.status).toBe(404);
    symlinkSync(join(outside, 'secret.jpg'), join(t.dir, 'files', 'oss', 'real', 'secret.jpg.lnk'));
    t.db.prepare("UPDATE files_index SET path = 'real/secret.jpg.lnk' WHERE path = 'link/secret.jpg'").run();
    expect((await http(`${t.base}/oss/real/secret.jpg.lnk`)).status).toBe(404);
  });
});

describe('size cap and quota', () => {
  it('refuses a file over maxFileMb with 413, before or while reading it, and stores nothing', async () => {
    const t = await files({ maxFileMb: 0.01 });
    const a = await upload(t.base, { filePath: 'big.jpg' }, Buffer.alloc(20_000));
    expect(a.status).toBe(413);
    expect(a.json()).toMatchObject({ code: 413, message: expect.stringContaining('larger than') });
    expect((await upload(t.base, { filePath: 'ok.jpg' }, Buffer.alloc(10_000))).json().code).toBe(200);
    expect(readdirSync(join(t.dir, 'files', '.tmp'))).toEqual([]);
    expect(t.service.store.index.usage().files).toBe(1);
  });

  it('refuses a file beyond the quota with 507, naming the files that expire first', async () => {
    const t = await files({ quotaMb: 0.02 }); // 20,972 bytes
    await upload(t.base, { filePath: 'q/late.jpg', expire: '5000' }, Buffer.alloc(8000));
    await upload(t.base, { filePath: 'q/early.jpg', expire: '100' }, Buffer.alloc(8000));
    const full = await upload(t.base, { filePath: 'q/third.jpg' }, Buffer.alloc(8000));
    expect(full.status).toBe(507);
    const message = String(full.json().message);
    expect(message).toContain('storage full: 16000 of 20972 bytes used by 2 files');
    expect(message.indexOf('q/early.jpg')).toBeGreaterThan(0);
    expect(message.indexOf('q/early.jpg')).toBeLessThan(message.indexOf('q/late.jpg'));
    expect(full.json().localizedMsg).toContain('存储空间已满');
    // Replacing a file counts its old bytes as free; a delete makes room.
    expect((await upload(t.base, { filePath: 'q/late.jpg' }, Buffer.alloc(12_000))).json().code).toBe(200);
    await remove(t.base, 'q/early.jpg');
    expect((await upload(t.base, { filePath: 'q/third.jpg' }, Buffer.alloc(8000))).json().code).toBe(200);
    expect(readdirSync(join(t.dir, 'files', '.tmp'))).toEqual([]);
  });
});
