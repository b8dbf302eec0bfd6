/** The bearer-token gate of the generic mock's protected routes, and its scope check. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { IgContext, IssuedToken } from './context';
import { sendOutcome } from './http';
import { coversType, parseScopes } from './scopes';
import { presentedToken } from './token';

/** The request's live token, or undefined after answering 401 with an OperationOutcome. */
export function requireToken(
  ctx: IgContext,
  request: FastifyRequest,
  reply: FastifyReply,
): IssuedToken | undefined {
  const token = presentedToken(ctx, request);
  if (typeof token !== 'string') return token;
  reply.header('www-authenticate', 'Bearer error="invalid_token"');
  sendOutcome(reply, 401, 'login', `${token}: get one from the token endpoint (SMART Backend Services)`);
  return undefined;
}

export function tokenCovers(token: IssuedToken, type: string): boolean {
  return coversType(parseScopes(token.scopes.join(' ')), type);
}
