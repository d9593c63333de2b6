import type { Runtime } from '../runtime.js';
import { cloudWanted } from '../cloud/config.js';
import { edgeError } from '../errors.js';
import { ensureDeviceKey } from '../keys/device-rsa.js';
import type { Part } from './part.js';

/** Driver types whose devices encrypt a session key to the box (they may read its device key). */
const DEVICE_KEY_DRIVERS = new Set(['alarm-unit']);

/** Host services about the box itself: its cloud link state and its device RSA key. */
export function boxServicesPart(rt: Runtime): Part {
  return {
    name: 'boxServices',
    start: async () => {
      rt.host.registerServices({
        'box.cloudLink': () => ({ configured: cloudWanted(rt.config.cloud), online: rt.cloud?.online ?? false }),
      });
      // Generated on first start whatever the drivers (`edge keys` prints it for the installer),
      // handed only to drivers whose devices encrypt to it.
      const deviceKey = ensureDeviceKey(rt.dataDir);
      if (deviceKey.created)
        rt.log.info(
          { file: deviceKey.file, bits: deviceKey.bits },
          'device RSA key generated; `edge keys` prints its public half for the units',
        );
      rt.host.registerServices({
        'box.deviceKey': (_args, caller) => {
          const type = (rt.config.drivers as Array<{ name?: string; type?: string }>).find((d) => d.name === caller.driver)?.type;
          if (!type || !DEVICE_KEY_DRIVERS.has(type))
            throw edgeError('EDGE_ERR_HOST_CALL_INVALID', 'box.deviceKey', `driver ${caller.driver} has no use for the box's private key`);
          return { privateKeyPem: deviceKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), bits: deviceKey.bits };
        },
      });
    },
    // Host services live as long as the host; nothing of their own to stop.
    stop: async () => undefined,
  };
}
