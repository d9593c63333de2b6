/**
 * Paged Catalog responses (GB/T 28181-2016 §9.5.3, Annex A.2.6): a device answers one Catalog
 * query with as many `Response` MESSAGEs as it needs, each with `SumNum` (all items) and a page
 * of `DeviceList` items, all with the query's SN. Pages are collected per (device, SN) until
 * SumNum items arrived, or handed over incomplete when the wait ends. Bounded: items per catalog
 * and catalogs collected at once.
 */
import type { CatalogItem } from './manscdp.js';

export const MAX_CATALOG_ITEMS = 4096;

export interface Catalog {
  deviceId: string;
  sumNum: number;
  items: CatalogItem[];
  complete: boolean;
}

interface Collecting {
  catalog: Catalog;
  ids: Set<string>;
  timer: NodeJS.Timeout;
}

export class CatalogCollector {
  readonly #open = new Map<string, Collecting>();
  readonly #waitMs: number;
  readonly #done: (c: Catalog) => void;

  constructor(waitMs: number, done: (c: Catalog) => void) {
    this.#waitMs = waitMs;
    this.#done = done;
  }

  /** One page; true when it was the last one. */
  page(deviceId: string, sn: number, sumNum: number, items: CatalogItem[]): boolean {
    const key = `${deviceId}|${sn}`;
    let c = this.#open.get(key);
    if (!c) {
      if (this.#open.size >= 1024) this.#finish(this.#open.keys().next().value!);
      const timer = setTimeout(() => this.#finish(key), this.#waitMs);
      timer.unref();
      c = { catalog: { deviceId, sumNum: Math.min(sumNum, MAX_CATALOG_ITEMS), items: [], complete: false }, ids: new Set(), timer };
      this.#open.set(key, c);
    }
    for (const it of items) {
      if (c.ids.has(it.deviceId) || c.ids.size >= MAX_CATALOG_ITEMS) continue; // a page sent twice (UDP retransmission) counts once
      c.ids.add(it.deviceId);
      c.catalog.items.push(it);
    }
    if (c.catalog.items.length < c.catalog.sumNum) return false;
    c.catalog.complete = true;
    this.#finish(key);
    return true;
  }

  #finish(key: string): void {
    const c = this.#open.get(key);
    if (!c) return;
    clearTimeout(c.timer);
    this.#open.delete(key);
    this.#done(c.catalog);
  }

  close(): void {
    for (const c of this.#open.values()) clearTimeout(c.timer);
    this.#open.clear();
  }
}
