/** One host-service call from a face driver: the data of a 200 answer, or a thrown HostUnavailable. */
import type { HostServices } from '../../edge/host/sdk/driver.js';

export class HostUnavailable extends Error {}

export async function hostCall<T>(host: HostServices, method: string, args: Record<string, unknown>): Promise<T> {
  const a = await host.call<T>(method, args);
  if (a.code !== 200) throw new HostUnavailable(`${method}: ${a.code} ${a.message}`);
  return a.data as T;
}
