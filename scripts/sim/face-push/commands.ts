/**
 * What the terminal does with a command the platform hands out on a poll (seed 003 chapter 4):
 * one handler per service, each answering through `send` with the command's msgID; person
 * operations checked as the seed's error codes say (L3503-3791).
 */
import type { ServiceName } from '../../../protocols/face-push/index.js';
import type { SimPerson, SimRecord } from './terminal.js';

type Msg = Record<string, unknown>;
type Send = (extra: Record<string, string>) => Promise<Msg>;

/** What the commands read and change of the terminal. */
export interface CommandTerminal {
  readonly opts: { tzOffsetMinutes: number };
  readonly persons: Map<string, SimPerson>;
  readonly history: SimRecord[];
  readonly violations: string[];
  readonly personOps: string[];
  readonly state: { opens: number; reboots: number; broadcasts: string[]; clockOffsetMs: number; devInfo: Record<string, string> };
  emit(event: string, ...args: unknown[]): boolean;
}

/** A 1×1 JPEG, small enough for every test message. */
export const TINY_JPEG =
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=';

const PERSON_FIELDS = ['idNumber', 'name', 'validDateStart', 'validDateEnd'];
const DONE = { errorCode: '100', msg: '操作成功' };

/** Apply one person operation (L3503-3791); the seed's error codes on bad input. */
function applyPerson(t: CommandTerminal, p: Record<string, string>): string {
  const op = p.operateType;
  if (op === '3') {
    t.persons.clear();
    return '100';
  }
  // idNumber is a string of at most 32 (L3513): a longer one is a fault of the platform.
  if ((p.idNumber ?? '').length > 32) {
    t.violations.push(`idNumber longer than 32: ${p.idNumber}`);
    return '300';
  }
  if (op === '2') {
    t.persons.delete(p.idNumber ?? '');
    return '100';
  }
  if (op !== '0' && op !== '1') return '300';
  if (PERSON_FIELDS.some((k) => !p[k]) || p.idNumber === '0') return '300';
  // "该编号每个人员唯一" (L3513): an add of a held idNumber, or an update of a missing one, is
  // 人员信息参数非法 (300, §3.2) — the seed names no other code for it.
  if ((op === '0') === t.persons.has(p.idNumber!)) return '300';
  const photo = p.registerPhoto1 ?? '';
  if (!photo && !p.normalNumber) return '300'; // at least one photo or IC card (L3779)
  if (photo && !/^[A-Za-z0-9+/=\r\n]+$/.test(photo)) return '303';
  t.persons.set(p.idNumber!, {
    idNumber: p.idNumber!,
    name: p.name!,
    normalNumber: p.normalNumber ?? '',
    validDateStart: p.validDateStart!,
    validDateEnd: p.validDateEnd!,
    priority: p.priority ?? '0',
    photoBytes: Buffer.from(photo, 'base64').length,
  });
  t.emit('person', op, p.idNumber);
  return '100';
}

async function person(t: CommandTerminal, r: Msg, send: Send): Promise<void> {
  const list = Array.isArray(r.personInfoData) ? (r.personInfoData as Record<string, string>[]) : [];
  const results = list.map((p) => {
    const code = applyPerson(t, p);
    t.personOps.push(`${p.operateType ?? ''}:${p.idNumber ?? ''}:${code}`);
    return code;
  });
  const bad = results.find((x) => x !== '100');
  await send({ errorCode: bad ?? '100', msg: bad ? 'person refused' : '操作成功' });
}

async function setTime(t: CommandTerminal, r: Msg, send: Send): Promise<void> {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})/.exec(String(r.timeStamp ?? ''));
  if (m)
    t.state.clockOffsetMs = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) - t.opts.tzOffsetMinutes * 60_000 - Date.now();
  await send({ errorCode: m ? '100' : '200', msg: m ? '操作成功' : 'bad timeStamp' });
}

/** The persons held, one answer each, every answer acknowledged with its index. */
async function info(t: CommandTerminal, _r: Msg, send: Send): Promise<void> {
  const all = [...t.persons.values()];
  const token = (): string => String(Math.floor(Date.now() / 1000));
  if (all.length === 0) await send({ token: token(), ...DONE, personNum: '0', index: '0' });
  for (const [i, p] of all.entries()) {
    const { idNumber, name, normalNumber, validDateStart, validDateEnd, priority } = p;
    const person = { idNumber, name, normalNumber, validDateStart, validDateEnd, priority };
    const ack = await send({ token: token(), ...DONE, personNum: String(all.length), index: String(i), ...person });
    if (ack.index !== String(i)) t.violations.push(`info ack index ${String(ack.index)} != ${i}`);
  }
}

/** The pass records held that match the query, one answer each. */
async function get(t: CommandTerminal, r: Msg, send: Send): Promise<void> {
  const all = t.history.filter((h) => !r.idNumber || h.idNumber === r.idNumber).filter((h) => !r.name || h.name === r.name);
  if (all.length === 0) await send({ token: '1', ...DONE, recordNum: '0', index: '0' });
  for (const [i, h] of all.entries()) {
    const record = { snapType: h.snapType!, compareResult: h.compareResult!, passTime: h.passTime!, idNumber: h.idNumber!, name: h.name! };
    await send({ token: '1', ...DONE, recordNum: String(all.length), index: String(i), ...record });
  }
}

export const COMMANDS: Record<ServiceName, (t: CommandTerminal, r: Msg, send: Send) => Promise<unknown>> = {
  person,
  open: (t, r, send) => {
    t.state.opens++;
    t.emit('open', String(r.msg ?? ''));
    return send(DONE);
  },
  reboot: (t, _r, send) => {
    t.state.reboots++;
    return send(DONE);
  },
  setTime,
  broadcast: (t, r, send) => {
    t.state.broadcasts.push(String(r.voiceMsg ?? r.displayMsg ?? ''));
    return send(DONE);
  },
  setDevInfo: (t, r, send) => {
    const { msgType: _t, msgID: _m, deviceNo: _d, isOnlineSetDevInfo: _f, ...params } = r as Record<string, string>;
    Object.assign(t.state.devInfo, params);
    return send({ ...DONE, param: JSON.stringify(params) });
  },
  count: (t, _r, send) => send({ ...DONE, personNum: String(t.persons.size) }),
  photo: (_t, _r, send) => send({ ...DONE, photo: TINY_JPEG }),
  clear: (t, _r, send) => {
    t.history.length = 0;
    return send(DONE);
  },
  update: async (_t, _r, send) => {
    await send({ errorCode: '501', msg: '下载中' });
    await send({ errorCode: '100', msg: '升级成功' });
  },
  info,
  get,
};
