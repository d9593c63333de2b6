/** One piece of the box the runtime starts in order and stops in reverse (edge/runtime.ts). */
export interface Part {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The gateway identity the bus and rules publish under, before (or without) a cloud link. */
export function gatewayIdentity(cfg: { box: { name: string }; cloud?: { productKey?: unknown; deviceName?: unknown } | undefined }): {
  productKey: string;
  deviceName: string;
} {
  return { productKey: String(cfg.cloud?.productKey ?? 'edge'), deviceName: String(cfg.cloud?.deviceName ?? cfg.box.name) };
}
