import type { Property, ThingModel } from './tsl.js';
import { compileValidator, type Validator } from './value.js';

/** A thing model with its validators compiled once, shared by every device of the product. */
export interface CompiledModel {
  readonly tsl: ThingModel;
  readonly properties: Map<string, { def: Property; check: Validator }>;
  readonly serviceInputs: Map<string, Map<string, Validator>>;
  readonly eventOutputs: Map<string, Map<string, Validator>>;
}

export function compileModel(tsl: ThingModel): CompiledModel {
  const properties = new Map<string, { def: Property; check: Validator }>();
  for (const def of tsl.properties.values()) properties.set(def.identifier, { def, check: compileValidator(def.dataType) });
  const serviceInputs = new Map<string, Map<string, Validator>>();
  for (const s of tsl.services.values()) {
    serviceInputs.set(s.identifier, new Map(s.inputData.map((p) => [p.identifier, compileValidator(p.dataType)] as const)));
  }
  const eventOutputs = new Map<string, Map<string, Validator>>();
  for (const e of tsl.events.values()) {
    eventOutputs.set(e.identifier, new Map(e.outputData.map((p) => [p.identifier, compileValidator(p.dataType)] as const)));
  }
  return { tsl, properties, serviceInputs, eventOutputs };
}
