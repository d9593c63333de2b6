/**
 * What an installer may write for the OpenAPI face terminal driver (driver `config`) and for
 * each terminal (`custom`, seed 004 L61-67, L870): the single source for the driver, the host's
 * deploy check, `edge check` and docs/config.md.
 */
import { Type } from '@sinclair/typebox';
import { defineSettings, described, Ipv4OrHost, Port, TextId } from '../../edge/host/sdk/settings.js';
import { LISTENER_LIMITS } from '../../protocols/common/http-listener.js';
import { listenerLimitsSetting } from '../../protocols/common/listener-limits.js';
import { CHAPTER9_ENDPOINTS } from '../../protocols/face-openapi/platform.js';
import { FACTORY_PASSWORD } from '../../protocols/face-openapi/sign.js';

export default defineSettings({
  products: ['PEFaceOpenApi'],
  listeners: {
    port: {
      protocol: 'face-openapi',
      authentication:
        "the terminal id in the path and the terminal's configured custom.ip as the source address; face pictures only to configured terminal addresses",
      endpoints: CHAPTER9_ENDPOINTS,
      limitsKey: 'limits',
    },
  },
  config: Type.Object({
    host: described(
      Type.String({ default: '127.0.0.1', minLength: 1 }),
      "address the box's chapter 9 server listens on for the terminals' requests",
      '盒子第9章服务(设备请求平台)的监听地址',
    ),
    port: Port("port of the box's chapter 9 server", '盒子第9章服务端口', { default: 10020, listen: true }),
    publicUrl: Type.Optional(
      described(
        Type.String({ pattern: '^https?://[^\\s/]+(/\\S*)?$' }),
        'base URL the terminals reach the chapter 9 server at (face pictures of library pulls); default: http://host:port',
        '人脸机访问第9章服务的地址(拉取人脸图片); 默认 http://host:port',
      ),
    ),
    syncPollMs: described(
      Type.Integer({ default: 5000, minimum: 100, maximum: 600_000 }),
      'how often pending face changes are pulled from the access core, ms',
      '从门禁核心拉取人脸变更的周期(毫秒)',
    ),
    faceSync: described(
      Type.Union([Type.Literal('api'), Type.Literal('pull')], { default: 'api' }),
      'faces pushed through /api/user (api) or pulled by the terminal through /syrecord (pull)',
      '人脸同步方式: 盒子推送(api)或人脸机拉取(pull)',
    ),
    feedbackTimeoutMs: described(
      Type.Integer({ default: 120_000, minimum: 1000, maximum: 3_600_000 }),
      "pull: a library change without the terminal's feedback by then is reported as timed out, ms",
      '拉取方式下等待人脸机反馈的超时(毫秒)',
    ),
    limits: listenerLimitsSetting(LISTENER_LIMITS),
  }),
  device: Type.Object({
    ip: Ipv4OrHost("the terminal's IPv4 address or host name", '人脸机IP地址或主机名'),
    port: Port("the terminal's OpenAPI port", '人脸机OpenAPI端口', { default: 8899 }),
    wsPort: Port("the terminal's record push (WebSocket) port", '人脸机记录推送(WebSocket)端口', { default: 9000 }),
    // Seed 004 L67: a terminal leaves the factory with 123456 (edge check warns about it).
    password: Object.assign(
      TextId(
        "the terminal's API password, set on its screen (default: the factory password 123456, a risk)",
        '人脸机接口密码, 在设备屏幕上修改(默认出厂密码123456, 有风险)',
      ),
      { default: FACTORY_PASSWORD },
    ),
    deviceId: Type.Optional(
      TextId('the id the terminal uses in chapter 9 paths; default: the deviceName', '人脸机在第9章请求中使用的设备ID; 默认取deviceName'),
    ),
  }),
});
