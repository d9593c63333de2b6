/** Boots the door driver in-process (fake access core, recording handles) with simulated doors. */
import { afterEach, beforeEach } from 'vitest';
import { createDoorDriver, type DoorDriver } from '../../drivers/door-standard/index.js';
import type { DeviceInfo } from '../../edge/host/sdk/driver.js';
import { SimulatedDoor, type SimDoorOptions } from '../../scripts/sim/door-standard/door.js';
import { FakeAccess, handle, quietLog, terminalDevices, type RecordedHandle } from './fakes.js';

export interface Harness {
  driver: DoorDriver;
  access: FakeAccess;
  edgeUrl: string;
  handles: Map<string, RecordedHandle>;
  doors: SimulatedDoor[];
  /** Start a simulated door on `ip` and deploy its logical devices. */
  addDoor(code: string, ip: string, opts?: { devices?: (port: number) => DeviceInfo[]; sim?: Partial<SimDoorOptions> }): Promise<SimulatedDoor>;
  h(deviceName: string): RecordedHandle;
  close(): Promise<void>;
}

export async function startHarness(config: Record<string, unknown> = {}): Promise<Harness> {
  const access = new FakeAccess();
  const driver = createDoorDriver(
    { config: { host: '127.0.0.1', port: 0, boxIp: '127.0.0.1', keepaliveS: 10, retryBaseMs: 50, retryMaxMs: 500, syncPollMs: 60_000, ...config }, log: quietLog, dataDir: '', host: { call: async () => ({ code: 6304, message: 'no host' }) } },
    { gateway: access },
  );
  await driver.start!();
  const edgeUrl = `http://127.0.0.1:${driver.server.address.port}`;
  const handles = new Map<string, RecordedHandle>();
  const doors: SimulatedDoor[] = [];
  return {
    driver,
    access,
    edgeUrl,
    handles,
    doors,
    async addDoor(code, ip, opts = {}) {
      const door = new SimulatedDoor({ sn: code, ip, port: 0, edgeUrl, keepaliveS: 10, autoKeepalive: false, ...opts.sim });
      await door.start();
      doors.push(door);
      for (const info of opts.devices ? opts.devices(door.port) : terminalDevices(code, ip, door.port)) {
        const h = handle(info);
        handles.set(info.deviceName, h);
        await driver.addDevice(h);
      }
      return door;
    },
    h(name) {
      const h = handles.get(name);
      if (!h) throw new Error(`no handle ${name}`);
      return h;
    },
    async close() {
      await driver.stop!(false);
      await Promise.all(doors.map((d) => d.stop()));
    },
  };
}

/** A fresh harness per test: `const hx = useHarness();` then `hx().addDoor(...)`. */
export function useHarness(config: Record<string, unknown> = {}): () => Harness {
  let current: Harness | undefined;
  beforeEach(async () => {
    current = await startHarness(config);
  });
  afterEach(async () => {
    await current?.close();
  });
  return () => current!;
}
