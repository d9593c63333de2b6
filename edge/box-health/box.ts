/** R41 health of the running box, and its figures on /metrics. */
import { Gauge, type Registry } from 'prom-client';
import type { Runtime } from '../runtime.js';
import { type R41Health, r41Health } from './r41.js';

export function boxR41(rt: Runtime): R41Health {
  const last = rt.deployments?.recent(1)[0];
  const cloud = rt.cloud?.status();
  return r41Health({
    internet: rt.internetProbe?.result,
    cloud: cloud ? { state: cloud.state, since: cloud.since } : undefined,
    drivers: rt.host.status(),
    lastDeploy: last ? { ok: last.ok, at: last.at, error: last.error } : undefined,
    clockOffsetMs: rt.cloud?.clockOffsetMs,
    clockWarnMs: rt.clockWarnMs,
  });
}

export function registerR41Metrics(registry: Registry, health: () => R41Health): void {
  const registers = [registry];
  const gauge = (name: string, help: string, value: (h: R41Health) => number | undefined) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const v = value(health());
        if (v === undefined) this.reset();
        else this.set(v);
      },
    });
  const bit = (b: boolean | undefined) => (b === undefined ? undefined : b ? 1 : 0);
  gauge('edge_box_online', 'R41: Internet, cloud connection and deployment all up (1) or not (0)', (h) => bit(h.online));
  gauge('edge_internet_reachable', 'R41 (a): the Internet probe connects (1) or not (0)', (h) => bit(h.internet.ok));
  gauge('edge_gateway_connected', 'R41 (b): the gateway is connected to the cloud (1) or not (0)', (h) => bit(h.cloud.ok));
  gauge('edge_deployment_ok', 'R41 (c): every deployed driver runs and the last deploy succeeded (1) or not (0)', (h) =>
    bit(h.deployment.ok),
  );
  gauge('edge_clock_offset_ms', 'platform clock minus box clock by Alink NTP, ms', (h) => h.clock.offsetMs);
}
