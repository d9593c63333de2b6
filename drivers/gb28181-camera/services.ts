/**
 * The camera services that talk MANSCDP to a registered device (issue 19): `ptz`, `preset`,
 * `record`, `guard`, `reboot` (DeviceControl, GB/T 28181-2016 §9.3) and `queryRecordings`
 * (RecordInfo, §9.7). A channel's commands go to its NVR with the channel's id in the body and
 * the request URI. Commands the standard answers with a Response (record, guard) wait for its
 * `Result`; PTZ, presets and TeleBoot are done once the device's SIP 200 is in (§9.3.2).
 */
import { DRIVER_ERRORS, fail, ok, type Answer } from '../../edge/host/sdk/driver.js';
import { gbTime, gbTimeMs } from '../../protocols/gb28181/alarm.js';
import { PageCollector, type Paged } from '../../protocols/gb28181/catalog.js';
import { buildControl, expectsResponse, resultOf, type ControlCommand } from '../../protocols/gb28181/control.js';
import type { Gb28181Server, Manscdp } from '../../protocols/gb28181/index.js';
import { ptzMove, ptzPreset, type PresetAction, type PtzDirection, type PtzZoom } from '../../protocols/gb28181/ptz.js';
import { buildRecordInfoQuery, recordPage, type RecordItem, type RecordType } from '../../protocols/gb28181/records.js';
import type { GbDevice } from './devices.js';

/** TSL enum values of `ptz` (config/tsl/PEGbCamera.json), in order. */
export const DIRECTIONS: readonly PtzDirection[] = ['stop', 'up', 'down', 'left', 'right', 'upLeft', 'upRight', 'downLeft', 'downRight'];
export const ZOOMS: readonly PtzZoom[] = ['none', 'in', 'out'];
export const PRESET_ACTIONS: readonly PresetAction[] = ['set', 'call', 'delete'];
const RECORD_TYPES: readonly RecordType[] = ['all', 'time', 'alarm', 'manual'];
/** At most this many recordings in one answer (the TSL array's size). */
export const MAX_RECORDS = 512;

export interface ServiceTimes {
  /** How long a Response to a control command is waited for, ms. */
  answerWaitMs: number;
  /** How long the pages of a RecordInfo answer are waited for, ms. */
  recordWaitMs: number;
}

type Params = Record<string, unknown>;
const invalid = (why: string) => fail(DRIVER_ERRORS.EDGE_ERR_REQUEST_INVALID, why);

/** An enum parameter (TSL values are strings of the index) as its name, `dflt` when absent. */
function pick<T>(list: readonly T[], v: unknown, dflt: T): T | undefined {
  if (v === undefined) return dflt;
  const i = Number(v);
  return Number.isInteger(i) ? list[i] : undefined;
}

export class CameraServices {
  readonly #server: Gb28181Server;
  readonly #t: ServiceTimes;
  /** SN → the waiter of a control Response. */
  readonly #answers = new Map<number, (fields: Record<string, unknown>) => void>();
  readonly #recordWaiters = new Map<number, (p: Paged<RecordItem>) => void>();
  readonly #records: PageCollector<RecordItem>;
  /** The last recordings listed per channel, for playback by file name (the cloud's getbyname). */
  readonly #listed = new Map<string, RecordItem[]>();

  constructor(server: Gb28181Server, times: ServiceTimes) {
    this.#server = server;
    this.#t = times;
    this.#records = new PageCollector<RecordItem>(
      times.recordWaitMs,
      (p) => {
        this.#recordWaiters.get(p.sn)?.(p);
        this.#recordWaiters.delete(p.sn);
      },
      (r) => `${r.deviceId}|${r.startTime}|${r.endTime}|${r.filePath ?? r.name}`,
    );
  }

  /** A MANSCDP message this part waits for; true when it took it. */
  take(id: string, m: Manscdp): boolean {
    if (!('other' in m) || m.root !== 'Response') return false;
    if (m.cmd === 'DeviceControl') {
      this.#answers.get(m.sn)?.(m.fields);
      return true;
    }
    if (m.cmd === 'RecordInfo') {
      const page = recordPage(m.fields);
      this.#records.page(id, m.sn, page.sumNum, page.items);
      return true;
    }
    return false;
  }

  /** The answer of service `id`, or undefined when it is not one of these. */
  call(d: GbDevice, id: string, p: Params): Promise<Answer> | undefined {
    switch (id) {
      case 'ptz':
        return this.#ptz(d, p);
      case 'preset': {
        const action = pick(PRESET_ACTIONS, p.action, undefined);
        const index = Number(p.index);
        if (!action) return Promise.resolve(invalid('action must be 0 (set), 1 (call) or 2 (delete)'));
        if (!Number.isInteger(index) || index < 1 || index > 255) return Promise.resolve(invalid('index must be 1-255'));
        return this.#control(d, { PTZCmd: ptzPreset(action, index) });
      }
      case 'record':
        return this.#control(d, { RecordCmd: Number(p.recording ?? 1) === 1 ? 'Record' : 'StopRecord' });
      case 'guard':
        return this.#control(d, { GuardCmd: Number(p.guard ?? 1) === 1 ? 'SetGuard' : 'ResetGuard' });
      case 'reboot':
        if (d.kind === 'channel') return Promise.resolve(invalid('a channel cannot be rebooted; reboot its NVR'));
        return this.#control(d, { TeleBoot: 'Boot' });
      case 'queryRecordings':
        return this.#recordings(d, p);
      default:
        return undefined;
    }
  }

  /** DeviceControl IFameCmd (A.2.3.1): the device sends a key frame at once (the cloud's `forceIFrame`). */
  forceIFrame(d: GbDevice): Promise<Answer> {
    return this.#control(d, { IFameCmd: 'Send' });
  }

  #ptz(d: GbDevice, p: Params): Promise<Answer> {
    const direction = pick(DIRECTIONS, p.direction, 'stop');
    const zoom = pick(ZOOMS, p.zoom, 'none');
    const speed = p.speed === undefined ? 128 : Number(p.speed);
    if (!direction || !zoom) return Promise.resolve(invalid('direction must be 0-8 and zoom 0-2'));
    if (!Number.isInteger(speed) || speed < 1 || speed > 255) return Promise.resolve(invalid('speed must be 1-255'));
    return this.#control(d, { PTZCmd: ptzMove(direction, zoom, speed) });
  }

  async #control(d: GbDevice, cmd: ControlCommand): Promise<Answer> {
    const target = d.parent ?? d.gbId;
    if (!this.#server.isOnline(target)) return fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_OFFLINE, `${target} is not registered`);
    const sn = this.#server.nextSn();
    const answered = expectsResponse(cmd) ? this.#wait(this.#answers, sn, this.#t.answerWaitMs) : undefined;
    try {
      const status = await this.#server.send(target, buildControl(d.gbId, sn, cmd), d.gbId);
      if (status !== 200) return fail(DRIVER_ERRORS.EDGE_ERR_DRIVER_FAILED, `the device answered SIP ${status}`);
    } catch (err) {
      this.#answers.delete(sn);
      return fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_OFFLINE, (err as Error).message);
    }
    if (!answered) return ok({ result: 'OK' });
    const fields = await answered;
    if (!fields) return fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_OFFLINE, 'the device sent no Response in time');
    const result = resultOf(fields);
    return result === 'OK'
      ? ok({ result })
      : fail(DRIVER_ERRORS.EDGE_ERR_DRIVER_FAILED, `the device answered Result ${result ?? '(none)'}`, { result: result ?? 'ERROR' });
  }

  async #recordings(d: GbDevice, p: Params): Promise<Answer> {
    const start = Number(p.startTime);
    const end = Number(p.endTime);
    const type = p.type === undefined ? 'all' : (RECORD_TYPES.find((t) => t === p.type) ?? undefined);
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end <= start)
      return invalid('startTime and endTime are UTC milliseconds with startTime < endTime');
    if (!type) return invalid(`type must be one of ${RECORD_TYPES.join(', ')}`);
    const target = d.parent ?? d.gbId;
    if (!this.#server.isOnline(target)) return fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_OFFLINE, `${target} is not registered`);
    const sn = this.#server.nextSn();
    const got = this.#wait(this.#recordWaiters, sn, this.#t.recordWaitMs + 5000);
    try {
      const status = await this.#server.send(
        target,
        buildRecordInfoQuery(d.gbId, sn, { startTime: gbTime(start), endTime: gbTime(end), type }),
        d.gbId,
      );
      if (status !== 200) return fail(DRIVER_ERRORS.EDGE_ERR_DRIVER_FAILED, `the device answered SIP ${status}`);
    } catch (err) {
      this.#recordWaiters.delete(sn);
      return fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_OFFLINE, (err as Error).message);
    }
    const pages = await got;
    if (!pages) return fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_OFFLINE, 'the device sent no RecordInfo in time');
    this.#listed.set(d.gbId, pages.items.slice(0, MAX_RECORDS));
    const records = pages.items.slice(0, MAX_RECORDS).map((r) => ({
      name: r.name,
      startTime: String(gbTimeMs(r.startTime) ?? 0),
      endTime: String(gbTimeMs(r.endTime) ?? 0),
      ...(r.type ? { type: r.type } : {}),
      ...(r.filePath ? { filePath: r.filePath } : {}),
      ...(r.fileSize !== undefined ? { fileSize: r.fileSize } : {}),
    }));
    return ok({ count: pages.sumNum, complete: pages.complete ? 1 : 0, records });
  }

  /** A recording the last `queryRecordings` of the channel listed, by its name or file path: its range in epoch s. */
  recording(d: GbDevice, fileName: string): { start: number; end: number } | undefined {
    const r = this.#listed.get(d.gbId)?.find((i) => i.name === fileName || i.filePath === fileName);
    const start = gbTimeMs(r?.startTime ?? '');
    const end = gbTimeMs(r?.endTime ?? '');
    return start !== undefined && end !== undefined ? { start: Math.floor(start / 1000), end: Math.ceil(end / 1000) } : undefined;
  }

  /** Resolves with what arrives for `sn`, or undefined after `ms`. */
  #wait<T>(map: Map<number, (v: T) => void>, sn: number, ms: number): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    return new Promise<T | undefined>((resolve) => {
      map.set(sn, resolve);
      timer = setTimeout(() => resolve(undefined), ms);
    }).finally(() => {
      clearTimeout(timer);
      map.delete(sn);
    });
  }

  close(): void {
    this.#records.close();
    for (const w of this.#answers.values()) w({});
    for (const w of this.#recordWaiters.values()) w({ deviceId: '', sn: 0, sumNum: 0, items: [], complete: false });
  }
}
