/**
 * ModbusV3's device book: the shared EBA book (drivers/eba-shared/book.ts) over Modbus points.
 */
import type { PointValue } from '../../protocols/modbus/codec.js';
import type { PointDef } from '../../protocols/modbus/point.js';
import { DeviceBook as SharedBook, type BookedDevice as SharedBooked } from '../eba-shared/book.js';
import type { PollSink } from './poller.js';

export type BookedDevice = SharedBooked<PointDef>;

export class DeviceBook extends SharedBook<PointDef, PointValue> implements PollSink {}

export { keyOf } from '../eba-shared/book.js';
