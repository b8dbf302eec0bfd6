/** URLs the server builds from the request's scheme and Host header, as BCDA does (behavior §0). */
import type { FastifyRequest } from 'fastify';
import { mockContextOf } from './app';

export function baseUrl(request: FastifyRequest): string {
  const host = request.headers.host ?? `${request.hostname}`;
  return `${scheme(request)}://${host}`;
}

/** The request's own absolute URL (path and query as sent). */
export function requestUrl(request: FastifyRequest): string {
  return `${baseUrl(request)}${request.url}`;
}

/** The request's scheme; under `tls-plain-http-links` an HTTPS listener hands out http:// URLs. */
function scheme(request: FastifyRequest): string {
  if (request.protocol !== 'https') return request.protocol;
  return mockContextOf(request.server).faults.has('tls-plain-http-links') ? 'http' : 'https';
}
