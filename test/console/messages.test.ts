/**
 * The console's message catalogue (edge/console/ui/msg-*.js, merged by i18n.js) and the plain
 * language it gives to what drivers and protocols report (plain.js), loaded in Node as the
 * browser loads them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ERRORS } from '../../edge/errors.js';
import { UI_DIR } from '../../edge/console/static.js';
import { ConfigError, parseConfig } from '../../edge/config/load.js';

type Texts = Record<string, string>;
interface Area {
  zh: Texts;
  en: Texts;
}
interface DataType {
  type: string;
  specs?: Record<string, unknown>;
}
interface I18n {
  MESSAGES: Area;
  setLang(l: string): void;
}
interface Plain {
  plainReason(text: string): string;
  answerText(r: { code: number; message: string; errorCode?: string }): string;
  passResultLine(text: string): string;
  alarmKindText(kind: string, title?: string): string;
  alarmDetail(a: { kind: string; message: string; fields?: { name: string; value: string; label?: string }[] }): string;
  driverStateText(state: string): string;
  valueText(dataType: DataType | undefined, v: unknown): string;
  needsConfirm(service: { identifier: string }): boolean;
  ebaReason(reason: string): string;
  configMessage(message: string): string;
  configHint(hint: string): string;
}

const load = async <T>(file: string): Promise<T> => (await import(pathToFileURL(join(UI_DIR, file)).href)) as T;
const AREA_FILES = readdirSync(UI_DIR).filter((f) => /^msg-[a-z-]+\.js$/.test(f));

describe('message catalogue', () => {
  const areas = new Map<string, Area>();
  beforeAll(async () => {
    for (const f of AREA_FILES) areas.set(f, (await load<{ default: Area }>(f)).default);
  });

  it('every area file has the same keys in zh and en, and stays small', () => {
    expect(AREA_FILES.length).toBeGreaterThanOrEqual(8);
    for (const [file, area] of areas) {
      const zh = Object.keys(area.zh).sort();
      const en = Object.keys(area.en).sort();
      expect({ file, missingInEn: zh.filter((k) => !(k in area.en)) }).toEqual({ file, missingInEn: [] });
      expect({ file, missingInZh: en.filter((k) => !(k in area.zh)) }).toEqual({ file, missingInZh: [] });
      for (const k of zh) expect(area.zh[k]!.length > 0 && area.en[k]!.length > 0, `${file} ${k} empty`).toBe(true);
      expect(readFileSync(join(UI_DIR, file), 'utf8').split('\n').length, file).toBeLessThan(300);
    }
  });

  it('no key lives in two area files', () => {
    const home = new Map<string, string>();
    const twice: string[] = [];
    for (const [file, area] of areas)
      for (const k of Object.keys(area.zh)) {
        const other = home.get(k);
        if (other) twice.push(`${k}: ${other} and ${file}`);
        home.set(k, file);
      }
    expect(twice).toEqual([]);
  });

  it('i18n.js merges every area file of the folder', async () => {
    const { MESSAGES } = await load<I18n>('i18n.js');
    for (const [file, area] of areas) for (const k of Object.keys(area.en)) expect(MESSAGES.en[k], `${file} ${k}`).toBe(area.en[k]);
  });

  it('every code of the error catalogue has its text in both languages', async () => {
    const { MESSAGES } = await load<I18n>('i18n.js');
    const missing = Object.keys(ERRORS).filter((code) => !MESSAGES.zh[`err.${code}`] || !MESSAGES.en[`err.${code}`]);
    expect(missing).toEqual([]);
  });
});

describe('plain language', () => {
  let plain: Plain;
  let i18n: I18n;
  beforeAll(async () => {
    // setLang records the language on <html>; a stand-in is enough outside a browser.
    (globalThis as { document?: unknown }).document ??= { documentElement: {} };
    i18n = await load<I18n>('i18n.js');
    plain = await load<Plain>('plain.js');
  });
  const inBoth = (fn: () => string): { zh: string; en: string } => {
    i18n.setLang('zh');
    const zh = fn();
    i18n.setLang('en');
    const en = fn();
    i18n.setLang('zh');
    return { zh, en };
  };

  it('BACnet error classes and codes by their standard names (both message forms of the box)', () => {
    expect(inBoth(() => plain.plainReason('point ai1: device error class 1 code 31 on analog-input:1'))).toEqual({
      zh: 'point ai1: BACnet 设备错误：对象 · 对象不存在 on analog-input:1',
      en: 'point ai1: BACnet device error: object · unknown object on analog-input:1',
    });
    expect(inBoth(() => plain.plainReason('BACnet error property/write-access-denied (class 2, code 40)')).en).toBe(
      'BACnet device error: property · write access denied',
    );
    expect(inBoth(() => plain.plainReason('device error class 2 code 37')).zh).toBe('BACnet 设备错误：属性 · 数值超出范围');
    expect(inBoth(() => plain.plainReason('device error class 7 code 99')).en).toBe('BACnet device error: communication · code 99');
  });

  it('Modbus exceptions and door-standard answer codes in words', () => {
    expect(inBoth(() => plain.plainReason('unit 1: modbus exception 2 (ILLEGAL DATA ADDRESS) to function 0x03'))).toEqual({
      zh: 'unit 1: Modbus 异常 2：非法数据地址（寄存器不存在）',
      en: 'unit 1: Modbus exception 2: illegal data address (no such register)',
    });
    expect(inBoth(() => plain.plainReason('modbus exception 11 (GATEWAY TARGET DEVICE FAILED TO RESPOND) to function 0x04')).en).toBe(
      'Modbus exception 11: gateway target device failed to respond',
    );
    expect(inBoth(() => plain.plainReason('/device/remoteOpen answered code 5: parameter error')).zh).toBe(
      '/device/remoteOpen 门禁设备应答 5：参数错误',
    );
    // The box's own reasons, a driver's exit code among a message.
    expect(inBoth(() => plain.plainReason('driver down: stopped'))).toEqual({ zh: '驱动已停止运行：stopped', en: 'driver down: stopped' });
    expect(plain.plainReason('driver stopped by the box (redeploy or restart)')).toBe('驱动被盒子停止（重新部署或重启）');
    expect(plain.plainReason('uncaught exception: listen EADDRINUSE (exited with code 1)')).toBe(
      'uncaught exception: listen EADDRINUSE (进程退出，退出码 1)',
    );
    // A text with no protocol code in it stays as it was.
    expect(plain.plainReason('listen EADDRINUSE: address already in use 127.0.0.1:9000')).toBe(
      'listen EADDRINUSE: address already in use 127.0.0.1:9000',
    );
  });

  it('door pass results, alarm kinds and driver states in the chosen language', () => {
    expect(inBoth(() => plain.passResultLine('103 QR code does not exist'))).toEqual({
      zh: '二维码不存在 (103)',
      en: 'QR code does not exist (103)',
    });
    expect(inBoth(() => plain.passResultLine('505 Face matching similarity is less than the threshold')).zh).toBe(
      '人脸匹配的相似度低于阈值 (505)',
    );
    expect(inBoth(() => plain.alarmKindText('refused.face'))).toEqual({ zh: '通行被拒（人脸）', en: 'Pass refused (face)' });
    expect(inBoth(() => plain.alarmKindText('device.offline')).en).toBe('Device offline');
    expect(plain.alarmKindText('doorForced', '门被撬')).toBe('门被撬');
    expect(
      plain.alarmDetail({
        kind: 'doorAlarm',
        message: '{"alarmType":1}',
        fields: [{ name: '报警类型', value: '1', label: '门被撬' }],
      }),
    ).toBe('报警类型: 门被撬 (1)');
    expect(inBoth(() => plain.alarmDetail({ kind: 'refused.qrCode', message: '103 QR code does not exist' })).zh).toBe(
      '二维码不存在 (103)',
    );
    expect(inBoth(() => plain.driverStateText('failed'))).toEqual({ zh: '故障', en: 'failed' });
    expect(plain.driverStateText('someNewState')).toBe('someNewState');
  });

  it('answers as OK or failed with the catalogue reason, values with their thing-model labels', () => {
    expect(inBoth(() => plain.answerText({ code: 200, message: 'success' }))).toEqual({ zh: '成功', en: 'OK' });
    expect(
      inBoth(() =>
        plain.answerText({ code: 6101, message: 'device PEDemoMeter/meter-01 is offline', errorCode: 'EDGE_ERR_DEVICE_OFFLINE' }),
      ),
    ).toEqual({
      zh: '失败：设备离线 — device PEDemoMeter/meter-01 is offline',
      en: 'failed: Device offline — device PEDemoMeter/meter-01 is offline',
    });
    expect(inBoth(() => plain.answerText({ code: 6302, message: 'device error class 1 code 31' })).en).toBe(
      'failed: BACnet device error: object · unknown object',
    );
    expect(plain.valueText({ type: 'enum', specs: { '0': '关闭', '1': '打开' } }, 1)).toBe('打开 (1)');
    expect(plain.valueText({ type: 'bool', specs: { '0': 'off', '1': 'on' } }, 0)).toBe('off (0)');
    expect(plain.valueText({ type: 'float', specs: { unit: 'V' } }, 229.5)).toBe('229.5');
    expect(plain.valueText({ type: 'enum', specs: { '0': 'a' } }, 9)).toBe('9');
  });

  it('services that change or reset things ask first; queries run at once', () => {
    for (const id of ['remoteOpen', 'ResetEnergy', 'reboot', 'clearRecords', 'setKeepOpen', 'SyncFacePictures', 'upgrade', 'faceRemove'])
      expect(plain.needsConfirm({ identifier: id }), id).toBe(true);
    for (const id of [
      'getRunState',
      'QueryElevatorStatus',
      'fetchRecords',
      'channelStatusQuery',
      'faceGroupDetail',
      'faceSearch',
      'listUsers',
    ])
      expect(plain.needsConfirm({ identifier: id }), id).toBe(false);
  });

  it('EBA row reasons of edge/eba in the chosen language, unknown ones as they came', () => {
    const cases: [string, string][] = [
      ['required', '必填'],
      ['must be a whole number 1..247', '须为 1 到 247 之间的整数'],
      ['must be a hexadecimal register address 0x0000..0xFFFF', '须为十六进制寄存器地址 0x0000..0xFFFF'],
      ['duplicate: already used on row 4', '重复：第 4 行已使用'],
      ['unknown channel: not in the channel sheet', '未知通道：通道表中没有'],
      ['unknown point: not in the point sheet (or its row has errors)', '未知点位：点位表中没有（或该行有错误）'],
      ['property not in the thing model PEDemoMeter', '物模型 PEDemoMeter 中没有该属性'],
      ['unknown data type; use one of: int16, uint16', '未知的取值，可选：int16, uint16'],
      ['a float32 point feeds a number, bool or enum property, Name is text', 'float32 点位对应数值、布尔或枚举属性，Name 是 text'],
    ];
    for (const [reason, zh] of cases) expect(plain.ebaReason(reason)).toBe(zh);
    expect(inBoth(() => plain.ebaReason('required column is missing')).en).toBe('required column is missing (the other template type?)');
    expect(plain.ebaReason('something new')).toBe('something new');
  });

  it("the config checker's messages for common mistakes are all put into words", () => {
    const problemsOf = (text: string): { message: string; hint: string }[] => {
      try {
        parseConfig(text);
      } catch (err) {
        if (err instanceof ConfigError) return err.problems;
        throw err;
      }
      throw new Error('config accepted');
    };
    const broken = [
      'drivers: [ {',
      '- a list',
      'drivers:\n  - { name: a, type: demo-sim, typo: 1, devices: [] }',
      'drivers:\n  - { name: 7, type: demo-sim, devices: [] }',
      'drivers:\n  - { type: demo-sim, devices: [] }',
      'drivers:\n  - { name: "", type: demo-sim, devices: [] }',
      'drivers:\n  - { name: a, type: demo-sim, devices: {} }',
      'http: { port: 70000 }',
      'log: { level: loud }',
      'drivers: 5',
    ];
    const messages = broken.flatMap((text) => problemsOf(text).map((p) => p.message));
    expect(messages.length).toBeGreaterThanOrEqual(broken.length);
    i18n.setLang('zh');
    const untranslated = messages.filter((m) => plain.configMessage(m) === m);
    expect(untranslated).toEqual([]);
    expect(plain.configMessage('Expected required property')).toBe('缺少必填项');
    expect(plain.configMessage('Expected integer')).toBe('应为整数');
    expect(plain.configMessage('something the console does not know')).toBe('something the console does not know');
    // Their hints too, with the driver's own description kept inside.
    // (A hint that is only a core schema's own description is English-only data, shown as written.)
    const descriptions = new Set(['instance name, Vendor_Model_Domain_Function']);
    const hints = broken.flatMap((text) => problemsOf(text).map((p) => p.hint)).filter((h) => !descriptions.has(h));
    expect(hints.length).toBeGreaterThanOrEqual(broken.length - 1);
    expect(hints.filter((h) => plain.configHint(h) === h)).toEqual([]);
    expect(plain.configHint('give each listener its own port')).toBe('每个监听需使用自己的端口');
    expect(plain.configHint('a whole number from 1 to 65535 (the port)')).toBe('1 到 65535 之间的整数 (the port)');
    expect(plain.configHint('see docs/console.md, History')).toBe('参见 docs/console.md, History');
    expect(inBoth(() => plain.configHint('add this field')).en).toBe('add this field');
    expect(plain.configHint('a hint the console does not know')).toBe('a hint the console does not know');
  });
});
