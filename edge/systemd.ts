/**
 * systemd notification without a native module: `systemd-notify` does the datagram send.
 * Does nothing unless systemd started us with NOTIFY_SOCKET (Type=notify in the unit).
 */
import { execFile } from 'node:child_process';

export function sdNotify(state: string): void {
  if (!process.env.NOTIFY_SOCKET) return;
  execFile('systemd-notify', [`--pid=${process.pid}`, state], () => undefined);
}

/** Send WATCHDOG=1 at half the interval systemd asked for; returns a stop function. */
export function startWatchdog(): () => void {
  const usec = Number(process.env.WATCHDOG_USEC);
  if (!process.env.NOTIFY_SOCKET || !Number.isFinite(usec) || usec <= 0) return () => undefined;
  const timer = setInterval(() => sdNotify('WATCHDOG=1'), Math.max(1000, usec / 2000));
  timer.unref();
  return () => clearInterval(timer);
}
