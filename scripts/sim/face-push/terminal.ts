/**
 * A face terminal speaking the push/poll protocol (seed 003), device side: it registers with
 * its signed message, beats, polls every service the platform enables at the interval the
 * platform assigns, executes the command it is handed, reports the result with the command's
 * msgID, and uploads pass records, keeping them until the platform confirms (断网重传, L4520).
 * Every platform reply is checked: a JSON null or a non-string value is a protocol violation
 * (L31-35) and is recorded in `violations`.
 */
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import {
  DEFAULT_HEARTBEAT_S,
  PATHS,
  SERVICES,
  SERVICE_NAMES,
  formatPassTime,
  postToPlatform,
  registerSign,
  type ServiceName,
} from '../../../protocols/face-push/index.js';
import { COMMANDS, TINY_JPEG } from './commands.js';

export { TINY_JPEG } from './commands.js';

export interface PushTerminalOptions {
  deviceNo: string;
  /** The push address set on the terminal: `http://ip:port[/path]` (L21). */
  platformUrl: string;
  tzOffsetMinutes?: number;
  /** Retry delay after a failed register. */
  retryMs?: number;
  softwareVersion?: string;
}

export interface SimPerson {
  idNumber: string;
  name: string;
  normalNumber: string;
  validDateStart: string;
  validDateEnd: string;
  priority: string;
  photoBytes: number;
}

export interface SimRecord extends Record<string, string> {
  msgID: string;
}

export class SimulatedPushTerminal extends EventEmitter {
  readonly opts: Required<PushTerminalOptions>;
  readonly persons = new Map<string, SimPerson>();
  /** Records not yet confirmed by the platform. */
  readonly outbox: SimRecord[] = [];
  readonly history: SimRecord[] = [];
  readonly violations: string[] = [];
  readonly state = {
    registered: false,
    opens: 0,
    reboots: 0,
    broadcasts: [] as string[],
    clockOffsetMs: 0,
    devInfo: {} as Record<string, string>,
    commands: [] as string[],
    polls: 0,
  };
  /** Every person operation received, as `operateType:idNumber:errorCode` answered. */
  readonly personOps: string[] = [];
  /** Services whose commands are taken but never answered (a terminal that hangs or loses them). */
  readonly mute = new Set<ServiceName>();
  registerResp: Record<string, string> = {};
  #timers: NodeJS.Timeout[] = [];
  #running = false;
  #msgSeq = 1000;

  constructor(opts: PushTerminalOptions) {
    super();
    this.opts = { tzOffsetMinutes: 480, retryMs: 2000, softwareVersion: '2.1.9 2020-02-13', ...opts };
  }

  async #post(path: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const reply = await postToPlatform(this.opts.platformUrl, path, body);
    this.#check(path, reply);
    return reply;
  }

  #check(path: string, o: Record<string, unknown>, where = ''): void {
    for (const [k, v] of Object.entries(o)) {
      if (k === 'personInfoData' && Array.isArray(v))
        for (const [i, e] of v.entries()) this.#check(path, e as Record<string, unknown>, `${k}[${i}].`);
      else if (typeof v !== 'string') this.violations.push(`${path}: ${where}${k} is ${v === null ? 'null' : typeof v}`);
    }
  }

  /** Power on: register, then beat and poll at the platform's intervals. */
  async start(): Promise<void> {
    this.#running = true;
    for (;;) {
      const r = await this.register().catch((err: Error) => ({ errorCode: `error ${err.message}` }) as Record<string, string>);
      if (r.errorCode === '100') break;
      if (!this.#running) return;
      await new Promise((res) => setTimeout(res, this.opts.retryMs));
    }
    this.#schedule();
    // "如开启该服务，设备开机上报一次" (L2026)
    if (this.registerResp.getDevInfoService === '1') await this.uploadDevInfo().catch(() => undefined);
    await this.flushRecords().catch(() => undefined);
  }

  /** Power off / network gone: nothing more is sent; records stay in the outbox. */
  stop(): void {
    this.#running = false;
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    this.state.registered = false;
  }

  async register(
    registerTime = String(Math.floor(Date.now() / 1000)),
    rand = randomBytes(16).toString('hex'),
    sign?: string,
  ): Promise<Record<string, string>> {
    const no = this.opts.deviceNo;
    const body = {
      msgType: 'register',
      deviceNo: no,
      registerTime,
      rand,
      protocolVersion: 'V1.0',
      hardwareVersion: 'A2',
      softwareVersion: this.opts.softwareVersion,
      algVersion: '1.0.2-1.2.0',
      sign: sign ?? registerSign(no, registerTime, rand),
    };
    const r = (await this.#post(PATHS.register, body)) as Record<string, string>;
    if (r.errorCode === '100') {
      this.registerResp = r;
      this.state.registered = true;
      if (r.registerTime) this.state.clockOffsetMs = Number(r.registerTime) - Date.now(); // one clock sync (L622-630)
    }
    return r;
  }

  #enabled(service: ServiceName): boolean {
    const sw = this.registerResp[SERVICES[service].switch];
    // personService and recordService are on by default, the others off (L341-530).
    return sw === undefined ? service === 'person' : sw === '1';
  }

  #intervalS(key: string, dflt: number): number {
    const n = Number(this.registerResp[`${key}Interval`]);
    return Number.isFinite(n) && n > 0 ? n : dflt;
  }

  #schedule(): void {
    const every = (s: number, fn: () => Promise<unknown>) => {
      let busy = false;
      const t = setInterval(() => {
        if (busy || !this.#running) return;
        busy = true;
        fn()
          .catch((err: Error) => this.#failed(err))
          .finally(() => (busy = false));
      }, s * 1000);
      this.#timers.push(t);
    };
    if (this.registerResp.heatbeatService === '1') every(this.#intervalS('heatbeatService', DEFAULT_HEARTBEAT_S), () => this.heartbeat());
    for (const s of SERVICE_NAMES)
      if (this.#enabled(s)) every(this.#intervalS(SERVICES[s].switch, SERVICES[s].defaultIntervalS), () => this.poll(s));
    every(5, () => this.flushRecords());
  }

  /** A failed exchange (platform down, network gone): kept as `lastError`, reported to 'error' listeners only. */
  lastError: Error | undefined;
  #failed(err: Error): void {
    this.lastError = err;
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  async heartbeat(): Promise<Record<string, unknown>> {
    return this.#post(PATHS.heartbeat, { msgType: 'keepAlive', deviceNo: this.opts.deviceNo });
  }

  async uploadDevInfo(): Promise<Record<string, unknown>> {
    return this.#post(PATHS.uploadDevInfo, {
      msgType: 'uploadDevInfo',
      deviceNo: this.opts.deviceNo,
      version: 'V1.0',
      ntpEnable: '1',
      ntpCycle: '24',
      ntpAddress: 'ntp1.aliyun.com',
      irLiveLevel: '0',
      recogDistance: '4',
      devicePassword: '123456',
      voiceVolume: '5',
      ...this.state.devInfo,
    });
  }

  /** One poll of `service`; runs the command if one is handed out. Returns the platform's answer. */
  async poll(service: ServiceName): Promise<Record<string, unknown>> {
    const svc = SERVICES[service];
    this.state.polls++;
    const r = await this.#post(svc.path, { msgType: svc.req, deviceNo: this.opts.deviceNo, version: 'V1.0' });
    if (r[svc.flag] !== '1') return r;
    this.state.commands.push(service);
    if (this.mute.has(service)) return r;
    const msgID = String(r.msgID ?? '');
    const send = (extra: Record<string, string>) =>
      this.#post(svc.path, { msgType: svc.resp, msgID, deviceNo: this.opts.deviceNo, ...extra });
    await COMMANDS[service](this, r, send);
    this.emit('command', service, r);
    return r;
  }

  /** A pass at the terminal: a registered face (by idNumber), a stranger, or a card. */
  pass(opts: { idNumber?: string; card?: string; compareResult?: string; temperature?: string; photo?: string } = {}): SimRecord {
    const p = opts.idNumber ? this.persons.get(opts.idNumber) : undefined;
    const snapType = opts.card ? (p ? '4' : '5') : p ? '0' : '3';
    const rec: SimRecord = {
      msgType: 'uploadRecord',
      msgID: String(this.#msgSeq++),
      version: 'V1.0',
      deviceNo: this.opts.deviceNo,
      snapType,
      compareResult: opts.compareResult ?? (p ? '0' : '1'),
      passTime: formatPassTime(Date.now() + this.state.clockOffsetMs, this.opts.tzOffsetMinutes),
      idNumber: p?.idNumber ?? '',
      name: p?.name ?? '',
      sex: '',
      birth: '',
      company: '',
      department: '',
      phone: '',
      validDateStart: p?.validDateStart ?? '',
      validDateEnd: p?.validDateEnd ?? '',
      visitorVoiceText: '欢迎光临',
      inOutMode: '1',
      recognitionPhoto: opts.photo ?? TINY_JPEG,
      comparePhoto: '',
      temperature: opts.temperature ?? '36.5',
      temperatureResult: '1',
      normalNumber: opts.card ?? '',
      offLineRecordNum: '0',
    };
    this.outbox.push(rec);
    this.history.push(rec);
    return rec;
  }

  /** Upload pending records; a record leaves the outbox only on errorCode 100 with its own msgID (L4817-4821). */
  async flushRecords(): Promise<number> {
    let sent = 0;
    while (this.outbox.length > 0 && this.#running) {
      const rec = this.outbox[0]!;
      const r = await this.#post(PATHS.record, { ...rec, offLineRecordNum: String(this.outbox.length - 1) });
      if (r.errorCode !== '100' || r.msgID !== rec.msgID) break;
      this.outbox.shift();
      sent++;
    }
    return sent;
  }
}
