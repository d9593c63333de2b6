/** EBA table profiles by driver type. BACnetV3 registers its own here (see docs/eba.md). */
import type { EbaProfile } from '../profile.js';
import { bacnetV3Profile } from './bacnet-v3.js';
import { modbusV3Profile } from './modbus-v3.js';

export const PROFILES: ReadonlyMap<string, EbaProfile> = new Map([
  [modbusV3Profile.driverType, modbusV3Profile],
  [bacnetV3Profile.driverType, bacnetV3Profile],
]);
