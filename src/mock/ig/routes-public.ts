/**
 * The generic mock's public routes: the CapabilityStatement, its OperationDefinitions, the SMART
 * configuration and the token endpoint.
 */
import type { FastifyInstance } from 'fastify';
import { capabilityStatement, ownOperationDefinition, smartConfiguration } from './capability';
import type { IgContext } from './context';
import { FHIR_PATH, TOKEN_PATH, fhirBase, sendFhir, sendJson, sendOutcome, tokenUrl } from './http';
import { handleTokenRequest } from './token';

const RELEASE_DATE = '2025-12-01';

export function registerPublicRoutes(app: FastifyInstance, ctx: IgContext): void {
  app.get(`${FHIR_PATH}/metadata`, (request, reply) =>
    sendFhir(
      reply,
      200,
      capabilityStatement(fhirBase(request), tokenUrl(request), RELEASE_DATE, ctx.definitions, {
        noExportOperations: ctx.faults.has('ig-metadata-no-export-operations'),
        noInstantiates: ctx.faults.has('ig-metadata-no-instantiates'),
        instantiatesGuide: ctx.faults.has('ig-instantiates-ig-url'),
      }),
    ),
  );
  // The OperationDefinitions the CapabilityStatement names: conformance resources, no token needed.
  app.get<{ Params: { id: string } }>(`${FHIR_PATH}/OperationDefinition/:id`, (request, reply) => {
    const definition = ownOperationDefinition(
      request.params.id,
      fhirBase(request),
      new Set(ctx.faults.has('ig-provenance-unsupported-omitted') ? ['includeAssociatedData'] : []),
    );
    return definition
      ? sendFhir(reply, 200, definition)
      : sendOutcome(reply, 404, 'not-found', `no OperationDefinition ${request.params.id.slice(0, 80)}`);
  });
  app.get(`${FHIR_PATH}/.well-known/smart-configuration`, (request, reply) =>
    sendJson(reply, 200, smartConfiguration(ctx, tokenUrl(request))),
  );
  app.post(TOKEN_PATH, (request, reply) => handleTokenRequest(ctx, request, reply));
}
