/**
 * The endpoint catalogue of the standard protocol (seed 001 L34917-37808): which side serves
 * each path, how it is encoded, and the batch limits and time limits the seed fixes.
 */
import type { Endpoint } from '../common/http-listener.js';

/** Paths the edge box serves on port 10000 (device → edge). */
export const EDGE_PATHS = [
  '/connect',
  '/keepalive',
  '/alarmEvent',
  '/recognize',
  '/faceAC/passEvent',
  '/qrcode',
  '/cardAC/passEvent',
  '/bleAC/passEvent',
  '/visualIntercom/getGroupId',
  '/visualIntercom/checkPhoneNumber',
  '/visualIntercom/reportOpenDoor',
  '/elevator/reportRunState',
  '/elevator/rule/report',
] as const;

/** The box's endpoints as the listener registry lists them: every one is a POST (L34929). */
export const EDGE_ENDPOINTS: readonly Endpoint[] = EDGE_PATHS.map((path) => ({ method: 'POST', path }));

/** Paths a door device serves on its vendor port (edge → device). */
export const DEVICE_PATHS = [
  '/connect',
  '/keepalive',
  '/remoteOpen',
  '/setKeepOpen',
  '/getKeepOpen',
  '/setTempCheckRule',
  '/faceAC/syncFaces',
  '/faceAC/queryFaces',
  '/cardAC/syncPermissions',
  '/bleAC/syncPermissions',
  '/visualIntercom/syncSipNumber',
  '/visualIntercom/verifyPhoneResult',
  '/elevator/getRunState',
  '/elevator/releaseFloors',
  '/elevator/activateFloor',
  '/elevator/call',
  '/elevator/info/get',
  '/elevator/rule/sync',
  '/elevator/rule/get',
  '/elevator/rule/setAvailability',
  '/elevator/rule/getAvailability',
] as const;

export type EdgePath = (typeof EDGE_PATHS)[number];
export type DevicePath = (typeof DEVICE_PATHS)[number];

/** The only multipart endpoints (L35428, L35791); everything else is application/json. */
export const MULTIPART_PATHS: ReadonlySet<string> = new Set(['/recognize', '/faceAC/passEvent']);

/** Port the edge listens on (L34923). */
export const EDGE_PORT = 10000;

export const LIMITS = {
  /** `keepalive` valid range in seconds (L34975). */
  keepaliveMinS: 10,
  keepaliveMaxS: 120,
  /** Token max length, bytes (L35012). */
  tokenMaxBytes: 64,
  /** ≤50 faces per syncFaces call, 10 s each (L35527). */
  faceSyncBatch: 50,
  faceSyncTimeoutMs: 10_000,
  /** queryFaces time limit (L35680). */
  faceQueryTimeoutMs: 10_000,
  /** ≤200 cards per call, 5 s (L35930; BLE the same, L36094). */
  cardSyncBatch: 200,
  cardSyncTimeoutMs: 5_000,
  /** ≤200 rules per call, 10 s (L37167). */
  ruleSyncBatch: 200,
  ruleSyncTimeoutMs: 10_000,
  /** Elevator calls: QPS ≤ 100 per device (L36563). */
  elevatorMaxQps: 100,
  /** Face photo ≤ 1 MB (L35444). */
  photoMaxBytes: 1024 * 1024,
  /** `delaySeconds` ≤ 300 (L37248). */
  ruleDelayMaxS: 300,
  /** QR codes are 32 characters (L35887, L34657). */
  qrCodeLength: 32,
} as const;

/** The elevator protocol version every §8/§9 call carries (L36565-36571). */
export const ELEVATOR_VERSION = '2021-12-13';
