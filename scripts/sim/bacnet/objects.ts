/**
 * Objects of the simulated device: analog (REAL), binary (ENUMERATED 0/1) and multistate
 * (UNSIGNED from 1) with a 16-slot priority array for the commandable ones (outputs and
 * values): the present value is the highest-priority non-NULL slot, else the relinquish
 * default (Clause 19.2). Inputs take their value from the field (`fieldValue`).
 */
import { ApplicationTag, ErrorClass, ErrorCode } from '@bacnet-js/client';

export interface ObjectSpec {
  type: number;
  instance: number;
  name?: string;
  value: number;
  covIncrement?: number;
  /** Multistate: the number of states. */
  states?: number;
}

type AppValue = { type: number; value: unknown };
const COMMANDABLE = new Set([1, 2, 4, 5, 14, 19]);
const isAnalog = (t: number): boolean => t <= 2;
const isBinary = (t: number): boolean => t >= 3 && t <= 5;

export class SimObject {
  readonly key: string;
  readonly objectId: { type: number; instance: number };
  readonly name: string;
  /** Bumped on every change of state, so an answer remembered for this object knows it is stale. */
  version = 0;
  #fieldValue: number;
  #relinquishDefault: number;
  /** The priority array; assigning a slot (tests do it directly) bumps the version too. */
  readonly priority: (number | null)[];
  readonly covIncrement: number;
  readonly states: number;

  constructor(spec: ObjectSpec) {
    this.objectId = { type: spec.type, instance: spec.instance };
    this.key = `${spec.type}:${spec.instance}`;
    this.name = spec.name ?? `OBJ-${spec.type}-${spec.instance}`;
    this.#fieldValue = spec.value;
    this.#relinquishDefault = spec.value;
    this.priority = new Proxy(new Array<number | null>(16).fill(null), {
      set: (target, prop, value: number | null) => {
        this.version++;
        return Reflect.set(target, prop, value);
      },
    });
    this.covIncrement = spec.covIncrement ?? (isAnalog(spec.type) ? 0.1 : 1);
    this.states = spec.states ?? 4;
  }

  get fieldValue(): number {
    return this.#fieldValue;
  }

  set fieldValue(v: number) {
    this.version++;
    this.#fieldValue = v;
  }

  get relinquishDefault(): number {
    return this.#relinquishDefault;
  }

  set relinquishDefault(v: number) {
    this.version++;
    this.#relinquishDefault = v;
  }

  get commandable(): boolean {
    return COMMANDABLE.has(this.objectId.type);
  }

  get covCapable(): boolean {
    return this.objectId.type !== 8;
  }

  get presentValue(): number {
    if (!this.commandable) return this.fieldValue;
    for (const v of this.priority) if (v !== null) return v;
    return this.relinquishDefault;
  }

  #encode(v: number): AppValue {
    if (isAnalog(this.objectId.type)) return { type: ApplicationTag.REAL, value: v };
    if (isBinary(this.objectId.type)) return { type: ApplicationTag.ENUMERATED, value: v };
    return { type: ApplicationTag.UNSIGNED_INTEGER, value: v };
  }

  /** A property's application values, or undefined for an unknown property. */
  read(
    property: number,
    device: { options: { deviceId: number; vendorId: number; maxApdu: number }; objects: Map<string, SimObject> },
  ): AppValue[] | undefined {
    const t = this.objectId.type;
    switch (property) {
      case 75: // object-identifier
        return [{ type: ApplicationTag.OBJECTIDENTIFIER, value: this.objectId }];
      case 77: // object-name
        return [{ type: ApplicationTag.CHARACTER_STRING, value: this.name }];
      case 79: // object-type
        return [{ type: ApplicationTag.ENUMERATED, value: t }];
      case 85:
        return t === 8 ? undefined : [this.#encode(this.presentValue)];
      case 111: // status-flags: in-alarm, fault, overridden, out-of-service
        return t === 8 ? undefined : [{ type: ApplicationTag.BIT_STRING, value: { bitsUsed: 4, value: [0] } }];
      case 104: // relinquish-default
        return this.commandable ? [this.#encode(this.relinquishDefault)] : undefined;
      case 87: // priority-array
        return this.commandable
          ? this.priority.map((v) => (v === null ? { type: ApplicationTag.NULL, value: null } : this.#encode(v)))
          : undefined;
      case 74: // number-of-states
        return t === 13 || t === 14 || t === 19 ? [{ type: ApplicationTag.UNSIGNED_INTEGER, value: this.states }] : undefined;
      case 76: // object-list (device)
        return t === 8
          ? [...device.objects.values()].map((o) => ({ type: ApplicationTag.OBJECTIDENTIFIER, value: o.objectId }))
          : undefined;
      case 120: // vendor-identifier
        return t === 8 ? [{ type: ApplicationTag.UNSIGNED_INTEGER, value: device.options.vendorId }] : undefined;
      case 62: // max-apdu-length-accepted
        return t === 8 ? [{ type: ApplicationTag.UNSIGNED_INTEGER, value: device.options.maxApdu }] : undefined;
      default:
        return undefined;
    }
  }

  /** Apply a WriteProperty; returns [errorClass, errorCode] when refused. */
  write(property: number, values: AppValue[], priority: number | undefined): [number, number] | undefined {
    if (property !== 85 && property !== 104) return [ErrorClass.PROPERTY, ErrorCode.WRITE_ACCESS_DENIED];
    if (!this.commandable) return [ErrorClass.PROPERTY, ErrorCode.WRITE_ACCESS_DENIED];
    const v = values?.[0];
    if (!v) return [ErrorClass.PROPERTY, ErrorCode.INVALID_DATA_TYPE];
    const isNull = v.type === ApplicationTag.NULL;
    const expected = this.#encode(0).type;
    if (!isNull && v.type !== expected) return [ErrorClass.PROPERTY, ErrorCode.INVALID_DATA_TYPE];
    const n = isNull ? null : Number(v.value);
    if (n !== null) {
      if (isBinary(this.objectId.type) && n !== 0 && n !== 1) return [ErrorClass.PROPERTY, ErrorCode.VALUE_OUT_OF_RANGE];
      if (this.objectId.type >= 13 && (n < 1 || n > this.states)) return [ErrorClass.PROPERTY, ErrorCode.VALUE_OUT_OF_RANGE];
    }
    if (property === 104) {
      if (n === null) return [ErrorClass.PROPERTY, ErrorCode.INVALID_DATA_TYPE];
      this.relinquishDefault = n;
      return undefined;
    }
    const p = priority && priority >= 1 && priority <= 16 ? priority : 16;
    this.priority[p - 1] = n;
    return undefined;
  }
}
