/**
 * Issue 14 part 2 (first step): an unauthenticated client cannot make the daemon buffer a huge
 * CONNECT. Three sockets declare ~180 MB CONNECTs and stream 24 MB each; the daemon closes them
 * and its RSS (from /proc) grows by less than 20 MB. A normal client still connects.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/runtime.js';
import { mqttHeader } from '../../scripts/sim/hostile/forge.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'pe-bus-connect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** Stream junk after the header until the box closes the socket or `total` bytes went. */
function flood(port: number, total: number): Promise<{ sent: number; closed: boolean }> {
  return new Promise((done) => {
    const s: Socket = connect(port, '127.0.0.1');
    let sent = 0;
    let closed = false;
    const chunk = Buffer.alloc(1024 * 1024, 0x41);
    s.on('error', () => undefined);
    s.on('close', () => {
      closed = true;
      done({ sent, closed });
    });
    s.on('connect', () => {
      s.write(mqttHeader(0x10, 180 * 1024 * 1024));
      const pump = (): void => {
        while (!closed && sent < total) {
          sent += chunk.length;
          if (!s.write(chunk)) return void s.once('drain', pump);
        }
        if (!closed)
          setTimeout(() => {
            s.destroy();
            done({ sent, closed });
          }, 2000);
      };
      pump();
    });
  });
}

describe('local bus before authentication', () => {
  it('closes oversized CONNECTs without buffering them', async () => {
    const file = join(dir, 'box.yaml');
    writeFileSync(
      file,
      'box: { name: bus-flood, dataDir: ./data }\nhttp: { host: 127.0.0.1, port: 0 }\nbus: { host: 127.0.0.1, port: 0 }\ndrivers: []\n',
    );
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'edge', 'main.js'), 'start', '-c', file], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    try {
      await waitFor(() => /local bus:\s+mqtt:\/\/127\.0\.0\.1:(\d+)/.test(out), 20_000);
      const port = Number(/local bus:\s+mqtt:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]);
      // One legitimate session first: the baseline is a bus that has served a client.
      const creds = JSON.parse(readFileSync(join(dir, 'data', 'bus-credentials.json'), 'utf8')) as { username: string; password: string };
      await (await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { ...creds, reconnectPeriod: 0 })).endAsync();
      const before = rssMb(child.pid!);
      const results = await Promise.all([flood(port, 24 << 20), flood(port, 24 << 20), flood(port, 24 << 20)]);
      expect(results.every((r) => r.closed)).toBe(true);
      const growth = rssMb(child.pid!) - before;
      process.stdout.write(`bus pre-auth flood: RSS growth ${growth.toFixed(1)} MB\n`);
      expect(growth).toBeLessThan(20);
      // After login too: a PUBLISH declaring 180 MB is not buffered (bus.limits.maxPacketBytes).
      const before2 = rssMb(child.pid!);
      const logged = await Promise.all(
        [0, 1, 2].map(() => mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { ...creds, reconnectPeriod: 0 })),
      );
      const sent = await Promise.all(
        logged.map(
          (c) =>
            new Promise<number>((done) => {
              const s = c.stream as Socket;
              let bytes = 0;
              const chunk = Buffer.alloc(1024 * 1024, 0x41);
              s.once('close', () => done(bytes));
              const header = mqttHeader(0x10, 180 * 1024 * 1024);
              header[0] = 0x30; // PUBLISH, QoS 0
              s.write(header);
              const pump = (): void => {
                while (!s.destroyed && bytes < 24 << 20) {
                  bytes += chunk.length;
                  if (!s.write(chunk)) return void s.once('drain', pump);
                }
              };
              pump();
            }),
        ),
      );
      expect(sent.every((b) => b < 24 << 20)).toBe(true); // closed before the 24 MB went
      const growth2 = rssMb(child.pid!) - before2;
      process.stdout.write(`bus post-login flood: RSS growth ${growth2.toFixed(1)} MB\n`);
      expect(growth2).toBeLessThan(20);
      for (const c of logged) c.end(true);
      // A well-behaved client is still served.
      const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { ...creds, reconnectPeriod: 0 });
      expect(c.connected).toBe(true);
      await c.endAsync();
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
    }
  }, 60_000);
});
