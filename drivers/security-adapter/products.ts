/**
 * The thing models of the edge security event family (config/tsl): the vendor adapter's own
 * device, which carries the cloud's smart security services (smartSecurityService, seed 001
 * L27540-29310, digest 001d §3.E) relayed to the adapter, and one device per camera (NVR, IPC,
 * IPC behind an NVR) with the `securityAlarmEvent` (v1.2) and `securityCapture` records.
 */
export const ADAPTER_PRODUCT = 'PESecurityAdapter';
export const CAMERA_PRODUCT = 'PESecurityCamera';
export const ALL_PRODUCTS = [ADAPTER_PRODUCT, CAMERA_PRODUCT];

/** The cloud records (data models) a camera's reports become. */
export const ALARM_EVENT = 'securityAlarmEvent';
export const CAPTURE_EVENT = 'securityCapture';
