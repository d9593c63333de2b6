/** The thing-model library: TSL JSON files keyed by productKey, compiled once. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { edgeError } from '../errors.js';
import { compileModel, type CompiledModel } from './model.js';
import { parseThingModel } from './tsl.js';

export class ThingModelLibrary {
  readonly #models = new Map<string, CompiledModel>();

  /** Load every `*.json` TSL file in the given directories; later directories override earlier ones. */
  static fromDirs(dirs: string[]): ThingModelLibrary {
    const lib = new ThingModelLibrary();
    for (const dir of dirs) {
      let names: string[];
      try {
        names = readdirSync(dir)
          .filter((n) => n.endsWith('.json'))
          .sort();
      } catch (err) {
        throw edgeError('EDGE_ERR_CONFIG_READ', dir, (err as Error).message);
      }
      for (const n of names) {
        const file = join(dir, n);
        if (!statSync(file).isFile()) continue;
        let json: unknown;
        try {
          json = JSON.parse(readFileSync(file, 'utf8'));
        } catch (err) {
          throw edgeError('EDGE_ERR_TSL_INVALID', file, (err as Error).message);
        }
        lib.add(json, n.replace(/\.json$/, ''));
      }
    }
    return lib;
  }

  add(tslJson: unknown, fallbackProductKey?: string): CompiledModel {
    const model = compileModel(parseThingModel(tslJson, fallbackProductKey));
    this.#models.set(model.tsl.productKey, model);
    return model;
  }

  /** Take in another library's models (a redeploy that adds thing-model folders). */
  merge(other: ThingModelLibrary): void {
    for (const pk of other.productKeys()) this.#models.set(pk, other.require(pk));
  }

  get(productKey: string): CompiledModel | undefined {
    return this.#models.get(productKey);
  }

  require(productKey: string): CompiledModel {
    const m = this.#models.get(productKey);
    if (!m) throw edgeError('EDGE_ERR_TSL_MISSING', productKey);
    return m;
  }

  productKeys(): string[] {
    return [...this.#models.keys()];
  }
}
