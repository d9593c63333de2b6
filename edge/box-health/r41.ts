/**
 * Box health as seed 001 defines it (R41 of digest 001g, L46640-46646): the platform shows the
 * box online only when (a) the LAN reaches the Internet, (b) the gateway is connected to the
 * cloud and (c) the orchestration (here: the deployment of the drivers) is healthy. Each is
 * reported on its own, because each fails differently (seed: "个单独的离线对业务的影响不同").
 * The clock offset measured by Alink NTP is shown beside them, with a warning above a threshold.
 */
import type { ProbeResult } from './probe.js';

export interface R41Inputs {
  internet: ProbeResult | undefined;
  cloud: { state: string; since: number } | undefined;
  drivers: ReadonlyArray<{ name: string; state: string }>;
  lastDeploy: { ok: boolean; at: number; error: string | null } | undefined;
  clockOffsetMs: number | undefined;
  clockWarnMs: number;
}

export interface R41Health {
  /** All three up: what the platform would show as online. */
  online: boolean;
  internet: {
    ok: boolean | undefined;
    target: string | undefined;
    rttMs: number | undefined;
    lastOkAt: number | undefined;
    lastError: string | undefined;
  };
  cloud: { ok: boolean; state: string; since: number | undefined };
  deployment: { ok: boolean; running: number; total: number; notRunning: string[]; lastDeploy: R41Inputs['lastDeploy'] };
  clock: { offsetMs: number | undefined; warning: string | undefined };
}

export function r41Health(i: R41Inputs): R41Health {
  const notRunning = i.drivers.filter((d) => d.state !== 'running').map((d) => d.name);
  const deploymentOk = notRunning.length === 0 && i.lastDeploy?.ok !== false;
  const cloudOk = i.cloud?.state === 'online';
  const offset = i.clockOffsetMs;
  return {
    online: i.internet?.reachable === true && cloudOk && deploymentOk,
    internet: {
      ok: i.internet?.reachable,
      target: i.internet?.target,
      rttMs: i.internet?.rttMs,
      lastOkAt: i.internet?.lastOkAt,
      lastError: i.internet?.lastError,
    },
    cloud: { ok: cloudOk, state: i.cloud?.state ?? 'not configured', since: i.cloud?.since },
    deployment: {
      ok: deploymentOk,
      running: i.drivers.length - notRunning.length,
      total: i.drivers.length,
      notRunning,
      lastDeploy: i.lastDeploy,
    },
    clock: {
      offsetMs: offset,
      warning:
        offset !== undefined && Math.abs(offset) > i.clockWarnMs
          ? `the box clock is ${Math.abs(offset)} ms ${offset > 0 ? 'behind' : 'ahead of'} the platform (above ${i.clockWarnMs} ms): check NTP on the box`
          : undefined,
    },
  };
}
