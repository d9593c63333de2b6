/**
 * The thing models of the indoor alarm family (config/tsl): the unit's own device and one
 * product per zone kind. The zone models are the seed's indoor-sensor categories (智慧社区-室内安防,
 * seed 001 L29312-29480, digest 001d §3.F): event `Alarm`, property `AlertState` (0 unknown,
 * 1 disarmed, 2 armed, writable) except `SOS_button`, which has only `Alarm` (R20). The unit
 * protocol's detector types (L41286-41298) map onto them; door and window magnets are both
 * `magnetic`, and air pressure (9), which has no category in the seed, gets a product of ours
 * with the same two features.
 */
import type { ZoneDeviceType } from '../../protocols/alarm-unit/index.js';

export const UNIT_PRODUCT = 'PEAlarmUnit';

export interface ZoneProduct {
  productKey: string;
  /** The seed's model code (模型编码), or ours for air pressure. */
  modelCode: string;
  hasAlertState: boolean;
}

export const ZONE_PRODUCTS: Readonly<Record<string, ZoneProduct>> = {
  PEAlarmZoneSos: { productKey: 'PEAlarmZoneSos', modelCode: 'SOS_button', hasAlertState: false },
  PEAlarmZoneInfrared: { productKey: 'PEAlarmZoneInfrared', modelCode: 'infrared', hasAlertState: true },
  PEAlarmZoneMagnetic: { productKey: 'PEAlarmZoneMagnetic', modelCode: 'magnetic', hasAlertState: true },
  PEAlarmZoneGas: { productKey: 'PEAlarmZoneGas', modelCode: 'gas', hasAlertState: true },
  PEAlarmZoneSmoke: { productKey: 'PEAlarmZoneSmoke', modelCode: 'smoke', hasAlertState: true },
  PEAlarmZoneWater: { productKey: 'PEAlarmZoneWater', modelCode: 'water', hasAlertState: true },
  PEAlarmZoneVibrator: { productKey: 'PEAlarmZoneVibrator', modelCode: 'vibrator', hasAlertState: true },
  PEAlarmZonePressure: { productKey: 'PEAlarmZonePressure', modelCode: 'pressure', hasAlertState: true },
};

/** The product of each detector type. */
export const PRODUCT_OF_TYPE: Readonly<Record<ZoneDeviceType, string>> = {
  1: 'PEAlarmZoneSos',
  2: 'PEAlarmZoneInfrared',
  3: 'PEAlarmZoneMagnetic',
  4: 'PEAlarmZoneMagnetic',
  5: 'PEAlarmZoneGas',
  6: 'PEAlarmZoneSmoke',
  7: 'PEAlarmZoneWater',
  8: 'PEAlarmZoneVibrator',
  9: 'PEAlarmZonePressure',
};

export const ALL_PRODUCTS = [UNIT_PRODUCT, ...Object.keys(ZONE_PRODUCTS)];
