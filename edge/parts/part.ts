import type { AreaSection } from '../config/sections.js';
import type { BoxConfig } from '../config/schema.js';
import type { Logger } from '../log.js';

/** One piece of the box the runtime starts in order and stops in reverse (edge/runtime.ts). */
export interface Part {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * The config section this part applies on a redeploy, without a restart of the box: `reconfigure`
   * gets the whole new config (already checked) when that section changed. A part without one
   * applies its section at the next start.
   */
  section?: AreaSection;
  reconfigure?(next: BoxConfig): Promise<void>;
}

/** The gateway identity the bus and rules publish under, before (or without) a cloud link. */
export function gatewayIdentity(cfg: { box: { name: string }; cloud?: { productKey?: unknown; deviceName?: unknown } | undefined }): {
  productKey: string;
  deviceName: string;
} {
  return { productKey: String(cfg.cloud?.productKey ?? 'edge'), deviceName: String(cfg.cloud?.deviceName ?? cfg.box.name) };
}

/**
 * Applies a redeployed config's changed sections through the parts that take them live; returns
 * the sections applied (the running config takes those, the others wait for the next start).
 */
export async function reconfigureParts(
  parts: readonly Part[],
  running: BoxConfig,
  next: BoxConfig,
  log: Logger,
): Promise<Partial<BoxConfig>> {
  const applied: Partial<Record<AreaSection, unknown>> = {};
  for (const part of parts) {
    const section = part.section;
    if (!section || !part.reconfigure || JSON.stringify(next[section]) === JSON.stringify(running[section])) continue;
    try {
      await part.reconfigure(next);
      applied[section] = next[section];
      log.info({ comp: part.name, section }, 'config section applied');
    } catch (err) {
      log.error({ err, comp: part.name, section }, 'config section could not be applied; it applies at the next start');
    }
  }
  return applied as Partial<BoxConfig>;
}
