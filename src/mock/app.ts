/**
 * Builds the mock's fastify app: every BCDA route per enabled version, Go/chi-style 404 and 405,
 * one log line per request (never headers), and the control routes when asked for.
 */
import type { Server as TlsServer } from 'node:tls';
import Fastify, { LogController, type FastifyInstance, type HTTPMethods } from 'fastify';
import { createContext, type MockContext, type MockOptions } from './context';
import { registerAttributionRoute } from './routes/attribution';
import { registerAuthRoutes } from './routes/auth';
import { registerControlRoutes } from './routes/control';
import { registerDataRoute } from './routes/data';
import { registerExportRoutes } from './routes/export';
import { registerJobStatusRoutes } from './routes/job-status';
import { registerJobsListRoute } from './routes/jobs-list';
import { registerMetadataRoute, registerServiceRoutes } from './routes/public';
import { clientErrorHandler, frameworkErrorHandler, routeErrorHandler } from './errors';
import { sendText, useRealErrorWriters } from './outcome';
import { closeSilentConnections, serverTimeoutOptions } from './timeouts';
import { methodNotAllowed } from './wrong-method';
import { recordRequests } from './recording';
import { NO_DOWNLOAD_PACE } from './download-pace';
import { followTlsFaults, tlsContextOptions } from './tls';

const contexts = new WeakMap<FastifyInstance, MockContext>();

/** The shared state behind an app built by buildMockApp (for startMock and tests). */
export function mockContextOf(app: FastifyInstance): MockContext {
  const ctx = contexts.get(app);
  if (!ctx) throw new Error('not a mock app');
  return ctx;
}

const ALL_METHODS: HTTPMethods[] = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];

/** Resets jobs, clock and faults to how the instance started. */
export function resetContext(ctx: MockContext): void {
  ctx.jobs.reset();
  ctx.plans.clear();
  ctx.clock.reset();
  ctx.faults.set(ctx.initialFaults);
  ctx.authProvider = 'ok';
  ctx.tokenRateLimit = ctx.initialTokenRateLimit;
  ctx.tokensIssued.clear();
  ctx.downloadPace = NO_DOWNLOAD_PACE;
}

export async function buildMockApp(options: MockOptions = {}): Promise<FastifyInstance> {
  const ctx = await createContext(options);
  const quiet = options.quiet ?? true;
  const timeoutOptions = serverTimeoutOptions(ctx.timeouts);
  const fastifyOptions = {
    logger: quiet ? false : { level: 'info' },
    // Fastify's two lines per request are replaced by the single onResponse line below.
    logController: new LogController({ disableRequestLogging: true }),
    exposeHeadRoutes: false,
    // chi has no limit on a path segment: a long job id or file name reaches the route and gets
    // BCDA's answer (the request head's own 16 KiB limit bounds it first).
    routerOptions: { maxParamLength: 64 * 1024 },
    frameworkErrors: frameworkErrorHandler,
    clientErrorHandler,
    ...timeoutOptions,
  } as const;
  // Over HTTPS Node's http options (head timeouts) go with the TLS ones; the routes see the same server API.
  const app = options.tls
    ? (Fastify({
        ...fastifyOptions,
        https: { ...timeoutOptions.http, ...tlsContextOptions(ctx.faults.has('tls-accepts-tls11')) },
      }) as unknown as FastifyInstance)
    : Fastify(fastifyOptions);
  if (options.tls) followTlsFaults(app.server as unknown as TlsServer, ctx.faults);
  closeSilentConnections(app.server, ctx.timeouts);
  contexts.set(app, ctx);
  if (ctx.quirks) useRealErrorWriters(app);
  // Both before any route: fastify gives a route the error handler in place when it is added.
  app.setErrorHandler(routeErrorHandler);
  app.setNotFoundHandler((_request, reply) => sendText(reply, 404, '404 page not found'));

  // BCDA ignores request bodies (token endpoint included); keep them as raw text for /__mock/.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_req, body, done) =>
    done(null, body),
  );

  if (options.recorder) recordRequests(app, options.recorder, ctx.clock);
  // One line per request; the URL never carries credentials and headers are not logged.
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info(
      {
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
    done();
  });
  // BCDA's API router closes every connection (behavior §0).
  app.addHook('onSend', (request, reply, payload, done) => {
    if (!/^\/(data|auth|__mock)\//.test(request.url)) reply.header('connection', 'close');
    done(null, payload);
  });

  // Per path: the methods it serves, and those registered only for a fault (a POST kick-off, a
  // GET token request), which answer 405 themselves and are left out of Allow.
  const routes = new Map<string, { allowed: Set<string>; faultOnly: Set<string> }>();
  let collecting = true;
  app.addHook('onRoute', (route) => {
    if (!collecting) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const entry = routes.get(route.url) ?? { allowed: new Set<string>(), faultOnly: new Set<string>() };
    const faultOnly = (route.config as { faultOnly?: boolean } | undefined)?.faultOnly === true;
    for (const m of methods) (faultOnly ? entry.faultOnly : entry.allowed).add(m);
    routes.set(route.url, entry);
  });

  registerAuthRoutes(app, ctx);
  registerServiceRoutes(app, ctx);
  registerDataRoute(app, ctx);
  for (const version of ctx.versions) {
    registerMetadataRoute(app, ctx, version);
    registerExportRoutes(app, ctx, version);
    registerJobStatusRoutes(app, ctx, version);
    registerJobsListRoute(app, ctx, version);
    registerAttributionRoute(app, ctx, version);
  }
  if (ctx.control) registerControlRoutes(app, ctx, { reset: () => resetContext(ctx) });

  await app.register(async () => undefined); // flush onRoute for everything registered above
  collecting = false;
  // chi answers a known path with a wrong method by 405, empty body, with Allow.
  for (const [url, { allowed, faultOnly }] of routes) {
    const missing = ALL_METHODS.filter((m) => !allowed.has(m) && !faultOnly.has(m));
    if (missing.length === 0) continue;
    const allow = [...allowed].join(', ');
    app.route({
      method: missing,
      url,
      handler: (_req, reply) => methodNotAllowed(reply, allow),
    });
  }
  return app;
}
