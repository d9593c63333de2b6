/**
 * Indoor alarm unit driver (室内机, seed 001 L40647-41298, digest 001g §3.5 R10-R21).
 *
 * Owns the box's port-10070 server (protocols/alarm-unit): units connect, keep alive, report
 * their zones and alarms. Each unit is a `PEAlarmUnit` device (online state, its zone list);
 * each zone a device of its kind's product (config/tsl, `Alarm` event, writable `AlertState`).
 * Writing `AlertState` arms or disarms the zone through the unit's own setZoneAlertState.
 * Each alarm is stored by the host with its cloud upload (host service `security.recordAlarm`,
 * edge/security/alarms.ts) before the unit is answered.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { defineDriver, DRIVER_ERRORS, fail, ok, type DeviceHandle, type Driver, type DriverContext } from '../../edge/host/sdk/driver.js';
import { readSettings } from '../../edge/host/sdk/settings.js';
import { AlarmUnitServer, pingUnit, type AlarmInfo, type UnitSession, type ZoneInfo } from '../../protocols/alarm-unit/index.js';
import { AlarmReports } from './alarm-report.js';
import { AlertStateSender } from './alert-sender.js';
import { ClockStore } from './clock-store.js';
import { PRODUCT_OF_TYPE, UNIT_PRODUCT, ZONE_PRODUCTS } from './products.js';
import settings from './settings.js';
import { keyOf } from '../../edge/host/sdk/device-key.js';

interface Unit {
  ip: string;
  sn?: string;
  handle?: DeviceHandle;
  zones: Map<string, DeviceHandle>;
  /** The last zone list the unit reported. */
  zoneList: ZoneInfo[];
  /** Connected and answered the box's ping (or has no port to ping). */
  established: boolean;
}

export type AlarmUnitDriver = Driver & { readonly server: AlarmUnitServer };

export function createAlarmUnitDriver(ctx: Pick<DriverContext, 'config' | 'log' | 'dataDir' | 'host'>): AlarmUnitDriver {
  const cfg = readSettings(settings.config, ctx.config, 'alarm-unit driver config');
  const log = ctx.log.child({ comp: 'alarm-unit' });
  const units = new Map<string, Unit>();
  const clocks = new ClockStore(ctx.dataDir);
  let privateKey: KeyObject | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  const reports = new AlarmReports({ host: ctx.host, log });
  const alertStates = new AlertStateSender({
    online: (ip) => (units.get(ip)?.established ? server.sessions.byIp(ip) : undefined),
    nextTime: (ip) => clocks.next(ip),
    timeoutMs: cfg.callTimeoutMs,
  });

  const unitOf = (ip: string): Unit => {
    let u = units.get(ip);
    if (!u) units.set(ip, (u = { ip, zones: new Map(), zoneList: [], established: false }));
    return u;
  };

  function setOnline(u: Unit, online: boolean, reason?: string): void {
    u.established = online;
    for (const h of [u.handle, ...u.zones.values()]) {
      if (!h) continue;
      if (online) h.online();
      else h.offline(reason);
    }
  }

  async function establish(u: Unit, s: UnitSession): Promise<void> {
    if (s.port === -1) {
      // No port: the box can never call it (R14); it is online from connect, and arming is refused.
      setOnline(u, true);
      return;
    }
    try {
      if (await pingUnit(s, cfg.callTimeoutMs)) {
        if (currentSession(u) === s) setOnline(u, true);
        return;
      }
      log.warn({ unit: u.ip }, "unit did not answer the box's ping with pong; retried at its next keepalive");
    } catch (err) {
      log.warn({ unit: u.ip, err: (err as Error).message }, "unit's ping failed; retried at its next keepalive");
    }
  }

  /** A ping answered for an older connection does not make a newer one established. */
  const currentSession = (u: Unit): UnitSession | undefined => server.sessions.byIp(u.ip);

  function zoneHandle(u: Unit, zoneID: string): DeviceHandle | undefined {
    return u.zones.get(zoneID);
  }

  const server = new AlarmUnitServer(
    {
      isConfigured: (source) => units.get(source)?.handle !== undefined,
      privateKey: () => {
        if (!privateKey) throw new Error('device key not loaded');
        return privateKey;
      },
      connectProblem(req) {
        const sn = units.get(req.ip)?.sn;
        return sn !== undefined && sn !== req.sn ? "sn is not the configured unit's" : undefined;
      },
      connected(s) {
        const u = unitOf(s.ip);
        log.info({ unit: s.ip, sn: s.sn, encrypted: s.aesKey !== undefined, keepalive: s.keepaliveS, port: s.port }, 'unit connected');
        u.handle?.reportProperties({ Vendor: s.vendor, Model: s.model ?? '', Encrypted: s.aesKey ? 1 : 0 });
        void establish(u, s);
      },
      keepalive(s) {
        const u = unitOf(s.ip);
        if (!u.established) void establish(u, s);
      },
      zoneInfo(s, zones) {
        const u = unitOf(s.ip);
        u.zoneList = zones;
        u.handle?.reportProperties({ ZoneList: JSON.stringify(zones) });
        for (const z of zones) {
          const h = zoneHandle(u, z.zoneID);
          if (!h) continue;
          if (h.productKey !== PRODUCT_OF_TYPE[z.zoneDeviceType])
            h.log.warn(
              { zoneID: z.zoneID, zoneDeviceType: z.zoneDeviceType, product: h.productKey },
              'the unit reports another detector type for this zone than its product',
            );
          if (ZONE_PRODUCTS[h.productKey]?.hasAlertState) h.reportProperties({ AlertState: z.zoneState });
        }
      },
      async alarms(s, alarms: AlarmInfo[], receivedAt) {
        const u = unitOf(s.ip);
        // One thing-model event per element (R19), at alarmTime or when received, on the zone's
        // device or else the unit's; stored by the host before the unit is answered, once each.
        await reports.store(s.ip, alarms, receivedAt, (a) => {
          const zone = zoneHandle(u, a.zoneID);
          const target = zone ?? u.handle;
          if (!target) return undefined;
          const zoneDeviceType = u.zoneList.find((z) => z.zoneID === a.zoneID)?.zoneDeviceType ?? 0;
          return { deviceKey: keyOf(target), params: zone ? {} : { zoneID: a.zoneID, zoneDeviceType } };
        });
        log.info({ unit: s.ip, alarms: alarms.length }, 'alarm report stored');
      },
    },
    { host: cfg.host, port: cfg.port, offlineMisses: cfg.offlineMisses, ...cfg.limits, log },
  );

  const find = (h: DeviceHandle): { u: Unit; zoneID?: string } | undefined => {
    const u = units.get(String(h.custom.ip));
    if (!u) return undefined;
    if (h.productKey === UNIT_PRODUCT) return u.handle === h ? { u } : undefined;
    const zoneID = String(h.custom.zoneID);
    return u.zones.get(zoneID) === h ? { u, zoneID } : undefined;
  };

  return {
    server,

    async start() {
      const key = await ctx.host.call<{ privateKeyPem: string }>('box.deviceKey', {});
      if (key.code === 200 && key.data) privateKey = createPrivateKey(key.data.privateKeyPem);
      else log.error({ code: key.code, message: key.message }, "the box's device key is not available: encrypted connects are refused");
      const addr = await server.listen();
      log.info({ host: addr.address, port: addr.port }, 'alarm unit server listening');
      sweeper = setInterval(() => {
        for (const s of server.sessions.sweep()) {
          const u = units.get(s.ip);
          if (u) setOnline(u, false, 'no keepalive from the unit');
          log.warn({ unit: s.ip }, 'unit silent past its keepalive; offline, token expired');
        }
      }, 1000);
      sweeper.unref();
    },

    async addDevice(h) {
      const ip = String(h.custom.ip);
      const u = unitOf(ip);
      if (h.productKey === UNIT_PRODUCT) {
        u.handle = h;
        if (typeof h.custom.sn === 'string') u.sn = h.custom.sn;
      } else if (ZONE_PRODUCTS[h.productKey] && typeof h.custom.zoneID === 'string') {
        u.zones.set(h.custom.zoneID, h);
      } else throw new Error(`${h.productKey}/${h.deviceName}: not a product of this driver, or a zone without zoneID`);
      if (u.established) h.online();
      else h.offline('waiting for the unit to connect');
    },

    async removeDevice(h) {
      const found = find(h);
      if (!found) return;
      const { u, zoneID } = found;
      if (zoneID === undefined) {
        u.handle = undefined;
        server.sessions.revoke(u.ip);
        setOnline(u, false, 'removed');
      } else u.zones.delete(zoneID);
      h.offline('removed');
      if (!u.handle && u.zones.size === 0) units.delete(u.ip);
    },

    async getProperties(h, keys) {
      const found = find(h);
      if (!found) return fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_UNKNOWN, 'device not deployed');
      const { u, zoneID } = found;
      const s = server.sessions.byIp(u.ip);
      const all: Record<string, unknown> =
        zoneID === undefined
          ? { ZoneList: JSON.stringify(u.zoneList), ...(s ? { Vendor: s.vendor, Model: s.model ?? '', Encrypted: s.aesKey ? 1 : 0 } : {}) }
          : { AlertState: u.zoneList.find((z) => z.zoneID === zoneID)?.zoneState ?? 0 };
      return ok(Object.fromEntries(keys.filter((k) => k in all).map((k) => [k, all[k]])));
    },

    async setProperties(h, values) {
      const found = find(h);
      if (!found) return fail(DRIVER_ERRORS.EDGE_ERR_DEVICE_UNKNOWN, 'device not deployed');
      const { u, zoneID } = found;
      if (zoneID === undefined || !('AlertState' in values))
        return fail(DRIVER_ERRORS.EDGE_ERR_PROPERTY_READONLY, "only a zone's AlertState is written");
      const state = Number(values.AlertState);
      // 0 "unknown" is a state the unit reports, not one it can be set to (setZoneAlertState: 1 or 2, L41096).
      if (state !== 1 && state !== 2) return fail(DRIVER_ERRORS.EDGE_ERR_REQUEST_INVALID, 'AlertState: 1 disarm or 2 arm');
      const r = await alertStates.send(u.ip, zoneID, state);
      if (r.code !== 200) return r;
      const z = u.zoneList.find((x) => x.zoneID === zoneID);
      if (z) z.zoneState = state;
      h.reportProperties({ AlertState: state });
      return ok();
    },

    async callService() {
      return fail(DRIVER_ERRORS.EDGE_ERR_SERVICE_UNKNOWN, 'the indoor alarm models have no services');
    },

    async stop() {
      if (sweeper) clearInterval(sweeper);
      await server.close();
    },
  };
}

export default defineDriver((ctx: DriverContext) => createAlarmUnitDriver(ctx));
