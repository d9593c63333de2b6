/**
 * The suite's only ways to let time pass (test/no-sleep.test.ts holds every other file to it):
 * `waitFor` polls for the condition a test is waiting on; `observeFor` is a window of time that
 * is itself what the test measures — a rate, or that nothing happens (a quiet period) — never a
 * stand-in for waiting until something happened.
 */

export interface WaitOptions {
  timeoutMs?: number;
  stepMs?: number;
  /** Named in the timeout error. */
  what?: string;
  /** State shown in the timeout error. */
  explain?: () => unknown;
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll until `fn` returns a truthy value (errors count as not yet) or the time is up. */
export async function waitFor<T>(fn: () => T | Promise<T>, options: number | WaitOptions = {}, stepMs = 25): Promise<NonNullable<T>> {
  const o = typeof options === 'number' ? { timeoutMs: options, stepMs } : options;
  const until = Date.now() + (o.timeoutMs ?? 20_000);
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) {
      const parts = [
        o.what && `for ${o.what}`,
        last instanceof Error && last.message,
        o.explain && `state: ${JSON.stringify(o.explain())}`,
      ].filter(Boolean);
      throw new Error(`waitFor timed out${parts.length ? ` ${parts.join('; ')}` : ''}`);
    }
    await pause(o.stepMs ?? 25);
  }
}

/**
 * A count once it stopped changing (the same over `quietMs`): what was in flight has landed.
 * Returns the settled value.
 */
export async function settled(count: () => number, quietMs = 300, timeoutMs = 20_000): Promise<number> {
  let last = count();
  await waitFor(
    () => {
      const now = count();
      const same = now === last;
      last = now;
      return same;
    },
    { timeoutMs, stepMs: quietMs, what: 'the count to settle' },
  );
  return last;
}

/** A measured window: the test asserts what happened (or did not) within `ms`. */
export function observeFor(ms: number): Promise<void> {
  return pause(ms);
}
