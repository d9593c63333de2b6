/**
 * What an installer writes for the GB28181 camera driver (driver `config`) and for each camera,
 * NVR or NVR channel (`custom`). The SIP parameters' defaults are the seed's (L41434-41454, digest
 * 001g §3.7 R34): server ID 34020000002000000001, domain 3402000000, port 5060; the cameras are
 * configured with the same values and the box password (per-device passwords optional).
 */
import { Type } from '@sinclair/typebox';
import { defineSettings, described, Ipv4, Port, type SettingsProblem } from '../../edge/host/sdk/settings.js';
import { sipLimitsSetting } from '../../protocols/gb28181/index.js';
import { mediaSetting } from './media-settings.js';

export const CAMERA_PRODUCT = 'PEGbCamera';
export const NVR_PRODUCT = 'PEGbNvr';
/** LinkVisual category codes (seed 001 L15691-15730, digest 001b §3.13). */
export const CAMERA_CATEGORIES = ['ipcamera', 'tptzcamera', 'frcamera', 'pmcamera'].map((c) => `community/security/${c}`);
export const NVR_CATEGORIES = ['nnvr', 'invr', 'frnvr'].map((c) => `community/security/${c}`);

const GbId = (en: string, zh: string) => described(Type.String({ pattern: '^\\d{20}$' }), en, zh);
const Secret = (en: string, zh: string) => described(Type.String({ minLength: 1, maxLength: 64 }), en, zh);

export default defineSettings({
  products: [CAMERA_PRODUCT, NVR_PRODUCT],
  listeners: {
    sipPort: {
      protocol: 'gb28181-sip',
      authentication:
        'REGISTER with MD5 digest (the box password, or the device its own) under a configured GB id; MESSAGE only from a registered device at its registered address',
      endpoints: [],
      limitsKey: 'limits',
    },
    sipUdpPort: {
      protocol: 'gb28181-sip',
      authentication: 'as the TCP port: digest REGISTER under a configured GB id, MESSAGE from the registered address only',
      endpoints: [],
      limitsKey: 'limits',
    },
  },
  config: Type.Object({
    sipId: described(Type.String({ pattern: '^\\d{20}$', default: '34020000002000000001' }), "the box's SIP server ID", 'SIP服务器编号'),
    domain: described(Type.String({ pattern: '^\\d{10}$', default: '3402000000' }), 'the SIP domain (digest realm)', 'SIP域'),
    sipIp: described(Type.String({ default: '0.0.0.0', minLength: 1 }), 'address the SIP server listens on', 'SIP服务监听地址'),
    advertiseIp: Type.Optional(
      Ipv4("the box's LAN address written in its own requests (default: sipIp, or the first LAN address)", '本机对摄像机的地址'),
    ),
    sipPort: Port('TCP port of the SIP server', 'SIP服务TCP端口', { default: 5060, listen: true, hostKey: 'sipIp' }),
    sipUdpPort: Port('UDP port of the SIP server', 'SIP服务UDP端口', { default: 5060, listen: true, udp: true, hostKey: 'sipIp' }),
    password: Secret('the SIP password configured in the cameras (the box password)', 'SIP密码(平台接入密码)'),
    keepaliveIntervalS: described(
      Type.Integer({ default: 60, minimum: 1, maximum: 3600 }),
      "the cameras' keepalive interval as configured in them, s (GB/T 28181 default 60)",
      '心跳周期(秒)',
    ),
    keepaliveMisses: described(
      Type.Integer({ default: 3, minimum: 1, maximum: 20 }),
      'a device is offline after this many keepalive intervals without a message (GB/T 28181: 3)',
      '心跳超时次数',
    ),
    nonceTtlS: described(
      Type.Integer({ default: 300, minimum: 10, maximum: 86_400 }),
      'a digest challenge (nonce) is good this long, s; an older one is answered with a fresh, stale challenge',
      '认证随机数有效期(秒)',
    ),
    catalogWaitS: described(
      Type.Integer({ default: 30, minimum: 1, maximum: 600 }),
      'how long the pages of a Catalog answer are waited for, s',
      '目录查询等待时间(秒)',
    ),
    limits: sipLimitsSetting(),
    media: mediaSetting(),
  }),
  device: Type.Object({
    gbId: GbId("the device's (or channel's) 20-digit GB/T 28181 ID as configured in it", '国标编码(20位)'),
    categoryCode: Type.Optional(
      described(
        Type.Union([...CAMERA_CATEGORIES, ...NVR_CATEGORIES].map((c) => Type.Literal(c))),
        'the LinkVisual category code (camera: ipcamera, tptzcamera, frcamera, pmcamera; NVR: nnvr, invr, frnvr)',
        '品类编码(备注信息CategoryCode)',
      ),
    ),
    password: Type.Optional(Secret("this device's own SIP password (default: the box password)", '设备SIP密码(默认平台密码)')),
    parent: Type.Optional(GbId('for an NVR channel: the GB ID of its NVR', 'NVR通道: 所属NVR的国标编码')),
  }),
  check({ devices }) {
    const problems: SettingsProblem[] = [];
    const ids = new Map<string, number>();
    const nvrs = new Set(devices.filter((d) => d.productKey === NVR_PRODUCT).map((d) => d.custom.gbId));
    devices.forEach((d, j) => {
      const at = `/devices/${j}/custom`;
      const c = d.custom;
      if (ids.has(c.gbId))
        problems.push({ path: `${at}/gbId`, message: `GB id ${c.gbId} is configured twice`, hint: 'one device per GB id' });
      ids.set(c.gbId, j);
      const nvr = d.productKey === NVR_PRODUCT;
      if (c.categoryCode && (nvr ? !NVR_CATEGORIES.includes(c.categoryCode) : !CAMERA_CATEGORIES.includes(c.categoryCode)))
        problems.push({
          path: `${at}/categoryCode`,
          message: `${c.categoryCode} is not a ${nvr ? 'NVR' : 'camera'} category`,
          hint: 'see docs/video.md',
        });
      if (c.parent !== undefined && (nvr || !nvrs.has(c.parent)))
        problems.push({
          path: `${at}/parent`,
          message: `parent ${c.parent} is no configured NVR`,
          hint: 'a channel names the gbId of a PEGbNvr device',
        });
      if (c.parent !== undefined && c.password !== undefined)
        problems.push({ path: `${at}/password`, message: 'an NVR channel does not register itself', hint: 'give the password on the NVR' });
    });
    return problems;
  },
});
