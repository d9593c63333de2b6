/**
 * The one BACnet/IP session of the driver and where it may send: loopback, the subnets of the
 * channels' NICs and the channels' directed addresses — never 255.255.255.255.
 */
import type { Logger } from 'pino';
import { parseAddress } from '../../protocols/bacnet/point.js';
import { BacnetSession } from '../../protocols/bacnet/session.js';
import { isLoopback, nicAddress } from '../../protocols/bacnet/nic.js';
import type { BacnetTables, DriverOptions } from './config.js';

export interface BacnetNetwork {
  session: BacnetSession;
  /** The NIC was found on this box. */
  hasNic(nic: string): boolean;
  /** Where Who-Is goes for a channel on this NIC. */
  broadcastOf(nic: string): string;
}

export function bacnetNetwork(tables: BacnetTables, opts: DriverOptions, log: Logger): BacnetNetwork {
  const nics = new Map(tables.channels.map((c) => [c.nic, nicAddress(c.nic)] as const));
  const directed = new Set(tables.channels.filter((c) => c.address).map((c) => parseAddress(c.address!)!.host));
  const allowSend = (ip: string): boolean => isLoopback(ip) || directed.has(ip) || [...nics.values()].some((n) => n?.contains(ip));
  const session = new BacnetSession({
    bindAddress: opts.bindAddress,
    port: opts.localPort,
    broadcastAddress: opts.broadcastAddress ?? '127.255.255.255',
    allowSend,
    apduTimeoutMs: opts.apduTimeoutMs,
    maxInFlight: opts.maxInFlight,
  });
  session.transport.on('refused', (to: string) => log.warn({ to }, 'BACnet send refused: destination outside the allowed networks'));
  return {
    session,
    hasNic: (nic) => !!nics.get(nic),
    broadcastOf: (nic) => opts.broadcastAddress ?? nics.get(nic)?.broadcast ?? '127.255.255.255',
  };
}
