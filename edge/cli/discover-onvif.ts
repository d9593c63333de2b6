/**
 * `edge discover onvif [--nic eth0 | --interface ip] [--target ip[:port] ...] [--wait ms] [--json]`
 *
 * WS-Discovery Probe for ONVIF cameras (NetworkVideoTransmitter): unicast to each target, and
 * multicast to 239.255.255.250:3702 only from the NIC named (never from every interface). Lists
 * each camera's address, name and hardware scopes for writing its device entry (docs/video.md).
 * Works without the daemon, as the onvif-camera driver's `discover` does.
 */
import { parseArgs } from 'node:util';
import { nicAddress } from '../../protocols/bacnet/nic.js';
import { probe, type DiscoveredCamera } from '../../protocols/onvif/discovery.js';

const USAGE = 'usage: edge discover onvif [--nic eth0 | --interface ip] [--target ip[:port] ...] [--wait ms] [--json]\n';

export async function discoverOnvifCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      nic: { type: 'string' },
      interface: { type: 'string' },
      target: { type: 'string', multiple: true },
      wait: { type: 'string', default: '3000' },
      json: { type: 'boolean', default: false },
    },
  });
  const targets = values.target ?? [];
  if ((!values.nic && !values.interface && targets.length === 0) || targets.some((t) => !/^[A-Za-z0-9_.-]+(:\d{1,5})?$/.test(t))) {
    process.stderr.write(USAGE);
    return 2;
  }
  const nic = values.nic ? nicAddress(values.nic) : undefined;
  if (values.nic && !nic) {
    process.stderr.write(`edge discover onvif: no IPv4 address on NIC ${values.nic}\n`);
    return 1;
  }
  const iface = values.interface ?? nic?.address;
  try {
    const found = await probe({
      targets,
      ...(iface ? { multicastInterface: iface } : {}),
      waitMs: Math.max(100, Math.min(30_000, Number(values.wait) || 3000)),
    });
    process.stdout.write(values.json ? `${JSON.stringify(found, null, 1)}\n` : render(found));
    return 0;
  } catch (err) {
    process.stderr.write(`edge discover onvif: ${(err as Error).message}\n`);
    return 1;
  }
}

function render(cams: DiscoveredCamera[]): string {
  if (cams.length === 0) return 'no ONVIF camera answered\n';
  const lines = cams.map((c) => `${c.ip ?? '?'}:${c.port ?? '?'}  ${c.name ?? ''}  ${c.hardware ?? ''}  ${c.urn}  ${c.xaddrs.join(' ')}`);
  return `${lines.join('\n')}\n${cams.length} camera(s)\n`;
}
