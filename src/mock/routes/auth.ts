/**
 * `POST /auth/token` (HTTP Basic → JWT, behavior §2.8) and `GET /auth/welcome`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MockContext } from '../context';
import { requireAco } from '../guard';
import { SANDBOX_CREDENTIAL, parseBasic } from '../credentials';
import { sendBody, sendOutcome, sendText } from '../outcome';
import { faultOnlyRoute } from '../wrong-method';

export function registerAuthRoutes(app: FastifyInstance, ctx: MockContext): void {
  app.post('/auth/token', (request, reply) => issueToken(ctx, request, reply));
  faultOnlyRoute(
    app,
    ctx,
    {
      method: 'GET',
      url: '/auth/token',
      allow: 'POST',
      fault: 'token-accepts-get',
      notFoundFault: 'token-get-404',
    },
    (request, reply) => issueToken(ctx, request, reply),
  );
  app.get('/auth/welcome', async (request, reply) => {
    const aco = await requireAco(ctx, request, reply);
    if (!aco) return reply;
    if (ctx.faults.has('welcome-rejects-valid-token'))
      return sendOutcome(reply, 401, 'v1', 'forbidden', 'Invalid Token');
    return sendBody(
      reply,
      200,
      ctx.faults.has('contract-content-type-undocumented') ? 'text/html' : 'application/json',
      JSON.stringify({
        [ctx.faults.has('welcome-no-success') ? 'message' : 'success']:
          'Welcome to the Beneficiary Claims Data API!',
      }),
    );
  });
}

/**
 * Fault auth-secret-prefix-match: bcrypt reads only a secret's first 72 bytes, so a hash-based
 * comparison accepts any secret that starts like the right one (the mock's secrets are 80).
 */
function sameFirst72Bytes(expected: string, given: string): boolean {
  const head = (s: string): string => Buffer.from(s, 'utf8').subarray(0, 72).toString('latin1');
  return head(expected) === head(given);
}

async function issueToken(
  ctx: MockContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  let basic = parseBasic(request.headers.authorization);
  if (!basic && ctx.faults.has('auth-token-accepts-no-credentials')) {
    basic = { id: SANDBOX_CREDENTIAL.clientId, secret: SANDBOX_CREDENTIAL.clientSecret };
  }
  if (!basic) return sendText(reply, 400);
  // BCDA hands the pair to SSAS: an outage answers before the credentials are judged (behavior §2.8).
  if (ctx.authProvider !== 'ok' && !ctx.faults.has('outage-ignored')) {
    if (ctx.authProvider === 'error') return sendText(reply, 500);
    if (!ctx.faults.has('outage-no-retry-after')) reply.header('retry-after', '1');
    return sendText(reply, ctx.faults.has('outage-wrong-status') ? 401 : 503);
  }
  const credential = ctx.credentialsById.get(basic.id);
  const secretOk =
    credential !== undefined &&
    (credential.clientSecret === basic.secret ||
      ctx.faults.has('auth-accepts-bad-secret') ||
      (ctx.faults.has('auth-secret-prefix-match') &&
        sameFirst72Bytes(credential.clientSecret, basic.secret)));
  if (!credential || !secretOk) return sendText(reply, 401);
  const waitSeconds = tokenRateLimited(ctx, credential.cmsId);
  if (waitSeconds !== undefined) {
    const retryAfter = ctx.faults.has('token-rate-limit-retry-after-ms') ? waitSeconds * 1000 : waitSeconds;
    if (!ctx.faults.has('token-rate-limit-no-retry-after')) reply.header('retry-after', String(retryAfter));
    if (ctx.faults.has('token-rate-limit-empty-body')) return reply.code(429).send();
    return sendText(
      reply,
      429,
      `${credential.cmsId} exceeded the rate limit for /auth/token. Access tokens last 20 minutes; please cache and reuse them.`,
    );
  }
  // Fault auth-token-lives-an-hour: a JWT library's default hour, stated and enforced.
  const lifetimeSeconds = ctx.faults.has('auth-token-lives-an-hour') ? 3600 : ctx.tokens.lifetimeSeconds;
  const token = await ctx.tokens.issue(credential.clientId, credential.cmsId, {
    noExpiry: ctx.faults.has('auth-token-never-expires'),
    // Fault auth-token-issued-expired: the signed lifetime is 0, whatever expires_in says.
    lifetimeSeconds: ctx.faults.has('auth-token-issued-expired') ? 0 : lifetimeSeconds,
  });
  const lifetime = String(lifetimeSeconds);
  // SSAS writes this body by hand; the spacing and the string-typed expires_in are part of the contract.
  const expiresPart = ctx.faults.has('auth-token-no-expires-in') ? '' : ` "expires_in": "${lifetime}",`;
  const tokenType = ctx.faults.has('auth-token-wrong-type') ? 'mac' : 'bearer';
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  // Fault auth-token-whitespace: a trailing space (HTTP drops it again from the header a client sends).
  const accessToken = ctx.faults.has('auth-token-whitespace')
    ? `${token} `
    : ctx.faults.has('auth-token-mime-wrapped')
      ? mimeWrapped(token)
      : token;
  // Fault auth-token-camelcase-field: the token under a camel-case name.
  const tokenKey = ctx.faults.has('auth-token-camelcase-field') ? 'accessToken' : 'access_token';
  const body = `{"${tokenKey}": "${accessToken}",${expiresPart} "token_type":"${tokenType}"}`;
  // Fault auth-token-201-created: the new token answered as a created resource.
  return sendBody(reply, ctx.faults.has('auth-token-201-created') ? 201 : 200, 'application/json', body);
}

/**
 * Fault auth-token-mime-wrapped: the token broken into lines of 76 characters, as a MIME base64
 * encoder writes, the line breaks escaped in the JSON text.
 */
function mimeWrapped(token: string): string {
  return (token.match(/.{1,76}/g) ?? [token]).join('\\r\\n');
}

/**
 * SSAS's per-ACO token limit: counts this request and answers the Retry-After seconds when it is
 * one too many (SSAS sends the whole window, behavior §2.8), or undefined when it may go on.
 */
function tokenRateLimited(ctx: MockContext, cmsId: string): number | undefined {
  const { limit, windowSeconds } = ctx.tokenRateLimit;
  if (limit === 0 || ctx.faults.has('token-rate-limit-ignored')) return undefined;
  const now = ctx.clock.nowMs();
  const recent = (ctx.tokensIssued.get(cmsId) ?? []).filter((at) => at > now - windowSeconds * 1000);
  if (recent.length >= limit) {
    ctx.tokensIssued.set(cmsId, recent);
    return windowSeconds;
  }
  recent.push(now);
  ctx.tokensIssued.set(cmsId, recent);
  return undefined;
}
