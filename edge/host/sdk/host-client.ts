/**
 * The one driver-side client of host services: typed arguments and answers, errors as
 * `HostCallError`. Part of the driver SDK.
 */
import { ALINK } from './answer.js';
import type { HostServices } from './driver.js';
import type { HostAnswer, HostArgs, HostMethod } from './host-services.js';

/** Success code of a host-service answer (the Alink convention of the whole box). */
export const HOST_OK = ALINK.SUCCESS;

/** How long a host-service call waits for its answer unless the caller says otherwise. */
export const HOST_CALL_TIMEOUT_MS = 10_000;

/** A host-service call that did not succeed: the catalogue code and message the host answered, or a timeout. */
export class HostCallError extends Error {
  readonly code: number | undefined;
  constructor(method: string, code: number | undefined, message: string) {
    super(`${method}: ${code ?? 'no answer'} ${message}`);
    this.name = 'HostCallError';
    this.code = code;
  }
}

/** The one driver-side client: typed arguments and answers, errors as `HostCallError`. */
export class HostClient {
  readonly #host: HostServices;
  constructor(host: HostServices) {
    this.#host = host;
  }

  async call<M extends HostMethod>(method: M, args: HostArgs<M>, timeoutMs?: number): Promise<HostAnswer<M>> {
    let a;
    try {
      a = await this.#host.call<HostAnswer<M>>(method, args as Record<string, unknown>, timeoutMs);
    } catch (err) {
      throw new HostCallError(method, undefined, (err as Error).message);
    }
    if (a.code !== HOST_OK) throw new HostCallError(method, a.code, a.message);
    return a.data as HostAnswer<M>;
  }
}
