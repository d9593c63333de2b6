/**
 * Shared setup of the onvif-camera driver tests (driver.test.ts, driver-hostile.test.ts): a
 * recording device handle, a host whose file service stores snapshots in memory, the captured log,
 * and the driver with short timeouts and retries.
 */
import pino from 'pino';
import type { Answer, DeviceHandle, HostServices } from '../../edge/host/sdk/driver.js';
import { createOnvifCameraDriver, type OnvifCameraDriver } from '../../drivers/onvif-camera/index.js';

export interface Recorded extends DeviceHandle {
  status: string[];
  reasons: string[];
  props: Record<string, unknown>;
  events: Array<{ id: string; params: Record<string, unknown> }>;
}

export const logs: Array<Record<string, unknown>> = [];
export const log = pino({ level: 'info' }, { write: (s: string) => void logs.push(JSON.parse(s) as Record<string, unknown>) });
export const stored: Array<Record<string, unknown>> = [];
export const host: HostServices = {
  async call<T>(method: string, args?: Record<string, unknown>): Promise<Answer<T>> {
    if (method !== 'files.storePicture') return { code: 6304, message: 'unknown' };
    stored.push(args!);
    return {
      code: 200,
      message: 'success',
      data: { id: `f${stored.length}`, url: `http://127.0.0.1:9102/oss/snapshot/f${stored.length}.jpg` } as T,
    };
  },
};

export function handle(deviceName: string, custom: Record<string, unknown>): Recorded {
  const h: Recorded = {
    productKey: 'PEOnvifCamera',
    deviceName,
    custom,
    status: [],
    reasons: [],
    props: {},
    events: [],
    online: () => void h.status.push('online'),
    offline: (reason?: string) => {
      h.status.push('offline');
      h.reasons.push(reason ?? '');
    },
    reportProperties: (v) => Object.assign(h.props, v),
    reportEvent: (id, params) => void h.events.push({ id, params }),
    log,
  };
  return h;
}
export const last = (h: Recorded) => h.status.at(-1);

/** The driver with short timeouts and retries; discovery probes `discoveryPort` on loopback. */
export function testDriver(discoveryPort: number): OnvifCameraDriver {
  return createOnvifCameraDriver({
    config: {
      timeoutS: 1,
      checkIntervalS: 1,
      retryMinS: 0.1,
      retryMaxS: 0.4,
      discovery: { targets: [`127.0.0.1:${discoveryPort}`], waitMs: 300 },
    },
    log,
    host,
  });
}

/** The demo camera's handle for a simulator on `port`. */
export const CAM = (port: number) =>
  handle('SXJ-001274', {
    ip: '127.0.0.1',
    port,
    username: 'admin',
    password: 'admin123',
    categoryCode: 'community/security/tptzcamera',
  });
