/**
 * chi's answer to a known path with a wrong method (405, empty body, Allow), and routes that
 * exist only while a fault accepts the wrong method (a POST kick-off, a GET token request).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { MockContext } from './context';
import type { FaultName } from './faults';

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
  route: { method: HTTPMethods; url: string; allow: string; fault: FaultName; noAllowFault?: FaultName },
  handler: (request: FastifyRequest, reply: FastifyReply) => unknown,
): void {
  app.route({
    method: route.method,
    url: route.url,
    config: { faultOnly: true },
    handler: (request, reply) =>
      ctx.faults.has(route.fault)
        ? handler(request, reply)
        : route.noAllowFault && ctx.faults.has(route.noAllowFault)
          ? reply.code(405).send()
          : methodNotAllowed(reply, route.allow),
  });
}
