import type { Runtime } from '../runtime.js';
import { LocalBroker } from '../bus/broker.js';
import { BusBridge } from '../bus/bridge.js';
import { DriverBusRouter } from '../bus/driver-router.js';
import { embeddedTransport, externalTransport, type BusTransport } from '../bus/transport.js';
import { ensureBusCredentials } from '../bus/credentials.js';
import { BusUserStore, busAccounts, listBusUsers } from '../bus/users.js';
import { gatewayIdentity, type Part } from './part.js';

/** How soon a bus user changed by another process (the CLI) takes effect. */
const BUS_USERS_POLL_MS = 1000;

/** The local MQTT bus: the embedded broker (or an external one), the bridge and the drivers' router. */
export function busPart(rt: Runtime): Part | undefined {
  const cfg = rt.config.bus;
  if (!cfg.enabled) return undefined;
  let busUserWatch: NodeJS.Timeout | undefined;
  return {
    name: 'bus',
    start: async () => {
      let transport: BusTransport;
      if (cfg.externalUrl) {
        transport = await externalTransport(cfg.externalUrl, {
          clientId: `edge-${rt.config.box.name}`,
          ...(cfg.externalUsername ? { username: cfg.externalUsername } : {}),
          ...(cfg.externalPassword ? { password: cfg.externalPassword } : {}),
        });
      } else {
        const broker = await startEmbeddedBroker(rt);
        busUserWatch = watchBusUsers(rt, broker);
        transport = embeddedTransport(broker.aedes);
      }
      rt.busTransport = transport;
      const log = rt.logOf('bus');
      rt.bridge = new BusBridge({
        events: rt.events,
        host: rt.host,
        registry: rt.registry,
        log,
        transport,
        gateway: gatewayIdentity(rt.config),
      });
      await rt.bridge.start();
      const router = new DriverBusRouter({ transport, log });
      await router.start();
      rt.host.setBusChannel(router.channel);
    },
    stop: async () => {
      await rt.bridge?.stop();
      clearInterval(busUserWatch);
      await rt.broker?.stop();
    },
  };
}

async function startEmbeddedBroker(rt: Runtime): Promise<LocalBroker> {
  const cfg = rt.config.bus;
  const store = new BusUserStore(rt.dataDir);
  rt.busUsers = store;
  const configUsers = cfg.users;
  rt.consoleServices.busUsers = {
    list: () => listBusUsers(configUsers, store),
    add: (name, rights) => store.add(name, rights, (n) => configUsers.some((u) => u.username === n)),
    setRights: (name, rights) => store.setRights(name, rights),
    remove: (name) => store.remove(name),
  };
  if (configUsers.length > 0) rt.busUser = configUsers[0];
  else store.adoptGenerated((rt.busUser = ensureBusCredentials(rt.dataDir)));
  const broker = new LocalBroker(
    { log: rt.logOf('bus') },
    {
      host: cfg.host,
      port: cfg.port,
      accounts: busAccounts(configUsers, store),
      allowAnonymous: cfg.allowAnonymous,
      limits: cfg.limits,
      driverUser: (name) => rt.host.busUserOf(name),
    },
  );
  rt.broker = broker;
  await broker.start();
  rt.busPort = broker.port;
  return broker;
}

/**
 * `edge bus-user` edits the users file from another process, the console from this one: a removed
 * user or a narrowed right must not live on in an open connection.
 */
function watchBusUsers(rt: Runtime, broker: LocalBroker): NodeJS.Timeout {
  const store = rt.busUsers!;
  let seen = store.version;
  const timer = setInterval(() => {
    try {
      store.reloadIfChanged();
      if (store.version === seen) return;
      seen = store.version;
      broker.revalidate();
    } catch (err) {
      rt.log.error({ err: (err as Error).message }, 'bus users file unreadable: the users loaded before stay in force');
    }
  }, BUS_USERS_POLL_MS);
  timer.unref();
  return timer;
}
