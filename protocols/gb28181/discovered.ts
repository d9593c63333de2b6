/**
 * Devices and channels seen but not configured (issue 19: held for the installer to accept): the
 * record the camera driver keeps in `discovered.json` in its data folder and the box's CLI and
 * console read. Here, below both, so the shape is written once.
 */
export interface DiscoveredRecord {
  gbId: string;
  kind: 'device' | 'channel';
  /** The NVR's GB id, for a channel. */
  parent?: string;
  /** A channel's name as the cloud would give it (`<NVR code>_<channel>_<location>`). */
  suggestedName?: string;
  address?: string;
  firstSeen: number;
  lastSeen: number;
}

export const DISCOVERED_FILE = 'discovered.json';
