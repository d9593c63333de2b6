/**
 * Answer codes of the ModbusV3 driver (Alink `code` on the cloud link). 6400-6409 belong to
 * this driver; docs/eba.md lists them.
 */
export const CODES = {
  /** The property has no point in the device table: it never updates and commands to it fail [seed 001 L16348-16350]. */
  NO_POINT: 6400,
  /** The point is a discrete input or an input register. */
  READ_ONLY_POINT: 6401,
  /** The value does not fit the point's type after the inverse scale. */
  VALUE_DOES_NOT_FIT: 6402,
  /** The device answered with a Modbus exception. */
  MODBUS_EXCEPTION: 6403,
  /** No valid answer: timeout, a corrupt RTU frame (CRC), or the channel is down. */
  NO_ANSWER: 6404,
  /** The value read back differs from the one written. */
  READBACK_MISMATCH: 6405,
  /** The device is not deployed to this driver. */
  UNKNOWN_DEVICE: 6406,
  /** The driver has no service of that name. */
  NO_SERVICE: 6407,
} as const;
