/**
 * Face terminal driver for the device-push/poll HTTP protocol (seed 003): the terminal calls
 * the box, which plays its platform. Each terminal is one logical door device (`PEFacePush`,
 * the door thing model of spec 000 §3.7 plus this family's commands). Commands wait in the
 * host-side durable queue (edge/face-queue) until the terminal polls; faces come from the
 * access core; pass records go to the access core and up as `passEvent`.
 *
 * Driver config and device custom (`{ deviceNo }`): settings.ts.
 */
import { defineDriver, ok, type Answer, type DeviceHandle, type DriverContext } from '../../edge/host/sdk/driver.js';
import { PushServer } from '../../protocols/face-push/index.js';
import { noService, notDeployed, readOnly } from '../face-shared/answers.js';
import { CommandWaiters, buildCommand } from './commands.js';
import { deviceNoOf, offlineAfterMs, pushSettings } from './config.js';
import { FaceDeployments } from './deployments.js';
import { HostCalls } from './host-calls.js';
import { pushPlatform } from './platform.js';
import { PushTerminal } from './terminal.js';

type PushSettings = ReturnType<typeof pushSettings>;
type Failed = (what: string, dev: string) => (err: Error) => void;

/** The protocol's server with the box as platform: results reported as `commandResult` and handed to the face deployments. */
function platformServer(
  settings: PushSettings,
  deps: {
    calls: HostCalls;
    log: DriverContext['log'];
    terminals: Map<string, PushTerminal>;
    deployments: FaceDeployments;
    waiters: CommandWaiters;
    failed: Failed;
  },
): PushServer {
  const { calls, log, terminals, deployments, waiters, failed } = deps;
  return new PushServer(
    pushPlatform({
      settings,
      calls,
      log,
      terminal: (no) => terminals.get(no),
      deployments,
      finished: (f) => {
        void waiters
          .finished(f)
          .then(async (answer) => {
            const c = f.command;
            f.terminal.handle.reportEvent('commandResult', {
              msgId: c.msgId,
              service: c.service,
              state: f.state,
              errorCode: c.errorCode ?? '',
            });
            await deployments.finished(f.terminal, c, f.state, answer.message);
          })
          .catch(failed('command result handling failed', f.terminal.deviceNo));
      },
      ended: (t, commands) => {
        for (const c of commands)
          t.handle.reportEvent('commandResult', { msgId: c.msgId, service: c.service, state: c.state, errorCode: '' });
        void deployments.ended(t, commands).catch(failed('timeout report failed', t.deviceNo));
      },
    }),
    { host: settings.host, port: settings.port, prefix: settings.pathPrefix, ...settings.limits, log },
  );
}

/** Every second: terminals silent for too long go offline (and their deployments say so). */
function watchSilence(
  settings: PushSettings,
  terminals: Map<string, PushTerminal>,
  deployments: FaceDeployments,
  log: DriverContext['log'],
  failed: Failed,
): NodeJS.Timeout {
  const timer = setInterval(() => {
    for (const t of terminals.values()) {
      if (!t.checkSilence(offlineAfterMs(settings))) continue;
      log.info({ dev: t.deviceNo }, 'terminal silent: offline');
      void deployments.offline(t).catch(failed('offline report failed', t.deviceNo));
    }
  }, 1000);
  timer.unref?.();
  return timer;
}

function addTerminal(terminals: Map<string, PushTerminal>, h: DeviceHandle): void {
  const no = deviceNoOf(h);
  // settings.ts checks a configured deviceNo; the deviceName it defaults to is not checked there.
  if (!/^[\x21-\x7e]{1,32}$/.test(no))
    throw new Error(`deviceNo "${no}" must be 1-32 printable ASCII characters (seed 003 L77-81): set custom.deviceNo`);
  const other = terminals.get(no);
  if (other && other.handle !== h) throw new Error(`deviceNo ${no} is already used by ${other.deviceKey}`);
  terminals.set(no, new PushTerminal(no, h, typeof h.custom.ip === 'string' ? h.custom.ip : undefined));
  h.offline('waiting for the terminal to register or poll');
}

/** The terminal of a device handle, if that handle is the one deployed. */
function terminalOf(terminals: Map<string, PushTerminal>, h: DeviceHandle): PushTerminal | undefined {
  const t = terminals.get(deviceNoOf(h));
  return t && t.handle === h ? t : undefined;
}

/** The reported properties asked for; `PendingCommands` is counted from the queue now. */
async function propertiesOf(calls: HostCalls, t: PushTerminal, keys: string[]): Promise<Answer<Record<string, unknown>>> {
  if (keys.includes('PendingCommands')) t.props.PendingCommands = (await calls.active(t.deviceKey)).length;
  return ok(Object.fromEntries(keys.filter((k) => k in t.props).map((k) => [k, t.props[k]])));
}

export function createPushDriver(ctx: Pick<DriverContext, 'config' | 'log' | 'dataDir' | 'host'>) {
  const settings = pushSettings(ctx.config);
  const log = ctx.log.child({ comp: 'face-push' });
  const calls = new HostCalls(ctx.host, { resultTimeoutMs: settings.resultTimeoutMs, maxAttempts: settings.maxAttempts });
  const terminals = new Map<string, PushTerminal>();
  const deployments = new FaceDeployments(settings, calls, log);
  const waiters = new CommandWaiters(settings, calls, ctx.dataDir);
  const failed: Failed = (what, dev) => (err) => log.warn({ dev, err: err.message }, what);
  let silence: NodeJS.Timeout | undefined;
  const server = platformServer(settings, { calls, log, terminals, deployments, waiters, failed });

  const find = (h: DeviceHandle): PushTerminal | undefined => terminalOf(terminals, h);

  return {
    settings,
    server,
    terminals,
    async start() {
      const addr = await server.listen();
      log.info({ host: addr.address, port: addr.port, prefix: settings.pathPrefix }, 'face push platform listening');
      silence = watchSilence(settings, terminals, deployments, log, failed);
    },

    addDevice: async (h: DeviceHandle) => addTerminal(terminals, h),

    async removeDevice(h: DeviceHandle) {
      const t = find(h);
      if (!t) return;
      terminals.delete(t.deviceNo);
      h.offline('removed');
    },

    async getProperties(h: DeviceHandle, keys: string[]): Promise<Answer<Record<string, unknown>>> {
      const t = find(h);
      return t ? propertiesOf(calls, t, keys) : notDeployed(h);
    },

    async setProperties(_h: DeviceHandle, values: Record<string, unknown>): Promise<Answer> {
      return readOnly(Object.keys(values).join(', '), 'PEFacePush (use the setDevInfo service)');
    },

    async callService(h: DeviceHandle, id: string, args: Record<string, unknown>): Promise<Answer> {
      const t = find(h);
      if (!t) return notDeployed(h);
      if (id === 'resyncPersons') return ok(await calls.resetFaces(t.deviceKey));
      const built = buildCommand(id, args);
      if (!built) return noService(id, h.productKey);
      if ('answer' in built) return built.answer;
      return waiters.run(t, built.service, built.payload);
    },

    async stop() {
      clearInterval(silence);
      waiters.stop();
      await server.close();
    },
  };
}

export default defineDriver((ctx: DriverContext) => createPushDriver(ctx));
