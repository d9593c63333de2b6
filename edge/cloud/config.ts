/**
 * The `cloud` section of the box config: which gateway identity the box uses on the IoT
 * Platform (or any MQTT broker), how it connects, and how much disk the outbox may use.
 * One TypeBox schema is both the runtime check and the static type (docs/cloud.md).
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { edgeError } from '../errors.js';
import { problemsOfError, registerSectionCheck } from '../config/sections.js';

const Name = (description: string) => Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:@-]+$', description });

export const SubDeviceSecretSchema = Type.Object(
  {
    productKey: Name('productKey of the sub-device'),
    deviceName: Name('deviceName of the sub-device'),
    deviceSecret: Type.String({
      minLength: 1,
      maxLength: 128,
      description: 'deviceSecret issued by the platform; signs topo/add and login',
    }),
  },
  { additionalProperties: false },
);

export const CloudConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true }),
    productKey: Name('productKey of the gateway (the box)'),
    deviceName: Name('deviceName of the gateway'),
    deviceSecret: Type.String({ minLength: 1, maxLength: 128, description: 'deviceSecret of the gateway; never logged' }),
    url: Type.String({
      pattern: '^(mqtt|mqtts)://[^\\s]+$',
      description: 'mqtts://<instance endpoint>:8883 for the IoT Platform; mqtt:// only for a local broker',
    }),
    /** PEM file of the CA that signs the broker certificate (mqtts only); default: the system CAs. */
    caFile: Type.Optional(Type.String({ minLength: 1 })),
    /** Accept a broker certificate that does not verify (lab brokers only). */
    insecure: Type.Boolean({ default: false }),
    /** Client id before the `|securemode=...|` suffix; default `${productKey}.${deviceName}`. */
    clientId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:@&-]+$' })),
    signMethod: Type.Union([Type.Literal('hmacsha256'), Type.Literal('hmacsha1'), Type.Literal('hmacmd5')], { default: 'hmacsha256' }),
    /**
     * Fixed signing timestamp (ms). The Link SDK signs with 2524608000000 so a box whose clock is
     * not set yet still authenticates; leave unset to sign with the current time.
     */
    signTimestamp: Type.Optional(Type.Integer({ minimum: 0 })),
    /** MQTT keep-alive; the platform rejects values outside 30-1200 s. */
    keepaliveS: Type.Integer({ minimum: 30, maximum: 1200, default: 300 }),
    protocolVersion: Type.Union([Type.Literal(4), Type.Literal(5)], { default: 4 }),
    reconnectMinMs: Type.Integer({ minimum: 100, maximum: 600_000, default: 1000 }),
    reconnectMaxMs: Type.Integer({ minimum: 1000, maximum: 3_600_000, default: 60_000 }),
    connectTimeoutMs: Type.Integer({ minimum: 1000, maximum: 120_000, default: 10_000 }),
    /** How long an Alink reply (post_reply, topo/add_reply, login_reply) is awaited. */
    replyTimeoutMs: Type.Integer({ minimum: 500, maximum: 120_000, default: 10_000 }),
    /** Synchronous services over RRPC must answer within this; the platform waits at most 8 s. */
    rrpcTimeoutMs: Type.Integer({ minimum: 500, maximum: 15_000, default: 7_500 }),
    /** Property reports of one device within this window go up as one post. */
    coalesceMs: Type.Integer({ minimum: 0, maximum: 10_000, default: 50 }),
    /**
     * Post logged-in sub-devices' properties of one coalescing window together on the gateway's
     * pack topic (≤ 20 devices, ≤ 200 properties per message) instead of one post per device.
     * docs/cloud.md (Pack post) has the figures and the trade-offs.
     */
    packPost: Type.Boolean({ default: false }),
    /** A queued realtime post older than this when it is sent goes to the history topic instead. */
    historyAfterMs: Type.Integer({ minimum: 1000, maximum: 86_400_000, default: 60_000 }),
    /** Largest downlink payload accepted; the platform's config files are at most 64 KB. */
    maxDownBytes: Type.Integer({ minimum: 1024, maximum: 16 * 1024 * 1024, default: 256 * 1024 }),
    /**
     * `device`: exact topics per logged-in device (what the IoT Platform's ACL allows).
     * `wildcard`: `/sys/+/+/...` filters, fewer subscriptions on a broker you run (EMQX, mosquitto).
     */
    subscribe: Type.Union([Type.Literal('device'), Type.Literal('wildcard')], { default: 'device' }),
    subDevices: Type.Array(SubDeviceSecretSchema, { default: [], description: 'deviceSecret of every sub-device the box logs in' }),
    /** A hosted sub-device without a secret in `subDevices` is registered dynamically (thing/sub/register); its secret is kept in the box database. */
    dynamicRegister: Type.Boolean({ default: true }),
    /** Box health of R41 (docs/operations.md "Box health"): the Internet probe and the clock warning. */
    health: Type.Object(
      {
        /**
         * TCP `host:port` whose connect proves the Internet reachable (the seed pings 223.5.5.5;
         * AliDNS answers TCP on 53: `223.5.5.5:53`). Default: the cloud endpoint's own host and
         * port (`internetProbeTarget`), the address this box must reach anyway.
         */
        probe: Type.Optional(Type.String({ pattern: '^.+:[0-9]{1,5}$' })),
        probeIntervalS: Type.Integer({ minimum: 5, maximum: 3600, default: 30 }),
        probeTimeoutMs: Type.Integer({ minimum: 100, maximum: 30_000, default: 3000 }),
        /** The clock offset measured by Alink NTP above this shows a warning. */
        clockWarnMs: Type.Integer({ minimum: 10, maximum: 86_400_000, default: 1000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** OTA over Alink (docs/cloud.md, docs/operations.md "Upgrades"). */
    ota: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        /** The folder holding `releases/` and `current` (default: found from the running release's path). */
        installDir: Type.Optional(Type.String({ minLength: 1 })),
        /** A new box release must reach ready within this at its first start, or the next start rolls it back. */
        readyDeadlineS: Type.Integer({ minimum: 10, maximum: 3600, default: 300 }),
        /** A driver package must bring its driver to running within this, or it is rolled back (-4). */
        driverReadyS: Type.Integer({ minimum: 2, maximum: 600, default: 60 }),
        /** A terminal's firmware upgrade must report its outcome within this. */
        terminalTimeoutS: Type.Integer({ minimum: 10, maximum: 7200, default: 900 }),
      },
      { additionalProperties: false, default: {} },
    ),
    outbox: Type.Object(
      {
        /** Disk quota of queued messages (payload bytes). */
        quotaMb: Type.Number({ exclusiveMinimum: 0, maximum: 65_536, default: 256 }),
        /** Messages in flight (published, PUBACK pending). */
        window: Type.Integer({ minimum: 1, maximum: 65_535, default: 1000 }),
        /**
         * Most messages published per second (0: no limit). The platform throttles a product that
         * sends above its message allowance; after a long outage this keeps the replay under it.
         */
        maxPerSecond: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

export type CloudConfig = Static<typeof CloudConfigSchema>;

/** Check and default the raw `cloud` section; throws EDGE_ERR_CONFIG_INVALID listing every problem. */
export function parseCloudConfig(raw: unknown): CloudConfig {
  const withDefaults = Value.Default(CloudConfigSchema, Value.Clone(raw ?? {}));
  const problems = [...Value.Errors(CloudConfigSchema, withDefaults)].map((e) => `cloud${e.path}: ${e.message}`);
  if (problems.length > 0) throw edgeError('EDGE_ERR_CONFIG_INVALID', [...new Set(problems)].join('; '));
  const cfg = withDefaults as CloudConfig;
  if (cfg.reconnectMaxMs < cfg.reconnectMinMs) throw edgeError('EDGE_ERR_CONFIG_INVALID', 'cloud/reconnectMaxMs must be >= reconnectMinMs');
  return cfg;
}

/** Whether the box config asks for a cloud link at all (the default start command runs offline). */
export function cloudWanted(raw: Record<string, unknown> | undefined): boolean {
  return raw !== undefined && raw.enabled !== false;
}

// `edge check` and every redeploy report this section's problems with the core's.
registerSectionCheck('cloud', (raw) => {
  if (!cloudWanted(raw)) return [];
  try {
    parseCloudConfig(raw);
    return [];
  } catch (err) {
    return problemsOfError(err, 'cloud');
  }
});

/**
 * Where the R41 Internet probe connects: the configured target, else the cloud endpoint's host and
 * port. A TCP connect to the endpoint is separate from the gateway's MQTT session (a refused
 * login or a broken TLS setup leaves the Internet reachable), so R41's (a) and (b) stay apart, and
 * the box probes nothing it would not contact anyway.
 */
export function internetProbeTarget(cfg: Pick<CloudConfig, 'url' | 'health'>): string {
  if (cfg.health.probe) return cfg.health.probe;
  const u = new URL(cfg.url);
  return `${u.hostname}:${u.port || (u.protocol === 'mqtts:' ? 8883 : 1883)}`;
}
