import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseThingModel, tslJson } from '../../edge/thing/tsl.js';
import { alarmOf, buildAlarmResponse, gbTime, gbTimeMs, isMotion } from '../../protocols/gb28181/alarm.js';
import { PageCollector, type Paged } from '../../protocols/gb28181/catalog.js';
import { buildControl, controlOf, expectsResponse, resultOf } from '../../protocols/gb28181/control.js';
import { decodeBody, parseManscdp } from '../../protocols/gb28181/manscdp.js';
import { decodePtz, ptzFrame, ptzMove, ptzPreset } from '../../protocols/gb28181/ptz.js';
import { buildRecordInfoQuery, recordPage, type RecordItem } from '../../protocols/gb28181/records.js';

const fieldsOf = (xml: string) => {
  const m = parseManscdp(xml);
  if (!m.ok || !('other' in m.value)) throw new Error('not an other-MANSCDP');
  return m.value;
};

describe('PTZCmd (GB/T 28181-2016 A.3)', () => {
  // Frames as platforms send them (address 01): stop, up at FA, left at 1F, call preset 1.
  it.each([
    ['stop', ptzMove('stop', 'none', 200), 'A50F0100000000B5'],
    ['up, tilt speed FA', ptzFrame(0x08, 0x00, 0xfa, 0), 'A50F010800FA00B7'],
    ['left, pan speed 1F', ptzFrame(0x02, 0x1f, 0x00, 0), 'A50F01021F0000D6'],
    ['call preset 1', ptzPreset('call', 1), 'A50F018200010038'],
  ])('%s', (_name, got, want) => {
    expect(got).toBe(want);
  });

  it('byte 2 is version 0 with check digit F; byte 8 is the sum of bytes 1-7 mod 256', () => {
    const hex = ptzMove('upRight', 'in', 0x80, 5);
    const b = [...Buffer.from(hex, 'hex')];
    expect(b[0]).toBe(0xa5);
    expect(b[1]).toBe(0x0f);
    expect(b[3]).toBe(0x10 | 0x08 | 0x01);
    expect([b[4], b[5], b[6]]).toEqual([0x80, 0x80, 0x50]);
    expect(b[7]).toBe(b.slice(0, 7).reduce((s, x) => s + x, 0) % 256);
  });

  it('a 12-bit address puts its high bits in byte 7', () => {
    const b = [...Buffer.from(ptzFrame(0x01, 1, 1, 3, 0x123), 'hex')];
    expect(b[2]).toBe(0x23);
    expect(b[6]).toBe(0x31);
  });

  it('decodes what it encodes and refuses broken frames', () => {
    expect(decodePtz(ptzMove('downLeft', 'out', 40, 2))).toEqual({
      ok: true,
      value: { kind: 'move', direction: 'downLeft', zoom: 'out', panSpeed: 40, tiltSpeed: 40, zoomSpeed: 2, address: 1 },
    });
    expect(decodePtz(ptzPreset('delete', 7))).toEqual({ ok: true, value: { kind: 'preset', action: 'delete', index: 7, address: 1 } });
    expect(decodePtz('A50F0100000000B6')).toMatchObject({ ok: false, reason: expect.stringMatching(/checksum/) });
    expect(decodePtz('A50E0100000000B4')).toMatchObject({ ok: false, reason: expect.stringMatching(/check digit/) });
    expect(decodePtz('A50F01')).toMatchObject({ ok: false });
  });

  it('clamps preset numbers to 1-255 and speeds to 0-255', () => {
    expect(decodePtz(ptzPreset('set', 999))).toMatchObject({ value: { index: 255 } });
    expect(decodePtz(ptzMove('up', 'none', 999))).toMatchObject({ value: { panSpeed: 255 } });
  });
});

describe('DeviceControl bodies (A.2.3.1)', () => {
  it('builds a Control body the parser reads back', () => {
    const body = buildControl('34020000001320000001', 17, { PTZCmd: 'A50F0100000000B5' });
    const m = fieldsOf(decodeBody(body));
    expect(m).toMatchObject({ root: 'Control', cmd: 'DeviceControl', sn: 17, deviceId: '34020000001320000001' });
    expect(controlOf(m.fields)).toEqual({ PTZCmd: 'A50F0100000000B5' });
    expect(m.fields.Info).toEqual({ ControlPriority: '5' });
    for (const c of [{ RecordCmd: 'StopRecord' }, { GuardCmd: 'SetGuard' }, { TeleBoot: 'Boot' }] as const)
      expect(controlOf(fieldsOf(decodeBody(buildControl('34020000001320000001', 1, c))).fields)).toEqual(c);
  });

  it('only record and guard wait for a Response; Result OK/ERROR is read case-insensitively', () => {
    expect(expectsResponse({ PTZCmd: 'x' })).toBe(false);
    expect(expectsResponse({ TeleBoot: 'Boot' })).toBe(false);
    expect(expectsResponse({ RecordCmd: 'Record' })).toBe(true);
    expect(resultOf({ Result: ' ok ' })).toBe('OK');
    expect(resultOf({ Result: 'ERROR' })).toBe('ERROR');
    expect(resultOf({})).toBeUndefined();
  });
});

describe('Alarm notifications (A.2.5.4)', () => {
  // The standard's example layout (A.2.5.4), a video alarm of type motion detection.
  const xml = `<?xml version="1.0" encoding="GB2312"?>
<Notify>
<CmdType>Alarm</CmdType>
<SN>1</SN>
<DeviceID>34020000001340000001</DeviceID>
<AlarmPriority>1</AlarmPriority>
<AlarmMethod>5</AlarmMethod>
<AlarmTime>2009-12-04T16:23:32</AlarmTime>
<AlarmDescription>motion</AlarmDescription>
<Info><AlarmType>2</AlarmType></Info>
</Notify>`;

  it('reads priority, method, type, time; motion is method 5 type 2', () => {
    const m = fieldsOf(xml);
    const a = alarmOf(m.deviceId, m.sn, m.fields);
    expect(a).toEqual({
      ok: true,
      value: {
        deviceId: '34020000001340000001',
        sn: 1,
        priority: 1,
        method: 5,
        type: 2,
        time: '2009-12-04T16:23:32',
        description: 'motion',
      },
    });
    if (a.ok) expect(isMotion(a.value)).toBe(true);
    const device = alarmOf('x', 1, { AlarmMethod: '2', Info: { AlarmType: '2' } });
    expect(device.ok && isMotion(device.value)).toBe(false);
  });

  it('refuses an alarm without a method; bad priority falls back to 4, bad time to empty', () => {
    expect(alarmOf('x', 1, {})).toMatchObject({ ok: false });
    expect(alarmOf('x', 1, { AlarmMethod: '6', AlarmPriority: '9', AlarmTime: 'yesterday' })).toMatchObject({
      ok: true,
      value: { priority: 4, time: '', type: 0 },
    });
  });

  it('answers with a Response CmdType Alarm, Result OK and the same SN', () => {
    const r = fieldsOf(decodeBody(buildAlarmResponse('34020000001340000001', 9)));
    expect(r).toMatchObject({ root: 'Response', cmd: 'Alarm', sn: 9 });
    expect(r.fields.Result).toBe('OK');
  });

  it('GB local times are UTC+8', () => {
    expect(gbTimeMs('2009-12-04T16:23:32')).toBe(Date.UTC(2009, 11, 4, 8, 23, 32));
    expect(gbTime(Date.UTC(2009, 11, 4, 8, 23, 32))).toBe('2009-12-04T16:23:32');
    expect(gbTimeMs('nope')).toBeUndefined();
  });
});

describe('RecordInfo (A.2.4.5, A.2.6.6)', () => {
  it('builds the query with times, Secrecy and Type', () => {
    const q = fieldsOf(
      decodeBody(
        buildRecordInfoQuery('34020000001310000001', 3, { startTime: '2024-01-01T00:00:00', endTime: '2024-01-02T00:00:00', type: 'all' }),
      ),
    );
    expect(q).toMatchObject({ root: 'Query', cmd: 'RecordInfo', sn: 3 });
    expect(q.fields).toMatchObject({ StartTime: '2024-01-01T00:00:00', EndTime: '2024-01-02T00:00:00', Secrecy: '0', Type: 'all' });
  });

  it('reads a page; items without times are left out', () => {
    const xml = `<Response><CmdType>RecordInfo</CmdType><SN>3</SN><DeviceID>34020000001310000001</DeviceID><Name>Camera1</Name><SumNum>3</SumNum>
<RecordList Num="2"><Item><DeviceID>34020000001310000001</DeviceID><Name>Camera1</Name><FilePath>/r/1.mp4</FilePath><StartTime>2024-01-01T08:00:00</StartTime><EndTime>2024-01-01T09:00:00</EndTime><Secrecy>0</Secrecy><Type>time</Type><FileSize>1024</FileSize></Item>
<Item><Name>broken</Name></Item></RecordList></Response>`;
    const p = recordPage(fieldsOf(xml).fields);
    expect(p.sumNum).toBe(3);
    expect(p.items).toEqual([
      {
        deviceId: '34020000001310000001',
        name: 'Camera1',
        filePath: '/r/1.mp4',
        startTime: '2024-01-01T08:00:00',
        endTime: '2024-01-01T09:00:00',
        type: 'time',
        fileSize: 1024,
      },
    ]);
  });

  it('collects pages until SumNum, counting a repeated page once', () => {
    const done: Paged<RecordItem>[] = [];
    const c = new PageCollector<RecordItem>(
      60_000,
      (p) => done.push(p),
      (r) => r.startTime,
    );
    const item = (h: number): RecordItem => ({
      deviceId: 'd',
      name: 'n',
      startTime: `2024-01-01T0${h}:00:00`,
      endTime: `2024-01-01T0${h}:30:00`,
    });
    expect(c.page('d', 5, 2, [item(1)])).toBe(false);
    expect(c.page('d', 5, 2, [item(1)])).toBe(false);
    expect(c.page('d', 5, 2, [item(2)])).toBe(true);
    expect(done).toEqual([{ deviceId: 'd', sn: 5, sumNum: 2, items: [item(1), item(2)], complete: true }]);
    expect(c.page('d', 6, 0, [])).toBe(true);
    c.close();
  });
});

describe('thing models', () => {
  it('PEGbCamera and PEGbNvr parse and name the services and events of docs/video.md', () => {
    const cam = parseThingModel(JSON.parse(readFileSync('config/tsl/PEGbCamera.json', 'utf8')));
    const nvr = parseThingModel(JSON.parse(readFileSync('config/tsl/PEGbNvr.json', 'utf8')));
    const ids = (m: typeof cam) => ({ s: tslJson(m).services.map((s) => s.identifier), e: tslJson(m).events.map((e) => e.identifier) });
    expect(ids(cam).s).toEqual(
      expect.arrayContaining([
        'queryCatalog',
        'ptz',
        'preset',
        'record',
        'guard',
        'reboot',
        'queryRecordings',
        'startLivePush',
        'stopLivePush',
        'startPlayback',
        'snapshot',
      ]),
    );
    expect(ids(cam).e.sort()).toEqual(['alarm', 'motion', 'streamFailed']);
    expect(ids(nvr).s).toEqual(expect.arrayContaining(['reboot', 'guard', 'record']));
  });
});
