/** The generic mock's public routes: the CapabilityStatement, SMART configuration, token endpoint. */
import type { FastifyInstance } from 'fastify';
import { capabilityStatement, smartConfiguration } from './capability';
import type { IgContext } from './context';
import { FHIR_PATH, TOKEN_PATH, fhirBase, sendFhir, sendJson, tokenUrl } from './http';
import { handleTokenRequest } from './token';

const RELEASE_DATE = '2025-12-01';

export function registerPublicRoutes(app: FastifyInstance, ctx: IgContext): void {
  app.get(`${FHIR_PATH}/metadata`, (request, reply) =>
    sendFhir(reply, 200, capabilityStatement(fhirBase(request), tokenUrl(request), RELEASE_DATE)),
  );
  app.get(`${FHIR_PATH}/.well-known/smart-configuration`, (request, reply) =>
    sendJson(reply, 200, smartConfiguration(ctx, tokenUrl(request))),
  );
  app.post(TOKEN_PATH, (request, reply) => handleTokenRequest(ctx, request, reply));
}
