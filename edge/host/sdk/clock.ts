/**
 * The driver process's clock for timestamps: the box clock corrected by the platform's (Alink NTP,
 * R41), whose offset the host sends (`init.clockOffsetMs`, `clock`). Records, reports and events
 * a driver stamps itself use `platformNow()`; timers and timeouts keep the box clock.
 */
let offsetMs = 0;

export function setClockOffset(ms: number): void {
  offsetMs = ms;
}

/** UTC ms on the platform's clock. */
export const platformNow = (): number => Date.now() + offsetMs;
