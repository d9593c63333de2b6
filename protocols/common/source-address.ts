/**
 * Source addresses of device-facing requests. An IPv4 peer on a dual-stack socket reads
 * `::ffff:a.b.c.d`; every check and every per-source table uses the plain form, so one door is
 * one key whichever way the socket was opened.
 */
import { isIP, type Socket } from 'node:net';

/** The peer's address without the IPv4-mapped prefix ('' once the socket is gone). */
export function plainAddress(address: string | undefined): string {
  const a = address ?? '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

export function peerAddress(socket: Pick<Socket, 'remoteAddress'>): string {
  return plainAddress(socket.remoteAddress);
}

/**
 * Whether a request comes from a device's configured address, where a protocol has no other
 * credential. A device configured by host name is not checked (the name is not resolved here):
 * configure addresses.
 */
export function fromConfiguredAddress(configured: string, source: string): boolean {
  return isIP(configured) === 0 || configured === plainAddress(source);
}
