/** The bearer-token gate of the generic mock's protected routes, and its scope check. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FaultName } from '../../core/faults';
import { FULL_CLIENT_ID } from './clients';
import type { IgContext, IssuedToken } from './context';
import { sendOutcome } from './http';
import { coversType, parseScopes } from './scopes';
import { presentedToken } from './token';

/**
 * The request's live token, or undefined after answering 401 with an OperationOutcome. Under the
 * fault `unguarded` (which leaves this route open), a request without a live token is served as
 * the full test client.
 */
export function requireToken(
  ctx: IgContext,
  request: FastifyRequest,
  reply: FastifyReply,
  unguarded?: FaultName,
): IssuedToken | undefined {
  const token = presentedToken(ctx, request);
  if (typeof token !== 'string') return token;
  if (unguarded && ctx.faults.has(unguarded))
    return { clientId: FULL_CLIENT_ID, scopes: ['system/*.read'], expiresMs: ctx.clock.nowMs() + 60_000 };
  reply.header('www-authenticate', 'Bearer error="invalid_token"');
  sendOutcome(reply, 401, 'login', `${token}: get one from the token endpoint (SMART Backend Services)`);
  return undefined;
}

export function tokenCovers(token: IssuedToken, type: string): boolean {
  return coversType(parseScopes(token.scopes.join(' ')), type);
}
