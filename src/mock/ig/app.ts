/**
 * Builds the generic mock's fastify app: the FHIR base under /fhir, the token endpoint, the files,
 * OperationOutcome errors (application/fhir+json) under /fhir, and the control routes when asked.
 */
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { createIgContext, type IgContext, type IgMockOptions } from './context';
import { registerIgControlRoutes } from './control';
import { FHIR_PATH, sendOutcome } from './http';
import { registerExportRoutes } from './routes-export';
import { registerPublicRoutes } from './routes-public';
import { registerResourceRoutes } from './routes-resources';
import { registerSearchRoutes } from './routes-search';
import { registerStatusRoutes } from './routes-status';

const contexts = new WeakMap<FastifyInstance, IgContext>();

/** The state behind an app built by buildIgMockApp (for startIgMock and tests). */
export function igContextOf(app: FastifyInstance): IgContext {
  const ctx = contexts.get(app);
  if (!ctx) throw new Error('not a generic mock app');
  return ctx;
}

export async function buildIgMockApp(options: IgMockOptions = {}): Promise<FastifyInstance> {
  const ctx = createIgContext(options);
  const quiet = options.quiet ?? true;
  const app = Fastify({
    logger: quiet ? false : { level: 'info' },
    logController: new LogController({ disableRequestLogging: quiet }),
  });
  contexts.set(app, ctx);
  // Bodies stay text: each route reads its own kind (form, FHIR Parameters, control JSON).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_req, body, done) =>
    done(null, body),
  );
  app.setNotFoundHandler((request, reply) =>
    request.url.startsWith(`${FHIR_PATH}/`) || request.url === FHIR_PATH
      ? sendOutcome(
          reply,
          404,
          'not-found',
          `no route for ${request.method} ${request.url.split('?')[0]?.slice(0, 200)}`,
        )
      : reply.code(404).header('content-type', 'text/plain; charset=utf-8').send('Not Found'),
  );
  app.setErrorHandler((err: { statusCode?: number; message?: string }, request, reply) => {
    request.log.error(err);
    const status =
      err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    return sendOutcome(
      reply,
      status,
      status === 500 ? 'exception' : 'invalid',
      status === 500 ? 'internal error' : (err.message ?? 'bad request'),
    );
  });

  registerPublicRoutes(app, ctx);
  registerExportRoutes(app, ctx);
  registerStatusRoutes(app, ctx);
  registerResourceRoutes(app, ctx);
  registerSearchRoutes(app, ctx);
  if (ctx.control) registerIgControlRoutes(app, ctx);
  return app;
}
