/** Calls to a driver waiting for their reply, each with its own time limit. */
import type { Answer } from '../errors.js';

interface PendingCall {
  resolve: (a: Answer) => void;
  timer: NodeJS.Timeout;
}

export class PendingCalls {
  #nextId = 1;
  readonly #calls = new Map<number, PendingCall>();

  /** Send a call under a new id; it rejects with `timeoutError()` when no reply comes within `timeoutMs`. */
  open(timeoutMs: number, timeoutError: () => Error, send: (id: number) => void): Promise<Answer> {
    const id = this.#nextId++;
    return new Promise<Answer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#calls.delete(id);
        reject(timeoutError());
      }, timeoutMs);
      this.#calls.set(id, { resolve, timer });
      send(id);
    });
  }

  /** The reply to call `id`; one after its time limit is dropped (the caller already has its timeout). */
  settle(id: number, answer: Answer): void {
    const call = this.#calls.get(id);
    if (!call) return;
    this.#calls.delete(id);
    clearTimeout(call.timer);
    call.resolve(answer);
  }

  /** Answer every waiting call (the process ended before replying). */
  answerAll(answer: () => Answer): void {
    for (const [id, call] of this.#calls) {
      clearTimeout(call.timer);
      call.resolve(answer());
      this.#calls.delete(id);
    }
  }
}
