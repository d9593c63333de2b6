/**
 * The one spelling of a device's key, `productKey/deviceName`: registry entries, host-service
 * arguments, logs and stores all use it. Part of the driver SDK.
 */
export const deviceKey = (productKey: string, deviceName: string): string => `${productKey}/${deviceName}`;

/** The key of anything that names a device (a handle, a config entry, an event). */
export const keyOf = (d: { productKey: string; deviceName: string }): string => deviceKey(d.productKey, d.deviceName);

/** `productKey/deviceName` back into its parts (a key without `/` is a bare device name). */
export function splitDeviceKey(key: string): [productKey: string, deviceName: string] {
  const i = key.indexOf('/');
  return i < 0 ? ['', key] : [key.slice(0, i), key.slice(i + 1)];
}
