/** Point-table workbooks for tests: broken copies of the shipped ModbusV3 example, and a BACnetV3 one. */
import ExcelJS from 'exceljs';
import { resolve } from 'node:path';
import { modelsFor } from '../../edge/eba/apply.js';
import { rowsFromDevices } from '../../edge/eba/devices-table.js';
import { PROFILES } from '../../edge/eba/profiles/index.js';
import { validateWorkbook, type RawSheet } from '../../edge/eba/validate.js';
import { writeXlsx } from '../../edge/eba/workbook-io.js';

export const EXAMPLE_WORKBOOK = resolve(import.meta.dirname, '..', '..', 'config', 'examples', 'modbus-v3-example.xlsx');

/** The example with a bad channel IP (row 2) and a bad register address and data type (point row 3). */
export async function brokenWorkbook(file: string): Promise<void> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(EXAMPLE_WORKBOOK);
  const [channels, points] = wb.worksheets;
  channels!.getRow(2).getCell(3).value = '999.1.1.1';
  points!.getRow(3).getCell(4).value = 'zz';
  points!.getRow(3).getCell(6).value = 'int99';
  await wb.xlsx.writeFile(file);
}

const sheet = (name: string, headers: string[], rows: string[][]): RawSheet => ({
  name,
  headers,
  rows: rows.map((cells, i) => ({ row: i + 2, cells })),
});

/**
 * A BACnetV3 workbook in the seed's columns: one air handler on one directed channel (a test
 * never broadcasts), its return temperature (AI 1) and fan (BO 3).
 */
export async function bacnetWorkbook(file: string, o: { address: string; deviceId: number; device?: string }): Promise<void> {
  const profile = PROFILES.get('bacnet-v3')!;
  const device = o.device ?? 'HW-AHU-001';
  const w = validateWorkbook(
    profile,
    [
      sheet(
        '通道配置表',
        ['通道编号', '传输方式', '网卡名称', '设备ID', '上报周期', '离线判定周期', '通信方式', '最大报文长度', '地址', '通道备注'],
        [['1', 'UDP', 'lo', String(o.deviceId), '1000', '10000', '定向', '1476', o.address, '2号楼空调']],
      ),
      sheet(
        '点位表',
        ['链接通道', '点位编号', '对象类型', '对象ID', '属性ID', '数据类型', '是否变更上报', '写入优先级', '点位备注'],
        [
          ['1', 'AHU-1-T', '模拟量输入', '1', 'present-value', 'float', '否', '', '回风温度'],
          ['1', 'AHU-1-FAN', '二进制输出', '3', '当前值', 'bool', '否', '', ''],
        ],
      ),
      sheet(
        '设备表',
        ['IoT 设备ID', 'IoT 设备中文名称', '设备品类', '功能名称', '标识符', '点位编号'],
        [
          [device, '2号楼空调', 'tpHw01', '温度', 'Temperature', 'AHU-1-T'],
          [device, '2号楼空调', 'tpHw01', '风机启停', 'FanRunning', 'AHU-1-FAN'],
        ],
      ),
    ],
    modelsFor(undefined),
  );
  if (!w.ok) throw new Error(`test workbook invalid: ${JSON.stringify(w.problems)}`);
  await writeXlsx(file, profile, { channels: w.channels, points: w.points, devices: rowsFromDevices(w.devices, () => undefined) });
}
