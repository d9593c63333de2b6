/**
 * Where BACnet/IP may send: a NIC's subnet and its directed broadcast, and loopback. Who-Is goes
 * to the directed broadcast, never 255.255.255.255, so a box on a shared network only talks to
 * the subnet it was installed on. Used by the driver's send guard and by `edge discover bacnet`.
 */
import { networkInterfaces } from 'node:os';

/** A NIC's IPv4 address and directed broadcast (127.255.255.255 for lo). */
export function nicAddress(nic: string): { address: string; broadcast: string; contains(ip: string): boolean } | undefined {
  const entry = networkInterfaces()[nic]?.find((a) => a.family === 'IPv4');
  if (!entry) return undefined;
  const toInt = (ip: string): number => ip.split('.').reduce((n, o) => (n << 8) | Number(o), 0) >>> 0;
  const addr = toInt(entry.address);
  const mask = toInt(entry.netmask);
  const bc = (addr | ~mask) >>> 0;
  const broadcast = [24, 16, 8, 0].map((s) => (bc >>> s) & 255).join('.');
  return { address: entry.address, broadcast, contains: (ip) => (toInt(ip) & mask) >>> 0 === (addr & mask) >>> 0 };
}

export const isLoopback = (ip: string): boolean => ip.startsWith('127.');
