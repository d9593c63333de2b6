/**
 * The box config schema: one source for the runtime check (TypeBox) and the static type.
 * `edge check` prints every violation with its path and a hint. docs/config.md documents it.
 */
import { Type, type Static } from '@sinclair/typebox';

const Port = Type.Integer({ minimum: 0, maximum: 65535, description: 'TCP port; 0 picks a free one' });
const Level = Type.Union([
  Type.Literal('fatal'),
  Type.Literal('error'),
  Type.Literal('warn'),
  Type.Literal('info'),
  Type.Literal('debug'),
  Type.Literal('trace'),
  Type.Literal('silent'),
]);

export const DeviceSchema = Type.Object(
  {
    productKey: Type.String({
      minLength: 1,
      maxLength: 64,
      pattern: '^[A-Za-z0-9_.-]+$',
      description: 'product of the device; a thing model with this productKey must exist',
    }),
    deviceName: Type.String({
      minLength: 1,
      maxLength: 64,
      pattern: '^[A-Za-z0-9_.:@-]+$',
      description: 'device name (IoT code), unique within the product',
    }),
    alias: Type.Optional(Type.String({ maxLength: 128 })),
    disabled: Type.Optional(Type.Boolean()),
    custom: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'the device custom config given to the driver' })),
  },
  { additionalProperties: false },
);

export const DriverSchema = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 64,
      pattern: '^[A-Za-z0-9_-]+$',
      description: 'instance name, Vendor_Model_Domain_Function',
    }),
    type: Type.Optional(Type.String({ minLength: 1, pattern: '^[a-z0-9-]+$', description: 'a driver shipped in drivers/<type>/' })),
    module: Type.Optional(Type.String({ minLength: 1, description: 'path of a driver package installed elsewhere' })),
    transport: Type.Optional(
      Type.Union([Type.Literal('process'), Type.Literal('mqtt')], {
        description: 'process: a Node child process (default); mqtt: a driver in another language on the local bus',
      }),
    ),
    busUser: Type.Optional(Type.String({ minLength: 1, description: 'the bus user a transport: mqtt driver logs in as' })),
    heapMb: Type.Optional(
      Type.Integer({
        minimum: 32,
        maximum: 8192,
        description: 'V8 old-space limit of this driver process in MB (default host.driverHeapMb)',
      }),
    ),
    config: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    devices: Type.Array(DeviceSchema, { default: [] }),
  },
  { additionalProperties: false },
);

export const BusUserSchema = Type.Object(
  {
    username: Type.String({ minLength: 1 }),
    password: Type.String({ minLength: 8, description: 'at least 8 characters' }),
    read: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), { description: 'MQTT topic filters the user may subscribe to; default all (#)' }),
    ),
    write: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description: 'MQTT topic filters the user may publish to; default all (#); topics reserved to the box stay so',
      }),
    ),
  },
  { additionalProperties: false },
);

export const BoxConfigSchema = Type.Object(
  {
    box: Type.Object(
      {
        name: Type.String({ minLength: 1, default: 'property-edge' }),
        dataDir: Type.String({ minLength: 1, default: './data', description: 'SQLite, logs, files; relative to the working directory' }),
      },
      { additionalProperties: false, default: {} },
    ),
    log: Type.Object(
      {
        level: Type.Optional(Level),
        levels: Type.Optional(Type.Record(Type.String(), Level)),
        file: Type.Optional(Type.String({ description: 'the daemon log file (relative to dataDir); stdout when absent' })),
        fileMaxMb: Type.Number({ minimum: 0.01, maximum: 1024, default: 20, description: 'the daemon log file rotates at this size (MB)' }),
        fileKeep: Type.Integer({ minimum: 1, maximum: 50, default: 5, description: 'rotated daemon log files kept' }),
        driverFileMaxMb: Type.Number({
          minimum: 0.01,
          maximum: 1024,
          default: 10,
          description: 'a driver log file rotates at this size (MB)',
        }),
        driverFileKeep: Type.Integer({ minimum: 1, maximum: 50, default: 3, description: 'rotated driver log files kept' }),
      },
      { additionalProperties: false, default: {} },
    ),
    http: Type.Object(
      {
        host: Type.String({ default: '127.0.0.1', description: 'console and health HTTP; 127.0.0.1 keeps it local' }),
        port: Type.Intersect([Port], { default: 8080 }),
      },
      { additionalProperties: false, default: {} },
    ),
    bus: Type.Object(
      {
        enabled: Type.Boolean({ default: true }),
        host: Type.String({ default: '127.0.0.1' }),
        port: Type.Intersect([Port], { default: 1883 }),
        /** Users of the local bus. Empty: the box generates one and stores it in dataDir/bus-credentials.json. */
        users: Type.Array(BusUserSchema, { default: [] }),
        allowAnonymous: Type.Boolean({ default: false, description: 'never on a box in the field' }),
        limits: Type.Object(
          {
            maxPacketBytes: Type.Integer({
              minimum: 1024,
              maximum: 64 * 1024 * 1024,
              default: 1024 * 1024,
              description: 'largest MQTT packet after login; a larger one closes the connection',
            }),
            connectionsPerUser: Type.Integer({
              minimum: 1,
              maximum: 10_000,
              default: 32,
              description: 'connections one bus user may hold at once',
            }),
            messagesPerSecondPerUser: Type.Integer({
              minimum: 1,
              maximum: 1_000_000,
              default: 2000,
              description: 'publishes per second of one bus user (all its connections); more closes the connection',
            }),
          },
          { additionalProperties: false, default: {} },
        ),
        /** Use an external broker instead of the embedded one. */
        externalUrl: Type.Optional(Type.String({ pattern: '^(mqtt|mqtts|tcp|ssl|ws|wss)://' })),
        externalUsername: Type.Optional(Type.String()),
        externalPassword: Type.Optional(Type.String()),
      },
      { additionalProperties: false, default: {} },
    ),
    host: Type.Object(
      {
        heartbeatMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 1000 }),
        hangTimeoutMs: Type.Integer({ minimum: 500, maximum: 600_000, default: 5000 }),
        restartBaseMs: Type.Integer({ minimum: 10, maximum: 60_000, default: 500 }),
        restartMaxMs: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 30_000 }),
        callTimeoutMs: Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 }),
        driverHeapMb: Type.Integer({
          minimum: 32,
          maximum: 8192,
          default: 192,
          description: 'V8 old-space limit of each driver process in MB',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    thingModels: Type.Array(Type.String(), { default: [], description: 'extra folders of TSL JSON files (config/tsl is always loaded)' }),
    drivers: Type.Array(DriverSchema, { default: [] }),
    /** Sections owned by other areas (cloud, access, console) are checked by their own schemas. */
    cloud: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    access: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    console: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    rules: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    files: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    dataModel: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    /** Hosted apps (edge/apps, docs/apps.md): the list, and the service bus with the supervision settings. */
    apps: Type.Optional(Type.Array(Type.Unknown())),
    appHost: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    /** Scheduled backups, checked by edge/backup/schedule.ts. */
    backup: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    history: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);

export type BoxConfig = Static<typeof BoxConfigSchema>;
export type DriverConfigInput = Static<typeof DriverSchema>;
