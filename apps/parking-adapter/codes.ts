/**
 * The parking service model's answer codes (seed 001 L33285-33352, digest 001e §3.2 table 9),
 * only those this adapter answers with; messages as the seed prints them.
 */
export const CODES = {
  success: { code: 200, message: 'success' },
  listAdded: { code: 200, message: 'Vehicle added to list successfully' },
  lotNotFound: { code: 102, message: 'ParkingLot ID does not exist' },
  orderNotFound: { code: 103, message: 'Order number does not exist' },
  noArea: { code: 201, message: 'There is no Parking Area' },
  areaNotFound: { code: 202, message: 'Parking Area ID does not exist' },
  noBarrier: { code: 301, message: 'There is no Parking Barrier' },
  barrierNotFound: { code: 302, message: 'Parking Barrier ID does not exist' },
  barrierFailed: { code: 403, message: 'Barrier operation failed' },
  plateNotFound: { code: 502, message: 'Plate Number does not exist' },
  dateFormat: { code: 606, message: 'Date format error' },
  dateOrder: { code: 607, message: 'EffectiveDate is later than expiryDate' },
  notListed: { code: 701, message: 'There is no this vehicle in whitelist or blacklist' },
  alreadyListed: { code: 702, message: 'There is this vehicle in whitelist or blacklist already' },
  unknown: { code: 1000, message: 'Unknown error' },
  timeout: { code: 1001, message: 'Timeout error' },
  invalidParam: { code: 1002, message: 'Input parameter is invalid' },
  deviceOffline: { code: 1004, message: 'Device is offline' },
} as const;

export type CodeName = keyof typeof CODES;
