/** URLs the server builds from the request's scheme and Host header, as BCDA does (behavior §0). */
import type { FastifyRequest } from 'fastify';

export function baseUrl(request: FastifyRequest): string {
  const host = request.headers.host ?? `${request.hostname}`;
  return `${request.protocol}://${host}`;
}

/** The request's own absolute URL (path and query as sent). */
export function requestUrl(request: FastifyRequest): string {
  return `${baseUrl(request)}${request.url}`;
}
