/** Public routes: metadata, `/_version`, `/_health`, `/_auth`, `GET /` (behavior §2.1, §2.9, §0). */
import type { FastifyInstance } from 'fastify';
import type { ApiVersion } from '../../checks/types';
import { MOCK_VERSION, capabilityStatement } from '../capability';
import type { MockContext } from '../context';
import { publicRouteAuth } from '../guard';
import { sendBody, sendOutcome } from '../outcome';
import { baseUrl } from '../urls';

const json = (body: unknown): string => JSON.stringify(body);

export function registerMetadataRoute(app: FastifyInstance, ctx: MockContext, version: ApiVersion): void {
  app.get(`/api/${version}/metadata`, async (request, reply) => {
    if (ctx.faults.has('metadata-requires-token') && request.headers.authorization === undefined) {
      return sendOutcome(reply, 401, version, 'forbidden', 'Invalid Token');
    }
    if (!(await publicRouteAuth(ctx, request, reply))) return reply;
    const statement = capabilityStatement({
      version,
      base: baseUrl(request),
      now: ctx.clock.now(),
      wrongFhirVersion: ctx.faults.has('metadata-wrong-fhir-version'),
      noExportOperations: ctx.faults.has('metadata-missing-export-operations'),
    });
    if (ctx.faults.has('metadata-not-capabilitystatement')) statement.resourceType = 'Conformance';
    if (ctx.faults.has('metadata-no-instantiates')) delete statement.instantiates;
    if (ctx.faults.has('metadata-no-token-url')) {
      for (const rest of statement.rest as Array<{ security?: { extension?: unknown } }>)
        delete rest.security?.extension;
    }
    const type = ctx.faults.has('metadata-wrong-content-type') ? 'text/html' : 'application/json';
    return sendBody(reply, 200, type, json(statement));
  });
}

export function registerServiceRoutes(app: FastifyInstance, ctx: MockContext): void {
  app.get('/_version', async (request, reply) => {
    if (!(await publicRouteAuth(ctx, request, reply))) return reply;
    return sendBody(reply, 200, 'application/json', json({ version: MOCK_VERSION }));
  });
  app.get('/_health', async (request, reply) => {
    if (!(await publicRouteAuth(ctx, request, reply))) return reply;
    // The real server sniffs this Content-Type (behavior §2.9).
    return sendBody(
      reply,
      200,
      'text/plain; charset=utf-8',
      json({ database: 'ok', ssas: 'ok', ssas_introspect: 'ok' }),
    );
  });
  app.get('/_auth', async (request, reply) => {
    if (!(await publicRouteAuth(ctx, request, reply))) return reply;
    return sendBody(reply, 200, 'application/json', json({ auth_provider: 'ssas', version: MOCK_VERSION }));
  });
  app.get('/', (_request, reply) => reply.redirect('https://bcda.cms.gov', 301));
}
