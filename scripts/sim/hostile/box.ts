/**
 * The box under attack as the hostile test suite (test/security/device-listeners.test.ts) and the
 * `hostile` benchmark set it up and probe it: a QR code every door accepts, and the listener
 * registry read from /healthz once every listener is open.
 */
import type { ListenerInfo } from '../../../edge/host/listeners.js';

export type RegistryListener = ListenerInfo & { state?: string };

/** The `access.seedPermissions` entry that lets `userId` pass `device` with `qrCode` from `fromMs` to `untilMs`. */
export function qrSeedPermission(device: string, qrCode: string, userId: string, fromMs: number, untilMs: number): Record<string, unknown> {
  return {
    device,
    file: {
      qrCodePermissionList: [{ type: 1, qrCode, userId, startTime: String(fromMs), endTime: String(untilMs), maxScanTimes: -1 }],
    },
  };
}

/**
 * The listener registry when every listener is open (the registry lists a driver's listener from
 * its deploy on; it is open once the driver runs), else undefined: one probe, for a caller's wait.
 */
export async function runningListeners(httpPort: number): Promise<RegistryListener[] | undefined> {
  const h = (await (await fetch(`http://127.0.0.1:${httpPort}/healthz`)).json()) as { listeners: RegistryListener[] };
  return h.listeners.every((l) => l.owner === 'box' || l.state === 'running') ? h.listeners : undefined;
}
