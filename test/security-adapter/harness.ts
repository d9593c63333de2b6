/**
 * The security adapter driver in this process with a recording host (the `security.recordAlarm`
 * calls it makes, optionally failing) and recording device handles, its port-5080 server on an
 * ephemeral port, and simulated adapters calling it from 127.0.0.1 (configured) or 127.0.0.2.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeviceInfo, HostServices } from '../../edge/host/sdk/driver.js';
import { createSecurityAdapterDriver, type SecurityAdapterDriver } from '../../drivers/security-adapter/index.js';
import { SimulatedAdapter } from '../../scripts/sim/security-adapter/adapter.js';
import { handle, quietLog, type RecordedHandle } from '../door-standard/harness.js';

export interface Recorded {
  deviceKey: string;
  eventId: string;
  params: Record<string, unknown>;
  time: number;
}

export const ADAPTER: DeviceInfo = {
  productKey: 'PESecurityAdapter',
  deviceName: 'DH-ADAPTER',
  custom: { manufacture: 'DH', ip: '127.0.0.1' },
};
export const IPC: DeviceInfo = {
  productKey: 'PESecurityCamera',
  deviceName: 'IPC-01',
  custom: { manufacture: 'DH', ip: '192.168.1.3', deviceType: 2, port: 20080, username: 'admin', password: 'ipc-pass' },
};
export const BEHIND_NVR: DeviceInfo = {
  productKey: 'PESecurityCamera',
  deviceName: 'NVR-CH1',
  custom: {
    manufacture: 'DH',
    ip: '192.168.1.2',
    deviceType: 3,
    channel: 1,
    port: 20080,
    username: 'nvr',
    password: 'nvr-pass',
    childIp: '192.168.1.9',
    childPort: 80,
    childUsername: 'c',
    childPassword: 'cp',
  },
};
export const HIK_IPC: DeviceInfo = {
  productKey: 'PESecurityCamera',
  deviceName: 'HIK-01',
  custom: { manufacture: 'HIK', ip: '192.168.1.7', deviceType: 2, port: 8000, username: 'u', password: 'p' },
};

export interface Rig {
  driver: SecurityAdapterDriver;
  url: string;
  dir: string;
  records: Recorded[];
  handles: Map<string, RecordedHandle>;
  /** Makes the host refuse to store while true. */
  failing: { on: boolean };
  adapter(o?: Partial<ConstructorParameters<typeof SimulatedAdapter>[0]>): Promise<SimulatedAdapter>;
  add(info: DeviceInfo): Promise<RecordedHandle>;
  close(): Promise<void>;
}

/** `dataDir`: the driver's folder of an earlier rig (a restart; left in place at close), else a fresh one. */
export async function startRig(
  config: Record<string, unknown> = {},
  devices: DeviceInfo[] = [ADAPTER, IPC, BEHIND_NVR, HIK_IPC],
  dataDir?: string,
): Promise<Rig> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'pe-secapi-'));
  const records: Recorded[] = [];
  const failing = { on: false };
  const host: HostServices = {
    async call<T>(method: string, args: Record<string, unknown> = {}) {
      if (method !== 'security.recordAlarm') return { code: 6304, message: `no ${method}` };
      if (failing.on) return { code: 500, message: 'store failed' };
      records.push(args as unknown as Recorded);
      return { code: 200, message: 'success', data: { alarmId: String(records.length) } as T };
    },
  };
  const driver = createSecurityAdapterDriver({ config: { host: '127.0.0.1', port: 0, ...config }, log: quietLog, dataDir: dir, host });
  const handles = new Map<string, RecordedHandle>();
  const add = async (info: DeviceInfo): Promise<RecordedHandle> => {
    const h = handle(info);
    handles.set(info.deviceName, h);
    await driver.addDevice(h);
    return h;
  };
  for (const d of devices) await add(d);
  await driver.start!();
  const url = `http://127.0.0.1:${driver.server.port}`;
  const sims: SimulatedAdapter[] = [];
  return {
    driver,
    url,
    dir,
    records,
    handles,
    failing,
    add,
    async adapter(o = {}) {
      const a = new SimulatedAdapter({ ip: '127.0.0.1', port: 0, edgeUrl: url, ...o });
      await a.start();
      sims.push(a);
      return a;
    },
    async close() {
      await Promise.all(sims.map((s) => s.stop()));
      await driver.stop!(false);
      if (!dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A face recognition report of IPC-01 with its three pictures (the seed's example, L43107-43142, made valid). */
export function faceReport(over: Record<string, unknown> = {}, pic = 'AABBCCDD'): Record<string, unknown> {
  return {
    ip: '192.168.1.3',
    channel: 0,
    deviceType: 2,
    eventType: 1,
    eventTime: 1631798285,
    eventId: 123,
    eventStatus: 0,
    confidence: 240,
    scenePicBase64: pic,
    scenePicType: 'JPG',
    objectInfo: {
      objPicBase64: pic,
      objPicType: 'JPG',
      leftTopY: 100,
      rightBottomX: 400,
      rightBottomY: 400,
      objectExtInfo: {
        similarity: 0.65,
        groupId: '12',
        faceId: '1',
        gender: 1,
        glass: 1,
        mask: 0,
        pitch: 15,
        yow: 15,
        roll: 15,
        faceQuality: 95,
        facePicBase64: pic,
        facePicType: 'JPG',
      },
    },
    ...over,
  };
}

/** Sends a POST's headers declaring `length` bytes and never the body; resolves with what the box answered before closing. */
export function headersOnly(port: number, path: string, length: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.1' }, () =>
      s.write(`POST ${path} HTTP/1.1\r\nHost: box\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`),
    );
    let text = '';
    s.on('data', (b: Buffer) => (text += b.toString()));
    s.on('close', () => resolve(text));
    s.on('error', reject);
  });
}
