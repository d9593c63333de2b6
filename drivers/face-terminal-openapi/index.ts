/**
 * Face terminal driver for the device OpenAPI protocol (seed 004): the box is the client of each
 * terminal's API (`http://HOST:8899/api/...`), holds its record push link (`ws://HOST:9000/api/record`)
 * and serves the terminals' chapter 9 requests. Each terminal is one logical door device
 * (`PEFaceOpenApi`: the door thing model of spec 000 §3.7 plus the terminal's configuration
 * objects as properties with the seed's ranges).
 */
import { defineDriver, ok, type Answer, type DeviceHandle, type DriverContext } from '../../edge/host/sdk/driver.js';
import { DEVICE_FIELDS, DevicePushServer, GROUP_FIELDS, groupOf, OpenApiCode, type ConfigGroup } from '../../protocols/face-openapi/index.js';
import { AccessCalls } from '../face-shared/access-calls.js';
import { badArgs, notDeployed, noService, readOnly } from '../face-shared/answers.js';
import { failure } from './answers.js';
import { FACTORY_PASSWORD } from '../../protocols/face-openapi/sign.js';
import { deviceConfig, openApiSettings } from './config.js';
import { chapter9 } from './library.js';
import { OpenApiTerminal } from './terminal.js';

type Args = Record<string, unknown>;

export function createOpenApiDriver(ctx: Pick<DriverContext, 'config' | 'log' | 'host'>) {
  const settings = openApiSettings(ctx.config);
  const log = ctx.log.child({ comp: 'face-openapi' });
  const calls = new AccessCalls(ctx.host);
  const terminals = new Map<DeviceHandle, OpenApiTerminal>();
  const faceUsers = new Map<string, string>();
  const byDeviceId = (id: string) => [...terminals.values()].find((t) => t.cfg.deviceId === id);
  const server: DevicePushServer = new DevicePushServer(chapter9({ settings, calls, log, byDeviceId, terminals: () => [...terminals.values()], baseUrl: (): string => settings.publicUrl || `http://${settings.host}:${server.port}` }), { host: settings.host, port: settings.port, ...settings.limits, log });

  const read = async (t: OpenApiTerminal, g: ConfigGroup) => (g === 'network' ? t.client.network() : g === 'smartface' ? t.client.smartface() : t.client.perpara());
  const write = async (t: OpenApiTerminal, g: ConfigGroup, o: Args) => (g === 'network' ? t.client.setNetwork(o) : g === 'smartface' ? t.client.setSmartface(o) : t.client.setPerpara(o));

  return {
    settings,
    server,
    terminals,
    async start() {
      const a = await server.listen();
      log.info({ host: a.address, port: a.port }, 'chapter 9 platform listening');
    },

    async addDevice(h: DeviceHandle) {
      const cfg = deviceConfig(h);
      // Anyone on the LAN who knows the factory password can open the door through the terminal's API.
      if (cfg.password === FACTORY_PASSWORD) h.log.warn({ ip: cfg.ip }, `terminal uses its factory password (${FACTORY_PASSWORD}): set another on the terminal's screen and put it in custom.password`);
      const t = new OpenApiTerminal(h, cfg, { calls, settings, log, faceUsers });
      terminals.set(h, t);
      t.start();
    },

    async removeDevice(h: DeviceHandle) {
      terminals.get(h)?.stop();
      terminals.delete(h);
      h.offline('removed');
    },

    async getProperties(h: DeviceHandle, keys: string[]): Promise<Answer<Record<string, unknown>>> {
      const t = terminals.get(h);
      if (!t) return notDeployed(h);
      try {
        const groups = new Set(keys.map(groupOf).filter((g): g is ConfigGroup => g !== undefined));
        for (const g of groups) t.report(pick(await read(t, g), Object.keys(GROUP_FIELDS[g])));
        if (keys.some((k) => DEVICE_FIELDS.includes(k))) t.report(pick(await t.client.information(), DEVICE_FIELDS));
      } catch (err) {
        return failure(err) as Answer<Record<string, unknown>>;
      }
      return ok(pick(t.props, keys)) as Answer<Record<string, unknown>>;
    },

    async setProperties(h: DeviceHandle, values: Args): Promise<Answer> {
      const t = terminals.get(h);
      if (!t) return notDeployed(h);
      const byGroup = new Map<ConfigGroup, Args>();
      for (const [k, v] of Object.entries(values)) {
        const g = groupOf(k);
        if (!g) return readOnly(k, h.productKey);
        byGroup.set(g, { ...(byGroup.get(g) ?? {}), [k]: v });
      }
      try {
        // The cfg endpoints take the whole object (L439, L511, L583): read, merge, write.
        for (const [g, changes] of byGroup) {
          const merged = { ...pick(await read(t, g), Object.keys(GROUP_FIELDS[g])), ...changes };
          await write(t, g, merged);
          t.report(changes);
        }
      } catch (err) {
        return failure(err);
      }
      return ok();
    },

    async callService(h: DeviceHandle, id: string, args: Args): Promise<Answer> {
      const t = terminals.get(h);
      if (!t) return notDeployed(h);
      try {
        switch (id) {
          case 'remoteOpen':
            await t.client.open(typeof args.remark === 'string' ? args.remark : undefined);
            return ok();
          case 'syncTime':
            await t.client.syncTime();
            return ok();
          case 'reboot':
            await t.client.reboot();
            return ok();
          case 'jsonCmd': {
            let cmd: unknown;
            try {
              cmd = JSON.parse(String(args.json ?? ''));
            } catch {
              return badArgs('json must be a JSON object');
            }
            if (!cmd || typeof cmd !== 'object' || Array.isArray(cmd)) return badArgs('json must be a JSON object');
            return ok({ json: JSON.stringify(await t.client.jsonCmd(cmd as Args)).slice(0, 10240) });
          }
          case 'queryRecords': {
            const q = { ...(args.startTime !== undefined ? { startTime: Number(args.startTime) } : {}), ...(args.endTime !== undefined ? { endTime: Number(args.endTime) } : {}), page: Number(args.page ?? 1), size: Number(args.size ?? 20) };
            const page = await t.client.records(q).catch((err) => {
              if ((err as { code?: number }).code === OpenApiCode.SEARCH_LIST_NULL) return { total: 0, data: [] }; // nothing found
              throw err;
            });
            return ok({ result: JSON.stringify(page).slice(0, 10240) });
          }
          case 'listUsers':
            return ok({ result: JSON.stringify(await t.client.listUsers({ page: Number(args.page ?? 1), ...(typeof args.userId === 'string' && args.userId ? { userId: args.userId } : {}) })).slice(0, 10240) });
          case 'QueryFacePermTotal':
            return ok({ FacePermTotal: (await t.client.listUsers({ page: 1, size: 1 })).total });
          case 'resyncPersons':
            return ok(await calls.resetFaces(t.deviceKey));
          default:
            return noService(id, h.productKey);
        }
      } catch (err) {
        return failure(err);
      }
    },

    async stop() {
      for (const t of terminals.values()) t.stop();
      await server.close();
    },
  };
}

function pick(o: Args, keys: readonly string[]): Args {
  return Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]]));
}

export default defineDriver((ctx: DriverContext) => createOpenApiDriver(ctx));
