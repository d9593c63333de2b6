/**
 * What an installer may write for the ModbusV3 driver (driver `config`) and for each of its
 * devices (`custom`): the single source for the driver, the host's deploy check, `edge check`
 * and docs/config.md. It serves any product with a thing model (no `products`).
 */
import { Type } from '@sinclair/typebox';
import { defineSettings, described } from '../../edge/host/sdk/settings.js';
import { MAX_READ_REGISTERS } from '../../protocols/modbus/point.js';
import { checkTables, ebaDevice, tablesKeys } from '../eba-shared/settings.js';

export default defineSettings({
  config: Type.Object({
    ...tablesKeys('modbus-v3'),
    timeoutMs: described(
      Type.Integer({ default: 1000, minimum: 10, maximum: 600_000 }),
      'time limit of one request, ms',
      '单次请求超时(毫秒)',
    ),
    maxInFlight: described(
      Type.Integer({ default: 8, minimum: 1, maximum: 256 }),
      'outstanding requests per TCP channel (channels with a command interval use 1)',
      '每个TCP通道同时未完成的请求数(有指令间隔的通道为1)',
    ),
    // A hole wider than a whole read block can never be bridged.
    maxGapRegisters: described(
      Type.Integer({ default: 16, minimum: 0, maximum: MAX_READ_REGISTERS }),
      'registers bridged between two points to read them in one request',
      '合并读取时允许跨越的空寄存器数',
    ),
    backoffMinMs: described(
      Type.Integer({ default: 500, minimum: 10, maximum: 600_000 }),
      'first delay of a reconnect or a dead-slave retry, ms (doubles)',
      '重连/从站重试的初始间隔(毫秒, 逐次加倍)',
    ),
    backoffMaxMs: described(
      Type.Integer({ default: 30_000, minimum: 10, maximum: 3_600_000 }),
      'longest reconnect / retry delay, ms',
      '重连/重试的最大间隔(毫秒)',
    ),
    statsIntervalMs: described(
      Type.Integer({ default: 5000, minimum: 0, maximum: 3_600_000 }),
      "how often poll statistics are written to the driver's stats.json, ms; 0 = never",
      '轮询统计写入stats.json的周期(毫秒); 0为不写',
    ),
  }),
  device: ebaDevice,
  check: checkTables,
});
