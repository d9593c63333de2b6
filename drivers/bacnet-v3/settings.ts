/**
 * What an installer may write for the BACnetV3 driver (driver `config`) and for each of its
 * devices (`custom`): the single source for the driver, the host's deploy check, `edge check`
 * and docs/config.md. It serves any product with a thing model (no `products`).
 */
import { Type } from '@sinclair/typebox';
import { defineSettings, described, IPV4_PATTERN, Ipv4, Port } from '../../edge/host/sdk/settings.js';
import { checkTables, ebaDevice, tablesKeys } from '../eba-shared/settings.js';

const ipv4 = IPV4_PATTERN.slice(1, -1);

export default defineSettings({
  listeners: {
    // UDP: no HTTP endpoints; what arrives is matched to the driver's own requests (invoke id, peer).
    localPort: {
      protocol: 'bacnet-ip',
      authentication: 'none in the protocol: answers and notifications are taken only from devices of the point tables',
      endpoints: [],
    },
  },
  config: Type.Object({
    ...tablesKeys('bacnet-v3'),
    // One UDP socket for every channel: two BACnet drivers on one address and port cannot both bind.
    localPort: Port(
      'local UDP port of the BACnet/IP socket (BACnet/IP: 47808); 0 = any free port',
      'BACnet/IP本地UDP端口(标准47808); 0为任意空闲端口',
      { default: 47808, listen: true, udp: true, hostKey: 'bindAddress' },
    ),
    bindAddress: Object.assign(Ipv4('local address of the socket; 0.0.0.0 hears broadcast I-Am', '本地绑定地址; 0.0.0.0可收到广播I-Am'), {
      default: '0.0.0.0',
    }),
    broadcastAddress: Type.Optional(
      described(
        Type.String({ pattern: `^${ipv4}(:([1-9]\\d{0,3}|[1-5]\\d{4}|6[0-4]\\d{3}|65[0-4]\\d{2}|655[0-2]\\d|6553[0-5]))?$` }),
        "broadcast address (ip or ip:port) for broadcast channels; default: the directed broadcast of the channel's NIC",
        '非定向通道的广播地址(ip或ip:port); 默认取通道网卡的定向广播地址',
      ),
    ),
    apduTimeoutMs: described(
      Type.Integer({ default: 3000, minimum: 100, maximum: 60_000 }),
      'time limit of one confirmed request, ms',
      '单次确认请求超时(毫秒)',
    ),
    // Invoke ids are 8 bits.
    maxInFlight: described(
      Type.Integer({ default: 200, minimum: 1, maximum: 250 }),
      'requests in flight on the socket',
      '套接字上同时未完成的请求数',
    ),
    maxInFlightPerDevice: described(
      Type.Integer({ default: 4, minimum: 1, maximum: 64 }),
      'requests in flight per device',
      '每台设备同时未完成的请求数',
    ),
    maxApdu: described(
      Type.Integer({ default: 1476, minimum: 50, maximum: 1476 }),
      'largest APDU the box accepts in one answer, octets',
      '盒子接受的最大APDU长度(字节)',
    ),
    maxPropertiesPerRequest: described(
      Type.Integer({ default: 200, minimum: 1, maximum: 1000 }),
      'property references per ReadPropertyMultiple',
      '每个ReadPropertyMultiple请求的属性数上限',
    ),
    covLifetimeS: described(
      Type.Integer({ default: 300, minimum: 10, maximum: 28_800 }),
      'lifetime of COV subscriptions, seconds (renewed before they end)',
      'COV订阅有效期(秒, 到期前续订)',
    ),
    covConfirmed: described(Type.Boolean({ default: false }), 'ask for confirmed COV notifications', '请求确认型COV通知'),
    // Clause 19.2: 16 is the lowest priority, 8 manual operator.
    writePriority: described(
      Type.Integer({ default: 16, minimum: 1, maximum: 16 }),
      'write priority of points that name none (16 lowest)',
      '点位未指定时的写优先级(16最低)',
    ),
    readPropertyOnly: described(
      Type.Boolean({ default: false }),
      'never use ReadPropertyMultiple (devices whose RPM is broken)',
      '不使用ReadPropertyMultiple(设备RPM有缺陷时)',
    ),
    statsIntervalMs: described(
      Type.Integer({ default: 5000, minimum: 0, maximum: 3_600_000 }),
      "how often statistics are written to the driver's stats.json, ms; 0 = never",
      '统计写入stats.json的周期(毫秒); 0为不写',
    ),
  }),
  device: ebaDevice,
  check: checkTables,
});
