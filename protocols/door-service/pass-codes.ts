/**
 * Pass result codes of the door service (门禁服务): the `code` / `message` of a device's
 * `passEvent` and of a face record's `eventExtInfo`, exactly the seed's English messages. Door
 * drivers answer refused passes with these codes; the access core decides with them.
 */

// [seed 001 L22154-22178] card/BLE/QR pass result codes; [seed 001 L1587-1597] same for QR.
// [seed 001 L23427-23447] face pass result codes.
export const PASS = {
  OK: { code: 0, message: 'success' },
  QR_NOT_EFFECTIVE: { code: 101, message: 'QR code does not take effect' },
  QR_EXPIRED: { code: 102, message: 'QR code has expired' },
  QR_NOT_FOUND: { code: 103, message: 'QR code does not exist' },
  QR_USED_UP: { code: 104, message: 'QR code have be used up' },
  CARD_NOT_EFFECTIVE: { code: 201, message: 'Traditional card number does not take effect' },
  CARD_EXPIRED: { code: 202, message: 'Traditional card number has expired' },
  CARD_NOT_FOUND: { code: 203, message: 'Traditional card number does not exist' },
  BLE_NOT_EFFECTIVE: { code: 301, message: 'Bluetooth card number does not take effect' },
  BLE_EXPIRED: { code: 302, message: 'Bluetooth card number has expired' },
  BLE_NOT_FOUND: { code: 303, message: 'Bluetooth card number does not exist' },
  // The seeds give no password failure codes; 401-403 follow the 1xx/2xx/3xx pattern (docs/access.md).
  PASSWORD_NOT_EFFECTIVE: { code: 401, message: 'Password does not take effect' },
  PASSWORD_EXPIRED: { code: 402, message: 'Password has expired' },
  PASSWORD_NOT_FOUND: { code: 403, message: 'Password does not exist' },
  FACE_NOT_EFFECTIVE: { code: 501, message: 'Face auth does not take effect' },
  FACE_EXPIRED: { code: 502, message: 'Face information has expired' },
  FACE_LIBRARY_EMPTY: { code: 503, message: 'Face library is empty' },
  FACE_FEATURE_FAILED: { code: 504, message: 'Face feature extraction failed' },
  FACE_BELOW_THRESHOLD: { code: 505, message: 'Face matching similarity is less than the threshold' },
  FACE_BLACKLIST: { code: 506, message: 'The user is in blacklist' },
  FACE_TIMEOUT: { code: 507, message: 'Face recognition timeout' },
  UNKNOWN: { code: 10000, message: 'Unknown error' },
} as const;

export type PassResult = { readonly code: number; readonly message: string };
