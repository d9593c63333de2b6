/**
 * Declares a driver process hung when it stays silent too long (the SDK sends a heartbeat, so
 * silence means a blocked event loop or a stuck process). Until its first message a process is
 * still booting (Node start, module loading, a busy box): it gets a longer grace than a running
 * driver that falls silent.
 */
export interface HangWatchOptions {
  heartbeatMs: number;
  hangTimeoutMs: number;
  startGraceMs: number;
}

export class HangWatch {
  readonly #o: HangWatchOptions;
  readonly #onHang: (silentMs: number) => void;
  #timer: NodeJS.Timeout | undefined;
  #lastMessageAt = 0;
  #heard = false;

  constructor(options: HangWatchOptions, onHang: (silentMs: number) => void) {
    this.#o = options;
    this.#onHang = onHang;
  }

  /** A new process starts: nothing heard from it yet. */
  arm(): void {
    this.disarm();
    this.#lastMessageAt = Date.now();
    this.#heard = false;
    this.#timer = setInterval(() => this.#check(), Math.max(100, Math.floor(this.#o.heartbeatMs / 2)));
    this.#timer.unref();
  }

  /** Any message from the process. */
  heard(): void {
    this.#lastMessageAt = Date.now();
    this.#heard = true;
  }

  disarm(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #check(): void {
    const silentMs = Date.now() - this.#lastMessageAt;
    const limit = this.#heard ? this.#o.hangTimeoutMs : Math.max(this.#o.hangTimeoutMs, this.#o.startGraceMs);
    if (silentMs > limit) this.#onHang(silentMs);
  }
}
