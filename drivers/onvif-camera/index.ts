/**
 * ONVIF camera driver (issue 19, item 3), on the `onvif` package (wrapped in ./client.ts).
 * Cameras are configured as devices (`PEOnvifCamera`, R51/R52 checked in ./settings.ts); each is
 * one CameraSession (./camera.ts): device information as properties, online/offline with
 * reconnect backoff, PullPoint events as `motion`/`alarm`. Services: `ptz`, `ptzAbsolute`,
 * `preset`, `snapshot`, `getStreamUri` (./services.ts, ./snapshot.ts). `discover` sends a
 * WS-Discovery probe (protocols/onvif/discovery.ts). `startLivePush` / `stopLivePush` relay the
 * camera's RTSP stream with the shared ffmpeg relay (./live-push.ts, protocols/media/).
 */
import {
  defineDriver,
  DRIVER_ERRORS,
  fail,
  ok,
  type Answer,
  type DeviceHandle,
  type Driver,
  type DriverContext,
} from '../../edge/host/sdk/driver.js';
import { keyOf } from '../../edge/host/sdk/device-key.js';
import { readSettings } from '../../edge/host/sdk/settings.js';
import { probe } from '../../protocols/onvif/discovery.js';
import { join } from 'node:path';
import { CameraSession, redactUri } from './camera.js';
import { OnvifLivePush } from './live-push.js';
import { ptz, ptzAbsolute, preset } from './services.js';
import settings, { CAMERA_PRODUCT } from './settings.js';
import { takeSnapshot } from './snapshot.js';

export type OnvifCameraDriver = Driver & { readonly sessions: ReadonlyMap<string, CameraSession>; readonly live: OnvifLivePush };

export function createOnvifCameraDriver(
  ctx: Pick<DriverContext, 'config' | 'log' | 'host'> & Partial<Pick<DriverContext, 'dataDir'>>,
): OnvifCameraDriver {
  const cfg = readSettings(settings.config, ctx.config, 'onvif-camera driver config');
  const log = ctx.log.child({ comp: 'onvif' });
  const sessions = new Map<string, CameraSession>();
  const options = {
    timeoutMs: cfg.timeoutS * 1000,
    checkIntervalMs: cfg.checkIntervalS * 1000,
    retry: { minMs: cfg.retryMinS * 1000, maxMs: Math.max(cfg.retryMinS, cfg.retryMaxS) * 1000 },
    events: cfg.events,
  };
  const live = new OnvifLivePush({
    ...cfg.media,
    hlsDir: cfg.media.hlsDir ?? join(ctx.dataDir ?? '.', 'hls'),
    startTimeoutS: cfg.timeoutS,
  });

  async function snapshot(s: CameraSession): Promise<Answer> {
    const c = s.connected!;
    if (!c.snapshotUri) return fail(DRIVER_ERRORS.EDGE_ERR_DRIVER_FAILED, 'the camera offers no snapshot URI');
    try {
      const shot = await takeSnapshot(
        {
          uri: c.snapshotUri,
          username: s.cfg.username,
          password: s.cfg.password,
          timeoutMs: options.timeoutMs,
          maxBytes: cfg.snapshotMaxKb * 1024,
        },
        ctx.host,
        { deviceKey: keyOf(s.handle), keepDays: cfg.snapshotKeepDays },
      );
      s.handle.log.info({ url: shot.url, bytes: shot.bytes, width: shot.width, height: shot.height }, 'snapshot stored');
      return ok(shot);
    } catch (err) {
      s.handle.log.warn({ err: (err as Error).message, uri: redactUri(c.snapshotUri) }, 'snapshot failed');
      return fail(DRIVER_ERRORS.EDGE_ERR_DRIVER_FAILED, (err as Error).message);
    }
  }

  async function discover(o: Record<string, unknown>): Promise<Answer<unknown[]>> {
    const d = cfg.discovery;
    const targets = Array.isArray(o.targets) ? o.targets.map(String) : (d?.targets ?? []);
    if (targets.some((t) => !/^[A-Za-z0-9_.-]+(:\d{1,5})?$/.test(t)))
      return fail(DRIVER_ERRORS.EDGE_ERR_REQUEST_INVALID, 'targets are ip[:port]');
    const iface = typeof o.multicastInterface === 'string' ? o.multicastInterface : d?.multicastInterface;
    const waitMs = typeof o.waitMs === 'number' ? Math.max(100, Math.min(30_000, o.waitMs)) : (d?.waitMs ?? 3000);
    try {
      const found = await probe({ targets, ...(iface ? { multicastInterface: iface } : {}), waitMs });
      const byAddress = new Map([...sessions.values()].map((s) => [`${s.cfg.ip}:${s.cfg.port}`, s.handle.deviceName]));
      log.info({ targets: targets.length, multicast: Boolean(iface), found: found.length }, 'WS-Discovery probe');
      return ok(found.map((c) => ({ ...c, configured: byAddress.get(`${c.ip}:${c.port}`) ?? null })));
    } catch (err) {
      return fail(DRIVER_ERRORS.EDGE_ERR_REQUEST_INVALID, `probe failed: ${(err as Error).message}`);
    }
  }

  return {
    sessions,
    live,
    async addDevice(h: DeviceHandle) {
      if (h.productKey !== CAMERA_PRODUCT) throw new Error(`${h.productKey}/${h.deviceName}: not a product of this driver`);
      const c = readSettings(settings.device, h.custom, `${h.deviceName} custom`);
      sessions.get(keyOf(h))?.stop();
      const s = new CameraSession(
        h,
        {
          ip: c.ip,
          port: c.port,
          username: c.username,
          password: c.password,
          path: c.path,
          profile: c.profile,
          categoryCode: c.categoryCode,
        },
        options,
        log,
      );
      sessions.set(keyOf(h), s);
      s.start();
    },
    async removeDevice(h) {
      await live.stop(keyOf(h));
      sessions.get(keyOf(h))?.stop();
      sessions.delete(keyOf(h));
      h.offline('removed');
    },
    async getProperties(h) {
      return sessions.has(keyOf(h)) ? ok({}) : fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_UNKNOWN, 'device not deployed');
    },
    async setProperties() {
      return fail(DRIVER_ERRORS.EDGE_ERR_PROPERTY_READONLY, 'the ONVIF camera has no writable property');
    },
    async callService(h, serviceId, args) {
      const s = sessions.get(keyOf(h));
      if (!s) return fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_UNKNOWN, 'device not deployed');
      // Stopping needs no camera: a push whose camera went away is still the box's to end.
      if (serviceId === 'stopLivePush') return ok({ stopped: await live.stop(keyOf(h)) });
      const c = s.connected;
      if (!c) return fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_OFFLINE, s.reason ?? 'the camera is not connected yet');
      if (serviceId === 'startLivePush') return live.start(s, c, args);
      switch (serviceId) {
        case 'ptz':
          return ptz(c, args);
        case 'ptzAbsolute':
          return ptzAbsolute(c, args);
        case 'preset':
          return preset(c, args);
        case 'snapshot':
          return snapshot(s);
        case 'getStreamUri':
          // The URI as the camera gives it (no credentials in it); the caller authenticates with the camera's user.
          return ok({ uri: c.streamUri, profile: c.profile.token });
        default:
          return fail(DRIVER_ERRORS.EDGE_ERR_SERVICE_UNKNOWN, `service ${serviceId} is not one of the ONVIF camera's`);
      }
    },
    async stop() {
      await live.closeAll();
      for (const s of sessions.values()) s.stop();
      sessions.clear();
    },
    discover,
  };
}

export default defineDriver((ctx: DriverContext) => createOnvifCameraDriver(ctx));
