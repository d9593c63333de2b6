/**
 * The door thing model's permission services, answered by the box for every door device
 * whatever its driver: the cloud's `syncPermissions {permissionUrl}` and the face library
 * services (`SyncFacePictures`, `SyncFaceFeatures`, `QuerySyncPicSchedule`, `QueryAddedUserInfo`)
 * load or read the box's own stores [seed 000 L2611-2808, seed 001 L1496-1535]; after a
 * successful load the call goes on to the driver as a nudge to deploy now. The `RSAPublicKey`
 * property set on a QR door is kept by the access core for encrypted-QR decisions.
 */
import { ALINK, answerOf, edgeError, ok, succeeded, type Answer } from '../errors.js';
import type { Logger } from '../log.js';
import type { DevicePropertyHook, DeviceServiceHook } from '../host/host.js';
import type { AccessCore, SyncOutcome } from './access-core.js';
import { deviceKey } from '../host/sdk/device-key.js';

interface Host {
  handleDeviceService(serviceId: string, hook: DeviceServiceHook): void;
  watchPropertySet(property: string, hook: DevicePropertyHook): void;
}

export function handleAccessDeviceServices(host: Host, core: AccessCore, log: Logger): void {
  /** Load a sync file; when it is in, tell the driver (a driver without the service is fine). */
  const sync =
    (
      load: (deviceKey: string, args: Record<string, unknown>) => Promise<SyncOutcome>,
      statusKey: 'SyncPicStatus' | 'SyncFileStatus',
    ): DeviceServiceHook =>
    async (pk, dn, args, forward) => {
      const r = await load(deviceKey(pk, dn), args);
      if (r.SyncPicStatus === 0 || r.SyncPicStatus === 1) {
        const nudge = await forward().catch((err: unknown): Answer => answerOf(err));
        if (!succeeded(nudge) && nudge.code !== ALINK.SERVICE_UNKNOWN)
          log.warn(
            { dev: deviceKey(pk, dn), code: nudge.code, reason: nudge.message },
            'driver not told of the new permissions; it deploys on its next round',
          );
      }
      return { code: ALINK.SUCCESS, message: r.message, data: { [statusKey]: r.SyncPicStatus } };
    };
  host.handleDeviceService(
    'syncPermissions',
    sync((k, a) => core.syncPermissions(k, String(a.permissionUrl ?? '')), 'SyncFileStatus'),
  );
  host.handleDeviceService(
    'SyncFacePictures',
    sync((k, a) => core.syncFacePictures(k, String(a.FacePicURL ?? '')), 'SyncPicStatus'),
  );
  host.handleDeviceService(
    'SyncFaceFeatures',
    sync((k, a) => core.syncFaceFeatures(k, String(a.FacePicFeaturesURL ?? '')), 'SyncPicStatus'),
  );
  host.handleDeviceService('QuerySyncPicSchedule', async (pk, dn) => ok(core.querySyncPicSchedule(deviceKey(pk, dn))));
  host.handleDeviceService('QueryAddedUserInfo', async (pk, dn, args) => {
    const r = core.queryAddedUserInfo(deviceKey(pk, dn), String(args.GroupID ?? ''));
    return ok({ StoreID: r.StoreID, Type: r.Type, SyncPicStatus: r.SyncPicStatus });
  });
  host.watchPropertySet('RSAPublicKey', (pk, dn, value) => {
    try {
      core.setRsaPublicKey(deviceKey(pk, dn), String(value));
    } catch (err) {
      throw edgeError('EDGE_ERR_VALUE_INVALID', 'RSAPublicKey', `not an RSA public key: ${(err as Error).message}`);
    }
  });
}
