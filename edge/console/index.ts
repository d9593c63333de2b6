/**
 * The local web console: a fastify plugin tree served by the daemon's own HTTP server.
 * `/` and `/ui/*` serve the UI; `/api/*` is the JSON API, one plugin per area, all behind
 * the session/CSRF guard. Everything is encapsulated: /healthz and /metrics stay untouched.
 */
import { randomBytes } from 'node:crypto';
import cookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import { migrate } from '../store/db.js';
import type { ConsoleContext } from './context.js';
import type { ConsoleOptions } from './options.js';
import { AccountStore, consoleMigrations } from './auth/accounts.js';
import { SessionStore } from './auth/sessions.js';
import { Lockout } from './auth/lockout.js';
import { makeGuard } from './auth/guard.js';
import { Audit } from './audit.js';
import { LiveHub } from './live.js';
import type { ConsoleDeps } from './deps.js';
import { consoleErrorHandler } from './http-errors.js';
import { staticRoutes } from './static.js';
import { sessionRoutes } from './routes/session.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { driverRoutes } from './routes/drivers.js';
import { deviceRoutes } from './routes/devices.js';
import { maintenanceRoutes } from './routes/maintenance.js';
import { ebaRoutes } from './routes/eba.js';
import { accessRoutes } from './routes/access.js';
import { busUserRoutes } from './routes/bus-users.js';
import { elevatorRoutes } from './routes/elevators.js';
import { rulesRoutes } from './routes/rules.js';
import { appRoutes } from './routes/apps.js';
import { cameraRoutes } from './routes/cameras.js';
import { historyRoutes } from './routes/history.js';
import { configFormRoutes } from './routes/config-forms.js';

export { parseConsoleOptions, type ConsoleOptions } from './options.js';
export type { ConsoleContext } from './context.js';
export type { ConsoleServices } from './services.js';

export interface ConsoleHandle {
  /** The one-time setup token while the password is unset (print it in the console URL). */
  readonly setupToken: string | undefined;
  /** The URL to print at start: with `#setup=<token>` while setup is pending. */
  url(base: string): string;
  stop(): void;
}

export function registerConsole(app: FastifyInstance, ctx: ConsoleContext, options: ConsoleOptions & { secure?: boolean }): ConsoleHandle {
  migrate(ctx.db, 'console', consoleMigrations);
  const accounts = new AccountStore(ctx.db);
  const sessions = new SessionStore({ idleMs: options.sessionIdleMinutes * 60_000, maxMs: options.sessionMaxHours * 3_600_000 });
  // New at every start: a page that reconnects to another boot must reload (sessions are gone too).
  const bootId = randomBytes(9).toString('base64url');
  const live = new LiveHub({ events: ctx.events, registry: ctx.registry, bootId, sessionValid: (id) => sessions.valid(id) });
  sessions.onEnded((id) => live.endSession(id));
  const deps: ConsoleDeps = {
    ctx,
    options,
    accounts,
    sessions,
    bootId,
    lockout: new Lockout(options.lockout),
    audit: new Audit(ctx.db, ctx.log),
    live,
    secure: options.secure ?? false,
    setup: { token: accounts.hasAnyUser() ? undefined : randomBytes(18).toString('base64url') },
  };
  deps.live.start();
  if (deps.setup.token) ctx.log.warn('console password not set; open the console URL printed at start to set it');

  void app.register(async function consolePlugin(scope) {
    await scope.register(cookie);
    scope.decorateRequest('consoleSession', null);
    scope.addHook('preClose', async () => deps.live.stop());
    await scope.register(staticRoutes);
    await scope.register(
      async function consoleApi(api) {
        // Only JSON and raw uploads: a cross-site <form> can send neither without a CORS preflight.
        api.removeContentTypeParser('text/plain');
        api.addContentTypeParser(
          'application/octet-stream',
          { parseAs: 'buffer', bodyLimit: options.uploadLimitMb * 1024 * 1024 },
          (_req, body, done) => done(null, body),
        );
        api.setErrorHandler(consoleErrorHandler(ctx.log));
        api.addHook('onRequest', makeGuard(deps));
        api.addHook('onSend', async (_req, reply, payload) => {
          void reply.header('cache-control', 'no-store');
          return payload;
        });
        for (const routes of [
          sessionRoutes,
          dashboardRoutes,
          driverRoutes,
          deviceRoutes,
          maintenanceRoutes,
          ebaRoutes,
          accessRoutes,
          busUserRoutes,
          rulesRoutes,
          elevatorRoutes,
          appRoutes,
          cameraRoutes,
          historyRoutes,
          configFormRoutes,
        ]) {
          await api.register(async (area) => routes(area, deps));
        }
      },
      { prefix: '/api' },
    );
  });

  return {
    get setupToken() {
      return deps.setup.token;
    },
    url(base: string) {
      return deps.setup.token ? `${base}/#setup=${deps.setup.token}` : `${base}/`;
    },
    stop() {
      deps.live.stop();
    },
  };
}
