/**
 * Paged responses (GB/T 28181-2016 §9.5.3 Catalog, §9.7 RecordInfo; Annex A.2.6): a device
 * answers one query with as many `Response` MESSAGEs as it needs, each with `SumNum` (all items)
 * and a page of items, all with the query's SN. Pages are collected per (device, SN) until SumNum
 * items arrived, or handed over incomplete when the wait ends. Bounded: items per answer and
 * answers collected at once.
 */
import type { CatalogItem } from './manscdp.js';

export const MAX_CATALOG_ITEMS = 4096;

export interface Paged<T> {
  deviceId: string;
  sn: number;
  sumNum: number;
  items: T[];
  complete: boolean;
}

export type Catalog = Paged<CatalogItem>;

interface Collecting<T> {
  catalog: Paged<T>;
  ids: Set<string>;
  timer: NodeJS.Timeout;
}

export class PageCollector<T> {
  readonly #open = new Map<string, Collecting<T>>();
  readonly #waitMs: number;
  readonly #done: (c: Paged<T>) => void;
  /** What makes two items one (a page sent twice counts once). */
  readonly #keyOf: (item: T) => string;

  constructor(waitMs: number, done: (c: Paged<T>) => void, keyOf: (item: T) => string) {
    this.#waitMs = waitMs;
    this.#done = done;
    this.#keyOf = keyOf;
  }

  /** One page; true when it was the last one. */
  page(deviceId: string, sn: number, sumNum: number, items: T[]): boolean {
    const key = `${deviceId}|${sn}`;
    let c = this.#open.get(key);
    if (!c) {
      if (this.#open.size >= 1024) this.#finish(this.#open.keys().next().value!);
      const timer = setTimeout(() => this.#finish(key), this.#waitMs);
      timer.unref();
      c = { catalog: { deviceId, sn, sumNum: Math.min(sumNum, MAX_CATALOG_ITEMS), items: [], complete: false }, ids: new Set(), timer };
      this.#open.set(key, c);
    }
    for (const it of items) {
      const k = this.#keyOf(it);
      if (c.ids.has(k) || c.ids.size >= MAX_CATALOG_ITEMS) continue; // a page sent twice (UDP retransmission) counts once
      c.ids.add(k);
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

export class CatalogCollector extends PageCollector<CatalogItem> {
  constructor(waitMs: number, done: (c: Catalog) => void) {
    super(waitMs, done, (i) => i.deviceId);
  }
}
