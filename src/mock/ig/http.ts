/** How the generic mock answers: OperationOutcome errors, FHIR and plain JSON bodies, its URLs. */
import type { FastifyReply, FastifyRequest } from 'fastify';

export const FHIR_JSON = 'application/fhir+json';
export const FHIR_NDJSON = 'application/fhir+ndjson';

export type IssueSeverity = 'fatal' | 'error' | 'warning' | 'information';

export function operationOutcome(
  severity: IssueSeverity,
  code: string,
  diagnostics: string,
): Record<string, unknown> {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, diagnostics }] };
}

/** An error answer: an OperationOutcome as application/fhir+json (IG: bulkdata@137, @304). */
export function sendOutcome(
  reply: FastifyReply,
  status: number,
  code: string,
  diagnostics: string,
  /** Another media type, for a fault that mislabels the OperationOutcome. */
  mediaType = FHIR_JSON,
): FastifyReply {
  return reply
    .code(status)
    .header('content-type', `${mediaType}; charset=utf-8`)
    .send(JSON.stringify(operationOutcome('error', code, diagnostics)));
}

export function sendFhir(reply: FastifyReply, status: number, resource: unknown): FastifyReply {
  return reply
    .code(status)
    .header('content-type', `${FHIR_JSON}; charset=utf-8`)
    .send(JSON.stringify(resource));
}

export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'application/json; charset=utf-8')
    .send(JSON.stringify(body));
}

/** The server root as the client reached it (scheme and Host header), no trailing slash. */
export function rootUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.headers.host ?? request.hostname}`;
}

export const FHIR_PATH = '/fhir';
export const TOKEN_PATH = '/auth/token';

export const fhirBase = (request: FastifyRequest): string => `${rootUrl(request)}${FHIR_PATH}`;
export const tokenUrl = (request: FastifyRequest): string => `${rootUrl(request)}${TOKEN_PATH}`;
