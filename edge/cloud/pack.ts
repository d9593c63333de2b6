/**
 * Collects logged-in sub-devices' property reports of one coalescing window for the gateway's
 * pack post (doc 89301 "网关批量上报数据"): a message holds at most 20 sub-devices and 200
 * properties, so the buffer is emitted early when the next report would not fit, and when a
 * device reports a property already waiting (a sample is never overwritten).
 */
import type { TimedValue } from '../events.js';
import { deviceKey } from '../thing/registry.js';
import { PACK_MAX_DEVICES, PACK_MAX_PROPERTIES, type PackEntry } from './alink/messages.js';

export class PackBuffer {
  readonly #windowMs: number;
  readonly #emit: (entries: PackEntry[]) => void;
  readonly #entries = new Map<string, PackEntry>();
  #properties = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(windowMs: number, emit: (entries: PackEntry[]) => void) {
    this.#windowMs = windowMs;
    this.#emit = emit;
  }

  /** Whether one report of this size can go in a pack at all. */
  static fits(params: Record<string, TimedValue>): boolean {
    return Object.keys(params).length <= PACK_MAX_PROPERTIES;
  }

  has(productKey: string, deviceName: string): boolean {
    return this.#entries.has(deviceKey(productKey, deviceName));
  }

  add(productKey: string, deviceName: string, params: Record<string, TimedValue>): void {
    const key = deviceKey(productKey, deviceName);
    const count = Object.keys(params).length;
    let entry = this.#entries.get(key);
    const overlaps = entry !== undefined && Object.keys(params).some((k) => k in entry!.properties);
    const full = this.#properties + count > PACK_MAX_PROPERTIES || (!entry && this.#entries.size >= PACK_MAX_DEVICES);
    if (overlaps || full) {
      this.flush();
      entry = undefined;
    }
    if (!entry) {
      entry = { productKey, deviceName, properties: {} };
      this.#entries.set(key, entry);
    }
    Object.assign(entry.properties, params);
    this.#properties += count;
    this.#timer ??= setTimeout(() => this.flush(), this.#windowMs);
  }

  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#entries.size === 0) return;
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    this.#properties = 0;
    this.#emit(entries);
  }
}
