/**
 * The mock's answers to everything that goes wrong outside its BCDA routes' own logic: fastify's
 * errors (body too large, unreadable content type, bad URL), errors thrown inside a route, and
 * HTTP the server cannot parse. Each is BCDA-shaped (Go's text, or an OperationOutcome on the API)
 * and never carries an internal message; the message goes to the mock's log only.
 */
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { CONTROL_PREFIX } from './routes/control';
import {
  sendBody,
  sendOutcome,
  sendText,
  sendTransportError,
  transportErrorResponse,
  writerVersion,
} from './outcome';

function statusOf(error: { statusCode?: unknown }): number {
  const s = error.statusCode;
  return typeof s === 'number' && Number.isInteger(s) && s >= 400 && s < 600 ? s : 500;
}

/** fastify's error handler for every route (and for the not-found handler). */
export function routeErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const status = statusOf(error);
  request.log.error({ err: error.message, code: error.code }, 'request failed');
  // fastify's own 4xx (body limit, content type) come from reading the request, as Go's server's do.
  if (status < 500) return sendTransportError(reply, status);
  if (request.url.startsWith(`${CONTROL_PREFIX}/`))
    return sendBody(reply, 500, 'application/json', JSON.stringify({ error: 'Internal Server Error' }));
  // BCDA's API handlers answer a failure with an exception OperationOutcome; /auth and /data with text.
  if (request.url.startsWith('/api/'))
    return sendOutcome(reply, 500, writerVersion(request.url), 'exception');
  return sendText(reply, 500);
}

/** fastify's `frameworkErrors`: a URL its router cannot decode, or a path parameter past its limit. */
export function frameworkErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  request.log.info({ code: error.code }, 'unroutable request');
  return sendTransportError(reply, error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400);
}

/**
 * The server's clientError handler: HTTP that cannot be parsed gets Go's text answer (431 for an
 * oversized head, else 400); a request that timed out is closed without a word, as Go does.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // Never write an answer into the middle of one already on its way.
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (error.code !== 'ERR_HTTP_REQUEST_TIMEOUT' && socket.writable && !inFlight?.headersSent) {
    socket.write(transportErrorResponse(error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400));
  }
  socket.destroy();
}
