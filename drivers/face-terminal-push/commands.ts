/**
 * Thing-model services → queued terminal commands (seed 003 §2), and the waiting callers.
 * A caller is answered with the terminal's real outcome, or after its wait: a remote open
 * is cancelled at its timeout (a door must not open minutes late), other commands stay queued
 * and their outcome comes later as the `commandResult` event.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ok, type Answer } from '../../edge/host/sdk/driver.js';
import { PUSH_CODE_TEXT, type ServiceName } from '../../protocols/face-push/index.js';
import { badArgs, faceAnswer } from '../face-shared/answers.js';
import type { PushDriverSettings } from './config.js';
import type { HostCalls, QueuedCommand } from './host-calls.js';
import type { Finished } from './platform.js';
import type { PushTerminal } from './terminal.js';

type Args = Record<string, unknown>;
type Built = { service: ServiceName; payload: Record<string, unknown> } | { answer: Answer };

const s = (v: unknown, max: number): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v)).slice(0, max);

/** Service id → queue service and payload; every payload value a string (seed 003 L31-35). */
export function buildCommand(id: string, args: Args): Built | undefined {
  switch (id) {
    case 'remoteOpen':
      return { service: 'open', payload: { msg: s(args.voiceMsg, 128) || '欢迎光临' } };
    case 'reboot':
      return { service: 'reboot', payload: {} };
    case 'setTime':
      return { service: 'setTime', payload: {} };
    case 'broadcast':
      return {
        service: 'broadcast',
        payload: {
          voiceMsg: s(args.voiceMsg, 64),
          displayMsg: s(args.displayMsg, 64),
          wgData: s(args.wgData, 8),
          rs485Data: s(args.rs485Data, 64),
        },
      };
    case 'upgrade':
      return {
        service: 'update',
        payload: { updateType: s(args.updateType, 8), updateUrl: s(args.updateUrl, 256), updateKey: s(args.updateKey, 32) },
      };
    case 'capturePhoto':
      return { service: 'photo', payload: { photoType: s(args.photoType ?? 0, 8) } };
    case 'clearRecords':
      return { service: 'clear', payload: {} };
    case 'QueryFacePermTotal':
      return { service: 'count', payload: {} };
    case 'fetchPersons':
      return { service: 'info', payload: {} };
    case 'fetchRecords': {
      // "条件为多选一，不可同时下发多个条件" (L5215): the time range counts as one condition.
      const conds = [args.snapTimeStart || args.snapTimeEnd ? 'time' : '', args.name ? 'name' : '', args.idNumber ? 'idNumber' : ''].filter(
        Boolean,
      );
      if (conds.length > 1) return { answer: badArgs('give one condition only: a time range, a name or an idNumber (seed 003 L5215)') };
      const times = ['snapTimeStart', 'snapTimeEnd'].filter((k) => args[k]);
      if (times.some((k) => !/^\d{17}$/.test(String(args[k]))))
        return { answer: badArgs('snapTimeStart/snapTimeEnd are 17 digits yyyyMMddHHmmssSSS') };
      return {
        service: 'get',
        payload: {
          snapTimeStart: s(args.snapTimeStart, 17),
          snapTimeEnd: s(args.snapTimeEnd, 17),
          name: s(args.name, 32),
          idNumber: s(args.idNumber, 32),
        },
      };
    }
    case 'setDevInfo': {
      let params: unknown;
      try {
        params = JSON.parse(String(args.params ?? ''));
      } catch {
        return { answer: badArgs('params must be a JSON object of device parameters (seed 003 2.1.6)') };
      }
      if (!params || typeof params !== 'object' || Array.isArray(params)) return { answer: badArgs('params must be a JSON object') };
      const entries = Object.entries(params as Args);
      if (entries.some(([, v]) => v === null || typeof v === 'object'))
        return { answer: badArgs('device parameters are strings (the terminal takes no null or nested values)') };
      return { service: 'setDevInfo', payload: Object.fromEntries(entries.map(([k, v]) => [k, String(v)])) };
    }
    default:
      return undefined;
  }
}

interface Waiter {
  resolve(a: Answer): void;
  timer: NodeJS.Timeout;
}

export class CommandWaiters {
  readonly #waiters = new Map<string, Waiter>();
  readonly #settings: PushDriverSettings;
  readonly #calls: HostCalls;
  readonly #snapshots: string;

  constructor(settings: PushDriverSettings, calls: HostCalls, dataDir: string) {
    this.#settings = settings;
    this.#calls = calls;
    this.#snapshots = join(dataDir, 'snapshots');
  }

  /** Queue the command and wait for its outcome (or the caller's time limit). */
  async run(t: PushTerminal, service: ServiceName, payload: Record<string, unknown>): Promise<Answer> {
    const open = service === 'open';
    const ttlMs = open ? this.#settings.openTimeoutMs : this.#settings.commandTtlMs;
    const c = await this.#calls.enqueue(t.deviceKey, service, payload, { ttlMs });
    const waitMs = open ? this.#settings.openTimeoutMs : this.#settings.commandWaitMs;
    return new Promise<Answer>((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(c.msgId);
        if (open) {
          void this.#calls.cancel(t.deviceKey, c.msgId).catch(() => undefined);
          resolve(faceAnswer('EDGE_ERR_FACE_OPEN_TIMEOUT', [t.deviceNo, waitMs / 1000], { msgId: c.msgId }));
        } else resolve(faceAnswer('EDGE_ERR_FACE_QUEUED', [t.deviceNo], { msgId: c.msgId }));
      }, waitMs);
      timer.unref?.();
      this.#waiters.set(c.msgId, { resolve, timer });
    });
  }

  /** The terminal's result arrived: answer the caller, if one still waits. */
  async finished(f: Finished): Promise<Answer> {
    const answer = await this.#answerOf(f);
    const w = this.#waiters.get(f.command.msgId);
    if (w) {
      clearTimeout(w.timer);
      this.#waiters.delete(f.command.msgId);
      w.resolve(answer);
    }
    return answer;
  }

  async #answerOf(f: Finished): Promise<Answer> {
    const c: QueuedCommand = f.command;
    const r = (c.result ?? {}) as Record<string, unknown>;
    const errorCode = c.errorCode ?? '';
    const base = { errorCode, msg: String(r.msg ?? ''), msgId: c.msgId };
    if (f.state === 'failed')
      return faceAnswer('EDGE_ERR_FACE_REFUSED', [`${errorCode} ${PUSH_CODE_TEXT[errorCode] ?? ''}: ${String(r.msg ?? '')}`.trim()], base);
    switch (c.service) {
      case 'count': {
        const total = Number(r.personNum);
        if (Number.isInteger(total)) f.terminal.report({ PersonCount: total });
        return ok({ FacePermTotal: Number.isInteger(total) ? total : 0 });
      }
      case 'photo': {
        const photo = (f.raw.photo ?? '').trim();
        if (!photo) return ok({ ...base, photoFile: '' });
        await mkdir(this.#snapshots, { recursive: true });
        const file = join(this.#snapshots, `${f.terminal.deviceNo}-${Date.now()}.jpg`);
        await writeFile(file, Buffer.from(photo, 'base64'));
        return ok({ ...base, photoFile: file });
      }
      case 'info':
        return ok({ ...base, persons: JSON.stringify(r.items ?? []).slice(0, 10240) });
      case 'get':
        return ok({ ...base, records: JSON.stringify(r.items ?? []).slice(0, 10240) });
      default:
        return ok(base);
    }
  }

  stop(): void {
    for (const w of this.#waiters.values()) {
      clearTimeout(w.timer);
      w.resolve(faceAnswer('EDGE_ERR_DRIVER_UNAVAILABLE', ['face-terminal-push', 'stopping']));
    }
    this.#waiters.clear();
  }
}
