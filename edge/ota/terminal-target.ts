/**
 * Face-push terminals' firmware as an OTA target: the seed-003 `upgrade` command (service
 * `update`, L788-897) through the terminal's durable command queue. The terminal downloads the
 * file itself: from the box's file service when the box has one (the verified copy, on the LAN),
 * else from the platform's URL. Its progress codes become steps; its failure codes the OTA codes.
 */
import type { Answer } from '../errors.js';
import type { Logger } from '../log.js';
import type { OtaTarget } from './agent.js';
import { OTA_STEP, OtaError, type FailStep } from './messages.js';

export const TERMINAL_DRIVER_TYPE = 'face-terminal-push';

/** What the box needs of the face command queue: a command's state by msgId. */
export interface CommandLookup {
  get(deviceKey: string, msgId: string): { state: string; errorCode: string | null; result: Record<string, unknown> | null } | undefined;
}

export interface TerminalTargetOptions {
  productKey: string;
  deviceName: string;
  callService(pk: string, dn: string, serviceId: string, params: unknown): Promise<Answer>;
  queue: CommandLookup;
  /** Serve the verified file on the LAN; undefined when the box has no file service. */
  serve?: (file: string, name: string) => Promise<string>;
  timeoutMs: number;
  log: Logger;
  pollMs?: number;
}

/**
 * Seed 003 onlineUpdateResp codes (L870-897): 501 下载中, 500 升级中 are progress; 100 success;
 * 502 download failed, 503 length, 504 hash, 505 version check failed, 506 local upgrade failed,
 * 507 already upgrading.
 */
export function stepOfTerminalCode(code: string): { progress: number; desc: string } | { fail: FailStep; desc: string } | undefined {
  switch (code) {
    case '501':
      return { progress: 85, desc: 'terminal downloading' };
    case '500':
      return { progress: 90, desc: 'terminal upgrading' };
    case '502':
      return { fail: OTA_STEP.DOWNLOAD_FAILED, desc: 'terminal: firmware download failed (502)' };
    case '503':
    case '504':
    case '505':
      return { fail: OTA_STEP.VERIFY_FAILED, desc: `terminal: firmware check failed (${code})` };
    case '506':
      return { fail: OTA_STEP.INSTALL_FAILED, desc: 'terminal: local upgrade failed (506)' };
    case '507':
      return { fail: OTA_STEP.UPGRADE_FAILED, desc: 'terminal: already upgrading (507)' };
    default:
      return undefined;
  }
}

export function terminalTarget(o: TerminalTargetOptions): OtaTarget {
  const deviceKey = `${o.productKey}/${o.deviceName}`;
  return {
    what: `terminal ${deviceKey}`,
    unpackFactor: 0,
    async install(file, fw, report) {
      const updateUrl = o.serve ? await o.serve(file, `ota/${o.productKey}-${o.deviceName}-${fw.version}.bin`) : fw.url;
      const updateType = typeof fw.extData.updateType === 'string' ? fw.extData.updateType : '1'; // 1: application (L817)
      // "updateKey … 该值目前为文件长度" (L831-835): the file's length.
      const answer = await o.callService(o.productKey, o.deviceName, 'upgrade', { updateType, updateUrl, updateKey: String(fw.size) });
      const msgId = (answer.data as { msgId?: unknown } | undefined)?.msgId;
      if (typeof msgId !== 'string')
        throw new OtaError(OTA_STEP.UPGRADE_FAILED, `terminal refused the upgrade: ${answer.code} ${answer.message}`);
      report(80, 'queued for the terminal');
      const deadline = Date.now() + o.timeoutMs;
      let last = 80;
      for (;;) {
        const c = o.queue.get(deviceKey, msgId);
        if (!c) throw new OtaError(OTA_STEP.UPGRADE_FAILED, 'the upgrade command is gone from the queue');
        // The latest progress code (kept with the outcome too, so a step between two polls is still reported).
        const progress = stepOfTerminalCode(String((c.result?.progress as { errorCode?: unknown } | undefined)?.errorCode ?? '').trim());
        if (progress && 'progress' in progress && progress.progress > last) {
          last = progress.progress;
          report(progress.progress, progress.desc);
        }
        if (c.state === 'done') return 'running';
        if (c.state === 'failed') {
          const code = (c.errorCode ?? '').trim();
          const step = stepOfTerminalCode(code);
          throw new OtaError(step && 'fail' in step ? step.fail : OTA_STEP.UPGRADE_FAILED, step?.desc ?? `terminal answered ${code}`);
        }
        if (c.state !== 'queued' && c.state !== 'sent') throw new OtaError(OTA_STEP.UPGRADE_FAILED, `upgrade command ${c.state}`);
        if (Date.now() > deadline)
          throw new OtaError(OTA_STEP.UPGRADE_FAILED, `no outcome from the terminal within ${Math.round(o.timeoutMs / 1000)} s`);
        await new Promise((r) => setTimeout(r, o.pollMs ?? 250));
      }
    },
  };
}
