/**
 * A hook for topics outside the thing model (OTA: edge/ota/link-hook.ts): offered every message
 * first, its per-device filters subscribed with each sub-device's session.
 */
export interface CloudExtension {
  deviceFilters(productKey: string, deviceName: string): string[];
  /** True when the topic was the extension's (consumed, whatever its body). */
  handle(topic: string, payload: Buffer): boolean;
  /** Subscribed and the sessions set up: subscribe its own topics on this connection, say what it must. */
  onOnline(link: ExtensionLink): Promise<void>;
}

/** One connection of the link, as an extension sees it. */
export interface ExtensionLink {
  wildcard: boolean;
  subscribe(filters: string[]): Promise<void>;
  /** Still the link's connection (a reconnect replaces it). */
  current(): boolean;
}
