/**
 * What an installer may write for the push-protocol face terminal driver (driver `config`) and
 * for each terminal (`custom`): the single source for the driver, the host's deploy check,
 * `edge check` and docs/config.md.
 */
import { Type } from '@sinclair/typebox';
import { defineSettings, described, Ipv4, Port, TextId, type SettingsProblem } from '../../edge/host/sdk/settings.js';
import { LISTENER_LIMITS } from '../../protocols/common/http-listener.js';
import { listenerLimitsSetting } from '../../protocols/common/listener-limits.js';
import { PUSH_ENDPOINTS, PUSH_MAX_BODY_BYTES } from '../../protocols/face-push/index.js';

const interval = (en: string, zh: string, def: number, max = 3600) =>
  described(Type.Integer({ default: def, minimum: 1, maximum: max }), en, zh);

/** Seed 003 L77-81: the SN is 1-32 printable ASCII characters. */
const DEVICE_NO = '^[\\x21-\\x7e]{1,32}$';

export default defineSettings({
  products: ['PEFacePush'],
  listeners: {
    port: {
      protocol: 'face-push',
      authentication:
        'the configured deviceNo (the register sign has no secret); with custom.ip set, messages naming a terminal only from its address',
      endpoints: PUSH_ENDPOINTS,
      prefixKey: 'pathPrefix',
      limitsKey: 'limits',
    },
  },
  config: Type.Object({
    host: described(
      Type.String({ default: '127.0.0.1', minLength: 1 }),
      "address the box listens on for the terminals' pushes and polls",
      '盒子监听人脸机推送/轮询的地址',
    ),
    port: Port('port of the box the terminals push to and poll', '人脸机推送/轮询的盒子端口', { default: 10010, listen: true }),
    // A URL path: whitespace would never match a request line.
    pathPrefix: described(
      Type.String({ default: '', pattern: '^\\S*$', maxLength: 200 }),
      'path part of the push address the terminals are given, e.g. /push',
      '下发给人脸机的推送地址路径前缀, 如 /push',
    ),
    tzOffsetMinutes: described(
      Type.Integer({ default: 480, minimum: -720, maximum: 840 }),
      "time zone of the terminals' local times, minutes east of UTC (480 = UTC+8)",
      '人脸机本地时间的时区(相对UTC的分钟数, 480即东八区)',
    ),
    openTimeoutMs: described(
      Type.Integer({ default: 30_000, minimum: 1000, maximum: 600_000 }),
      "how long a remote open waits for the terminal's next open poll and its result, ms",
      '远程开门等待人脸机轮询及结果的时间(毫秒)',
    ),
    commandWaitMs: described(
      Type.Integer({ default: 60_000, minimum: 0, maximum: 600_000 }),
      'how long a command\'s caller waits before being answered "queued", ms',
      '其他命令等待结果的时间, 超时答复已排队(毫秒)',
    ),
    commandTtlMs: described(
      Type.Integer({ default: 24 * 3_600_000, minimum: 10_000, maximum: 30 * 86_400_000 }),
      'a command the terminal has not taken by then is dropped, ms',
      '人脸机未取走的命令的有效期(毫秒)',
    ),
    intervalsS: described(
      Type.Object(
        {
          heartbeat: interval('heartbeat interval; offline after 2 × this + 10 s of silence', '心跳间隔(秒); 静默2倍加10秒判定离线', 30),
          person: interval('person (face) poll interval', '人员下发轮询间隔(秒)', 5),
          open: interval('remote open poll interval', '远程开门轮询间隔(秒)', 2),
          update: interval('update poll interval', '升级轮询间隔(秒)', 300, 86_400),
          other: interval('poll interval of the other services', '其他服务轮询间隔(秒)', 10),
        },
        { default: {}, additionalProperties: false },
      ),
      'poll intervals the box assigns at register, seconds',
      '注册时下发给人脸机的轮询间隔(秒)',
    ),
    syncPollMs: described(
      Type.Integer({ default: 5000, minimum: 200, maximum: 600_000 }),
      'how often pending permission changes are pulled from the access core, ms',
      '从门禁核心拉取待下发权限的周期(毫秒)',
    ),
    resultTimeoutMs: described(
      Type.Integer({ default: 60_000, minimum: 1000, maximum: 3_600_000 }),
      'a command handed out without a result by then is handed out again, ms',
      '命令下发后无结果时重发的超时(毫秒)',
    ),
    maxAttempts: described(
      Type.Integer({ default: 3, minimum: 1, maximum: 10 }),
      'times a command is handed out in all',
      '命令最多下发次数',
    ),
    limits: listenerLimitsSetting({ ...LISTENER_LIMITS, maxBodyBytes: PUSH_MAX_BODY_BYTES }),
  }),
  device: Type.Object({
    ip: Type.Optional(
      Ipv4(
        "the terminal's address: when set, its messages are accepted only from it (the protocol has no other credential)",
        '人脸机IP: 设置后只接受来自该地址的消息',
      ),
    ),
    deviceNo: Type.Optional(
      TextId("the terminal's serial number (deviceNo, seed 003); default: the deviceName", '人脸机序列号(deviceNo); 默认取deviceName', {
        pattern: DEVICE_NO,
      }),
    ),
  }),
  // A terminal is found by its deviceNo: each must be valid (also the deviceName it defaults to) and unique.
  check({ devices }) {
    const problems: SettingsProblem[] = [];
    const seen = new Map<string, number>();
    devices.forEach((d, j) => {
      const no = d.custom.deviceNo === undefined ? d.deviceName : String(d.custom.deviceNo);
      if (!new RegExp(DEVICE_NO).test(no))
        problems.push({
          path: `/devices/${j}/custom/deviceNo`,
          message: `the deviceName ${JSON.stringify(no)} is no terminal serial number (1-32 printable ASCII, seed 003 L77-81)`,
          hint: 'set custom.deviceNo to the serial number the terminal sends',
        });
      if (d.custom.ip === undefined)
        problems.push({
          path: `/devices/${j}/custom/ip`,
          message: `terminal ${no} has no address: anyone on the LAN who knows its deviceNo can send records for it`,
          hint: "set custom.ip to the terminal's address",
          advisory: true,
        });
      const other = seen.get(no);
      if (other !== undefined)
        problems.push({
          path: `/devices/${j}/custom/deviceNo`,
          message: `deviceNo ${no} is also device ${other}'s`,
          hint: 'each terminal has its own serial number',
        });
      seen.set(no, j);
    });
    return problems;
  },
});
