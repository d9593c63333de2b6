/**
 * CRC-16 with the polynomial 0x8005 in its reflected form 0xA001, table-driven. Two protocols
 * of the box use it with different initial values: Modbus RTU (CRC-16/MODBUS, 0xFFFF) and SIA
 * DC-09 (CRC-16/ARC, 0).
 */
const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    t[i] = c;
  }
  return t;
})();

/** The CRC of `bytes[0, end)` from `init`. */
export function crc16Reflected(bytes: Uint8Array, init: number, end = bytes.length): number {
  let crc = init;
  for (let i = 0; i < end; i++) crc = (crc >>> 8) ^ TABLE[(crc ^ bytes[i]!) & 0xff]!;
  return crc;
}
