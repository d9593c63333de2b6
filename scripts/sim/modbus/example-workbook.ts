/**
 * Writes config/examples/modbus-v3-example.xlsx: the seed's three-sheet template filled for
 * two 遥信遥控智能仪表 (thing model config/tsl/yxykHw01.json) on the simulator's layout
 * (layout.ts), channel C1 = the simulator on 127.0.0.1:5020. Frequency is left without a
 * point on purpose: it shows the seed rule that such a property never updates [seed 001 L16348].
 *
 *   npm run build && node dist/scripts/sim/modbus/example-workbook.js [out.xlsx]
 */
import { resolve } from 'node:path';
import { APP_ROOT } from '../../../edge/config/paths.js';
import { modbusV3Profile } from '../../../edge/eba/profiles/modbus-v3.js';
import type { Row } from '../../../edge/eba/table-schema.js';
import { writeXlsx } from '../../../edge/eba/workbook-io.js';
import { layoutPoint, NAME_ADDRESS, NAME_REGISTERS } from './layout.js';

const out = process.argv[2] ?? resolve(APP_ROOT, 'config', 'examples', 'modbus-v3-example.xlsx');
const channels: Row[] = [
  { id: 'C1', transport: 'tcp', host: '127.0.0.1', port: 5020, minIntervalMs: 0, remark: '模拟器 scripts/sim/modbus' },
];
const points: Row[] = [];
const devices: Row[] = [];
const base = { channel: 'C1', op: 'holding:16', periodMs: 1000, report: 'periodic' };

for (const slave of [1, 2]) {
  const dev = `GT-HBA704I-Modbus-00${slave}`;
  const id = (n: string): string => `${slave}-${n}`;
  const add = (prop: string, name: string, point: Row): void => {
    points.push({ ...base, slave, ...point, id: id(prop) });
    devices.push({
      deviceName: dev,
      alias: `${slave}号楼智能仪表`,
      productKey: 'yxykHw01',
      propertyName: name,
      property: prop,
      point: id(prop),
    });
  };
  add('RunHours', '运行小时', { address: layoutPoint(0).address, dataType: 'uint16', op: 'holding:06' });
  add('Temperature', '温度', { address: layoutPoint(1).address, dataType: 'int16', op: 'holding:06' });
  add('Voltage', '电压', { address: layoutPoint(2).address, dataType: 'float', report: 'onChange' });
  add('Energy', '累计电量', { address: layoutPoint(3).address, dataType: 'uint32', scale: 0.01 });
  add('SetPoint', '设定值', { address: layoutPoint(6).address, dataType: 'float' });
  add('AlarmBit', '故障信号', { address: layoutPoint(4).address, dataType: 'bits', bit: 0 });
  add('RelayState', '遥控开关', { address: 0, dataType: 'bool', op: 'coil:05', report: 'onChange' });
  add('ModelName', '型号', { address: NAME_ADDRESS, dataType: 'string', count: NAME_REGISTERS, periodMs: 60_000, report: 'onChange' });
}

await writeXlsx(out, modbusV3Profile, { channels, points, devices });
process.stdout.write(`${out}: ${channels.length} channel, ${points.length} points, ${devices.length} device rows\n`);
