/**
 * What an installer may write for the security adapter driver (driver `config`) and its devices
 * (`custom`): the single source for the driver, the host's deploy check, `edge check` and
 * docs/config.md. An adapter is a `PESecurityAdapter` device with its vendor and address; each
 * camera a `PESecurityCamera` device with its vendor, type, address and credentials, which the
 * box hands to that vendor's adapter in getConfig (L41608-41725).
 */
import { Type } from '@sinclair/typebox';
import { defineSettings, described, Ipv4, Port, type SettingsProblem } from '../../edge/host/sdk/settings.js';
import { listenerLimitsSetting } from '../../protocols/common/listener-limits.js';
import { EDGE_SECURITY_EVENT_PORT, ESE_ENDPOINTS, eseServerDefaults, MANUFACTURES } from '../../protocols/edge-security-event/index.js';
import { ADAPTER_PRODUCT, ALL_PRODUCTS } from './products.js';

const text = (max: number, en: string, zh: string) => Type.Optional(described(Type.String({ maxLength: max }), en, zh));

export default defineSettings({
  products: ALL_PRODUCTS,
  listeners: {
    port: {
      protocol: 'edge-security-event',
      authentication:
        "every request only from the address of a configured adapter; appAuthentication names that address as its ip, the adapter's vendor and the MD5 sign; the other requests carry the token the box issued to that address",
      endpoints: ESE_ENDPOINTS,
      limitsKey: 'limits',
    },
  },
  config: Type.Object({
    host: described(
      Type.String({ default: '0.0.0.0', minLength: 1 }),
      'address the box listens on for the event adapters',
      '盒子监听事件适配应用的地址',
    ),
    port: Port('port of the smart security service (the seed says 5080)', '智能安防应用端口(文档规定5080)', {
      default: EDGE_SECURITY_EVENT_PORT,
      listen: true,
    }),
    mergeWindowMs: described(
      Type.Integer({ default: 500, minimum: 0, maximum: 10_000 }),
      'reports with the same eventId and eventTime arriving within this time are one multi-target event, ms (the adapter is answered when it is stored)',
      '相同eventId和eventTime的上报在此时间内合并为一个多目标事件(毫秒)',
    ),
    statusPollS: described(
      Type.Integer({ default: 60, minimum: 5, maximum: 3600 }),
      "period of the box's getStatus calls to each adapter, s (the cameras' online state)",
      '轮询适配应用设备状态的周期(秒)',
    ),
    callTimeoutMs: described(
      Type.Integer({ default: 10_000, minimum: 100, maximum: 120_000 }),
      "time limit of the box's calls to an adapter, ms",
      '盒子调用适配应用接口的超时(毫秒)',
    ),
    timezoneOffsetMinutes: described(
      Type.Integer({ default: 480, minimum: -720, maximum: 840 }),
      "zone of securityAlarmEvent's eventTime text (yyyy-MM-dd HH:mm:ss), minutes east of UTC (China: 480)",
      '告警事件eventTime文本的时区(相对UTC分钟数, 中国480)',
    ),
    limits: listenerLimitsSetting(eseServerDefaults),
  }),
  device: Type.Object({
    manufacture: described(
      Type.Union(MANUFACTURES.map((m) => Type.Literal(m))),
      'vendor: DH, HIK, UNIVIEW or TIANDY',
      '品牌: DH/HIK/UNIVIEW/TIANDY',
    ),
    ip: Ipv4(
      "adapter: its IPv4 address (requests are accepted only from it); camera: its address (an IPC behind an NVR: the NVR's)",
      '适配应用: 其IP(只接受来自该地址的请求); 摄像机: 设备IP(NVR下IPC填NVR的IP)',
    ),
    mac: text(64, 'adapter: when given, an authentication with another MAC fails', '适配应用: 填写后MAC不符的认证失败'),
    deviceType: Type.Optional(
      described(
        Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3)]),
        'camera: 1 NVR, 2 direct IPC, 3 IPC behind an NVR',
        '摄像机类型: 1 NVR, 2 直连IPC, 3 非直连IPC',
      ),
    ),
    port: Type.Optional(
      described(Type.Integer({ minimum: 1, maximum: 65_535 }), "camera: its port (type 3: the NVR's)", '设备端口(类型3填NVR端口)'),
    ),
    username: text(64, "camera: login user name (type 3: the NVR's)", '登录用户名(类型3填NVR的)'),
    password: text(64, "camera: login password (type 3: the NVR's), given to the vendor's adapter only", '登录密码(类型3填NVR的)'),
    channel: Type.Optional(
      described(
        Type.Integer({ minimum: 0, maximum: 65_535 }),
        'camera type 3: its channel on the NVR, from 0',
        '类型3: NVR通道号, 从0开始',
      ),
    ),
    childIp: Type.Optional(Ipv4("camera type 3: the IPC's own address", '类型3: 子设备IP')),
    childPort: Type.Optional(
      described(Type.Integer({ minimum: 1, maximum: 65_535 }), "camera type 3: the IPC's port", '类型3: 子设备端口'),
    ),
    childUsername: text(64, "camera type 3: the IPC's user name", '类型3: 子设备用户名'),
    childPassword: text(64, "camera type 3: the IPC's password", '类型3: 子设备密码'),
    extInfo: text(1024, 'camera: extension handed to the adapter as is', '扩展信息'),
  }),
  check({ devices }) {
    const problems: SettingsProblem[] = [];
    const adapters = new Set<string>();
    const vendors = new Set<string>();
    const cameras = new Set<string>();
    devices.forEach((d, j) => {
      const at = `/devices/${j}/custom`;
      const c = d.custom;
      if (d.productKey === ADAPTER_PRODUCT) {
        if (adapters.has(c.ip))
          problems.push({ path: `${at}/ip`, message: `a second adapter at ${c.ip}`, hint: 'one adapter device per address' });
        if (vendors.has(c.manufacture))
          problems.push({
            path: `${at}/manufacture`,
            message: `a second ${c.manufacture} adapter`,
            hint: "one adapter per vendor: it is given all the vendor's cameras",
          });
        adapters.add(c.ip);
        vendors.add(c.manufacture);
        return;
      }
      if (c.deviceType === undefined)
        problems.push({
          path: `${at}/deviceType`,
          message: 'a camera needs its deviceType',
          hint: '1 NVR, 2 direct IPC, 3 IPC behind an NVR',
        });
      if (c.deviceType === 3 && c.channel === undefined)
        problems.push({ path: `${at}/channel`, message: 'an IPC behind an NVR needs its channel', hint: 'the channel on the NVR, from 0' });
      const key = `${c.manufacture}/${c.ip}/${c.deviceType}/${c.deviceType === 3 ? c.channel : 0}`;
      if (cameras.has(key))
        problems.push({ path: `${at}/ip`, message: `camera ${key} is configured twice`, hint: 'one device per camera' });
      cameras.add(key);
    });
    devices.forEach((d, j) => {
      if (d.productKey !== ADAPTER_PRODUCT && !vendors.has(d.custom.manufacture))
        problems.push({
          path: `/devices/${j}/custom/manufacture`,
          message: `no ${d.custom.manufacture} adapter is configured`,
          hint: "configure the vendor's PESecurityAdapter device",
        });
    });
    return problems;
  },
});
