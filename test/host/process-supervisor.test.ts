/**
 * The shared process supervisor (edge/host/process-supervisor.ts) on real child processes: its
 * states from start to stop, restarts whose delays follow the backoff, a stop that ends a process
 * ignoring SIGTERM with SIGKILL at the deadline, a stop while a restart is pending that cancels
 * it, and a stable run that resets the backoff.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { type Crash, type ProcessState, ProcessSupervisor, type SupervisorLimits } from '../../edge/host/process-supervisor.js';
import { observeFor, waitFor } from '../helpers/wait.js';

/** A process that says `ready` on stdout is running; one that ends without being stopped crashed. */
class ScriptProcess extends ProcessSupervisor<ChildProcess> {
  readonly states: ProcessState[] = [];
  readonly scheduled: Array<{ attempt: number; delayMs: number }> = [];
  readonly ends: string[] = [];
  spawned = 0;
  missing: string | undefined;
  spawnError: Error | undefined;

  constructor(
    readonly script: string,
    limits: Partial<SupervisorLimits> = {},
  ) {
    super({ restartBaseMs: 40, restartMaxMs: 1000, stableAfterMs: 60_000, stopTimeoutMs: 2000, ...limits });
  }

  get pid(): number | undefined {
    return this.run?.pid;
  }

  protected unavailable(): string | undefined {
    return this.missing;
  }
  protected cannotStart(): void {}
  protected spawn(): ChildProcess {
    if (this.spawnError) throw this.spawnError;
    this.spawned++;
    const child = spawn(process.execPath, ['-e', this.script], { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout?.on('data', (b: Buffer) => {
      if (b.toString().includes('ready') && !this.stopRequested && child === this.run) this.setState('running');
    });
    child.on('exit', (code, signal) => this.exited(child, signal ? `killed by ${signal}` : `exited with code ${code}`));
    return child;
  }
  protected started(): void {}
  protected askToStop(child: ChildProcess): void {
    child.kill('SIGTERM');
  }
  protected forceStop(child: ChildProcess): void {
    child.kill('SIGKILL');
  }
  protected released(how: string): Crash {
    this.ends.push(how);
    return { reason: how, atStart: this.state === 'starting' };
  }
  protected restartScheduled(attempt: number, delayMs: number): void {
    this.scheduled.push({ attempt, delayMs });
  }
  protected stateChanged(state: ProcessState): void {
    this.states.push(state);
  }
}

const RUNS = "console.log('ready'); setInterval(() => {}, 1000);";
const CRASHES = 'process.exit(3);';
const IGNORES_TERM = "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000);";

describe('process supervisor', () => {
  const made: ScriptProcess[] = [];
  const make = (script: string, limits?: Partial<SupervisorLimits>): ScriptProcess => {
    const p = new ScriptProcess(script, limits);
    made.push(p);
    return p;
  };
  afterEach(async () => {
    await Promise.all(made.splice(0).map((p) => p.stop()));
  });

  it('goes starting → running → stopping → stopped, and a stop ends the process', async () => {
    const p = make(RUNS);
    p.start();
    await waitFor(() => p.state === 'running', { what: 'running' });
    const pid = p.pid;
    expect(pid).toBeGreaterThan(0);
    p.start(); // already running: no second process
    expect(p.spawned).toBe(1);
    await p.stop();
    expect(p.states).toEqual(['starting', 'running', 'stopping', 'stopped']);
    expect(p.ends).toEqual(['killed by SIGTERM']);
    expect(p.pid).toBeUndefined();
    expect(() => process.kill(pid!, 0)).toThrow();
  });

  it('restarts a crashing process with delays that follow the backoff, failed while it never ran', async () => {
    const p = make(CRASHES, { restartBaseMs: 40, restartMaxMs: 1000 });
    p.start();
    await waitFor(() => p.scheduled.length >= 4, { what: 'four restarts scheduled' });
    expect(p.lastError).toBe('exited with code 3');
    expect(p.state === 'failed' || p.state === 'starting').toBe(true);
    expect(p.states).not.toContain('running');
    expect(p.restarts).toBeGreaterThanOrEqual(3);
    p.scheduled.slice(0, 4).forEach(({ attempt, delayMs }, i) => {
      const step = 40 * 2 ** i; // equal jitter: between half the step and the whole step
      expect(attempt).toBe(i + 1);
      expect(delayMs).toBeGreaterThanOrEqual(step / 2);
      expect(delayMs).toBeLessThanOrEqual(step);
    });
  });

  it('ends a process that ignores SIGTERM with SIGKILL at the stop deadline', async () => {
    const p = make(IGNORES_TERM, { stopTimeoutMs: 300 });
    p.start();
    await waitFor(() => p.state === 'running', { what: 'running' });
    const t0 = Date.now();
    await p.stop();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(p.ends).toEqual(['killed by SIGKILL']);
    expect(p.state).toBe('stopped');
    expect(p.scheduled).toEqual([]);
  });

  it('a stop while a restart is pending cancels it', async () => {
    const p = make(CRASHES, { restartBaseMs: 200, restartMaxMs: 200 });
    p.start();
    await waitFor(() => p.scheduled.length === 1, { what: 'a restart scheduled' });
    await p.stop();
    expect(p.state).toBe('stopped');
    await observeFor(400); // past the longest delay (200 ms): nothing may start
    expect(p.spawned).toBe(1);
    expect(p.restarts).toBe(0);
  });

  it('a run longer than stableAfterMs resets the backoff; a crash after running is restarting', async () => {
    const p = make("console.log('ready'); setTimeout(() => process.exit(1), 150);", { stableAfterMs: 50 });
    p.start();
    await waitFor(() => p.scheduled.length >= 2, { what: 'two restarts scheduled' });
    expect(p.scheduled.slice(0, 2).map((s) => s.attempt)).toEqual([1, 1]);
    expect(p.states.slice(0, 3)).toEqual(['starting', 'running', 'restarting']);
  });

  it('cannot start (missing) or spawn throwing: failed, retried until it can', async () => {
    const p = make(RUNS, { restartBaseMs: 20, restartMaxMs: 40 });
    p.missing = 'module not found';
    p.start();
    expect(p.state).toBe('failed');
    expect(p.lastError).toBe('module not found');
    expect(p.scheduled).toHaveLength(1);
    p.missing = undefined;
    p.spawnError = new Error('EACCES');
    await waitFor(() => p.lastError === 'spawn failed: EACCES', { what: 'the spawn failure' });
    expect(p.state).toBe('failed');
    p.spawnError = undefined;
    await waitFor(() => p.state === 'running', { what: 'running once it can' });
    expect(p.spawned).toBe(1);
  });
});
