/**
 * The OTA agent: takes upgrade notices (and firmware/get replies) of the gateway and its
 * sub-devices, finds the target that installs the module, downloads and verifies the file, lets
 * the target install it, and reports every step on the progress topic. One upgrade per target
 * at a time; a second notice for a busy target is answered with -1 and left alone.
 */
import { mkdir } from 'node:fs/promises';
import type { Logger } from '../log.js';
import { download } from './download.js';
import {
  type Firmware,
  firmwareGetBody,
  informBody,
  OTA_STEP,
  OtaError,
  otaTopics,
  parseFirmware,
  parseUpgrade,
  progressBody,
  safeUrl,
} from './messages.js';

export interface OtaDevice {
  productKey: string;
  deviceName: string;
}

/** Reports a step: 1-100 progress, or a negative failure code. */
export type ReportStep = (step: number, desc: string) => void;

export interface OtaTarget {
  /** What it is, for logs: `box`, `driver <name>`, `terminal <key>`. */
  what: string;
  /** Disk the install needs beside the download, as a multiple of the file size (unpacked copy). */
  unpackFactor: number;
  /**
   * Install the verified file; throw an OtaError with the step to report (-4 / -1). `running`:
   * the new version runs now; `on-restart`: it takes over at the next start (the box itself).
   */
  install(file: string, fw: Firmware, report: ReportStep): Promise<'running' | 'on-restart'>;
}

export interface VersionReport extends OtaDevice {
  module: string;
  version: string;
}

export interface OtaAgentDeps {
  log: Logger;
  gateway: OtaDevice;
  /** Publish towards the platform (QoS 1); false when the link is down (the report is lost, logged). */
  publish(topic: string, body: string): boolean;
  nextId(): string;
  /** The target serving `module` of `device`, or undefined (refused with -1). */
  target(device: OtaDevice, module: string): OtaTarget | undefined;
  /** Every version the box reports on connect: itself, each driver package, sub-device firmware. */
  versions(): VersionReport[];
  /** Where downloads go. */
  workDir: string;
  freeBytes?: (dir: string) => Promise<number>;
  retry?: { minMs: number; maxMs: number };
  idleMs?: number;
}

export interface OtaRun {
  device: OtaDevice;
  module: string;
  version: string;
  steps: number[];
  result?: 'installed' | 'failed';
  reason?: string;
}

export class OtaAgent {
  readonly #deps: OtaAgentDeps;
  readonly #busy = new Set<string>();
  readonly #runs: Promise<void>[] = [];
  /** Recent runs (newest last, bounded), for /healthz and tests. */
  readonly history: OtaRun[] = [];

  constructor(deps: OtaAgentDeps) {
    this.#deps = deps;
  }

  /** MQTT filters to subscribe: the gateway's own and, with `wildcard`, every device's. */
  filters(wildcard: boolean): string[] {
    const { productKey: pk, deviceName: dn } = this.#deps.gateway;
    const f = [otaTopics.upgrade(pk, dn), otaTopics.firmwareGetReply(pk, dn)];
    if (wildcard) f.push(otaTopics.upgrade('+', '+'), otaTopics.firmwareGetReply('+', '+'));
    return f;
  }

  /** Per sub-device filters (the platform's ACL lets the gateway subscribe its sub-devices' topics). */
  deviceFilters(d: OtaDevice): string[] {
    return [otaTopics.upgrade(d.productKey, d.deviceName), otaTopics.firmwareGetReply(d.productKey, d.deviceName)];
  }

  /** True when the topic is an OTA one (handled here, whatever its body). */
  handle(topic: string, payload: Buffer): boolean {
    const device = deviceOfTopic(topic);
    if (!device) return false;
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(payload.toString('utf8'));
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch {
      this.#deps.log.warn({ topic }, 'OTA message is not a JSON object; dropped');
      return true;
    }
    if (device.kind === 'reply') {
      if (Number(body.code) !== 200) {
        this.#deps.log.info({ topic, code: body.code, message: body.message }, 'no firmware offered');
        return true;
      }
      const data = body.data;
      if (data && typeof data === 'object' && Object.keys(data).length === 0) return true; // nothing newer
      this.#start(device, parseFirmware(data));
      return true;
    }
    this.#start(device, parseUpgrade(body));
    return true;
  }

  /** Report every version (on connect and after an upgrade). */
  informAll(): void {
    for (const v of this.#deps.versions()) this.inform(v, v.module, v.version);
  }

  inform(d: OtaDevice, module: string, version: string): void {
    this.#deps.publish(otaTopics.inform(d.productKey, d.deviceName), informBody(this.#deps.nextId(), version, module));
  }

  /** Ask the platform for the firmware of a module (`thing.ota.firmware.get`); the reply starts the upgrade. */
  requestFirmware(module: string, d: OtaDevice = this.#deps.gateway): boolean {
    return this.#deps.publish(otaTopics.firmwareGet(d.productKey, d.deviceName), firmwareGetBody(this.#deps.nextId(), module));
  }

  /** Report a step for a device and module (also used for failures found at boot). */
  report(d: OtaDevice, module: string, step: number, desc: string): void {
    if (!this.#deps.publish(otaTopics.progress(d.productKey, d.deviceName), progressBody(this.#deps.nextId(), step, desc, module)))
      this.#deps.log.warn({ dev: `${d.productKey}/${d.deviceName}`, module, step, desc }, 'OTA progress not sent: link down');
  }

  /** Wait for every upgrade in progress (stop, tests). */
  async idle(): Promise<void> {
    while (this.#runs.length > 0) await Promise.allSettled(this.#runs.splice(0));
  }

  #start(where: { productKey: string; deviceName: string }, parsed: ReturnType<typeof parseFirmware>): void {
    const device: OtaDevice = { productKey: where.productKey, deviceName: where.deviceName };
    if (!parsed.ok) {
      this.#deps.log.warn({ dev: `${device.productKey}/${device.deviceName}`, reason: parsed.reason }, 'OTA notice refused');
      this.report(device, 'default', OTA_STEP.UPGRADE_FAILED, `refused: ${parsed.reason}`);
      return;
    }
    const fw = parsed.value;
    const key = `${device.productKey}/${device.deviceName}/${fw.module}`;
    if (this.#busy.has(key)) {
      this.#deps.log.warn({ target: key, version: fw.version }, 'OTA notice while an upgrade of the same target runs; refused');
      this.report(device, fw.module, OTA_STEP.UPGRADE_FAILED, 'an upgrade of this target is already in progress');
      return;
    }
    this.#busy.add(key);
    const run: Promise<void> = this.#run(device, fw).finally(() => {
      this.#busy.delete(key);
      const i = this.#runs.indexOf(run);
      if (i >= 0) this.#runs.splice(i, 1);
    });
    this.#runs.push(run);
  }

  async #run(device: OtaDevice, fw: Firmware): Promise<void> {
    const rec: OtaRun = { device, module: fw.module, version: fw.version, steps: [] };
    this.history.push(rec);
    if (this.history.length > 50) this.history.shift();
    const report: ReportStep = (step, desc) => {
      rec.steps.push(step);
      this.report(device, fw.module, step, desc);
    };
    const log = this.#deps.log.child({ ota: `${device.productKey}/${device.deviceName}/${fw.module}`, version: fw.version });
    try {
      const target = this.#deps.target(device, fw.module);
      if (!target) throw new OtaError(OTA_STEP.UPGRADE_FAILED, `no target serves module ${fw.module} of this device`);
      log.info({ target: target.what, url: safeUrl(fw.url), size: fw.size }, 'OTA upgrade starting');
      await mkdir(this.#deps.workDir, { recursive: true });
      let lastPct = 0;
      report(1, 'downloading');
      const file = await download(fw, {
        dir: this.#deps.workDir,
        needBytes: Math.ceil(fw.size * (1 + target.unpackFactor)),
        ...(this.#deps.freeBytes ? { freeBytes: this.#deps.freeBytes } : {}),
        ...(this.#deps.retry ? { retry: this.#deps.retry } : {}),
        ...(this.#deps.idleMs ? { idleMs: this.#deps.idleMs } : {}),
        onProgress: (received, total) => {
          // 1-70 while downloading, in steps of 10 so a big file does not flood the topic.
          const pct = Math.floor((received / total) * 70);
          if (pct >= lastPct + 10) {
            lastPct = pct - (pct % 10);
            report(Math.max(1, lastPct), 'downloading');
          }
        },
      });
      report(75, 'verified');
      const outcome = await target.install(file, fw, report);
      rec.result = 'installed';
      if (outcome === 'running') {
        report(100, 'installed');
        // The platform judges success by the version the device reports, not by the step (aliyun OTA FAQ).
        this.inform(device, fw.module, fw.version);
      } else report(95, 'installed; active after the restart');
      log.info({ outcome }, 'OTA upgrade installed');
    } catch (err) {
      const e = err instanceof OtaError ? err : new OtaError(OTA_STEP.UPGRADE_FAILED, (err as Error).message);
      rec.result = 'failed';
      rec.reason = e.message;
      log.warn({ step: e.step, reason: e.message }, 'OTA upgrade failed');
      report(e.step, e.message);
    }
  }
}

/** `/ota/device/upgrade/{pk}/{dn}` or `/sys/{pk}/{dn}/thing/ota/firmware/get_reply`. */
function deviceOfTopic(topic: string): (OtaDevice & { kind: 'upgrade' | 'reply' }) | undefined {
  const p = topic.split('/');
  if (p.length === 6 && p[1] === 'ota' && p[2] === 'device' && p[3] === 'upgrade' && p[4] && p[5])
    return { productKey: p[4], deviceName: p[5], kind: 'upgrade' };
  if (p.length === 8 && p[1] === 'sys' && p[4] === 'thing' && p[5] === 'ota' && p[6] === 'firmware' && p[7] === 'get_reply' && p[2] && p[3])
    return { productKey: p[2], deviceName: p[3], kind: 'reply' };
  return undefined;
}
