/**
 * Answer codes of the BACnetV3 driver (Alink `code` on the cloud link). 6410-6429 belong to
 * this driver (ModbusV3 has 6400-6409); docs/bacnet.md lists them with the BACnet cause.
 */
export const CODES = {
  /** The property has no point in the device table: it never updates and commands to it fail [seed 001 L16605-16607]. */
  NO_POINT: 6410,
  /** The device refused the write: write-access-denied (an input, or a read-only property). */
  WRITE_DENIED: 6411,
  /** The value does not fit the point (our check, or the device's value-out-of-range / invalid-data-type). */
  VALUE_DOES_NOT_FIT: 6412,
  /** The device answered with another BACnet Error (class/code in the message). */
  BACNET_ERROR: 6413,
  /** The device rejected the request (BACnet Reject, reason in the message). */
  BACNET_REJECT: 6414,
  /** The device aborted the transaction (BACnet Abort, reason in the message). */
  BACNET_ABORT: 6415,
  /** No answer within the APDU timeout, or the device has not been found yet. */
  NO_ANSWER: 6416,
  /** The value read back differs from the one written (a higher priority holds the point). */
  READBACK_MISMATCH: 6417,
  /** The device is not deployed to this driver. */
  UNKNOWN_DEVICE: 6418,
  /** The driver has no service of that name. */
  NO_SERVICE: 6419,
  /** The device's answer does not decode. */
  MALFORMED_ANSWER: 6420,
  /** The object or property does not exist on the device (unknown-object / unknown-property). */
  NO_SUCH_OBJECT: 6421,
} as const;
