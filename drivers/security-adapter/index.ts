/**
 * Security adapter driver: the box as the smart security service (智能安防应用) of camera vendors'
 * event adapters (seed 001 L41486-43966, digest 001g §3.8, R22-R33).
 *
 * Owns the port-5080 server (protocols/edge-security-event). A configured adapter authenticates,
 * fetches its vendor's cameras (getConfig) and reports alarms and captures. Each report becomes
 * the camera's `securityAlarmEvent` (v1.2) or `securityCapture` record, stored by the host with
 * its cloud upload (host service `security.recordAlarm`) before the adapter is answered; reports
 * of one event are merged (./merge.ts). The cloud's smart security services on the adapter device
 * are relayed to the adapter (./relays.ts); arming rules are kept on the box and sent again after
 * every authentication; getStatus polling sets the cameras' online state.
 */
import { defineDriver, DRIVER_ERRORS, fail, ok, type Driver, type DriverContext } from '../../edge/host/sdk/driver.js';
import { readSettings } from '../../edge/host/sdk/settings.js';
import {
  callAdapter,
  EdgeSecurityEventServer,
  EseCode,
  EseError,
  type AdapterApi,
  type AdapterSession,
  type CameraAddress,
  type Obj,
} from '../../protocols/edge-security-event/index.js';
import { DeviceBook, type Adapter, type Camera } from './book.js';
import { createReporter } from './reports.js';
import { ADAPTER_PRODUCT } from './products.js';
import { relay } from './relays.js';
import { RulesStore } from './rules-store.js';
import { pollStatus } from './status.js';
import settings from './settings.js';

export type SecurityAdapterDriver = Driver & { readonly server: EdgeSecurityEventServer };

/**
 * Longer than 60 lines on purpose: one closure whose short methods share the device book, the
 * server with its sessions and the kept rules (the shape of every driver here); the work itself
 * lives in ./reports.ts, ./relays.ts, ./status.ts and ./book.ts.
 */
export function createSecurityAdapterDriver(ctx: Pick<DriverContext, 'config' | 'log' | 'dataDir' | 'host'>): SecurityAdapterDriver {
  const cfg = readSettings(settings.config, ctx.config, 'security-adapter driver config');
  const log = ctx.log.child({ comp: 'security-adapter' });
  const book = new DeviceBook();
  const rules = new RulesStore(ctx.dataDir);
  const pendingChange = new Map<string, NodeJS.Timeout>();
  let poller: NodeJS.Timeout | undefined;
  let started = false;

  /** The camera a report names, of the adapter's vendor: 809 when it is another vendor's, 807 when unknown. */
  function cameraOf(s: AdapterSession, a: CameraAddress): Camera {
    const found = book.at(a);
    const mine = found.find((c) => c.manufacture === s.manufacture);
    if (mine) return mine;
    throw new EseError(found.length > 0 ? EseCode.MANUFACTURE_ERROR : EseCode.DEVICE_NOT_EXIST);
  }

  async function call(adapter: Adapter, api: AdapterApi, params: Obj) {
    const s = server.sessions.byIp(adapter.ip);
    if (!s) throw new Error('the adapter has not authenticated');
    return callAdapter({ ip: s.ip, port: s.port, token: s.token }, api, params, cfg.callTimeoutMs);
  }

  async function upload(url: string, pic: { base64: string; type: string }): Promise<void> {
    const r = await fetch(url, { method: 'PUT', body: Buffer.from(pic.base64, 'base64'), signal: AbortSignal.timeout(cfg.callTimeoutMs) });
    await r.body?.cancel();
    if (!r.ok) throw new Error(`upload answered HTTP ${r.status}`);
  }

  async function poll(adapter: Adapter): Promise<void> {
    await pollStatus(adapter, book, (api, p) => call(adapter, api, p), log);
  }

  /** After an authentication: every kept arming rule of the vendor again, then the cameras' state. */
  async function afterAuthentication(adapter: Adapter): Promise<void> {
    for (const r of rules.of(adapter.manufacture)) {
      try {
        const reply = await call(adapter, 'alarmDeploy/setRule', r.body);
        if (reply.code !== 200)
          log.warn({ adapter: adapter.ip, code: reply.code, message: reply.message }, 'adapter refused a kept arming rule');
      } catch (err) {
        log.warn({ adapter: adapter.ip, err: (err as Error).message }, 'kept arming rule not sent');
      }
    }
    await poll(adapter);
  }

  /** Tell the vendor's adapter its camera list changed (R27), once per burst of changes. */
  function configChanged(manufacture: string): void {
    if (!started || pendingChange.has(manufacture)) return;
    const changedAt = Date.now();
    const t = setTimeout(() => {
      pendingChange.delete(manufacture);
      const adapter = book.adapterOf(manufacture);
      // An adapter that authenticated after the change fetches the new list anyway.
      const s = adapter && server.sessions.byIp(adapter.ip);
      if (!adapter || !s || s.issuedAt > changedAt) return;
      call(adapter, 'deviceManage/configChange', {}).catch((err: Error) =>
        log.warn({ adapter: adapter.ip, err: err.message }, 'configChange not delivered'),
      );
    }, 1000);
    t.unref();
    pendingChange.set(manufacture, t);
  }

  const reporter = createReporter({ ctx, cfg, log, cameraOf });

  const server = new EdgeSecurityEventServer(
    {
      adapterAt: (source) => book.adapters.get(source),
      authenticated(s) {
        const adapter = book.adapters.get(s.ip);
        if (!adapter) return;
        log.info({ adapter: s.ip, manufacture: s.manufacture, port: s.port }, 'adapter authenticated');
        adapter.handle.online();
        adapter.handle.reportProperties({ AdapterPort: s.port, Mac: s.mac });
        void afterAuthentication(adapter);
      },
      config: (_s, manufacture) => book.config(manufacture),
      alarmEvent: reporter.alarmEvent,
      capture: reporter.capture,
    },
    { host: cfg.host, port: cfg.port, ...cfg.limits, log },
  );

  return {
    server,

    async start() {
      const addr = await server.listen();
      log.info({ host: addr.address, port: addr.port }, 'edge security event server listening');
      started = true;
      poller = setInterval(() => {
        for (const a of book.adapters.values()) if (server.sessions.byIp(a.ip)) void poll(a);
      }, cfg.statusPollS * 1000);
      poller.unref();
    },

    async addDevice(h) {
      const d = book.add(h);
      if (h.productKey === ADAPTER_PRODUCT) h.offline('waiting for the adapter to authenticate');
      else {
        h.offline('waiting for the adapter to report its state');
        configChanged(d.manufacture);
      }
    },

    async removeDevice(h) {
      const d = book.remove(h);
      h.offline('removed');
      if (!d) return;
      if (h.productKey === ADAPTER_PRODUCT) server.sessions.revoke(d.ip);
      else configChanged(d.manufacture);
    },

    async getProperties(h, keys) {
      const cam = book.byName(h.productKey, h.deviceName);
      const all: Record<string, unknown> = cam?.status !== undefined ? { Status: cam.status, UnnormalInfo: cam.unnormalInfo ?? '' } : {};
      if (h.productKey === ADAPTER_PRODUCT) {
        const s = server.sessions.byIp(String(h.custom.ip));
        if (s) Object.assign(all, { AdapterPort: s.port, Mac: s.mac });
      }
      return ok(Object.fromEntries(keys.filter((k) => k in all).map((k) => [k, all[k]])));
    },

    async setProperties() {
      return fail(DRIVER_ERRORS.EDGE_ERR_PROPERTY_READONLY, 'the security adapter models have no writable properties');
    },

    async callService(h, serviceId, args) {
      const adapter = h.productKey === ADAPTER_PRODUCT ? book.adapters.get(String(h.custom.ip)) : undefined;
      if (!adapter || adapter.handle !== h)
        return fail(DRIVER_ERRORS.EDGE_ERR_SERVICE_UNKNOWN, `${serviceId}: services are the adapter device's`);
      return relay({ adapter, book, rules, call: (api, p) => call(adapter, api, p), upload }, serviceId, args);
    },

    async stop() {
      if (poller) clearInterval(poller);
      for (const t of pendingChange.values()) clearTimeout(t);
      await reporter.flush();
      await server.close();
    },
  };
}

export default defineDriver((ctx: DriverContext) => createSecurityAdapterDriver(ctx));
