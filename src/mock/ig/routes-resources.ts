/** FHIR reads the generic mock serves besides export: Group read and search, Binary read. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IgContext } from './context';
import { FHIR_PATH, fhirBase, sendFhir, sendOutcome } from './http';
import { requireToken, tokenCovers } from './guard';
import type { IssuedToken } from './context';

function readableToken(
  ctx: IgContext,
  request: FastifyRequest,
  reply: FastifyReply,
  type: string,
): IssuedToken | undefined {
  const token = requireToken(ctx, request, reply);
  if (!token) return undefined;
  if (tokenCovers(token, type)) return token;
  sendOutcome(reply, 403, 'forbidden', `the access token's scopes do not cover ${type}`);
  return undefined;
}

export function registerResourceRoutes(app: FastifyInstance, ctx: IgContext): void {
  const groupMissing = (reply: FastifyReply): FastifyReply =>
    sendOutcome(reply, 404, 'not-found', 'no such resource');
  app.get<{ Params: { id: string } }>(`${FHIR_PATH}/Group/:id`, (request, reply) => {
    if (ctx.faults.has('ig-group-read-missing')) return groupMissing(reply);
    if (!readableToken(ctx, request, reply, 'Group')) return reply;
    const group = ctx.data.byRef.get(`Group/${request.params.id}`);
    if (!group) return sendOutcome(reply, 404, 'not-found', `no Group ${request.params.id.slice(0, 80)}`);
    // The fault routes the read to the search: a searchset holding the Group (bulkdata@42).
    if (ctx.faults.has('ig-group-read-as-bundle'))
      return sendFhir(reply, 200, {
        resourceType: 'Bundle',
        type: 'searchset',
        total: 1,
        entry: [{ fullUrl: `${fhirBase(request)}/Group/${group.id}`, resource: group.resource }],
      });
    return sendFhir(reply, 200, group.resource);
  });
  app.get(`${FHIR_PATH}/Group`, (request, reply) => {
    if (ctx.faults.has('ig-group-read-missing')) return groupMissing(reply);
    if (!readableToken(ctx, request, reply, 'Group')) return reply;
    const base = fhirBase(request);
    const groups = ctx.data.resources.filter((r) => r.type === 'Group');
    return sendFhir(reply, 200, {
      resourceType: 'Bundle',
      type: 'searchset',
      total: groups.length,
      link: [{ relation: 'self', url: `${base}/Group` }],
      entry: groups.map((g) => ({
        fullUrl: `${base}/Group/${g.id}`,
        resource: g.resource,
        search: { mode: 'match' },
      })),
    });
  });
  // An attachment's content: with the export's token (IG bulkdata@214), whose scopes must cover
  // the DocumentReference that points here.
  app.get<{ Params: { id: string } }>(`${FHIR_PATH}/Binary/:id`, (request, reply) => {
    if (!readableToken(ctx, request, reply, 'DocumentReference')) return reply;
    // The fault's document store also wants its own API key beside the token (bulkdata@215).
    if (ctx.faults.has('ig-attachment-needs-api-key') && !request.headers['x-api-key']) {
      reply.header('www-authenticate', 'ApiKey header="X-API-Key"');
      return sendOutcome(reply, 401, 'login', 'the document store needs an X-API-Key header');
    }
    // The fault's store sits behind single sign-on: it ignores the token and serves its sign-in page.
    if (ctx.faults.has('ig-attachment-sign-in-page'))
      return reply
        .code(200)
        .header('content-type', 'text/html; charset=utf-8')
        .send('<!doctype html><html><body><form action="/login"><h1>Sign in</h1></form></body></html>');
    const binary = ctx.data.binaries.get(request.params.id);
    if (!binary) return sendOutcome(reply, 404, 'not-found', `no Binary ${request.params.id.slice(0, 80)}`);
    const accept = (request.headers.accept ?? '').toLowerCase();
    // The fault always answers the FHIR Binary resource, never the content itself (bulkdata@23).
    if (accept.includes('application/fhir+json') || ctx.faults.has('ig-attachment-as-binary-resource'))
      return sendFhir(reply, 200, {
        resourceType: 'Binary',
        id: request.params.id,
        contentType: binary.contentType,
        data: Buffer.from(binary.content).toString('base64'),
      });
    return reply.code(200).header('content-type', binary.contentType).send(binary.content);
  });
}
