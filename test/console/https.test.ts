import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConsoleBox, type ConsoleBox } from './box.js';

function post(url: string, body: unknown): Promise<{ status: number; cookie: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, cookie: String(res.headers['set-cookie'] ?? '') }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('console over HTTPS with a configured certificate', () => {
  let box: ConsoleBox;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pe-console-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'box.key'),
        '-out',
        join(dir, 'box.crt'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    box = await startConsoleBox('console: { https: { cert: box.crt, key: box.key } }\n', undefined, dir);
  });
  afterAll(() => box?.close());

  it('serves https, prints an https URL and marks the session cookie Secure', async () => {
    const url = box.runtime.consoleUrl()!;
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/#setup=/);
    const res = await post(`https://127.0.0.1:${box.runtime.httpPort}/api/setup`, {
      token: box.runtime.console!.setupToken,
      password: 'Tls-Password-1',
    });
    expect(res.status).toBe(200);
    expect(res.cookie).toMatch(/; Secure/);
  });
});
