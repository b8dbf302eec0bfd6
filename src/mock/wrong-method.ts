/**
 * chi's answer to a known path with a wrong method (405, empty body, Allow), and routes that
 * exist only while a fault accepts the wrong method (a POST kick-off, a GET token request).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { MockContext } from './context';
import type { FaultName } from './faults';
import { sendText } from './outcome';

export function methodNotAllowed(reply: FastifyReply, allow: string): FastifyReply {
  return reply.code(405).header('allow', allow).send();
}

/**
 * `method url` answers 405 (Allow: `allow`, none under `noAllowFault`) unless `fault` is on, when `handler` serves it. The
 * route is marked so the app's own 405 table does not count the method as allowed.
 */
export function faultOnlyRoute(
  app: FastifyInstance,
  ctx: MockContext,
  route: WrongMethodRoute,
  handler: (request: FastifyRequest, reply: FastifyReply) => unknown,
): void {
  const on = (fault: FaultName | undefined) => fault !== undefined && ctx.faults.has(fault);
  app.route({
    method: route.method,
    url: route.url,
    config: { faultOnly: true },
    handler: (request, reply) => {
      if (on(route.fault)) return handler(request, reply);
      if (on(route.noAllowFault)) return reply.code(405).send();
      if (on(route.notFoundFault)) return sendText(reply, 404, '404 page not found');
      return methodNotAllowed(reply, route.allow);
    },
  });
}

interface WrongMethodRoute {
  method: HTTPMethods;
  url: string;
  allow: string;
  /** Serves the method with the handler. */
  fault: FaultName;
  /** Answers 405 without Allow. */
  noAllowFault?: FaultName;
  /** Answers as an unknown path (404). */
  notFoundFault?: FaultName;
}
