/**
 * The one spelling of a device's key, `productKey/deviceName`: registry entries, host-service
 * arguments, logs and stores all use it. Part of the driver SDK.
 */
export const deviceKey = (productKey: string, deviceName: string): string => `${productKey}/${deviceName}`;

/** The key of anything that names a device (a handle, a config entry, an event). */
export const keyOf = (d: { productKey: string; deviceName: string }): string => deviceKey(d.productKey, d.deviceName);
