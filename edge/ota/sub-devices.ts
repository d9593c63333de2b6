/**
 * Which sub-devices have a firmware upgrade path, and what version each reports: today the
 * face-push terminals (seed 003 `upgrade`), whose `FirmwareVersion` property the driver reports.
 */
import { readFile } from 'node:fs/promises';
import type { Answer } from '../errors.js';
import type { Logger } from '../log.js';
import type { OtaDevice, OtaTarget, VersionReport } from './agent.js';
import { type CommandLookup, TERMINAL_DRIVER_TYPE, terminalTarget } from './terminal-target.js';

export interface SubDeviceDeps {
  log: Logger;
  devices(): ReadonlyArray<{
    productKey: string;
    deviceName: string;
    driver: string;
    shadow: { get(k: string): { value: unknown } | undefined };
  }>;
  driverType(driver: string): string | undefined;
  callService(pk: string, dn: string, serviceId: string, params: unknown): Promise<Answer>;
  queue: CommandLookup | undefined;
  /** The box's file service, if it has one: the terminal downloads the verified copy from it. */
  files?: { putBytes(filePath: string, bytes: Buffer, expireMs: number): unknown; urlOf(filePath: string): string } | undefined;
  terminalTimeoutMs: number;
}

const SERVED_FOR_MS = 86_400_000;

export function subDeviceFirmware(deps: SubDeviceDeps): { target(d: OtaDevice): OtaTarget | undefined; versions(): VersionReport[] } {
  const terminals = () => deps.devices().filter((d) => deps.driverType(d.driver) === TERMINAL_DRIVER_TYPE);
  const files = deps.files;
  return {
    target(d) {
      const queue = deps.queue;
      if (!queue || !terminals().some((t) => t.productKey === d.productKey && t.deviceName === d.deviceName)) return undefined;
      return terminalTarget({
        productKey: d.productKey,
        deviceName: d.deviceName,
        callService: deps.callService,
        queue,
        ...(files
          ? {
              serve: async (file: string, name: string) => {
                files.putBytes(name, await readFile(file), SERVED_FOR_MS);
                return files.urlOf(name);
              },
            }
          : {}),
        timeoutMs: deps.terminalTimeoutMs,
        log: deps.log,
      });
    },
    versions() {
      return terminals().flatMap((t) => {
        const v = t.shadow.get('FirmwareVersion')?.value;
        return typeof v === 'string' && v !== ''
          ? [{ productKey: t.productKey, deviceName: t.deviceName, module: 'default', version: v }]
          : [];
      });
    },
  };
}
