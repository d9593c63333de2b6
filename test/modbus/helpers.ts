/** Test helpers: a pymodbus slave under the test's control, and device handles that record. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type { DeviceHandle, HostServices } from '../../edge/host/sdk/driver.js';
import { waitFor } from '../helpers/wait.js';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'pymodbus_server.py');
export const PYTHON = '/usr/bin/python3'; // Debian's python has python3-pymodbus, the pyenv one does not

export interface PyModbus {
  port: number;
  stop(): Promise<void>;
  /** Start again on the same port with the same contents. */
  restart(): Promise<void>;
}

function launch(specFile: string, port: number): Promise<{ proc: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(PYTHON, [SCRIPT, specFile, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`pymodbus did not start: ${err}`)), 20_000);
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /LISTENING (\d+|serial)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, port: m[1] === 'serial' ? 0 : Number(m[1]) });
      }
    });
    proc.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pymodbus exited with ${code}: ${err}`));
    });
  });
}

export async function startPyModbus(spec: unknown): Promise<PyModbus> {
  const dir = mkdtempSync(join(tmpdir(), 'pymodbus-'));
  const specFile = join(dir, 'spec.json');
  writeFileSync(specFile, JSON.stringify(spec));
  let current = await launch(specFile, 0);
  const kill = (): Promise<void> =>
    new Promise((r) => {
      if (current.proc.exitCode !== null || current.proc.signalCode !== null) return r();
      current.proc.once('exit', () => r());
      current.proc.kill('SIGKILL');
    });
  const server: PyModbus = {
    port: current.port,
    stop: kill,
    restart: async () => {
      await kill();
      // The port may linger a moment after the kill.
      await waitFor(async () => (current = await launch(specFile, server.port)), {
        what: 'the restarted pymodbus server',
        timeoutMs: 5000,
        stepMs: 250,
      });
    },
  };
  return server;
}

export interface RecordingHandle extends DeviceHandle {
  values: Record<string, unknown>;
  reports: Record<string, unknown>[];
  status: 'unknown' | 'online' | 'offline';
  reason: string | undefined;
  history: string[];
}

export const silentLog = pino({ level: 'silent' });

export function recordingHandle(productKey: string, deviceName: string, custom: Record<string, unknown>): RecordingHandle {
  const h: RecordingHandle = {
    productKey,
    deviceName,
    custom,
    log: silentLog,
    values: {},
    reports: [],
    status: 'unknown',
    reason: undefined,
    history: [],
    online() {
      h.status = 'online';
      h.history.push('online');
    },
    offline(reason?: string) {
      h.status = 'offline';
      h.reason = reason;
      h.history.push(`offline: ${reason}`);
    },
    reportProperties(values) {
      Object.assign(h.values, values);
      h.reports.push(values);
    },
    reportEvent() {},
  };
  return h;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'modbus-test-'));
}

/** The driver does not call into the host; an answer of 'unknown method' stands in for it. */
export const noHost: HostServices = { call: async () => ({ code: 6304, message: 'no host in this test' }) };

export interface PtyPair {
  /** The two ends: what is written to one is read from the other. */
  a: string;
  b: string;
  stop(): Promise<void>;
}

/** A pseudo-terminal pair through socat (`scripts/install-test-deps.sh` installs it): a serial line without hardware. */
export async function startPtyPair(dir: string): Promise<PtyPair> {
  const a = join(dir, 'tty-a');
  const b = join(dir, 'tty-b');
  const proc = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  await waitFor(() => /starting data transfer loop/.test(err) || proc.exitCode !== null, {
    what: 'the socat pty pair',
    explain: () => err,
    timeoutMs: 10_000,
  });
  if (proc.exitCode !== null) throw new Error(`socat exited: ${err}`);
  return {
    a,
    b,
    stop: () =>
      new Promise((r) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return r();
        proc.once('exit', () => r());
        proc.kill('SIGTERM');
      }),
  };
}

/** Times (ms) at which the pymodbus slave answered, from its `answer_log`. */
export function answerTimes(file: string): number[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => Number(l) * 1000);
}
