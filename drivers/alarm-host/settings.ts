/**
 * What an installer may write for the perimeter alarm host driver (driver `config`) and for each
 * host (`custom`): one source for the driver, the deploy check, `edge check` and docs/config.md.
 *
 * The seed names three vendor drivers and their config shapes (seed 001 L15867-16071, digest 001b
 * §3.14); all three are accepted here, as config variants of this one driver (`protocolName`):
 * Gato `{alarmHostDevIp, alarmHostDevPort, alarmHostDevPasswd}`, Horn `{ip, port}` (port 6000 by
 * default), JHL driver config `{localIp, localPort}` (50000) and device `{deviceId, passwd,
 * channelList}`. The hosts report over SIA DC-09, so each also needs its DC-09 `account` (a JHL
 * `deviceId` that is a valid account serves as one) and, for encrypted reporting, its `key`.
 */
import { Type } from '@sinclair/typebox';
import { defineSettings, described, Ipv4, Port, TextId, type SettingsProblem } from '../../edge/host/sdk/settings.js';
import { receiverLimitsSetting } from '../../protocols/sia-dc09/index.js';
import { accountOf, channelsOf, HOST_PRODUCT, type HostCustom } from './channels.js';

export const PROTOCOL_NAMES = ['GatoAlarmHostDriver', 'HornAlarmHostDriver', 'JhlAlarmHostDriver'] as const;
/** JHL's listening port (L16020); the default for every variant, as DC-09 has none of its own. */
export const DEFAULT_PORT = 50000;
/** Horn's host port (L15971). */
export const HORN_PORT = 6000;

const Channel = Type.Union([
  described(
    Type.String({ minLength: 1, maxLength: 2048 }),
    'a channel ID; its zone is its place in the list (1, 2, …)',
    '通道ID, 防区号为其在列表中的序号',
  ),
  Type.Object(
    {
      channelID: described(Type.String({ minLength: 1, maxLength: 2048 }), 'the channel ID the cloud sees', '通道ID'),
      zone: described(Type.Integer({ minimum: 0, maximum: 999_999 }), 'the zone number the host reports for it', '主机上报的防区号'),
      partition: Type.Optional(
        described(
          Type.Integer({ minimum: 0, maximum: 999_999 }),
          "the zone's partition (area): its arm/disarm reports apply",
          '所属子系统(分区)',
        ),
      ),
    },
    { additionalProperties: false },
  ),
]);

export default defineSettings({
  products: [HOST_PRODUCT],
  listeners: {
    localPort: {
      protocol: 'sia-dc09',
      authentication:
        "only from a configured host's address where one is given; only configured DC-09 accounts (others DUH), encrypted with the account's AES key where one is given",
      endpoints: [],
      limitsKey: 'limits',
    },
    udpPort: {
      protocol: 'sia-dc09',
      authentication: 'as the TCP port: configured addresses and accounts, the account key where given',
      endpoints: [],
      limitsKey: 'limits',
    },
  },
  config: Type.Object({
    protocolName: Type.Optional(
      described(
        Type.Union(PROTOCOL_NAMES.map((n) => Type.Literal(n))),
        "the seed's vendor driver this one stands in for (its device config shape); reporting is SIA DC-09 for all",
        '对应的厂商驱动(协议名称), 上报协议均为SIA DC-09',
      ),
    ),
    localIp: described(
      Type.String({ default: '0.0.0.0', minLength: 1 }),
      'address the box receives DC-09 reports on',
      '接收DC-09报文的本机地址',
    ),
    localPort: Port('TCP port of the box for DC-09 reports', 'DC-09接收TCP端口', {
      default: DEFAULT_PORT,
      listen: true,
      hostKey: 'localIp',
    }),
    udpPort: Port('UDP port of the box for DC-09 reports', 'DC-09接收UDP端口', {
      default: DEFAULT_PORT,
      listen: true,
      udp: true,
      hostKey: 'localIp',
    }),
    skewAheadS: described(
      Type.Integer({ default: 20, minimum: 0, maximum: 3600 }),
      "a message's timestamp may be this far ahead of the box's clock, s (DC-09: 20); beyond: NAK with the box's time",
      '报文时间最多超前本机秒数(标准20)',
    ),
    skewBehindS: described(
      Type.Integer({ default: 40, minimum: 0, maximum: 3600 }),
      "a message's timestamp may be this far behind, s (DC-09: 40)",
      '报文时间最多落后本机秒数(标准40)',
    ),
    supervisionS: described(
      Type.Integer({ default: 120, minimum: 1, maximum: 86_400 }),
      "the hosts' supervision (NULL link test) interval as programmed in them, s",
      '主机链路检测(NULL)周期(秒)',
    ),
    offlineMisses: described(
      Type.Integer({ default: 2, minimum: 1, maximum: 10 }),
      'a host is offline after this many supervision intervals without a message',
      '连续几个检测周期无报文判定离线',
    ),
    refusalLogIntervalS: described(
      Type.Integer({ default: 60, minimum: 1, maximum: 86_400 }),
      'a refused address is logged once per this many seconds per reason',
      '同一来源同一拒绝原因的日志间隔(秒)',
    ),
    limits: receiverLimitsSetting(),
  }),
  device: Type.Object({
    account: Type.Optional(
      described(
        Type.String({ pattern: '^[0-9A-Fa-f]{1,16}$' }),
        "the host's DC-09 account (1-16 hex digits)",
        '主机的DC-09账号(1-16位十六进制)',
      ),
    ),
    key: Type.Optional(
      described(
        Type.String({ pattern: '^([0-9A-Fa-f]{32}|[0-9A-Fa-f]{48}|[0-9A-Fa-f]{64})$' }),
        "the account's AES key in hex (128/192/256 bit): the host must then report encrypted",
        'AES密钥(十六进制), 填写后只接受加密报文',
      ),
    ),
    channelList: Type.Optional(
      described(Type.Array(Channel, { maxItems: 512 }), "the host's channels (zones), at most 512", '通道(防区)列表, 最多512个'),
    ),
    ip: Type.Optional(Ipv4("Horn: the host's address; reports are taken only from it", '豪恩: 主机IP, 只接受该地址的上报')),
    port: Type.Optional(Port("Horn: the host's own port (6000); DC-09 reporting does not use it", '豪恩: 主机端口(默认6000)')),
    alarmHostDevIp: Type.Optional(Ipv4("Gato: the host's address; reports are taken only from it", '广拓: 主机IP')),
    alarmHostDevPort: Type.Optional(Port("Gato: the host's own port; DC-09 reporting does not use it", '广拓: 主机端口')),
    alarmHostDevPasswd: Type.Optional(
      described(Type.String({ maxLength: 64 }), "Gato: the host's password (unused by DC-09)", '广拓: 主机密码'),
    ),
    deviceId: Type.Optional(
      TextId("JHL: the host's device ID; the DC-09 account when no account is given", '精华隆: 设备ID', { maxLength: 16 }),
    ),
    passwd: Type.Optional(
      described(Type.String({ maxLength: 64 }), "JHL: the host's operation password (unused by DC-09)", '精华隆: 设备操作密码'),
    ),
    supervisionS: Type.Optional(
      described(
        Type.Integer({ minimum: 1, maximum: 86_400 }),
        "this host's supervision interval, s (default: the driver's)",
        '本主机链路检测周期(秒)',
      ),
    ),
  }),
  check({ devices }) {
    const problems: SettingsProblem[] = [];
    const accounts = new Map<string, number>();
    devices.forEach((d, j) => {
      const at = `/devices/${j}/custom`;
      const c = d.custom as HostCustom;
      const account = accountOf(c);
      if (!account)
        problems.push({
          path: `${at}/account`,
          message: c.deviceId !== undefined ? `deviceId ${JSON.stringify(c.deviceId)} is not a DC-09 account` : 'no DC-09 account',
          hint: "the account number programmed in the host's DC-09 reporting, 1-16 hex digits",
        });
      else if (accounts.has(account.toUpperCase()))
        problems.push({ path: `${at}/account`, message: `account ${account} is configured twice`, hint: 'one device per account' });
      else accounts.set(account.toUpperCase(), j);
      if (c.ip !== undefined && c.alarmHostDevIp !== undefined && c.ip !== c.alarmHostDevIp)
        problems.push({ path: `${at}/ip`, message: 'ip and alarmHostDevIp differ', hint: 'give the address once' });
      const ids = channelsOf(c).map((ch) => ch.channelID);
      const dup = ids.find((id, i) => ids.indexOf(id) !== i);
      if (dup !== undefined)
        problems.push({ path: `${at}/channelList`, message: `channel ${dup} is listed twice`, hint: 'one entry per channel' });
    });
    return problems;
  },
});
