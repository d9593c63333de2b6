/**
 * `edge discover bacnet [--nic eth0 | --broadcast ip[:port]] [--target ip:port ...] [--port 47808]
 *   [--low N --high N] [--wait ms] [--no-objects] [--json]`
 *
 * Who-Is on site and list what answers with its object list (type, instance, name), for
 * writing point tables [seed 001 L16658-16674]. Works without the daemon (its own socket; stop
 * the daemon's BACnet driver first if it holds port 47808). Sends only to the NIC's subnet
 * broadcast, the given targets, or loopback; never to 255.255.255.255.
 */
import { parseArgs } from 'node:util';
import { discoverDevices, type DiscoveredDevice } from '../../protocols/bacnet/discover.js';
import { isLoopback, nicAddress } from '../../protocols/bacnet/nic.js';
import { BacnetSession } from '../../protocols/bacnet/session.js';

const USAGE =
  'usage: edge discover onvif [--nic eth0 | --interface ip] [--target ip[:port] ...] [--wait ms] [--json]\n' +
  'usage: edge discover bacnet [--nic eth0 | --broadcast ip[:port]] [--target ip:port ...] [--port 47808] [--bind addr] [--low N --high N] [--wait ms] [--no-objects] [--json]\n';

export async function discoverCommand(args: string[]): Promise<number> {
  if (args[0] === 'onvif') return (await import('./discover-onvif.js')).discoverOnvifCommand(args.slice(1));
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      nic: { type: 'string' },
      broadcast: { type: 'string' },
      target: { type: 'string', multiple: true },
      port: { type: 'string', default: '47808' },
      bind: { type: 'string' },
      low: { type: 'string' },
      high: { type: 'string' },
      wait: { type: 'string', default: '2000' },
      'no-objects': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals[0] !== 'bacnet' || (!values.nic && !values.broadcast && !values.target?.length)) {
    process.stderr.write(USAGE);
    return 2;
  }
  const nic = values.nic ? nicAddress(values.nic) : undefined;
  if (values.nic && !nic) {
    process.stderr.write(`edge discover bacnet: no IPv4 address on NIC ${values.nic}\n`);
    return 1;
  }
  const broadcast = values.broadcast ?? nic?.broadcast;
  const targets = values.target ?? [];
  const hostOf = (a: string): string => a.split(':')[0]!;
  const allowed = new Set([...targets, ...(broadcast ? [broadcast] : [])].map(hostOf));
  const session = new BacnetSession({
    bindAddress: values.bind ?? (nic && !isLoopback(nic.address) ? '0.0.0.0' : '127.0.0.1'),
    port: Number(values.port),
    broadcastAddress: broadcast ?? '127.255.255.255',
    allowSend: (ip) => isLoopback(ip) || allowed.has(ip) || (nic?.contains(ip) ?? false),
    apduTimeoutMs: 2000,
    maxInFlight: 32,
  });
  try {
    await session.start();
    const found = await discoverDevices(session, {
      ...(broadcast ? { broadcast } : {}),
      targets,
      waitMs: Math.min(30_000, Number(values.wait) || 2000),
      objects: !values['no-objects'],
      ...(values.low !== undefined ? { lowLimit: Number(values.low), highLimit: Number(values.high ?? values.low) } : {}),
    });
    process.stdout.write(values.json ? `${JSON.stringify(found, null, 1)}\n` : render(found));
    return 0;
  } catch (err) {
    process.stderr.write(`edge discover bacnet: ${(err as Error).message}\n`);
    return 1;
  } finally {
    session.close();
  }
}

function render(devices: DiscoveredDevice[]): string {
  if (devices.length === 0) return 'no BACnet device answered\n';
  const lines: string[] = [];
  for (const d of devices) {
    lines.push(
      `device ${d.deviceId} at ${d.address}  max APDU ${d.maxApdu}  vendor ${d.vendorId}${d.error ? `  (object list: ${d.error})` : ''}`,
    );
    for (const o of d.objects ?? []) lines.push(`  ${o.typeName.padEnd(20)} ${String(o.instance).padStart(8)}  ${o.name ?? ''}`);
  }
  return `${lines.join('\n')}\n${devices.length} device(s)\n`;
}
