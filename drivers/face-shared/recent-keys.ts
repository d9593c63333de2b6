/** A bounded set of recently seen keys: terminals resend a record whose answer they lost; it is stored once. */
export class RecentKeys {
  readonly #keys = new Set<string>();
  readonly #max: number;
  constructor(max = 5000) {
    this.#max = max;
  }

  has(key: string): boolean {
    return this.#keys.has(key);
  }

  add(key: string): void {
    this.#keys.add(key);
    if (this.#keys.size > this.#max) this.#keys.delete(this.#keys.values().next().value as string);
  }
}
