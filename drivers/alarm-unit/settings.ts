/**
 * What an installer may write for the indoor alarm unit driver (driver `config`) and for each of
 * its devices (`custom`): the single source for the driver, the host's deploy check, `edge check`
 * and docs/config.md. A unit is a `PEAlarmUnit` device with the unit's address; each zone is a
 * device of a zone product with the same address and its `zoneID`.
 */
import { Type } from '@sinclair/typebox';
import { defineSettings, described, Ipv4, Port, type SettingsProblem } from '../../edge/host/sdk/settings.js';
import { listenerLimitsSetting } from '../../protocols/common/listener-limits.js';
import { ALARM_UNIT_ENDPOINTS, ALARM_UNIT_PORT, alarmUnitServerDefaults } from '../../protocols/alarm-unit/index.js';
import { ALL_PRODUCTS, UNIT_PRODUCT } from './products.js';

export default defineSettings({
  products: ALL_PRODUCTS,
  listeners: {
    port: {
      protocol: 'alarm-unit',
      authentication:
        "every request only from the address of a configured unit; connect names that address as its ip (and carries the unit's AES key under the box's RSA key in encrypted mode); the other requests need the token the box issued to that address",
      endpoints: ALARM_UNIT_ENDPOINTS,
      limitsKey: 'limits',
    },
  },
  config: Type.Object({
    host: described(
      Type.String({ default: '0.0.0.0', minLength: 1 }),
      'address the box listens on for the indoor alarm units',
      '盒子监听室内机请求的地址',
    ),
    port: Port('port of the box for the indoor alarm units (the protocol says 10070)', '盒子室内机服务端口(协议规定10070)', {
      default: ALARM_UNIT_PORT,
      listen: true,
    }),
    offlineMisses: described(
      Type.Integer({ default: 3, minimum: 1, maximum: 10 }),
      'a unit is offline, and its token expires, after this many of its keepalive periods without a request',
      '连续几个心跳周期无请求判定室内机离线(token失效)',
    ),
    callTimeoutMs: described(
      Type.Integer({ default: 5000, minimum: 100, maximum: 60_000 }),
      "time limit of the box's calls to a unit (ping, setZoneAlertState), ms",
      '盒子调用室内机接口的超时(毫秒)',
    ),
    limits: listenerLimitsSetting(alarmUnitServerDefaults),
  }),
  device: Type.Object({
    ip: Ipv4(
      "the unit's IPv4 address: connect is accepted only from it (a zone: the address of its unit)",
      '室内机IP地址(防区设备填所属室内机的地址)',
    ),
    zoneID: Type.Optional(
      described(
        Type.String({ minLength: 1, maxLength: 32, pattern: '^[\\x21-\\x7e]+$' }),
        'zone devices: the zoneID the unit reports for this zone (e.g. "01")',
        '防区设备: 室内机上报的防区编号(如"01")',
      ),
    ),
    sn: Type.Optional(
      described(
        Type.String({ pattern: '^[A-Za-z0-9\\-_@.:]{4,32}$' }),
        "units: the unit's sn; when given, a connect with another sn is refused",
        '室内机序列号; 填写后序列号不符的连接被拒绝',
      ),
    ),
  }),
  check({ devices }) {
    const problems: SettingsProblem[] = [];
    const units = new Map<string, number>();
    const zones = new Set<string>();
    devices.forEach((d, j) => {
      const at = `/devices/${j}/custom`;
      if (d.productKey === UNIT_PRODUCT) {
        if (d.custom.zoneID !== undefined)
          problems.push({ path: `${at}/zoneID`, message: 'a unit has no zoneID', hint: 'remove it, or use a zone product' });
        if (units.has(d.custom.ip))
          problems.push({ path: `${at}/ip`, message: `a second unit at ${d.custom.ip}`, hint: 'one PEAlarmUnit device per unit address' });
        units.set(d.custom.ip, j);
        return;
      }
      if (d.custom.zoneID === undefined)
        problems.push({ path: `${at}/zoneID`, message: 'a zone device needs its zoneID', hint: 'the zoneID the unit reports, e.g. "01"' });
      const key = `${d.custom.ip}/${d.custom.zoneID}`;
      if (zones.has(key))
        problems.push({
          path: `${at}/zoneID`,
          message: `zone ${d.custom.zoneID} of ${d.custom.ip} is configured twice`,
          hint: 'one device per zone',
        });
      zones.add(key);
    });
    devices.forEach((d, j) => {
      if (d.productKey !== UNIT_PRODUCT && !units.has(d.custom.ip))
        problems.push({
          path: `/devices/${j}/custom/ip`,
          message: `no PEAlarmUnit device at ${d.custom.ip}`,
          hint: "configure the zone's unit (connect is accepted only from configured units)",
        });
    });
    return problems;
  },
});
