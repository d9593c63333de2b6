/**
 * The ports the box listens on itself: a driver's listener may not take them
 * (edge/host/driver-settings.ts), and the listener registry lists them (edge/host/listeners.ts).
 */
import type { ListenerEndpoint } from '../host/sdk/settings.js';
import type { ListenerLimits } from '../../protocols/common/http-listener.js';
import type { BoxConfig } from './schema.js';
import { configuredFilesPorts } from '../files/config.js';
import { configuredDataModelPort } from '../datamodel/config.js';
import { configuredServiceBus } from '../apps/config.js';

export interface BoxListener {
  what: string;
  /** Where it is set in the box config. */
  path: string;
  port: number;
  host: string;
  protocol: 'http-console' | 'mqtt' | 'http-files' | 'http-datamodel' | 'http-service-bus' | 'http-app';
  authentication: string;
  endpoints: ListenerEndpoint[];
  /** The hostile-input limits in force, where the listener has them. */
  limits?: ListenerLimits;
}

const CONSOLE_ENDPOINTS: ListenerEndpoint[] = [
  { method: 'GET', path: '/healthz' },
  { method: 'GET', path: '/metrics' },
  { method: 'GET', path: '/' },
  { method: 'POST', path: '/api/{area}/{action}' },
];

/**
 * The box's own listeners as configured; `bound` gives the ports they actually took (a port of 0
 * picks a free one), and then a listener configured with 0 is listed too.
 */
const FILES_ENDPOINTS: ListenerEndpoint[] = [
  { method: 'POST', path: '/home/paas/file/add' },
  { method: 'POST', path: '/home/paas/file/delete' },
  { method: 'GET', path: '/oss/{filePath}' },
];

const DATAMODEL_ENDPOINTS: ListenerEndpoint[] = [
  { method: 'POST', path: '/data/model/data/insert' },
  { method: 'POST', path: '/data/model/data/query' },
  { method: 'POST', path: '/data/model/data/upload' },
  { method: 'GET', path: '/data/model/file/{token}/{fileName}' },
];

export function boxListeners(
  cfg: BoxConfig,
  bound?: {
    http: number;
    bus: number;
    files?: readonly [number, number] | undefined;
    dataModel?: number | undefined;
    serviceBus?: number | undefined;
  },
): BoxListener[] {
  const out: BoxListener[] = [];
  const http = bound?.http ?? cfg.http.port;
  if (http > 0) {
    out.push({
      what: 'the box HTTP server (console, /healthz)',
      path: '/http/port',
      port: http,
      host: cfg.http.host,
      protocol: 'http-console',
      authentication: 'console: admin account, session cookie and CSRF token (docs/console.md); /healthz and /metrics open',
      endpoints: CONSOLE_ENDPOINTS,
    });
  }
  const bus = bound?.bus ?? cfg.bus.port;
  if (cfg.bus.enabled && !cfg.bus.externalUrl && bus > 0) {
    out.push({
      what: 'the local bus',
      path: '/bus/port',
      port: bus,
      host: cfg.bus.host,
      protocol: 'mqtt',
      authentication: 'bus users (bus.users or the generated user), topic rules (docs/bus-topics.md)',
      endpoints: [],
    });
  }
  const files = configuredFilesPorts(cfg.files);
  const filePorts: [string, number | undefined, number | undefined][] = files
    ? [
        ['/files/port', files.port, bound?.files?.[0]],
        ['/files/outsidePort', files.outsidePort, bound?.files?.[1]],
      ]
    : [];
  for (const [path, configured, taken] of filePorts) {
    const port = taken || configured;
    if (files && port)
      out.push({
        what: 'the edge file service (docs/files.md)',
        path,
        port,
        host: files.host,
        protocol: 'http-files',
        authentication: 'none (the seed gives it none): listen only where the devices and apps that use it are',
        endpoints: FILES_ENDPOINTS,
        limits: files.limits,
      });
  }
  const dm = configuredDataModelPort(cfg.dataModel, (cfg as Record<string, unknown>).apps !== undefined);
  const dmPort = bound?.dataModel || dm?.port;
  if (dm && dmPort)
    out.push({
      what: 'the edge data-model API of the hosted apps (docs/apps.md)',
      path: '/dataModel/port',
      port: dmPort,
      host: dm.host,
      protocol: 'http-datamodel',
      authentication: 'APPSIGN (the API gateway signature with the app key and secret); upload URLs carry a one-time token',
      endpoints: DATAMODEL_ENDPOINTS,
      limits: dm.limits,
    });
  // The service bus runs with the app host: when apps are listed or its section is there.
  const serviceBus = cfg.apps !== undefined || cfg.appHost !== undefined ? configuredServiceBus(cfg.appHost) : undefined;
  const busTaken = bound?.serviceBus || serviceBus?.port;
  if (serviceBus && busTaken)
    out.push({
      what: 'the service bus of hosted apps (docs/apps.md)',
      path: '/appHost/serviceBus/port',
      port: busTaken,
      host: serviceBus.host,
      protocol: 'http-service-bus',
      authentication: 'none (the seed gives it none): listen only where the apps and local systems that call it are',
      endpoints: [{ method: 'POST', path: '/{serviceModelId}/{method}' }],
    });
  return out;
}
