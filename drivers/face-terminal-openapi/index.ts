/**
 * Face terminal driver for the device OpenAPI protocol (seed 004): the box is the client of each
 * terminal's API (`http://HOST:8899/api/...`), holds its record push link (`ws://HOST:9000/api/record`)
 * and serves the terminals' chapter 9 requests. Each terminal is one logical door device
 * (`PEFaceOpenApi`: the door thing model of spec 000 §3.7 plus the terminal's configuration
 * objects as properties with the seed's ranges).
 */
import { defineDriver, type Answer, type DeviceHandle, type DriverContext } from '../../edge/host/sdk/driver.js';
import { DevicePushServer } from '../../protocols/face-openapi/index.js';
import { AccessCalls } from '../face-shared/access-calls.js';
import { notDeployed } from '../face-shared/answers.js';
import { FACTORY_PASSWORD } from '../../protocols/face-openapi/sign.js';
import { deviceConfig, openApiSettings } from './config.js';
import { chapter9 } from './library.js';
import { readProperties, writeProperties } from './properties.js';
import { terminalService } from './services.js';
import { OpenApiTerminal } from './terminal.js';

type Args = Record<string, unknown>;

export function createOpenApiDriver(ctx: Pick<DriverContext, 'config' | 'log' | 'host'>) {
  const settings = openApiSettings(ctx.config);
  const log = ctx.log.child({ comp: 'face-openapi' });
  const calls = new AccessCalls(ctx.host);
  const terminals = new Map<DeviceHandle, OpenApiTerminal>();
  const faceUsers = new Map<string, string>();
  const byDeviceId = (id: string) => [...terminals.values()].find((t) => t.cfg.deviceId === id);
  const server: DevicePushServer = new DevicePushServer(
    chapter9({
      settings,
      calls,
      log,
      byDeviceId,
      terminals: () => [...terminals.values()],
      baseUrl: (): string => settings.publicUrl || `http://${settings.host}:${server.port}`,
    }),
    { host: settings.host, port: settings.port, ...settings.limits, log },
  );

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
      if (cfg.password === FACTORY_PASSWORD)
        h.log.warn(
          { ip: cfg.ip },
          `terminal uses its factory password (${FACTORY_PASSWORD}): set another on the terminal's screen and put it in custom.password`,
        );
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
      return t ? readProperties(t, keys) : notDeployed(h);
    },

    async setProperties(h: DeviceHandle, values: Args): Promise<Answer> {
      const t = terminals.get(h);
      return t ? writeProperties(t, h, values) : notDeployed(h);
    },

    async callService(h: DeviceHandle, id: string, args: Args): Promise<Answer> {
      const t = terminals.get(h);
      return t ? terminalService(calls, t, h, id, args) : notDeployed(h);
    },

    async stop() {
      for (const t of terminals.values()) t.stop();
      await server.close();
    },
  };
}

export default defineDriver((ctx: DriverContext) => createOpenApiDriver(ctx));
