/**
 * Public routes: metadata, `/_version`, `/_health`, `/_auth`, `GET /`, and the Swagger pages
 * (behavior §2.1, §2.9, §0).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ApiVersion } from '../../core/vocabulary';
import { MOCK_VERSION, capabilityStatement } from '../capability';
import { applyExampleFieldFaults, applySeedValueFaults } from '../capability-faults';
import {
  applySeed001MetadataFaults,
  implementationUrlFor,
  xmlStatementFor,
} from '../capability-seed001-faults';
import type { AuthProviderState, MockContext } from '../context';
import { publicRouteAuth } from '../guard';
import { sendBody, sendOutcome, sendText } from '../outcome';
import { isSwaggerVersion, swaggerDocument, swaggerPage } from '../swagger';
import { baseUrl } from '../urls';

const json = (body: unknown): string => JSON.stringify(body);

export function registerMetadataRoute(app: FastifyInstance, ctx: MockContext, version: ApiVersion): void {
  app.get(`/api/${version}/metadata`, async (request, reply) => {
    if (ctx.faults.has('metadata-requires-token') && request.headers.authorization === undefined) {
      return sendOutcome(reply, 401, version, 'forbidden', 'Invalid Token');
    }
    // Fault metadata-anonymous-redirect: a caller without a token is sent to get one.
    if (ctx.faults.has('metadata-anonymous-redirect') && request.headers.authorization === undefined)
      return reply.code(302).header('location', '/auth/token').send();
    if (!(await publicRouteAuth(ctx, request, reply))) return reply;
    const statement = capabilityStatement({
      version,
      base: baseUrl(request),
      now: ctx.clock.now(),
      wrongFhirVersion: ctx.faults.has('metadata-wrong-fhir-version'),
      noExportOperations: ctx.faults.has('metadata-missing-export-operations'),
      stu3Elements: ctx.faults.has('metadata-stu3-elements'),
      wrongFormat: ctx.faults.has('metadata-wrong-format'),
      noReleaseDate: ctx.faults.has('metadata-no-release-date'),
      noAcceptUnknown: ctx.faults.has('metadata-v1-no-accept-unknown'),
      ...(ctx.faults.has('metadata-wrong-implementation-url')
        ? { foreignImplementationUrl: 'https://sandbox.bcda.cms.gov' }
        : {}),
    });
    if (ctx.faults.has('metadata-not-capabilitystatement')) statement.resourceType = 'Conformance';
    if (ctx.faults.has('metadata-status-draft')) statement.status = 'draft';
    if (ctx.faults.has('metadata-no-software-version'))
      statement.software = { ...(statement.software as object), version: undefined };
    if (ctx.faults.has('metadata-no-instantiates')) delete statement.instantiates;
    applyExampleFieldFaults(ctx.faults, statement);
    applySeed001MetadataFaults(ctx.faults, statement, version, baseUrl(request));
    if (ctx.faults.has('metadata-impl-url-proxy-scheme'))
      statement.implementation = {
        ...(statement.implementation as object),
        url: implementationUrlFor(ctx.faults, baseUrl(request)),
      };
    applySeedValueFaults(ctx.faults, statement, baseUrl(request), version);
    // Fault metadata-export-definitions-swapped: each export operation cites the other's definition.
    if (ctx.faults.has('metadata-export-definitions-swapped'))
      Object.assign(
        statement,
        JSON.parse(
          JSON.stringify(statement).replace(
            /OperationDefinition\/(patient|group)-export/g,
            (_m, kind: string) =>
              kind === 'patient' ? 'OperationDefinition/group-export' : 'OperationDefinition/patient-export',
          ),
        ) as object,
      );
    // Fault metadata-date-go-format: the date as Go's time.Time String() writes it.
    if (ctx.faults.has('metadata-date-go-format'))
      statement.date = `${ctx.clock.now().toISOString().replace('T', ' ').replace('Z', '')} +0000 UTC`;
    // Fault metadata-v1-fhir-version-r4: v1 shares v2's R4 value, though it serves STU3.
    if (ctx.faults.has('metadata-v1-fhir-version-r4') && version === 'v1') statement.fhirVersion = '4.0.1';
    // Fault metadata-v1-instantiates-r4: v1 names BFD's R4 (v2) metadata, not the STU3 server's.
    if (
      ctx.faults.has('metadata-v1-instantiates-r4') &&
      version === 'v1' &&
      Array.isArray(statement.instantiates)
    )
      statement.instantiates = statement.instantiates.map((u) =>
        typeof u === 'string' ? u.replace('/baseDstu3/metadata/', '/v2/fhir/metadata') : u,
      );
    if (ctx.faults.has('metadata-no-token-url')) {
      for (const rest of statement.rest as Array<{ security?: { extension?: unknown } }>)
        delete rest.security?.extension;
    }
    const xml = xmlStatementFor(ctx.faults, request.headers.accept, statement);
    if (xml) return sendBody(reply, 200, 'application/fhir+xml', xml);
    const type = ctx.faults.has('metadata-wrong-content-type') ? 'text/html' : 'application/json';
    // Fault metadata-in-bundle: the statement served as the one match of a search.
    const body = ctx.faults.has('metadata-in-bundle')
      ? { resourceType: 'Bundle', type: 'searchset', total: 1, entry: [{ resource: statement }] }
      : statement;
    return sendBody(reply, 200, type, json(body));
  });
}

export function registerServiceRoutes(app: FastifyInstance, ctx: MockContext): void {
  app.get('/_version', async (request, reply) => {
    // Fault service-version-not-at-root: no route at the server root (Go's mux answers its 404 text).
    if (ctx.faults.has('service-version-not-at-root')) return sendText(reply, 404, '404 page not found');
    if (!(await publicRouteAuth(ctx, request, reply))) return reply;
    const body = ctx.faults.has('service-version-wrong-shape')
      ? { build: MOCK_VERSION }
      : // Fault service-version-empty: a build without its version stamped in.
        { version: ctx.faults.has('service-version-empty') ? '' : MOCK_VERSION };
    const status = ctx.faults.has('contract-status-undocumented') ? 203 : 200;
    return sendBody(reply, status, 'application/json', json(body));
  });
  app.get('/_health', async (request, reply) => {
    // Fault health-skips-token-parse: the health route is mounted before the token middleware.
    if (!ctx.faults.has('health-skips-token-parse') && !(await publicRouteAuth(ctx, request, reply)))
      return reply;
    const health: Record<string, string> = healthOf(
      ctx.faults.has('health-always-ok') ? 'ok' : ctx.authProvider,
    );
    if (ctx.faults.has('health-omits-introspect') && health.ssas_introspect === 'ok')
      delete health.ssas_introspect;
    if (ctx.faults.has('health-blames-database') && health.ssas !== 'ok')
      Object.assign(health, { database: 'Cannot connect to database', ssas: 'ok', ssas_introspect: 'ok' });
    const allOk = Object.values(health).every((v) => v === 'ok');
    // The real server writes the status before the Content-Type, which Go then sniffs (behavior §2.9).
    const type = ctx.quirks ? 'text/plain; charset=utf-8' : 'application/json';
    return sendBody(reply, allOk ? 200 : 502, type, json(health));
  });
  app.get('/_auth', async (request, reply) => {
    // Fault auth-info-requires-token: the provider details sit behind the token ladder.
    if (ctx.faults.has('auth-info-requires-token') && request.headers.authorization === undefined)
      return sendOutcome(reply, 401, 'v1', 'forbidden', 'Invalid Token');
    if (!(await publicRouteAuth(ctx, request, reply))) return reply;
    let body: Record<string, string> =
      ctx.authProvider === 'ok'
        ? { auth_provider: 'ssas', version: MOCK_VERSION }
        : { auth_provider: 'ssas', 'error message': providerError(ctx.authProvider) };
    if (ctx.faults.has('auth-info-wrong-shape')) body = { provider: 'ssas' };
    return sendBody(reply, 200, 'application/json', json(body));
  });
  app.get('/', (_request, reply) => reply.redirect('https://bcda.cms.gov', 301));
  registerSwaggerRoutes(app, ctx);
}

/** The Swagger UI folders of v1 and v2 (behavior §0): the page, its OpenAPI document, and the bare path. */
function registerSwaggerRoutes(app: FastifyInstance, ctx: MockContext): void {
  // Fault swagger-missing: the router has no such folder, so chi's plain 404 answers.
  const missing = (reply: FastifyReply) => sendText(reply, 404, '404 page not found');
  for (const version of ctx.versions.filter(isSwaggerVersion)) {
    const folder = `/api/${version}/swagger/`;
    app.get(folder.slice(0, -1), (_request, reply) =>
      ctx.faults.has('swagger-missing') ? missing(reply) : reply.redirect(folder, 301),
    );
    app.get(folder, (_request, reply) =>
      ctx.faults.has('swagger-missing')
        ? missing(reply)
        : sendBody(reply, 200, 'text/html; charset=utf-8', swaggerPage()),
    );
    app.get(`${folder}swagger.json`, (request, reply) =>
      ctx.faults.has('swagger-missing')
        ? missing(reply)
        : sendBody(
            reply,
            200,
            'application/json',
            // Fault swagger-v2-paths-only: the document keeps the v2 endpoints only.
            json(swaggerDocument(baseUrl(request), MOCK_VERSION, ctx.faults.has('swagger-v2-paths-only'))),
          ),
    );
  }
}

function providerError(state: Exclude<AuthProviderState, 'ok'>): string {
  return state === 'timeout'
    ? 'Get "http://ssas:3003/_version": context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
    : 'Get "http://ssas:3003/_version": 500 Internal Server Error';
}

/** /_health's three keys: "ok", or what failed (behavior §2.9). The database never fails here. */
function healthOf(provider: AuthProviderState): Record<'database' | 'ssas' | 'ssas_introspect', string> {
  if (provider === 'ok') return { database: 'ok', ssas: 'ok', ssas_introspect: 'ok' };
  return {
    database: 'ok',
    ssas: provider === 'timeout' ? 'Cannot connect to SSAS' : 'SSAS health check failed',
    ssas_introspect: 'SSAS introspect check failed',
  };
}
