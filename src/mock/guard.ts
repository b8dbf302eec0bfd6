/**
 * BCDA's middleware ladder for protected routes (behavior §5, §2.3): token parse, token required,
 * denylist, ACO config / version access, and the job-ownership match. Each helper either returns
 * what the route needs or writes the error response and returns undefined.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiVersion } from '../core/vocabulary';
import type { MockAco } from './acos';
import type { MockContext } from './context';
import { isActive, jobState, type Job, type JobState } from './jobs';
import { operationOutcome, sendBody, sendOutcome, writerVersion } from './outcome';
import { tokenIssuedAtMs, type TokenCheck } from './tokens';
import { parseBasic } from './credentials';

const BEARER = /^Bearer (\S+)$/;
const ANY_CASE_BEARER = /^bearer (\S+)$/i;
/** Fault auth-accepts-bare-token: "Bearer " is optional, the header's value may be the token alone. */
const OPTIONAL_BEARER = /^(?:Bearer )?(\S+)$/;

/** What ParseToken found: no usable bearer header, an error already sent, or the caller's ACO. */
type Parsed = { kind: 'none' } | { kind: 'sent' } | { kind: 'ok'; aco: MockAco };

/** The auth provider's state as the token checks see it (fault outage-ignored hides an outage). */
function providerOutage(ctx: MockContext): 'timeout' | 'error' | undefined {
  return ctx.authProvider === 'ok' || ctx.faults.has('outage-ignored') ? undefined : ctx.authProvider;
}

/**
 * ParseToken (behavior §0, §5): runs on every route, public ones included. It reads the bearer
 * token, has the auth provider introspect it, and looks its ACO up.
 */
async function parseToken(
  ctx: MockContext,
  request: FastifyRequest,
  reply: FastifyReply,
  lookUpAco = true,
): Promise<Parsed> {
  const header = request.headers.authorization;
  const basicAco = ctx.faults.has('auth-api-accepts-basic-credentials')
    ? basicCredentialAco(ctx, header)
    : undefined;
  if (basicAco) return { kind: 'ok', aco: basicAco };
  const pattern = ctx.faults.has('auth-accepts-lowercase-bearer')
    ? ANY_CASE_BEARER
    : ctx.faults.has('auth-accepts-bare-token')
      ? OPTIONAL_BEARER
      : BEARER;
  const match = header === undefined ? null : pattern.exec(header);
  if (!match?.[1]) return { kind: 'none' };
  const version = writerVersion(request.url);
  const check = await ctx.tokens.verify(match[1], {
    ignoreValidity: ctx.faults.has('auth-accepts-expired-token'),
    ignoreSignature: ctx.faults.has('auth-signature-unchecked'),
    // Fault auth-expiry-checked-at-kickoff-only: status polls and downloads take an expired token.
    ignoreExpiry:
      ctx.faults.has('auth-expiry-checked-at-kickoff-only') &&
      /^\/(api\/v\d\/jobs\/|data\/)/.test(request.url),
    outage: providerOutage(ctx),
  });
  let cmsId: string;
  // Faults that refuse a token the issuer holds valid: expired early, or used before it was issued.
  const refusedAs =
    check.kind !== 'ok'
      ? undefined
      : expiresEarly(ctx, match[1])
        ? 'Expired Token'
        : usedBeforeIssued(ctx, match[1])
          ? 'Token used before issued'
          : undefined;
  if (refusedAs) {
    sendTokenError(ctx, reply, version, {
      kind: 'error',
      status: 401,
      code: 'forbidden',
      diagnostics: refusedAs,
    });
    return { kind: 'sent' };
  } else if (check.kind === 'ok') {
    cmsId = check.cmsId;
  } else if (check.status === 400 && ctx.faults.has('auth-accepts-malformed-token')) {
    cmsId = 'A9994';
  } else if (await ownTokenExpired(ctx, match[1], check)) {
    // Fault auth-own-expired-token-403: a token the server signed, refused only for its age, gets 403.
    sendOutcome(reply, 403, version, 'forbidden', 'Expired Token');
    return { kind: 'sent' };
  } else {
    sendTokenError(ctx, reply, version, check, request.url);
    return { kind: 'sent' };
  }
  const aco = ctx.acos.get(cmsId);
  if (aco) return { kind: 'ok', aco };
  if (!lookUpAco) return { kind: 'none' };
  sendOutcome(
    reply,
    ctx.faults.has('unknown-aco-401') ? 401 : 403,
    version,
    'forbidden',
    'Unauthorized Error',
  );
  return { kind: 'sent' };
}

/**
 * Fault auth-api-accepts-basic-credentials: a protected route takes the client's own Basic
 * credentials (the token endpoint's) in place of a bearer token, as a convenience.
 */
function basicCredentialAco(ctx: MockContext, header: string | undefined): MockAco | undefined {
  const basic = parseBasic(header);
  const credential = basic && ctx.credentialsById.get(basic.id);
  return credential && credential.clientSecret === basic.secret ? ctx.acos.get(credential.cmsId) : undefined;
}

/** Fault auth-own-expired-token-403: the token was refused, yet would pass but for its expiry. */
async function ownTokenExpired(ctx: MockContext, token: string, check: TokenCheck): Promise<boolean> {
  if (!ctx.faults.has('auth-own-expired-token-403') || check.kind === 'ok' || check.status !== 401)
    return false;
  return (await ctx.tokens.verify(token, { ignoreExpiry: true })).kind === 'ok';
}

/** Fault auth-token-expires-early: a token is dead 10 minutes after issue, half the lifetime it states. */
function expiresEarly(ctx: MockContext, token: string): boolean {
  if (!ctx.faults.has('auth-token-expires-early')) return false;
  const issuedAtMs = tokenIssuedAtMs(token);
  return issuedAtMs !== undefined && ctx.clock.nowMs() >= issuedAtMs + 10 * 60 * 1000;
}

/**
 * Fault auth-token-not-before-skew: the API's clock runs a minute behind the issuer's, so a token
 * looks issued in the future, and is refused, for its first minute.
 */
function usedBeforeIssued(ctx: MockContext, token: string): boolean {
  if (!ctx.faults.has('auth-token-not-before-skew')) return false;
  const issuedAtMs = tokenIssuedAtMs(token);
  return issuedAtMs !== undefined && ctx.clock.nowMs() - 60_000 < issuedAtMs;
}

function sendTokenError(
  ctx: MockContext,
  reply: FastifyReply,
  version: ApiVersion,
  check: Extract<TokenCheck, { kind: 'error' }>,
  path = '',
): FastifyReply {
  if (check.status === 503) {
    // A timed-out introspection read as an inactive token is the commonest way to get this wrong.
    if (ctx.faults.has('outage-wrong-status'))
      return sendOutcome(reply, 401, version, 'forbidden', 'Expired Token');
    // BCDA's v1 error writer (also used by /data, /auth and the service routes) adds Retry-After.
    // Fault outage-retry-after-api-v1-only: keyed on the /api/v1 prefix instead of the writer.
    const v1Writer =
      version === 'v1' && (!ctx.faults.has('outage-retry-after-api-v1-only') || path.startsWith('/api/v1/'));
    if (v1Writer && !ctx.faults.has('outage-no-retry-after')) reply.header('retry-after', '1');
  }
  // Fault outage-outcome-login-code: the outage read as the client's failure to authenticate, a
  // code no client retries (bulkdata@140 wants transient or one under it).
  if (ctx.faults.has('outage-outcome-login-code') && (check.status === 503 || check.status === 500))
    return sendOutcome(reply, check.status, version, 'login', check.diagnostics);
  // Fault outage-outcome-specific-code: FHIR's narrower issue types instead of BCDA's exception.
  if (ctx.faults.has('outage-outcome-specific-code') && (check.status === 503 || check.status === 500))
    return sendOutcome(
      reply,
      check.status,
      version,
      check.status === 503 ? 'timeout' : 'transient',
      check.diagnostics,
    );
  return sendOutcome(reply, check.status, version, check.code, check.diagnostics);
}

/**
 * ParseToken on a public route: a bad bearer token still fails the request, a missing or
 * non-Bearer header does not. Returns false when an error was sent.
 */
export async function publicRouteAuth(
  ctx: MockContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<boolean> {
  const lookUpAco = !ctx.faults.has('public-routes-skip-aco-lookup');
  return (await parseToken(ctx, request, reply, lookUpAco)).kind !== 'sent';
}

/** ParseToken + RequireTokenAuth + CheckBlacklist: the caller's ACO, or undefined after an error. */
export async function requireAco(
  ctx: MockContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<MockAco | undefined> {
  const version = writerVersion(request.url);
  const parsed = await parseToken(ctx, request, reply);
  if (parsed.kind === 'sent') return undefined;
  let aco: MockAco | undefined;
  if (parsed.kind === 'ok') {
    aco = parsed.aco;
  } else if (ctx.faults.has('auth-accepts-no-token')) {
    aco = ctx.acos.get('A9994');
  }
  if (!aco) {
    const status = ctx.faults.has('auth-wrong-status-no-token') ? 403 : 401;
    sendOutcome(
      reply,
      status,
      version,
      ctx.faults.has('outcome-401-code-login') ? 'login' : 'forbidden',
      'Invalid Token',
    );
    return undefined;
  }
  const denylistChecked =
    !ctx.faults.has('denylist-ignored') &&
    (!ctx.faults.has('denylist-exports-only') || request.url.includes('/$export'));
  if (aco.denylisted && denylistChecked) {
    sendOutcome(reply, 403, version, 'forbidden', `ACO (CMS_ID: ${aco.cmsId}) is unauthorized`);
    return undefined;
  }
  return aco;
}

/** ACOEnabled + V1V2DenyControl / V3AccessControl (export and /jobs only). */
export function checkAcoAccess(aco: MockAco, version: ApiVersion, reply: FastifyReply): boolean {
  if (!aco.enabled) {
    sendOutcome(reply, 401, version, 'forbidden');
    return false;
  }
  if (version !== 'v3' && aco.v1v2Denied) {
    sendOutcome(reply, 403, version, 'forbidden', 'v1 nor v2 access not enabled for this ACO');
    return false;
  }
  if (version === 'v3' && aco.v3Denied) {
    sendOutcome(reply, 403, version, 'forbidden', 'V3 access not enabled for this ACO');
    return false;
  }
  return true;
}

const MAX_U64 = 18446744073709551615n;

export interface MatchedJob {
  job: Job;
  state: JobState;
  /**
   * Quirk mode only: the 404 body RequireTokenJobMatch already wrote for an Archived/Expired job
   * (the real middleware does not return, so the handler appends its own body).
   */
  quirkPrefix?: string;
}

/** One of the caller's jobs that left memory (lifecycle over, or past the cap): it answers as Expired. */
export interface GoneJob {
  gone: true;
  quirkPrefix?: string;
}

/** RequireTokenJobMatch: job id syntax (400), existence (404), ownership (401), archived (404). */
export function matchJob(
  ctx: MockContext,
  aco: MockAco,
  rawId: string,
  request: FastifyRequest,
  reply: FastifyReply,
): MatchedJob | GoneJob | undefined {
  const version = writerVersion(request.url);
  if (!/^\d{1,20}$/.test(rawId) || BigInt(rawId) > MAX_U64) {
    if (ctx.faults.has('status-bad-job-id-500')) sendOutcome(reply, 500, version, 'exception');
    else if (ctx.faults.has('status-bad-job-id-404')) sendOutcome(reply, 404, version, 'not-found');
    else sendOutcome(reply, 400, version, 'structure');
    return undefined;
  }
  const nowMs = ctx.clock.nowMs();
  const found =
    BigInt(rawId) <= BigInt(Number.MAX_SAFE_INTEGER)
      ? ctx.jobs.lookup(Number(rawId), aco.cmsId, nowMs)
      : { kind: 'unknown' as const };
  const archivedPrefix = ctx.quirks
    ? { quirkPrefix: operationOutcome(version, 'not-found', '', { emptyDetails: true }) }
    : {};
  let job: Job;
  switch (found.kind) {
    case 'unknown':
      if (ctx.faults.has('status-unknown-job-200') && request.url.includes('/jobs/')) {
        sendBody(reply, 200, 'application/json', '{}');
      } else if (ctx.faults.has('contract-unknown-job-json')) {
        sendBody(reply, 404, 'application/json', operationOutcome(version, 'not-found'));
      } else {
        sendOutcome(reply, 404, version, 'not-found');
      }
      return undefined;
    case 'gone':
      return { gone: true, ...archivedPrefix };
    case 'foreign':
      if (!found.job || !ctx.faults.has('auth-leaks-other-aco-job')) {
        sendOutcome(reply, 401, version, 'forbidden');
        return undefined;
      }
      job = found.job;
      break;
    case 'own':
      job = found.job;
  }
  if (refusesNewerToken(ctx, request, job)) {
    sendOutcome(reply, 401, version, 'forbidden', 'Invalid Token');
    return undefined;
  }
  const state = faultyState(ctx, job, nowMs) ?? jobState(job, nowMs);
  const archived = state.status === 'Archived' || state.status === 'Expired';
  return archived ? { job, state, ...archivedPrefix } : { job, state };
}

/**
 * Fault download-refuses-new-token: a file request whose bearer token was issued after the job
 * started is refused, as if only the token that started the job could fetch its files.
 */
function refusesNewerToken(ctx: MockContext, request: FastifyRequest, job: Job): boolean {
  if (!ctx.faults.has('download-refuses-new-token') || !request.url.startsWith('/data/')) return false;
  const token = BEARER.exec(request.headers.authorization ?? '')?.[1];
  const issuedAtMs = token === undefined ? undefined : tokenIssuedAtMs(token);
  return issuedAtMs !== undefined && issuedAtMs > job.createdAtMs;
}

/**
 * Fault job-interrupted-by-token-expiry: a job still Pending or In Progress a token lifetime after
 * it started (when the token that started it has expired at the latest) has failed at that moment.
 */
function faultyState(ctx: MockContext, job: Job, nowMs: number): JobState | undefined {
  // Fault job-queued-dropped-on-token-expiry: only a job still waiting (Pending) fails that way.
  const queuedOnly = ctx.faults.has('job-queued-dropped-on-token-expiry');
  if (!ctx.faults.has('job-interrupted-by-token-expiry') && !queuedOnly) return undefined;
  const expiredAtMs = job.createdAtMs + ctx.tokens.lifetimeSeconds * 1000;
  const status = jobState(job, nowMs).status;
  if (nowMs < expiredAtMs || !(queuedOnly ? status === 'Pending' : isActive(status))) return undefined;
  return { status: 'Failed', updatedAtMs: expiredAtMs, percent: 0 };
}
