/**
 * The box's HTTP server: health and metrics now; the console registers its plugins here.
 * Bound to 127.0.0.1 by default so nothing is exposed until an installer decides to.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../log.js';

export interface HttpOptions {
  host: string;
  port: number;
}

export interface HealthSource {
  health(): { status: 'ok' | 'degraded' | 'starting' | 'stopping'; [k: string]: unknown };
  metricsText(): Promise<string>;
  metricsContentType: string;
}

export function buildHttpServer(deps: {
  log: Logger;
  health: HealthSource;
  https?: { key: Buffer; cert: Buffer } | undefined;
}): FastifyInstance {
  // Per-request lines are noise on a box; warnings and errors still get through.
  const log = deps.log.child({}, { level: deps.log.isLevelEnabled('debug') ? 'debug' : 'warn' });
  // HTTPS when the console config names a certificate; same app either way.
  const app = (deps.https
    ? Fastify({ loggerInstance: log as FastifyBaseLogger, bodyLimit: 1024 * 1024, https: deps.https })
    : Fastify({ loggerInstance: log as FastifyBaseLogger, bodyLimit: 1024 * 1024 })) as unknown as FastifyInstance;
  app.get('/healthz', async (_req, reply) => {
    const h = deps.health.health();
    reply.code(h.status === 'ok' || h.status === 'degraded' ? 200 : 503);
    return h;
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', deps.health.metricsContentType);
    return deps.health.metricsText();
  });
  return app;
}

export async function listen(app: FastifyInstance, options: HttpOptions): Promise<number> {
  await app.listen({ host: options.host, port: options.port });
  const addr = app.server.address();
  return typeof addr === 'object' && addr ? addr.port : options.port;
}
