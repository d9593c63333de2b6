/**
 * `edge discover onvif [--nic eth0 | --interface ip] [--target ip[:port] ...] [--wait ms] [--json]`
 *
 * WS-Discovery Probe for ONVIF cameras (NetworkVideoTransmitter): unicast to each target, and
 * multicast to 239.255.255.250:3702 only from the NIC named (never from every interface). Lists
 * each camera's address, name and hardware scopes for writing its device entry (docs/video.md),
 * as the onvif-camera driver's `discover` does. The frame (options, NIC, output) is discover.ts.
 */
import { probe, type DiscoveredCamera } from '../../protocols/onvif/discovery.js';
import type { DiscoveryKind } from './discover.js';

export const onvifDiscovery: DiscoveryKind<DiscoveredCamera> = {
  usage: 'edge discover onvif [--nic eth0 | --interface ip] [--target ip[:port] ...] [--wait ms] [--json]',
  options: { interface: { type: 'string' } },
  placeOption: 'interface',
  target: /^[A-Za-z0-9_.-]+(:\d{1,5})?$/,
  defaultWaitMs: 3000,
  probe({ nic, targets, waitMs, values }) {
    const iface = typeof values.interface === 'string' ? values.interface : nic?.address;
    return probe({ targets, ...(iface ? { multicastInterface: iface } : {}), waitMs });
  },
  render(cams) {
    if (cams.length === 0) return 'no ONVIF camera answered\n';
    const lines = cams.map((c) => `${c.ip ?? '?'}:${c.port ?? '?'}  ${c.name ?? ''}  ${c.hardware ?? ''}  ${c.urn}  ${c.xaddrs.join(' ')}`);
    return `${lines.join('\n')}\n${cams.length} camera(s)\n`;
  },
};
