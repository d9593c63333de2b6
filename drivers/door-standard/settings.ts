/**
 * What an installer may write for the door-standard driver (driver `config`) and for each of
 * its logical devices (`custom`): the single source for the driver, the host's deploy check,
 * `edge check` and docs/config.md.
 */
import { Type } from '@sinclair/typebox';
import { defineSettings, described, Ipv4, Port } from '../../edge/host/sdk/settings.js';
import { listenerLimitsSetting } from '../../protocols/common/listener-limits.js';
import { EDGE_ENDPOINTS, EDGE_PORT, LIMITS, serverDefaults } from '../../protocols/door-standard/index.js';

export default defineSettings({
  products: ['PEDoorFace', 'PEDoorQr', 'PEDoorCard', 'PEDoorBle', 'PEDoorIntercom', 'PEDoorElevator', 'PEElevatorGateway'],
  listeners: {
    port: {
      protocol: 'door-standard',
      authentication:
        "/connect only from a configured door address that is also the request's source (matchSourceIp), with the protocol's sign; every other request needs the token the box issued at /connect",
      endpoints: EDGE_ENDPOINTS,
      limitsKey: 'limits',
    },
  },
  config: Type.Object({
    host: described(
      Type.String({ default: '0.0.0.0', minLength: 1 }),
      'address the box listens on for the doors (port 10000 server)',
      '盒子监听门禁请求的地址',
    ),
    port: Port('port of the box for the doors (the standard protocol says 10000)', '盒子门禁服务端口(标准协议10000)', {
      default: EDGE_PORT,
      listen: true,
    }),
    boxSn: described(
      Type.String({ default: 'property-edge-box', minLength: 1, maxLength: 64 }),
      'serial number the box gives in its reverse /connect',
      '盒子反向连接时的序列号',
    ),
    boxIp: Type.Optional(
      Ipv4(
        'LAN address the doors reach the box at; default: the address of the first LAN interface (logged)',
        '门禁访问盒子的局域网地址; 默认取第一个局域网网卡地址',
      ),
    ),
    boxMac: described(
      Type.String({ default: '02-00-00-00-00-01', pattern: '^[0-9A-Fa-f]{2}([-:][0-9A-Fa-f]{2}){5}$' }),
      'MAC address the box gives in its reverse /connect',
      '盒子反向连接时的MAC地址',
    ),
    keepaliveS: described(
      Type.Integer({ default: 30, minimum: LIMITS.keepaliveMinS, maximum: LIMITS.keepaliveMaxS }),
      'keep-alive period asked of the doors, seconds',
      '心跳周期(秒)',
    ),
    offlineMisses: described(
      Type.Integer({ default: 3, minimum: 1, maximum: 10 }),
      'a door is offline after this many keep-alive periods without a request',
      '连续几个心跳周期无请求判定离线',
    ),
    signForms: described(
      Type.Array(Type.Union([Type.Literal('braces'), Type.Literal('plain')]), { default: ['braces'], minItems: 1, uniqueItems: true }),
      'sign content forms accepted from doors (seed example: braces)',
      '接受的签名原文格式',
    ),
    matchSourceIp: described(
      Type.Boolean({ default: true }),
      'the /connect ip must also be the source address of the request',
      '连接请求的ip须与来源地址一致',
    ),
    syncPollMs: described(
      Type.Integer({ default: 30_000, minimum: 50, maximum: 3_600_000 }),
      'how often permission deployments are pulled without a nudge, ms',
      '权限下发轮询周期(毫秒)',
    ),
    retryBaseMs: described(
      Type.Integer({ default: 1000, minimum: 10, maximum: 60_000 }),
      'first backoff of failed batches and reverse connects, ms (doubles, jittered)',
      '失败重试初始间隔(毫秒)',
    ),
    retryMaxMs: described(
      Type.Integer({ default: 60_000, minimum: 100, maximum: 3_600_000 }),
      'longest backoff, ms',
      '失败重试最大间隔(毫秒)',
    ),
    callTimeoutMs: described(
      Type.Integer({ default: 5000, minimum: 100, maximum: 60_000 }),
      'time limit of calls to a door the protocol gives none for, ms',
      '调用门禁接口的超时(毫秒)',
    ),
    limits: listenerLimitsSetting(serverDefaults),
  }),
  device: Type.Object({
    ip: Ipv4("the door's IPv4 address (all logical devices of one door share it)", '门禁设备IP(同一设备的各逻辑设备相同)'),
    port: Port("the door's own HTTP port", '门禁设备HTTP端口'),
    faceMode: Type.Optional(
      described(
        Type.Union([Type.Literal('edge'), Type.Literal('device')]),
        'face compare on the box (edge) or on the door (device); face device only',
        '人脸比对位置: 盒子(edge)或设备(device)',
      ),
    ),
    faceTemp: Type.Optional(
      described(
        Type.Object(
          {
            switch: Type.Union([Type.Boolean(), Type.Literal(0), Type.Literal(1)]),
            lower: Type.Optional(Type.Number({ minimum: 30, maximum: 45 })),
            upper: Type.Optional(Type.Number({ minimum: 30, maximum: 45 })),
          },
          { additionalProperties: false },
        ),
        'temperature rule of edge-side face checks',
        '人脸测温规则',
      ),
    ),
    linkage: Type.Optional(
      described(
        Type.Boolean(),
        'elevator device: the door runs person-elevator linkage itself; the box deploys the rules naming it (/elevator/rule/sync) instead of running them',
        '电梯设备: 由门禁自身执行人梯联动, 盒子下发规则而不代为执行',
      ),
    ),
    iotId: Type.Optional(
      described(
        Type.String({ minLength: 1, maxLength: 64 }),
        "the device's iotId on the IoT platform, when the box cannot learn it: elevator-linkage relations name devices by it",
        '设备在物联网平台的iotId(人梯联动关系用它指定设备)',
      ),
    ),
    firmwareVersion: Type.Optional(
      described(Type.String({ maxLength: 64 }), 'firmware version shown until the door reports its own', '固件版本'),
    ),
    faceAlgorithmVersion: Type.Optional(described(Type.String({ maxLength: 64 }), 'face algorithm version of the door', '人脸算法版本')),
  }),
});
