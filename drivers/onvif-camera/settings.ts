/**
 * What an installer writes for the ONVIF camera driver (driver `config`) and for each camera
 * (`custom`). The registration rules are the AI box's (seed 001 L47660-47705, digest 001g R51):
 * device name 4-32 of `[A-Za-z0-9-_@.:]` and unique, alias 2-32 and unique, `ip:port` unique,
 * user 4-32 and password 2-15 of `[A-Za-z0-9_-:@.]`, remark at most 100; and at most 256 cameras
 * (L47503-47512, R52). Uniview IPCs join this way (L15673-15730).
 */
import { Type } from '@sinclair/typebox';
import { defineSettings, described, Ipv4, Ipv4OrHost, Port, type SettingsProblem } from '../../edge/host/sdk/settings.js';
// The relay settings are the GB28181 driver's (one relay, one set of limits, whatever the camera speaks).
import { relayFields } from '../gb28181-camera/media-settings.js';

export const CAMERA_PRODUCT = 'PEOnvifCamera';
/** LinkVisual category codes of cameras (seed 001 L15691-15730, digest 001b §3.13). */
export const CAMERA_CATEGORIES = ['ipcamera', 'tptzcamera', 'frcamera', 'pmcamera'].map((c) => `community/security/${c}`);
/** R52: cameras per box. */
export const MAX_CAMERAS = 256;
export const DEVICE_NAME = /^[A-Za-z0-9_.:@-]{4,32}$/;
/** Alias: also Chinese (seed L47680-47684); 2-32 characters. */
export const ALIAS = /^[\p{Script=Han}A-Za-z0-9_.:@-]{2,32}$/u;

const CREDENTIAL = '^[A-Za-z0-9_.:@-]+$';

export default defineSettings({
  products: [CAMERA_PRODUCT],
  config: Type.Object({
    timeoutS: described(
      Type.Integer({ default: 10, minimum: 1, maximum: 120 }),
      'how long one ONVIF request may take before the camera counts as not answering, s',
      '请求超时(秒)',
    ),
    checkIntervalS: described(
      Type.Integer({ default: 30, minimum: 1, maximum: 3600 }),
      'an online camera is asked for its clock this often; no answer makes it offline, s',
      '在线检测周期(秒)',
    ),
    retryMinS: described(
      Type.Number({ default: 2, minimum: 0.05, maximum: 600 }),
      'first reconnect delay, s (doubles up to retryMaxS)',
      '重连最短间隔(秒)',
    ),
    retryMaxS: described(Type.Number({ default: 60, minimum: 0.1, maximum: 3600 }), 'longest reconnect delay, s', '重连最长间隔(秒)'),
    events: described(
      Type.Boolean({ default: true }),
      "subscribe to each camera's events (PullPoint) and report motion and alarms",
      '订阅摄像机事件',
    ),
    snapshotMaxKb: described(
      Type.Integer({ default: 4096, minimum: 16, maximum: 5800 }),
      'a snapshot larger than this is refused, KiB',
      '抓图最大大小(KiB)',
    ),
    snapshotKeepDays: described(
      Type.Integer({ default: 30, minimum: 1, maximum: 3650 }),
      'how long the file service keeps snapshots, days',
      '抓图保存天数',
    ),
    media: Type.Object(relayFields(), {
      default: {},
      additionalProperties: false,
      description: 'live push of the cameras’ RTSP streams (startLivePush)',
      zh: '视频转发',
    }),
    discovery: Type.Optional(
      described(
        Type.Object(
          {
            targets: described(
              Type.Array(Type.String({ pattern: '^[A-Za-z0-9_.-]+(:\\d{1,5})?$' }), { default: [], maxItems: 1024 }),
              'addresses `ip[:port]` (port 3702) probed by unicast',
              '单播探测地址',
            ),
            multicastInterface: Type.Optional(
              Ipv4(
                'an IPv4 address of the NIC to send the multicast probe (239.255.255.250:3702) from; none: no multicast',
                '组播探测网卡地址',
              ),
            ),
            waitMs: described(
              Type.Integer({ default: 3000, minimum: 100, maximum: 30_000 }),
              'how long answers are collected, ms',
              '探测等待时间(毫秒)',
            ),
          },
          { additionalProperties: false },
        ),
        'WS-Discovery defaults for the discover action',
        '设备发现',
      ),
    ),
  }),
  device: Type.Object({
    ip: Ipv4OrHost("the camera's address", 'IP地址'),
    port: Port("the camera's ONVIF (HTTP) port", '端口', { default: 80 }),
    username: described(
      Type.String({ minLength: 4, maxLength: 32, pattern: CREDENTIAL }),
      'ONVIF user (4-32 of A-Z a-z 0-9 _ - : @ .)',
      '用户名',
    ),
    password: described(
      Type.String({ minLength: 2, maxLength: 15, pattern: CREDENTIAL }),
      'its password (2-15 of A-Z a-z 0-9 _ - : @ .)',
      '密码',
    ),
    categoryCode: Type.Optional(
      described(
        Type.Union(CAMERA_CATEGORIES.map((c) => Type.Literal(c))),
        'the LinkVisual category code (ipcamera, tptzcamera, frcamera, pmcamera)',
        '品类编码(备注信息CategoryCode)',
      ),
    ),
    profile: Type.Optional(
      described(
        Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$' }),
        'media profile token to use (default: the first the camera lists)',
        '媒体配置Token',
      ),
    ),
    path: Type.Optional(
      described(Type.String({ pattern: '^/[\\x21-\\x7e]{0,200}$' }), 'device service path (default /onvif/device_service)', '设备服务路径'),
    ),
    remark: Type.Optional(described(Type.String({ maxLength: 100 }), 'free text about the camera (at most 100 characters)', '备注')),
  }),
  check({ config, devices, siblings = [] }) {
    const problems: SettingsProblem[] = [];
    const R51 = 'seed 001 L47660-47705 (R51); see docs/video.md';
    // R52 counts the box's cameras, whichever onvif-camera driver instance serves them.
    const onBox = devices.length + siblings.reduce((n, s) => n + s.devices, 0);
    if (onBox > MAX_CAMERAS)
      problems.push({
        path: '/devices',
        message: siblings.length
          ? `${onBox} ONVIF cameras on the box (${devices.length} here, ${siblings.map((s) => `${s.devices} in ${s.driver}`).join(', ')}); a box takes at most ${MAX_CAMERAS}`
          : `${devices.length} ONVIF cameras configured; a box takes at most ${MAX_CAMERAS}`,
        hint: 'seed 001 L47503-47512 (R52): move the rest to another box',
      });
    if (config.retryMaxS < config.retryMinS)
      problems.push({ path: '/config/retryMaxS', message: 'retryMaxS is shorter than retryMinS', hint: 'retryMaxS ≥ retryMinS' });
    const names = new Map<string, number>();
    const aliases = new Map<string, number>();
    const addresses = new Map<string, number>();
    devices.forEach((d, j) => {
      const at = `/devices/${j}`;
      if (!DEVICE_NAME.test(d.deviceName))
        problems.push({
          path: `${at}/deviceName`,
          message: `device name ${JSON.stringify(d.deviceName)} must be 4-32 characters of letters, digits, - _ @ . :`,
          hint: R51,
        });
      const seen = names.get(d.deviceName);
      if (seen !== undefined)
        problems.push({
          path: `${at}/deviceName`,
          message: `device name ${d.deviceName} is also device ${seen}'s`,
          hint: `unique per box; ${R51}`,
        });
      else names.set(d.deviceName, j);
      if (d.alias === undefined)
        problems.push({
          path: `${at}/alias`,
          message: 'an ONVIF camera needs an alias (设备别名)',
          hint: `2-32 characters, unique; ${R51}`,
        });
      else if (!ALIAS.test(d.alias))
        problems.push({
          path: `${at}/alias`,
          message: `alias ${JSON.stringify(d.alias)} must be 2-32 characters of Chinese, letters, digits, - _ @ . :`,
          hint: R51,
        });
      else if (aliases.has(d.alias))
        problems.push({
          path: `${at}/alias`,
          message: `alias ${d.alias} is also device ${aliases.get(d.alias)}'s`,
          hint: `unique per box; ${R51}`,
        });
      else aliases.set(d.alias, j);
      const addr = `${d.custom.ip}:${d.custom.port}`;
      if (addresses.has(addr))
        problems.push({
          path: `${at}/custom/ip`,
          message: `${addr} is also device ${addresses.get(addr)}'s`,
          hint: `ip:port is unique per box; ${R51}`,
        });
      else addresses.set(addr, j);
    });
    return problems;
  },
});
