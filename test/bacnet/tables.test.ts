/**
 * BACnetV3 tables through the shared EBA machinery: a workbook in the seed's columns imports,
 * becomes tables the driver loads, exports and imports again unchanged; a broken workbook
 * applies nothing and names each error on its row. And `edge discover bacnet` against
 * simulated devices, plus the protocol pieces (batch sizes against the library's own
 * encoder, value conversion, the send guard).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ReadPropertyMultiple } from '@bacnet-js/client/dist/lib/services/index.js';
import { loadTables } from '../../drivers/bacnet-v3/config.js';
import { modelsFor } from '../../edge/eba/apply.js';
import { rowsFromDevices } from '../../edge/eba/devices-table.js';
import { PROFILES } from '../../edge/eba/profiles/index.js';
import { validateWorkbook, type RawSheet } from '../../edge/eba/validate.js';
import { readXlsx, writeXlsx } from '../../edge/eba/workbook-io.js';
import { discoverCommand } from '../../edge/cli/discover.js';
import { planBatches, resultSize } from '../../protocols/bacnet/batch.js';
import { decodeValue, encodeValue } from '../../protocols/bacnet/values.js';
import { UdpTransport } from '../../protocols/bacnet/transport.js';
import type { SimDevice } from '../../scripts/sim/bacnet/device.js';
import { freePort, startSim } from './helpers.js';

const profile = PROFILES.get('bacnet-v3')!;
const models = modelsFor(undefined);
const sheet = (name: string, headers: string[], rows: string[][]): RawSheet => ({
  name,
  headers,
  rows: rows.map((cells, i) => ({ row: i + 2, cells })),
});
const CH = ['通道编号', '传输方式', '网卡名称', '设备ID', '上报周期', '离线判定周期', '通信方式', '最大报文长度', '地址', '通道备注'];
const PT = ['链接通道', '点位编号', '对象类型', '对象ID', '属性ID', '数据类型', '是否变更上报', '写入优先级', '点位备注'];
const DEV = ['IoT 设备ID', 'IoT 设备中文名称', '设备品类', '功能名称', '标识符', '点位编号'];

function workbook(): RawSheet[] {
  return [
    sheet('通道配置表', CH, [
      ['1', 'UDP', 'enp95s0f0', '5533', '5000', '', '非定向', '', '', '2号楼空调'],
      ['2', 'UDP', 'enp95s0f0', '5534', '2000', '30000', '定向', '480', '192.168.10.21:47808', ''],
    ]),
    sheet('点位表', PT, [
      ['1', 'HW-1-T', '模拟量输入', '1', 'present-value', 'float', '是', '', '回风温度'],
      ['1', 'HW-1-SP', 'analog-value', '2', '85', 'float', '否', '8', ''],
      ['1', 'HW-1-FAN', '二进制输出', '3', '当前值', 'bool', '是', '', ''],
      ['2', 'HW-2-MODE', '多态值', '4', 'present-value', 'enum', '否', '', ''],
    ]),
    sheet('设备表', DEV, [
      ['HW-PUC5533-BACnet-001', '2号楼1层空调', 'tpHw01', '温度', 'Temperature', 'HW-1-T'],
      ['HW-PUC5533-BACnet-001', '2号楼1层空调', 'tpHw01', '温度设定值', 'SetPoint', 'HW-1-SP'],
      ['HW-PUC5533-BACnet-001', '2号楼1层空调', 'tpHw01', '风机启停', 'FanRunning', 'HW-1-FAN'],
      ['HW-PUC5533-BACnet-002', '', 'tpHw01', '运行模式', 'Mode', 'HW-2-MODE'],
    ]),
  ];
}

describe('BACnetV3 point tables', () => {
  it('imports the seed columns, loads in the driver, and round-trips through export', async () => {
    const first = validateWorkbook(profile, workbook(), models);
    expect(first.problems).toEqual([]);
    expect(first.counts).toEqual({ channels: 2, points: 4, devices: 2, mappings: 4 });
    expect(first.channels[0]).toMatchObject({ id: '1', mode: 'broadcast', deviceId: 5533 });
    const tables = profile.toDriverTables(first.channels, first.points) as { channels: { offlineMs: number }[] };
    expect(tables.channels[0]!.offlineMs).toBe(50_000); // 上报周期 × 10 by default
    const loaded = loadTables(tables, '/nonexistent');
    expect(loaded.points.find((p) => p.id === 'HW-1-SP')).toMatchObject({
      objectType: 2,
      instance: 2,
      property: 85,
      cov: false,
      priority: 8,
    });
    const out = join(mkdtempSync(join(tmpdir(), 'bacnet-eba-')), 'back.xlsx');
    const back = profile.fromDriverTables(tables);
    await writeXlsx(out, profile, { ...back, devices: rowsFromDevices(first.devices, () => undefined) });
    const second = validateWorkbook(profile, await readXlsx(out), models);
    expect(second.problems).toEqual([]);
    expect(profile.toDriverTables(second.channels, second.points)).toEqual(tables);
    expect(second.devices).toEqual(first.devices);
    expect(PROFILES.get('modbus-v3')?.channels.sheet).toBe('通道配置表'); // Modbus still there
  });

  it('applies nothing from a broken workbook and reports each error on its row', () => {
    const wb = workbook();
    const ch = wb[0]!.rows;
    ch[1]!.cells[8] = '192.168.10.21'; // 定向 without a port
    ch.push({ row: 4, cells: ['3', 'TCP', 'eth0', '1', '1000', '', '定向', '', '', ''] }); // TCP, no address
    ch.push({ row: 5, cells: ['4', 'UDP', 'eth0', '4194304', '1000', '500', '非定向', '1476', '', ''] }); // id too big, offline < report, APDU for broadcast
    const pt = wb[1]!.rows;
    pt[2]!.cells[5] = 'double'; // binary present value as double
    pt.push({ row: 6, cells: ['9', 'HW-9', '模拟量输入', '1', '85', 'float', '是', '', ''] }); // unknown channel
    pt.push({ row: 7, cells: ['1', 'HW-1-T', '模拟量输入', '1', '85', 'float', '是', '', ''] }); // duplicate
    pt.push({ row: 8, cells: ['1', 'HW-8', '冷机', '1', '85', 'float', '否', '17', ''] }); // unknown type, priority 17
    wb[2]!.rows[3]!.cells[5] = 'HW-NOPE';
    const r = validateWorkbook(profile, wb, models);
    expect(r.ok).toBe(false);
    expect(r.channels).toEqual([]);
    const at = r.problems.map((p) => `${p.sheet}:${p.row}:${p.column}`);
    expect(at).toEqual(
      expect.arrayContaining([
        '通道配置表:3:地址',
        '通道配置表:4:传输方式',
        '通道配置表:5:设备ID',
        '点位表:4:数据类型',
        '点位表:6:链接通道',
        '点位表:7:点位编号',
        '点位表:8:对象类型',
        '点位表:8:写入优先级',
        '设备表:5:点位编号',
      ]),
    );
    const tcp = validateWorkbook(
      profile,
      [sheet('通道配置表', CH, [['3', 'UDP', 'eth0', '1', '1000', '', '定向', '', '', '']]), wb[1]!, wb[2]!],
      models,
    );
    expect(tcp.problems.find((p) => p.sheet === '通道配置表')).toMatchObject({
      row: 2,
      column: '地址',
      reason: expect.stringMatching(/定向 needs/),
    });
  });
});

describe('BACnet protocol pieces', () => {
  it('plans RPM batches whose encoded answer fits the max APDU', () => {
    const refs = Array.from({ length: 300 }, (_, i) => ({
      key: String(i),
      objectType: i % 3 === 0 ? 0 : 19,
      instance: i,
      property: i % 2 ? 85 : 111,
      dataType: 'double' as const,
    }));
    for (const apdu of [206, 480, 1476]) {
      const batches = planBatches(refs, apdu);
      expect(batches.reduce((n, b) => n + b.refs.length, 0)).toBe(300);
      for (const b of batches) {
        const values = b.specs.map((s) => ({
          objectId: s.objectId,
          values: s.properties.map((p) => ({ property: p, value: [{ type: 5, value: 1.5 }] })),
        }));
        const buf = { buffer: Buffer.alloc(8192), offset: 0 };
        ReadPropertyMultiple.encodeAcknowledge(buf, values);
        expect(buf.offset + 3).toBeLessThanOrEqual(apdu);
      }
    }
    expect(resultSize({ property: 85, dataType: 'float' })).toBeLessThan(resultSize({ property: 85, dataType: 'text' }));
  });

  it('converts values both ways and refuses what does not fit', () => {
    expect(decodeValue({ id: 'x', dataType: 'bool' }, [{ type: 9, value: 1 }])).toBe(1);
    expect(decodeValue({ id: 'x', dataType: 'int' }, [{ type: 4, value: 2.6 }])).toBe(3);
    expect(() => decodeValue({ id: 'x', dataType: 'float' }, [{ type: 7, value: 'abc' }])).toThrow(/not a number/);
    expect(() => decodeValue({ id: 'x', dataType: 'float' }, [])).toThrow(/no value/);
    expect(encodeValue({ id: 'x', objectType: 4, property: 85, dataType: 'bool' }, 1)).toEqual({ type: 9, value: 1 });
    expect(encodeValue({ id: 'x', objectType: 19, property: 85, dataType: 'enum' }, 2)).toEqual({ type: 2, value: 2 });
    expect(encodeValue({ id: 'x', objectType: 1, property: 85, dataType: 'float' }, null)).toEqual({ type: 0, value: null });
    expect(() => encodeValue({ id: 'x', objectType: 4, property: 85, dataType: 'bool' }, 2)).toThrow(RangeError);
    expect(() => encodeValue({ id: 'x', objectType: 2, property: 85, dataType: 'float' }, 'abc')).toThrow(RangeError);
  });

  it('never sends to the global broadcast or outside the allowed networks', async () => {
    const t = new UdpTransport({
      bindAddress: '127.0.0.1',
      port: 0,
      broadcastAddress: '255.255.255.255',
      allowSend: (ip) => ip.startsWith('127.'),
    });
    await new Promise<void>((r) => {
      t.once('listening', () => r());
      t.open();
    });
    t.send(Buffer.alloc(8), 8); // to the broadcast address: 255.255.255.255
    t.send(Buffer.alloc(8), 8, '192.168.1.20:47808');
    t.send(Buffer.alloc(8), 8, '127.0.0.9:47999');
    expect(t.counters).toMatchObject({ refused: 2, sent: 1 });
    expect([...t.destinations]).toEqual(['127.0.0.9:47999']);
    t.close();
  });
});

describe('edge discover bacnet', () => {
  const sims: SimDevice[] = [];
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    sims.push(
      await startSim({
        deviceId: 7001,
        host: '127.0.0.41',
        port,
        objects: [
          { type: 0, instance: 1, name: 'RA-TEMP', value: 20 },
          { type: 4, instance: 2, name: 'FAN', value: 0 },
        ],
      }),
    );
    sims.push(
      await startSim({
        deviceId: 7002,
        host: '127.0.0.42',
        port,
        rpm: false,
        objects: [{ type: 19, instance: 5, name: 'MODE', value: 1 }],
      }),
    );
  });
  afterAll(async () => {
    for (const s of sims) await s.stop();
  });

  it('lists the devices that answer a loopback broadcast with their objects', async () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
      out.push(String(s));
      return true;
    });
    let code: number;
    try {
      code = await discoverCommand([
        'bacnet',
        '--broadcast',
        `127.255.255.255:${port}`,
        '--port',
        String(await freePort()),
        '--wait',
        '500',
        '--json',
      ]);
    } finally {
      spy.mockRestore();
    }
    expect(code).toBe(0);
    const found = JSON.parse(out.join('')) as {
      deviceId: number;
      address: string;
      objects: { typeName: string; instance: number; name?: string }[];
    }[];
    expect(found.map((d) => d.deviceId)).toEqual([7001, 7002]);
    expect(found[0]!.address).toBe(`127.0.0.41:${port}`);
    expect(found[0]!.objects).toEqual(
      expect.arrayContaining([
        { objectType: 0, typeName: 'analog-input', instance: 1, name: 'RA-TEMP' },
        { objectType: 4, typeName: 'binary-output', instance: 2, name: 'FAN' },
      ]),
    );
    expect(found[1]!.objects.map((o) => o.typeName)).toContain('multi-state-value'); // no RPM: objects without names
  });

  it('refuses to run without a target', async () => {
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await discoverCommand(['bacnet'])).toBe(2);
    } finally {
      spy.mockRestore();
    }
  });
});
