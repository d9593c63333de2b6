/**
 * Many simulated devices in one process (the benchmark's 1,000 cameras): device i gets the id
 * `base + i` and, with `spread`, its own loopback address 127.1.x.y so that each is a separate
 * source for the box's per-address limits, as separate cameras on a LAN are.
 */
import { SimGbDevice, type SimDeviceOptions } from './device.js';

/** The i-th id after a 20-digit base id (its last 6 digits counted up). */
export function nthId(base: string, i: number): string {
  const tail = (Number(base.slice(14)) + i) % 1_000_000;
  return `${base.slice(0, 14)}${String(tail).padStart(6, '0')}`;
}

/** 127.1.x.y for device i (never .0 or .255 as the last byte, which some stacks refuse). */
export function nthLoopback(i: number): string {
  return `127.1.${Math.floor(i / 250)}.${(i % 250) + 1}`;
}

export async function startFleet(count: number, o: SimDeviceOptions, spread: boolean): Promise<SimGbDevice[]> {
  const devices: SimGbDevice[] = [];
  for (let i = 0; i < count; i++) {
    const d = new SimGbDevice({ ...o, id: nthId(o.id, i), localAddress: spread ? nthLoopback(i) : o.localAddress });
    await d.start();
    devices.push(d);
  }
  return devices;
}
