/**
 * SSRC allocation (GB/T 28181-2016 Annex F): ten decimal digits — the first 0 for live and 1 for
 * history (playback/download), then digits 4-8 of the SIP domain (the domain's 5 digits after the
 * province/city prefix), then a 4-digit sequence the server hands out. An SSRC is held until its
 * session ends, so two live sessions never share one; the sequence wraps past 9999 to the first
 * free value.
 */
export class SsrcPool {
  readonly #prefix: string;
  readonly #inUse = new Set<string>();
  #next = 1;

  /** `domain`: the 10-digit SIP domain. */
  constructor(domain: string) {
    this.#prefix = domain.slice(3, 8);
  }

  allocate(kind: 'live' | 'history'): string | undefined {
    for (let i = 0; i < 9999; i++) {
      const seq = this.#next;
      this.#next = (this.#next % 9999) + 1;
      const ssrc = `${kind === 'live' ? 0 : 1}${this.#prefix}${String(seq).padStart(4, '0')}`;
      if (!this.#inUse.has(ssrc)) {
        this.#inUse.add(ssrc);
        return ssrc;
      }
    }
    return undefined;
  }

  free(ssrc: string): void {
    this.#inUse.delete(ssrc);
  }

  get size(): number {
    return this.#inUse.size;
  }
}
