/**
 * GB28181 camera driver (issue 19, first part): the box is the GB/T 28181-2016 SIP server of the
 * seed (L41434-41454, digest 001g §3.7 R34) on UDP and TCP; configured cameras (`PEGbCamera`) and
 * NVRs (`PEGbNvr`) go online when they register with digest authentication and offline when they
 * unregister, their registration expires or they miss `keepaliveMisses` keepalives. On each
 * registration the box asks for the device's catalog and DeviceInfo; an NVR's channels become
 * the configured channel devices (`PEGbCamera` with `parent`) and its `ChannelList`, named
 * `<NVR code>_<channel>_<location>` (./naming.ts). Unknown ids that prove the box password, and
 * catalog channels no device names, go to `discovered.json` in the driver's data folder.
 * PTZ, presets, record, guard, reboot and recordings are ./services.ts; alarms ./alarms.ts.
 */
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import {
  defineDriver,
  DRIVER_ERRORS,
  fail,
  ok,
  type DeviceHandle,
  type Driver,
  type DriverContext,
  type HostServices,
} from '../../edge/host/sdk/driver.js';
import { readSettings } from '../../edge/host/sdk/settings.js';
import { Gb28181Server, type Catalog } from '../../protocols/gb28181/index.js';
import { OncePer } from '../../protocols/common/once-per.js';
import { responseTo } from '../../protocols/gb28181/response.js';
import { takeAlarm } from './alarms.js';
import { deviceOf, DeviceTable, type GbDevice } from './devices.js';
import { callMediaService, MEDIA_SERVICES, reportEnd } from './media-services.js';
import { MediaSessions } from './media-sessions.js';
import { DiscoveredList } from './discovered.js';
import { CameraServices } from './services.js';
import settings, { CAMERA_PRODUCT, NVR_PRODUCT } from './settings.js';

export type GbCameraDriver = Driver & {
  readonly server: Gb28181Server;
  readonly discovered: DiscoveredList;
  readonly media: MediaSessions;
};

/** The address the box writes in its own requests: configured, the listening one, or the first LAN address. */
export function advertiseAddress(sipIp: string, advertiseIp?: string): string {
  if (advertiseIp) return advertiseIp;
  if (sipIp !== '0.0.0.0' && sipIp !== '::') return sipIp;
  const lan = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal);
  return lan?.address ?? '127.0.0.1';
}

// Longer than 60 lines on purpose: the server's callbacks and the services share the device table
// and the catalog waiters, each a small named function inside.
export function createGbCameraDriver(ctx: Pick<DriverContext, 'config' | 'log' | 'dataDir'> & { host?: HostServices }): GbCameraDriver {
  const cfg = readSettings(settings.config, ctx.config, 'gb28181-camera driver config');
  const log = ctx.log.child({ comp: 'gb28181' });
  const discovered = new DiscoveredList(ctx.dataDir);
  const table = new DeviceTable(discovered);
  const once = new OncePer(60_000);
  /** GB id → services waiting for its next catalog. */
  const waiting = new Map<string, Array<(c: Catalog) => void>>();
  let media: MediaSessions | undefined;

  const server = new Gb28181Server(
    {
      host: cfg.sipIp,
      udpPort: cfg.sipUdpPort,
      tcpPort: cfg.sipPort,
      advertise: advertiseAddress(cfg.sipIp, cfg.advertiseIp),
      serverId: cfg.sipId,
      domain: cfg.domain,
      password: cfg.password,
      keepaliveIntervalS: cfg.keepaliveIntervalS,
      keepaliveMisses: cfg.keepaliveMisses,
      nonceTtlS: cfg.nonceTtlS,
      catalogWaitMs: cfg.catalogWaitS * 1000,
      ...cfg.limits,
    },
    {
      passwordOf(id) {
        const d = table.byId.get(id);
        return d && d.kind !== 'channel' ? (d.password ?? cfg.password) : undefined;
      },
      online(id, from) {
        log.info({ gbId: id, transport: from.transport, address: from.address, port: from.port }, 'device registered');
        table.online(id);
        void ask(id);
      },
      offline(id, reason) {
        log.warn({ gbId: id, reason }, 'device offline');
        table.offline(id, reason);
      },
      keepalive: () => undefined,
      catalog(c) {
        log.info({ gbId: c.deviceId, sumNum: c.sumNum, items: c.items.length, complete: c.complete }, 'catalog');
        table.catalog(c);
        for (const w of waiting.get(c.deviceId) ?? []) w(c);
        waiting.delete(c.deviceId);
      },
      manscdp(id, m) {
        if (!takeAlarm(alarmSink, id, m) && !services.take(id, m)) table.manscdp(id, m);
      },
      unknown(id, from) {
        if (discovered.add({ gbId: id, kind: 'device', address: from.address }))
          log.warn(
            { gbId: id, address: from.address },
            'unknown device registered with the box password: held in discovered.json, answered 403',
          );
      },
      bye: (req) => media?.bye(req) ?? responseTo(req, 481),
      mediaStatus: (id, type) => media?.mediaStatus(id, type),
      stray: (res) => media?.stray(res),
      refused(from, reason, id) {
        // Sizes and counts in a reason do not make it a new one.
        if (once.due(from.address, reason.replace(/\d+/g, 'N')))
          log.warn({ address: from.address, gbId: id, reason }, 'SIP message refused (logged once a minute per address and reason)');
      },
    },
  );

  const advertise = advertiseAddress(cfg.sipIp, cfg.advertiseIp);
  media = new MediaSessions(server, { serverId: cfg.sipId, domain: cfg.domain, advertise, ...cfg.media }, (s, e) => {
    const name = s.spec.id.slice(0, s.spec.id.lastIndexOf(':'));
    reportEnd([...table.byId.values()].find((d) => d.handle.deviceName === name)?.handle, s, e);
  });
  const mediaDeps = {
    sessions: media,
    host: ctx.host ?? noHost,
    hlsDir: cfg.media.hlsDir ?? join(ctx.dataDir, 'hls'),
    hlsBaseUrl: cfg.media.hlsBaseUrl,
    forceIFrame: (dev: GbDevice) => services.forceIFrame(dev),
    recording: (dev: GbDevice, fileName: string) => services.recording(dev, fileName),
  };

  const services = new CameraServices(server, { answerWaitMs: 10_000, recordWaitMs: cfg.catalogWaitS * 1000 });
  const alarmSink = {
    server,
    byId: table.byId,
    refused: (id: string, reason: string) => {
      if (once.due(id, reason)) log.warn({ gbId: id, reason }, 'alarm notification not readable (logged once a minute)');
    },
  };

  /** Catalog, DeviceInfo and DeviceStatus queries after a registration; a device that does not answer stays online. */
  async function ask(id: string): Promise<void> {
    for (const cmd of ['Catalog', 'DeviceInfo', 'DeviceStatus'] as const) {
      try {
        const r = await server.query(id, cmd);
        if (r.status !== 200) log.warn({ gbId: id, cmd, status: r.status }, 'query refused by the device');
      } catch (err) {
        log.warn({ gbId: id, cmd, err: (err as Error).message }, 'query not answered');
      }
    }
  }

  async function queryCatalog(h: DeviceHandle) {
    const d = table.of(h);
    if (!d) return fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_UNKNOWN, 'device not deployed');
    const target = d.parent ?? d.gbId;
    if (!server.isOnline(target)) return fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_OFFLINE, `${target} is not registered`);
    let timer: NodeJS.Timeout | undefined;
    const got = new Promise<Catalog | undefined>((resolve) => {
      waiting.set(target, [...(waiting.get(target) ?? []), resolve]);
      timer = setTimeout(() => resolve(undefined), cfg.catalogWaitS * 1000 + 5000);
    }).finally(() => clearTimeout(timer));
    try {
      const r = await server.query(target, 'Catalog');
      if (r.status !== 200) return fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_OFFLINE, `the device answered ${r.status}`);
    } catch (err) {
      return fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_OFFLINE, (err as Error).message);
    }
    const c = await got;
    if (!c) return fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_OFFLINE, 'the device sent no catalog in time');
    return ok({ count: c.items.filter((i) => i.deviceId !== target).length || c.items.length });
  }

  return {
    server,
    discovered,
    media,
    async start() {
      const addr = await server.listen();
      log.info(
        { host: cfg.sipIp, udp: addr.udp.port, tcp: addr.tcp.port, sipId: cfg.sipId, domain: cfg.domain },
        'GB28181 SIP server listening',
      );
    },
    async addDevice(h) {
      if (h.productKey !== CAMERA_PRODUCT && h.productKey !== NVR_PRODUCT)
        throw new Error(`${h.productKey}/${h.deviceName}: not a product of this driver`);
      table.add(deviceOf(h));
    },
    async removeDevice(h) {
      const d = table.of(h);
      if (d) {
        for (const kind of ['live', 'playback', 'snapshot'] as const) await media?.stop(`${h.deviceName}:${kind}`);
        table.byId.delete(d.gbId);
        server.forget(d.gbId);
      }
      h.offline('removed');
    },
    async getProperties(h) {
      return table.of(h) ? ok({}) : fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_UNKNOWN, 'device not deployed');
    },
    async setProperties() {
      return fail(DRIVER_ERRORS.EDGE_ERR_PROPERTY_READONLY, 'the GB28181 devices have no writable property');
    },
    async callService(h, serviceId, args) {
      if (serviceId === 'queryCatalog') return queryCatalog(h);
      const d = table.of(h);
      if (d && (MEDIA_SERVICES as readonly string[]).includes(serviceId)) return callMediaService(mediaDeps, h, d, serviceId, args);
      const answer = d && services.call(d, serviceId, args);
      if (answer) return answer;
      return fail(DRIVER_ERRORS.EDGE_ERR_SERVICE_UNKNOWN, `service ${serviceId} is not one of the GB28181 camera's`);
    },
    async stop() {
      services.close();
      await media?.closeAll();
      await server.close();
    },
  };
}

const noHost: HostServices = {
  call: async () => ({ code: 6304, message: 'no host services (driver run alone)' }),
};

export default defineDriver((ctx: DriverContext) => createGbCameraDriver(ctx));
