/** BACnet test helpers: simulated devices on loopback, free ports, and a driver under test. */
import { createSocket } from 'node:dgram';
import { Writable } from 'node:stream';
import pino from 'pino';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Driver } from '../../edge/host/sdk/driver.js';
import driverFactory from '../../drivers/bacnet-v3/index.js';
import type { ChannelDef, PointDef } from '../../protocols/bacnet/point.js';
import { SimDevice, type SimDeviceOptions } from '../../scripts/sim/bacnet/device.js';
import { noHost, tempDir } from '../modbus/helpers.js';

export { recordingHandle, type RecordingHandle } from '../modbus/helpers.js';

/** A UDP port free on 127.0.0.1 right now. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, host, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startSim(opts: SimDeviceOptions): Promise<SimDevice> {
  const d = new SimDevice(opts);
  await d.start();
  return d;
}

export interface DriverUnderTest {
  driver: Driver;
  dataDir: string;
  port: number;
  stats(): {
    transport: { refused: number; sent: number; received: number };
    destinations: string[];
    rpm: number;
    rp: number;
    covNotifications: number;
  };
  /** The driver's last log lines (JSON), kept to explain a failure. */
  logTail: string[];
}

/** A logger that keeps the last 50 lines in memory: a failing test prints what the driver said. */
function tailLog(): { log: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString().trim());
      if (lines.length > 50) lines.shift();
      done();
    },
  });
  return { log: pino({ level: 'debug' }, sink), lines };
}

/**
 * The driver binds its own loopback address (127.0.0.30 unless given), not 127.0.0.1: the
 * library treats requests from 127.0.0.1 specially, and other tests' peers live there.
 */
export async function startDriver(channels: ChannelDef[], points: PointDef[], options: Record<string, unknown>): Promise<DriverUnderTest> {
  const dataDir = tempDir();
  const bindAddress = typeof options.bindAddress === 'string' ? options.bindAddress : '127.0.0.30';
  const port = await freePort(bindAddress);
  const config = { channels, points, localPort: port, bindAddress, apduTimeoutMs: 400, statsIntervalMs: 100, ...options };
  const { log, lines } = tailLog();
  const driver = await driverFactory({ name: 'bacnet-test', config, deviceList: [], log, dataDir, host: noHost });
  await driver.start?.();
  return { driver, dataDir, port, logTail: lines, stats: () => JSON.parse(readFileSync(join(dataDir, 'stats.json'), 'utf8')) };
}

export const AI = 0;
export const AO = 1;
export const AV = 2;
export const BI = 3;
export const BO = 4;
export const MSV = 19;
