/**
 * SMART Backend Services at `POST /auth/token`: a client_credentials grant authenticated by a JWT
 * client assertion (private_key_jwt, RS384 or ES384) signed with a key of the client's registered
 * JWKS. Errors are RFC 6749 §5.2 JSON. Access tokens are opaque random strings that carry the
 * granted scopes and expire after five minutes.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { compactVerify, decodeJwt, decodeProtectedHeader, importJWK, type JWTPayload } from 'jose';
import type { RegisteredClient } from './clients';
import { SIGNING_ALGS } from './clients';
import { TOKEN_LIFETIME_S, type IgContext, type IssuedToken } from './context';
import { fhirBase, sendJson, tokenUrl } from './http';
import { grantScopes, parseScopes } from './scopes';

export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** An assertion may expire at most this far ahead (SMART: five minutes), with a little clock skew. */
export const MAX_ASSERTION_LIFETIME_S = 300;
const CLOCK_SKEW_S = 5;

type OAuthError =
  'invalid_request' | 'invalid_client' | 'invalid_grant' | 'invalid_scope' | 'unsupported_grant_type';

class TokenError extends Error {
  constructor(
    readonly error: OAuthError,
    description: string,
  ) {
    super(description);
  }
}

function refuse(ctx: IgContext, reply: FastifyReply, err: TokenError): FastifyReply {
  // invalid_client is 401 (RFC 6749 §5.2); the other codes are 400.
  const status = err.error === 'invalid_client' ? 401 : 400;
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  if (ctx.faults.has('ig-token-error-not-json'))
    return reply.code(status).header('content-type', 'text/plain; charset=utf-8').send('Unauthorized');
  if (ctx.faults.has('ig-token-error-bearer-code')) return sendJson(reply, 401, { error: 'invalid_token' });
  if (ctx.faults.has('ig-token-error-no-description')) return sendJson(reply, status, { error: err.error });
  return sendJson(reply, status, { error: err.error, error_description: err.message });
}

function formOf(request: FastifyRequest): URLSearchParams {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded')
    throw new TokenError('invalid_request', 'the token request must be application/x-www-form-urlencoded');
  return new URLSearchParams(typeof request.body === 'string' ? request.body : '');
}

function single(form: URLSearchParams, name: string): string | undefined {
  const values = form.getAll(name);
  if (values.length > 1) throw new TokenError('invalid_request', `${name} is given more than once`);
  return values[0];
}

/** The client and key the assertion names, checked against the registrations. */
function keyOf(ctx: IgContext, header: { alg?: string; kid?: string }, clientId: string) {
  const registered = ctx.clients.find((c) => c.clientId === clientId);
  // Under the fault an unknown client id is served by whichever registered client holds the kid.
  const candidates: RegisteredClient[] = registered
    ? [registered]
    : ctx.faults.has('ig-token-accepts-unknown-client')
      ? ctx.clients
      : [];
  if (candidates.length === 0) throw new TokenError('invalid_client', `client ${clientId} is not registered`);
  const algs: readonly string[] = ctx.faults.has('ig-token-rs256-only') ? ['RS256'] : SIGNING_ALGS;
  if (!header.alg || !algs.includes(header.alg))
    throw new TokenError(
      'invalid_client',
      `the assertion must be signed ${algs.join(' or ')}, not ${header.alg ?? 'unsigned'}`,
    );
  if (!header.kid) throw new TokenError('invalid_client', 'the assertion header has no kid');
  // Under ig-token-key-of-any-client the kid is looked up among every client's keys.
  const keyHolders = ctx.faults.has('ig-token-key-of-any-client') ? ctx.clients : candidates;
  for (const client of keyHolders) {
    const jwk = client.jwks.keys.find((k) => k.kid === header.kid);
    if (!jwk) continue;
    const kty = header.alg.startsWith('RS') ? 'RSA' : 'EC';
    if (jwk.kty !== kty || (jwk.alg !== undefined && jwk.alg !== header.alg))
      throw new TokenError('invalid_client', `key ${header.kid} is not a ${header.alg} key`);
    // Under ig-token-key-of-any-client the client stays the one the assertion names.
    return { client: registered ?? client, jwk };
  }
  throw new TokenError('invalid_client', `no key ${header.kid} in the JWKS registered for ${clientId}`);
}

/** Checks the assertion; returns its client and claims. */
async function verifyAssertion(ctx: IgContext, request: FastifyRequest, assertion: string) {
  let header: { alg?: string; kid?: string };
  let claims: JWTPayload;
  try {
    header = decodeProtectedHeader(assertion);
    claims = decodeJwt(assertion);
  } catch {
    throw new TokenError('invalid_client', 'the client assertion is not a JWT');
  }
  const { iss, sub } = claims;
  if (typeof iss !== 'string' || iss === '' || (iss !== sub && !ctx.faults.has('ig-token-sub-unchecked')))
    throw new TokenError('invalid_client', 'the assertion needs iss and sub, both the client id');
  const { client, jwk } = keyOf(ctx, header, iss);
  if (!ctx.faults.has('ig-token-skips-signature')) {
    try {
      await compactVerify(assertion, await importJWK(jwk, header.alg), { algorithms: [header.alg ?? ''] });
    } catch {
      throw new TokenError(
        'invalid_client',
        'the assertion signature does not verify with the registered key',
      );
    }
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const accepted = ctx.faults.has('ig-token-aud-fhir-base')
    ? [tokenUrl(request), fhirBase(request)]
    : [tokenUrl(request)];
  if (
    !audiences.some((a) => a !== undefined && accepted.includes(a)) &&
    !ctx.faults.has('ig-token-accepts-wrong-audience')
  )
    throw new TokenError(
      'invalid_client',
      `the assertion's aud must be this token URL, ${tokenUrl(request)}`,
    );
  // The client signs by its own clock, which the control's advances do not move.
  const now = ctx.clock.unadvancedMs() / 1000;
  if (typeof claims.exp !== 'number') throw new TokenError('invalid_client', 'the assertion has no exp');
  const skew = ctx.faults.has('ig-token-expired-grace') ? 600 : CLOCK_SKEW_S;
  if (claims.exp <= now - skew && !ctx.faults.has('ig-token-accepts-expired-assertion'))
    throw new TokenError('invalid_client', 'the assertion has expired');
  // Fault ig-token-assertion-cap-from-iat: the cap counts from the assertion's iat, not from now.
  const capFrom =
    ctx.faults.has('ig-token-assertion-cap-from-iat') && typeof claims.iat === 'number' ? claims.iat : now;
  if (
    claims.exp > capFrom + MAX_ASSERTION_LIFETIME_S + CLOCK_SKEW_S &&
    !ctx.faults.has('ig-token-accepts-long-assertion')
  )
    throw new TokenError('invalid_client', 'the assertion expires more than five minutes ahead');
  if (typeof claims.jti !== 'string' || claims.jti === '')
    throw new TokenError('invalid_client', 'the assertion has no jti');
  const jtiKey = `${client.clientId} ${claims.jti}`;
  for (const [key, until] of ctx.seenJtis) if (until < now) ctx.seenJtis.delete(key);
  if (ctx.seenJtis.has(jtiKey) && !ctx.faults.has('ig-token-accepts-reused-jti'))
    throw new TokenError('invalid_client', 'the assertion jti was already used');
  if (ctx.faults.has('ig-token-jti-last-only')) ctx.seenJtis.clear();
  ctx.seenJtis.set(jtiKey, Math.max(claims.exp, now + 60));
  return client;
}

async function issue(ctx: IgContext, request: FastifyRequest): Promise<Record<string, unknown>> {
  const form = formOf(request);
  const grantType = single(form, 'grant_type');
  if (grantType === undefined) throw new TokenError('invalid_request', 'grant_type is missing');
  if (grantType !== 'client_credentials')
    throw new TokenError(
      'unsupported_grant_type',
      `grant_type ${grantType} is not supported; use client_credentials`,
    );
  const assertionType = single(form, 'client_assertion_type');
  const assertion = single(form, 'client_assertion');
  if (assertionType === undefined || assertion === undefined)
    throw new TokenError('invalid_request', 'client_assertion_type and client_assertion are required');
  if (assertionType !== ASSERTION_TYPE)
    throw new TokenError('invalid_client', `client_assertion_type must be ${ASSERTION_TYPE}`);
  // The fault also wants HTTP Basic client credentials, as client_secret_basic would: a request
  // authenticated by its assertion alone gets no token (bulkdata@19).
  if (ctx.faults.has('ig-token-requires-basic-auth') && !/^basic /i.test(request.headers.authorization ?? ''))
    throw new TokenError('invalid_client', 'client authentication with HTTP Basic is required');
  const scope = single(form, 'scope');
  if (scope === undefined || scope.trim() === '') throw new TokenError('invalid_scope', 'scope is missing');
  const client = await verifyAssertion(ctx, request, assertion);
  const allowed = parseScopes(client.scopes.join(' '));
  const granted = ctx.faults.has('ig-token-grants-extra-scope')
    ? [...client.scopes]
    : grantScopes(parseScopes(scope), allowed);
  if (granted.length === 0)
    throw new TokenError('invalid_scope', `none of the requested scopes is granted to ${client.clientId}`);
  const lifetime = ctx.faults.has('ig-token-long-lived') ? 3600 : TOKEN_LIFETIME_S;
  const accessToken = randomBytes(24).toString('base64url');
  // Fault ig-token-outlives-expires-in: the store keeps the token an hour, whatever the answer says.
  const kept = ctx.faults.has('ig-token-outlives-expires-in') ? 3600 : lifetime;
  ctx.tokens.set(accessToken, {
    clientId: client.clientId,
    scopes: granted,
    expiresMs: ctx.clock.nowMs() + kept * 1000,
  });
  const body: Record<string, unknown> = {
    access_token: accessToken,
    token_type: 'bearer',
    expires_in: ctx.faults.has('ig-token-expires-in-string') ? String(lifetime) : lifetime,
  };
  if (!ctx.faults.has('ig-token-no-scope')) body.scope = granted.join(' ');
  if (ctx.faults.has('ig-token-refresh-token')) body.refresh_token = randomBytes(24).toString('base64url');
  return body;
}

export async function handleTokenRequest(
  ctx: IgContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  try {
    const body = await issue(ctx, request);
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    return sendJson(reply, 200, body);
  } catch (err) {
    if (err instanceof TokenError) return refuse(ctx, reply, err);
    throw err;
  }
}

/** The live token a request presents (`Authorization: Bearer …`), or why there is none. */
export function presentedToken(ctx: IgContext, request: FastifyRequest): IssuedToken | string {
  const m = /^bearer[ ]+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  if (!m) return 'no bearer token';
  const token = ctx.tokens.get(m[1] as string);
  if (!token) return 'the bearer token is not one this server issued';
  if (token.expiresMs <= ctx.clock.nowMs() && !expiryOverlooked(ctx, request)) {
    ctx.tokens.delete(m[1] as string);
    return 'the bearer token has expired';
  }
  return token;
}

/** The faults that let an aged token through: its end never checked, or checked at the kick-off only. */
function expiryOverlooked(ctx: IgContext, request: FastifyRequest): boolean {
  if (ctx.faults.has('ig-token-never-expires')) return true;
  return ctx.faults.has('ig-token-expiry-kickoff-only') && !/(?:\$|%24)export/i.test(request.url);
}
