/**
 * The one supervision state machine of the box's child processes (drivers, edge/host/driver-process.ts,
 * and hosted apps, edge/apps/app-process.ts): start, a stop that asks first and ends the process
 * after `stopTimeoutMs`, restart with backoff and jitter (RetryTimer, protocols/common/backoff.ts)
 * after a crash, and the crash accounting (lastError, restarts, backoff reset after a stable run).
 * A kind of process supplies only what is its own: how it spawns, how it is asked to stop and
 * ended, what its end means. `#scheduleRestart` is the only place that arms the restart and
 * `stop` the only place that cancels it.
 */
import { RetryTimer } from '../../protocols/common/backoff.js';

export type ProcessState = 'stopped' | 'starting' | 'running' | 'restarting' | 'stopping' | 'failed';

export interface SupervisorLimits {
  restartBaseMs: number;
  restartMaxMs: number;
  /** A process that ran this long before it ended has its backoff reset. */
  stableAfterMs: number;
  /** A stop asked for and not obeyed within this is forced. */
  stopTimeoutMs: number;
}

/** How a run that was not asked to stop ended, as the kind of process judges it. */
export interface Crash {
  /** Why it ended, as reported: kept as `lastError`. */
  reason: string;
  /** It never got going (start failure, crash at start): `failed` until a retry runs, else `restarting`. */
  atStart: boolean;
  /** Not restarted: left `failed` with this as `lastError` (an app over its memory limit too often). */
  giveUp?: string;
}

export abstract class ProcessSupervisor<Run> {
  state: ProcessState = 'stopped';
  restarts = 0;
  lastError: string | undefined;
  startedAt = 0;

  readonly #limits: SupervisorLimits;
  readonly #retry: RetryTimer;
  #run: Run | undefined;
  /**
   * A stop was asked for and no start since. Kept apart from `state`: a process that reports it
   * is ready after the stop was sent (it had not read the stop yet) must not turn back into
   * `running`, or its end would count as a crash and restart it after the stop — an orphan
   * process (found by the suite's leak check after many redeploys).
   */
  #stopRequested = false;
  #endWaiters: Array<() => void> = [];

  constructor(limits: SupervisorLimits) {
    this.#limits = limits;
    this.#retry = new RetryTimer({ minMs: limits.restartBaseMs, maxMs: limits.restartMaxMs });
  }

  /** Why it cannot start now (its module or folder is missing), or undefined. */
  protected abstract unavailable(): string | undefined;
  /** Starts one process (throwing counts as a crash at start); its end comes back through `exited`. */
  protected abstract spawn(): Run;
  /** The new run is the current one now: arm its watches, greet it. */
  protected abstract started(run: Run): void;
  /** Asks the process to end (a stop message, SIGTERM). */
  protected abstract askToStop(run: Run): void;
  /** It did not end within `stopTimeoutMs`: end it now (SIGKILL, a dropped session). */
  protected abstract forceStop(run: Run): void;
  /** Its run is over: release what belonged to it and, when no stop was asked for, judge the crash. */
  protected abstract released(how: string, end: { stopping: boolean; ranMs: number }): Crash;
  protected abstract stateChanged(state: ProcessState): void;
  /** It cannot start (`unavailable`): it is `failed` and retried with backoff. */
  protected abstract cannotStart(reason: string): void;
  /** A restart is planned: attempt 1 is the first after a failure. */
  protected abstract restartScheduled(attempt: number, delayMs: number): void;

  /** The process of the current run, if one is running. */
  protected get run(): Run | undefined {
    return this.#run;
  }

  protected get stopRequested(): boolean {
    return this.#stopRequested;
  }

  /** A crash with this reason would repeat the last one: logged once, not at every retry. */
  protected isRepeat(reason: string): boolean {
    return reason === this.lastError && this.state === 'failed';
  }

  start(): void {
    // A start while stopping is ignored: the stop's end would otherwise belong to no run.
    if (this.state === 'starting' || this.state === 'running' || this.state === 'stopping') return;
    this.#stopRequested = false;
    const missing = this.unavailable();
    if (missing !== undefined) {
      this.lastError = missing;
      this.setState('failed');
      this.cannotStart(missing);
      this.#scheduleRestart(); // starts by itself once what is missing is installed
      return;
    }
    this.setState('starting');
    this.startedAt = Date.now();
    let run: Run;
    try {
      run = this.spawn();
    } catch (err) {
      this.#end(`spawn failed: ${(err as Error).message}`);
      return;
    }
    this.#run = run;
    this.started(run);
  }

  async stop(): Promise<void> {
    this.#stopRequested = true;
    this.#retry.cancel();
    const run = this.#run;
    if (run === undefined) {
      this.setState('stopped');
      return;
    }
    this.setState('stopping');
    const ended = new Promise<void>((resolve) => this.#endWaiters.push(resolve));
    this.askToStop(run);
    const deadline = setTimeout(() => this.forceStop(run), this.#limits.stopTimeoutMs);
    await ended;
    clearTimeout(deadline);
  }

  /** Restart on request (console button, redeploy): backoff does not apply. */
  async restart(): Promise<void> {
    await this.stop();
    this.#retry.reset();
    this.start();
  }

  /** The delay of the next restart (protocols/common/backoff.ts). */
  nextDelayMs(): number {
    return this.#retry.nextDelayMs();
  }

  /** The process of `run` is gone; `how` says how (exit code, signal). Ends of older runs are ignored. */
  protected exited(run: Run, how: string): void {
    if (run !== this.#run) return;
    this.#end(how);
  }

  #end(how: string): void {
    this.#run = undefined;
    const stopping = this.#stopRequested;
    const ranMs = Date.now() - this.startedAt;
    if (!stopping && ranMs > this.#limits.stableAfterMs) this.#retry.reset();
    const crash = this.released(how, { stopping, ranMs });
    for (const w of this.#endWaiters.splice(0)) w();
    if (stopping) {
      this.setState('stopped');
      return;
    }
    if (crash.giveUp !== undefined) {
      this.lastError = crash.giveUp;
      this.setState('failed');
      return;
    }
    this.lastError = crash.reason;
    this.setState(crash.atStart ? 'failed' : 'restarting');
    this.#scheduleRestart();
  }

  #scheduleRestart(): void {
    if (this.#stopRequested) return;
    const delay = this.#retry.schedule(() => {
      this.restarts++;
      this.start();
    });
    if (delay !== undefined) this.restartScheduled(this.#retry.attempt, delay);
  }

  protected setState(state: ProcessState): void {
    if (this.state === state) return;
    this.state = state;
    this.stateChanged(state);
  }
}
