/** The dashboard: identity, uptime, resources, cloud link, local bus, devices per driver, alarms. */
import type { FastifyInstance } from 'fastify';
import type { ConsoleDeps } from '../deps.js';
import { writeHealthOf } from '../../store/write-health.js';
import { SystemSampler } from '../system.js';

export async function dashboardRoutes(app: FastifyInstance, deps: ConsoleDeps): Promise<void> {
  const sampler = new SystemSampler();
  app.get('/dashboard', async () => {
    const { ctx } = deps;
    const drivers = ctx.host.status();
    const devices = ctx.registry.list();
    const perDriver = drivers.map((d) => {
      const own = devices.filter((x) => x.driver === d.name);
      return {
        driver: d.name,
        state: d.state,
        online: own.filter((x) => x.status === 'online').length,
        // Disabled is a choice, not a fault: counted apart, never as offline.
        offline: own.filter((x) => x.status !== 'online' && x.status !== 'disabled').length,
        disabled: own.filter((x) => x.status === 'disabled').length,
      };
    });
    return {
      identity: ctx.identity(),
      uptimeS: Math.round((Date.now() - ctx.startedAt) / 1000),
      system: await sampler.sample(ctx.dataDir),
      store: writeHealthOf(ctx.db).state(),
      cloud: ctx.services.cloud ? { ...ctx.services.cloud.state(), r41: ctx.services.cloud.health?.() ?? null } : null,
      bus: { clients: ctx.busClients() },
      devices: { total: devices.length, online: devices.filter((x) => x.status === 'online').length, perDriver },
      // EBA alarm rules: the open alarms, acknowledged on the rules page.
      ruleAlarms: ctx.services.rules ? ctx.services.rules.open(20) : null,
      alarms: [
        ...deps.live.alarms(20),
        ...(ctx.services.access
          ? ctx.services.access.alarms(10).map((a) => ({ time: a.time, source: a.device, kind: a.type, message: a.message }))
          : []),
      ]
        .sort((a, b) => b.time - a.time)
        .slice(0, 20),
    };
  });
}
