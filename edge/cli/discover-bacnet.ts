/**
 * `edge discover bacnet [--nic eth0 | --broadcast ip[:port]] [--target ip:port ...] [--port 47808]
 *   [--bind addr] [--low N --high N] [--wait ms] [--no-objects] [--json]`
 *
 * Who-Is on site and list what answers with its object list (type, instance, name), for
 * writing point tables [seed 001 L16658-16674]. Its own socket: stop the daemon's BACnet driver
 * first if it holds port 47808. Sends only to the NIC's subnet broadcast, the given targets, or
 * loopback. The frame (options, NIC, output) is discover.ts.
 */
import { discoverDevices, type DiscoveredDevice } from '../../protocols/bacnet/discover.js';
import { isLoopback } from '../../protocols/bacnet/nic.js';
import { BacnetSession } from '../../protocols/bacnet/session.js';
import type { DiscoveryKind, OptionValues } from './discover.js';

const text = (values: OptionValues, key: string): string | undefined => {
  const v = values[key];
  return typeof v === 'string' ? v : undefined;
};

export const bacnetDiscovery: DiscoveryKind<DiscoveredDevice> = {
  usage:
    'edge discover bacnet [--nic eth0 | --broadcast ip[:port]] [--target ip:port ...] [--port 47808] [--bind addr] [--low N --high N] [--wait ms] [--no-objects] [--json]',
  options: {
    broadcast: { type: 'string' },
    port: { type: 'string', default: '47808' },
    bind: { type: 'string' },
    low: { type: 'string' },
    high: { type: 'string' },
    'no-objects': { type: 'boolean', default: false },
  },
  placeOption: 'broadcast',
  defaultWaitMs: 2000,
  async probe({ nic, targets, waitMs, values }) {
    const broadcast = text(values, 'broadcast') ?? nic?.broadcast;
    const low = text(values, 'low');
    const hostOf = (a: string): string => a.split(':')[0]!;
    const allowed = new Set([...targets, ...(broadcast ? [broadcast] : [])].map(hostOf));
    const session = new BacnetSession({
      bindAddress: text(values, 'bind') ?? (nic && !isLoopback(nic.address) ? '0.0.0.0' : '127.0.0.1'),
      port: Number(text(values, 'port')),
      broadcastAddress: broadcast ?? '127.255.255.255',
      allowSend: (ip) => isLoopback(ip) || allowed.has(ip) || (nic?.contains(ip) ?? false),
      apduTimeoutMs: 2000,
      maxInFlight: 32,
    });
    try {
      await session.start();
      return await discoverDevices(session, {
        ...(broadcast ? { broadcast } : {}),
        targets,
        waitMs,
        objects: values['no-objects'] !== true,
        ...(low !== undefined ? { lowLimit: Number(low), highLimit: Number(text(values, 'high') ?? low) } : {}),
      });
    } finally {
      session.close();
    }
  },
  render(devices) {
    if (devices.length === 0) return 'no BACnet device answered\n';
    const lines: string[] = [];
    for (const d of devices) {
      lines.push(
        `device ${d.deviceId} at ${d.address}  max APDU ${d.maxApdu}  vendor ${d.vendorId}${d.error ? `  (object list: ${d.error})` : ''}`,
      );
      for (const o of d.objects ?? []) lines.push(`  ${o.typeName.padEnd(20)} ${String(o.instance).padStart(8)}  ${o.name ?? ''}`);
    }
    return `${lines.join('\n')}\n${devices.length} device(s)\n`;
  },
};
