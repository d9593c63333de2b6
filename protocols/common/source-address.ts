/**
 * Whether a request comes from a device's configured address, where a protocol has no other
 * credential. An IPv4 peer on a dual-stack socket reads `::ffff:a.b.c.d`. A device configured by
 * host name is not checked (the name is not resolved here): configure addresses.
 */
import { isIP } from 'node:net';

export function fromConfiguredAddress(configured: string, source: string): boolean {
  return isIP(configured) === 0 || configured === source.replace(/^::ffff:/, '');
}
