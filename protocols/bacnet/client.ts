/**
 * The @bacnet-js/client class. The package is CommonJS with `exports.default`: Node's ESM
 * loader hands us `module.exports` (class under `.default`), bundlers such as vitest's hand
 * us the class itself; both work through here.
 */
import bacnet from '@bacnet-js/client';

type ClientClass = typeof bacnet.default;
const mod = bacnet as unknown as { default?: ClientClass };
export const BACnetClient: ClientClass = typeof mod.default === 'function' ? mod.default : (bacnet as unknown as ClientClass);
export type Client = InstanceType<ClientClass>;
