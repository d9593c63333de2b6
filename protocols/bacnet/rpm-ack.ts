/**
 * A lean decoder for the common ReadPropertyMultiple-ACK (Clause 15.7.1.3.1 / 21): results of
 * present values and status that are NULL, BOOLEAN, UNSIGNED, SIGNED, REAL or ENUMERATED with
 * 1-4 octets, or a property access error. It builds the results straight from the datagram, not
 * the library's intermediate objects (per value a wrapper with its length, per property an
 * entry, per object a list), which were much of the driver's garbage at 100 k values/s.
 * Anything else in the answer (array indexes, strings, bit strings, dates, doubles, context
 * tags, extended lengths, truncation) returns undefined, and the caller decodes the whole
 * answer with the library as before; test/bacnet/rpm-ack.test.ts holds it to the library's
 * results.
 */
import type { ReadResult } from './session.js';

const CONTEXT_OBJECT_ID = 0x0c; // context tag 0, length 4
const OPEN_1 = 0x1e;
const CLOSE_1 = 0x1f;
const OPEN_4 = 0x4e;
const CLOSE_4 = 0x4f;
const OPEN_5 = 0x5e;
const CLOSE_5 = 0x5f;

/** Results of an RPM-ACK's service data (`buf[offset .. offset+length)`), or undefined: use the library. */
export function decodeRpmAck(buf: Buffer, offset: number, length: number): ReadResult[] | undefined {
  const end = offset + length;
  if (end > buf.length) return undefined;
  const out: ReadResult[] = [];
  let pos = offset;
  while (pos < end) {
    if (buf[pos] !== CONTEXT_OBJECT_ID || pos + 6 > end || buf[pos + 5] !== OPEN_1) return undefined;
    const oid = buf.readUInt32BE(pos + 1);
    const objectType = oid >>> 22;
    const instance = oid & 0x3fffff;
    pos += 6;
    for (;;) {
      if (pos >= end) return undefined;
      if (buf[pos] === CLOSE_1) {
        pos++;
        break;
      }
      // Property identifier: context tag 2, 1-4 octets.
      const t = buf[pos]!;
      const n = t & 0x07;
      if ((t & 0xf8) !== 0x28 || n < 1 || n > 4 || pos + 1 + n >= end) return undefined;
      const property = buf.readUIntBE(pos + 1, n);
      pos += 1 + n;
      if (buf[pos] === OPEN_4) {
        pos++;
        const value: { type: number; value: unknown }[] = [];
        while (pos < end && buf[pos] !== CLOSE_4) {
          const v = appValue(buf, pos, end);
          if (!v) return undefined;
          value.push(v.value);
          pos = v.next;
        }
        if (pos >= end) return undefined;
        pos++;
        out.push({ objectType, instance, property, value });
      } else if (buf[pos] === OPEN_5) {
        // error-class, error-code: application ENUMERATED, 1-4 octets each.
        const c = enumerated(buf, pos + 1, end);
        const e = c && enumerated(buf, c.next, end);
        if (!c || !e || buf[e.next] !== CLOSE_5 || e.next >= end) return undefined;
        pos = e.next + 1;
        out.push({ objectType, instance, property, error: { errorClass: c.value, errorCode: e.value } });
      } else return undefined; // an array index (context tag 3) or something unexpected
    }
  }
  return out;
}

function enumerated(buf: Buffer, pos: number, end: number): { value: number; next: number } | undefined {
  const t = buf[pos];
  if (t === undefined || t >> 4 !== 9 || t & 0x08) return undefined;
  const n = t & 0x07;
  if (n < 1 || n > 4 || pos + 1 + n > end) return undefined;
  return { value: buf.readUIntBE(pos + 1, n), next: pos + 1 + n };
}

/** One application-tagged value at `pos` (Clause 20.2.1), for the tags this decoder knows. */
function appValue(buf: Buffer, pos: number, end: number): { value: { type: number; value: unknown }; next: number } | undefined {
  const t = buf[pos]!;
  if (t & 0x08) return undefined; // context specific, or an opening/closing tag
  const tag = t >> 4;
  const n = t & 0x07;
  const data = pos + 1;
  switch (tag) {
    case 0: // NULL
      return n === 0 ? { value: { type: 0, value: null }, next: data } : undefined;
    case 1: // BOOLEAN: the value is in the length bits
      return n <= 1 ? { value: { type: 1, value: n > 0 }, next: data } : undefined;
    case 2: // UNSIGNED
    case 9: // ENUMERATED
      return n >= 1 && n <= 4 && data + n <= end ? { value: { type: tag, value: buf.readUIntBE(data, n) }, next: data + n } : undefined;
    case 3: // SIGNED
      return n >= 1 && n <= 4 && data + n <= end ? { value: { type: 3, value: buf.readIntBE(data, n) }, next: data + n } : undefined;
    case 4: // REAL
      return n === 4 && data + 4 <= end ? { value: { type: 4, value: buf.readFloatBE(data) }, next: data + 4 } : undefined;
    default:
      return undefined;
  }
}
