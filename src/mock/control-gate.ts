/**
 * Who may use the /__mock/ control endpoints. A web page can make a browser send a "simple"
 * cross-origin POST (text/plain, no preflight) to a mock on localhost; requiring
 * `Content-Type: application/json` forces a CORS preflight the mock never grants, and a foreign
 * `Origin` is refused outright. With a control token, only requests carrying it get through.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MockContext } from './context';
import { sendBody } from './outcome';

export const CONTROL_TOKEN_HEADER = 'x-mock-control-token';

function refuse(reply: FastifyReply, status: number, message: string): FastifyReply {
  return sendBody(reply, status, 'application/json', JSON.stringify({ error: message }));
}

/**
 * True unless the Origin names this server as the client reached it, by address or `localhost`
 * (a page on another name that resolves here, DNS rebinding, is still foreign).
 */
export function foreignOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  let url: URL;
  let host: URL;
  try {
    url = new URL(origin);
    host = new URL(`http://${request.headers.host ?? ''}`);
  } catch {
    return true;
  }
  const name = url.hostname.replace(/^\[|\]$/g, '');
  const local = name === 'localhost' || isIP(name) !== 0;
  return !(url.protocol === 'http:' && local && url.host === host.host);
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The token the request presents, from `Authorization: Bearer` or the control token header. */
function presentedToken(request: FastifyRequest): string | undefined {
  const header = request.headers[CONTROL_TOKEN_HEADER];
  if (typeof header === 'string') return header;
  const bearer = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
  return bearer?.[1];
}

/** Compares digests, so the time taken says nothing about how much of the token was right. */
function tokenMatches(presented: string | undefined, expected: string): boolean {
  return presented !== undefined && timingSafeEqual(digest(presented), digest(expected));
}

function isJson(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() === 'application/json';
}

/** An onRequest hook for every control route: runs before the body is read. */
export function controlGate(ctx: MockContext) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (foreignOrigin(request))
      return refuse(
        reply,
        403,
        'control requests with a foreign Origin are refused (a web page cannot use them)',
      );
    if (ctx.controlToken !== undefined && !tokenMatches(presentedToken(request), ctx.controlToken)) {
      return refuse(
        reply,
        401,
        `control token missing or wrong (give it as "Authorization: Bearer TOKEN" or "X-Mock-Control-Token: TOKEN")`,
      );
    }
    if (request.method !== 'GET' && !isJson(request.headers['content-type']))
      return refuse(reply, 415, 'control requests that change state need Content-Type: application/json');
    return undefined;
  };
}
