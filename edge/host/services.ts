/**
 * The host side of the host-service contract (sdk/host-services.ts): areas register a handler
 * per declared method; every call is checked here, once, before a handler runs — the method
 * exists, the arguments match its schema, and a `deviceKey` argument names a device of the
 * calling driver. Handlers return the answer's data or throw an `EdgeError`; the registry turns
 * both into the `{code, message, data}` answer.
 */
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import { answerOf, edgeError, EdgeError, ERRORS, type Answer } from '../errors.js';
import type { Logger } from '../log.js';
import {
  HOST_CALL_TIMEOUT_MS,
  HOST_OK,
  HOST_SERVICES,
  type HostAnswer,
  type HostArgs,
  type HostMethod,
  type HostServices,
} from './sdk/host-services.js';

export interface HostCaller {
  driver: string;
}

export type HostHandler<M extends HostMethod> = (args: HostArgs<M>, caller: HostCaller) => HostAnswer<M> | Promise<HostAnswer<M>>;

export type HostHandlers = { [M in HostMethod]?: HostHandler<M> };

const checks = new Map<string, TypeCheck<TSchema>>();
function checkOf(method: HostMethod): TypeCheck<TSchema> {
  let c = checks.get(method);
  if (!c) checks.set(method, (c = TypeCompiler.Compile(HOST_SERVICES[method].args)));
  return c;
}

function isHostMethod(name: string): name is HostMethod {
  return Object.hasOwn(HOST_SERVICES, name);
}

/** The first schema violation of a call, as `path: message`. */
function hostArgsProblem(method: HostMethod, args: unknown): string | undefined {
  const check = checkOf(method);
  if (check.Check(args)) return undefined;
  const e = check.Errors(args).First();
  return e ? `${e.path || '(arguments)'}: ${e.message}` : 'arguments do not match the contract';
}

export class HostServiceRegistry {
  readonly #handlers = new Map<string, HostHandler<HostMethod>>();
  readonly #owns: (driver: string, deviceKey: string) => boolean;
  readonly #log: Logger;

  constructor(deps: { log: Logger; owns: (driver: string, deviceKey: string) => boolean }) {
    this.#log = deps.log;
    this.#owns = deps.owns;
  }

  register(handlers: HostHandlers): void {
    for (const [name, fn] of Object.entries(handlers)) {
      if (!isHostMethod(name)) throw new Error(`${name} is not a host service of the contract (edge/host/sdk/host-services.ts)`);
      this.#handlers.set(name, fn as HostHandler<HostMethod>);
    }
  }

  unregister(names: readonly string[]): void {
    for (const n of names) this.#handlers.delete(n);
  }

  async call(caller: HostCaller, method: string, args: unknown): Promise<Answer> {
    const fn = isHostMethod(method) ? this.#handlers.get(method) : undefined;
    if (!fn || !isHostMethod(method)) return answerOf(edgeError('EDGE_ERR_HOST_SERVICE_UNKNOWN', method));
    const problem = hostArgsProblem(method, args);
    if (problem) return answerOf(edgeError('EDGE_ERR_HOST_CALL_INVALID', method, problem));
    const deviceKey = (args as { deviceKey?: unknown }).deviceKey;
    if (typeof deviceKey === 'string' && !this.#owns(caller.driver, deviceKey))
      return answerOf(edgeError('EDGE_ERR_DEVICE_NOT_OWNED', deviceKey, caller.driver));
    try {
      const data = await fn(args as HostArgs<HostMethod>, caller);
      return { code: HOST_OK, message: 'success', data };
    } catch (err) {
      if (err instanceof EdgeError) return answerOf(err);
      this.#log.error({ err, driver: caller.driver, method }, 'host service failed');
      return { code: ERRORS.EDGE_ERR_INTERNAL.alink, message: (err as Error).message };
    }
  }
}

/**
 * `ctx.host` for a driver run in this process (tests, benchmarks): the same registry, checks and
 * answers as over the driver IPC, without the process boundary.
 */
export function inProcessHost(registry: HostServiceRegistry, driver: string): HostServices {
  return {
    call<T>(method: string, args: Record<string, unknown> = {}, timeoutMs = HOST_CALL_TIMEOUT_MS): Promise<Answer<T>> {
      return new Promise<Answer<T>>((resolve, reject) => {
        // The same promise as over the IPC: a call the host does not answer in time rejects.
        const timer = setTimeout(() => reject(new Error(`host service ${method} did not answer within ${timeoutMs} ms`)), timeoutMs);
        registry
          .call({ driver }, method, args)
          .then((a) => resolve(a as Answer<T>), reject)
          .finally(() => clearTimeout(timer));
      });
    },
  };
}
