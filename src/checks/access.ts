/**
 * Who may reach what, and how the API fails when its auth provider does: a bad token on the public
 * endpoints, a denylisted organization, the token endpoint's method and rate limit, and an outage
 * of the auth provider (behavior §0, §2.8, §2.9, §5).
 */
import { type CheckContext, type CheckDefinition, fail, skip, verdict } from './context';
import type { HttpResponse } from '../http/client';
import type { TargetClient } from '../http/target';
import { retryAfterMs } from '../auth/tokens';
import { ENDPOINTS, PUBLIC_ENDPOINTS, expiredLookingToken, type ProtectedEndpoint } from './auth';
import { joinProblems, mediaType, statusProblem, errorAnswerProblems } from './kit/expect';
import type { CheckOutcome } from './types';

const ALL_ENDPOINTS = [...ENDPOINTS, ...PUBLIC_ENDPOINTS];
const opsOf = (list: readonly ProtectedEndpoint[]) => [...new Set(list.flatMap((e) => e.operations))];

/** Sends to every endpoint with one Authorization header and judges each answer. */
async function sweep(
  ctx: CheckContext,
  endpoints: readonly ProtectedEndpoint[],
  header: string,
  what: string,
  judge: (res: HttpResponse, endpoint: ProtectedEndpoint) => Array<string | undefined>,
): Promise<{ problems: string[]; evidence: string[]; reached: number }> {
  const problems: string[] = [];
  const evidence: string[] = [];
  let reached = 0;
  for (const endpoint of endpoints) {
    const res = await endpoint.send(ctx, { header }, `${endpoint.name} ${what}`);
    if (typeof res === 'string') continue; // nothing to ask this endpoint about (e.g. no job)
    reached += 1;
    evidence.push(res.exchange.id);
    const location = res.headers['content-location'];
    if (res.status === 202 && location) {
      // A kick-off the target should have refused started a job: do not leave it running.
      await ctx.target.http
        .send({
          method: 'DELETE',
          url: location,
          label: 'cancel a job the target should have refused',
          operationId: ctx.op('cancelJob'),
          headers: { authorization: header },
        })
        .catch(() => undefined);
    }
    for (const p of judge(res, endpoint)) if (p) problems.push(`${endpoint.name}: ${p}`);
  }
  return { problems, evidence, reached };
}

/** The outcome of asking every endpoint in turn: fails with all their problems together. */
function endpointsVerdict(
  found: { problems: string[]; evidence: string[]; reached: number },
  ok: string,
): CheckOutcome {
  if (!found.reached) return skip('no endpoint could be asked');
  return verdict(found.problems.join('; ') || undefined, `${found.reached} endpoints: ${ok}`, found.evidence);
}

function mainCredentials(ctx: CheckContext): { clientId: string; clientSecret: string } | undefined {
  const { clientId, clientSecret } = ctx.config;
  return clientId && clientSecret ? { clientId, clientSecret } : undefined;
}

function publicBadToken(
  key: string,
  title: string,
  header: () => string,
  status: number,
  fault: string,
): CheckDefinition {
  return {
    id: `AUTH-PUBLIC-${key}`,
    title: `public endpoints refuse a request that presents ${title}`,
    description: `BCDA parses a presented token even on its public endpoints (metadata, /_version, /_health, /_auth): with ${title} they answer ${status} with an OperationOutcome instead of their content.`,
    level: 'SHOULD',
    area: 'auth',
    profiles: ['bcda'],
    refs: ['behavior §0', 'behavior §5'],
    operations: opsOf(PUBLIC_ENDPOINTS),
    faults: [fault],
    async run(ctx) {
      const found = await sweep(ctx, PUBLIC_ENDPOINTS, header(), `with ${title}`, (res) => [
        ...errorAnswerProblems(res, status),
      ]);
      return endpointsVerdict(found, `${status} with an OperationOutcome`);
    },
  };
}

/** One outage of the auth provider: what each endpoint and the token endpoint must answer. */
function outageCheck(
  id: string,
  state: 'timeout' | 'error',
  status: 503 | 500,
  faults: string[],
): CheckDefinition {
  const what = state === 'timeout' ? 'times out' : 'fails';
  return {
    id,
    title: `when the auth provider ${what}, token-checked requests answer ${status}`,
    description:
      `With the auth provider (SSAS) ${state === 'timeout' ? 'timing out' : 'failing'}, every request that presents a token answers ${status} with an OperationOutcome (code exception)` +
      (status === 503
        ? '; the v1 error writer adds Retry-After: 1, and POST /auth/token answers 503 with Retry-After: 1.'
        : ', and POST /auth/token answers 500.') +
      ' Needs a target whose auth provider can be switched off (the embedded mock, or a mock started with --control).',
    level: 'SHOULD',
    area: 'auth',
    profiles: ['bcda'],
    refs: ['behavior §2.8', 'behavior §5'],
    operations: [...opsOf(ALL_ENDPOINTS), 'getToken'],
    faults,
    async run(ctx) {
      if (!ctx.control)
        return skip('the target offers no way to take its auth provider down (only the mock does)');
      const creds = mainCredentials(ctx);
      // Everything the sweep needs is fetched first: nothing of the run may be in flight during the outage.
      await ctx.mainExport();
      const header = await ctx.target.authorization('token');
      if (!header) return skip('no bearer token');
      await ctx.control.setAuthProvider(state);
      try {
        const found = await sweep(
          ctx,
          ALL_ENDPOINTS,
          header,
          `while the auth provider ${what}`,
          (res, endpoint) => {
            const v1 = endpoint.v1Errors || ctx.version === 'v1';
            return [
              ...errorAnswerProblems(res, status, { code: 'exception' }),
              status === 503 &&
              v1 &&
              res.status === 503 &&
              retryAfterMs(res.headers['retry-after']) === undefined
                ? 'no Retry-After from the v1 error writer'
                : undefined,
            ];
          },
        );
        if (creds) {
          const res = await ctx.target.call('getToken', {
            label: `token request while the auth provider ${what}`,
            auth: { basic: creds },
          });
          found.evidence.push(res.exchange.id);
          found.reached += 1;
          const problems = [
            statusProblem(res, status),
            status === 503 && res.status === 503 && retryAfterMs(res.headers['retry-after']) === undefined
              ? 'no Retry-After'
              : undefined,
          ];
          for (const p of problems) if (p) found.problems.push(`auth/token: ${p}`);
        }
        return endpointsVerdict(found, `${status} with the documented error`);
      } finally {
        await ctx.control.setAuthProvider('ok');
      }
    },
  };
}

/** An organization the API must refuse (403, code forbidden) on every endpoint of a list. */
function organizationRefused(spec: {
  id: string;
  title: string;
  description: string;
  level: 'MUST' | 'SHOULD';
  refs: string[];
  endpoints: readonly ProtectedEndpoint[];
  fault: string;
  /** Whose token it is, for labels and messages. */
  who: string;
  client: (ctx: CheckContext) => TargetClient | undefined;
  /** The flag and variable that configure the client. */
  option: string;
}): CheckDefinition {
  return {
    id: spec.id,
    title: spec.title,
    description: spec.description,
    level: spec.level,
    area: 'auth',
    profiles: ['bcda'],
    refs: spec.refs,
    operations: opsOf(spec.endpoints),
    faults: [spec.fault],
    async run(ctx) {
      const client = spec.client(ctx);
      if (!client) return skip(`no client of ${spec.who} configured (${spec.option})`);
      const header = await client.authorization('token');
      if (!header) return skip(`no token for the client of ${spec.who}`);
      const found = await sweep(ctx, spec.endpoints, header, `with the token of ${spec.who}`, (res) => [
        ...errorAnswerProblems(res, 403, { code: 'forbidden' }),
      ]);
      return endpointsVerdict(found, '403 with an OperationOutcome');
    },
  };
}

export const accessChecks: CheckDefinition[] = [
  publicBadToken(
    'MALFORMED-TOKEN',
    'a token that is not a JWT',
    () => 'Bearer not-a-jwt',
    400,
    'auth-accepts-malformed-token',
  ),
  publicBadToken(
    'EXPIRED-TOKEN',
    'an expired token',
    () => `Bearer ${expiredLookingToken()}`,
    401,
    'auth-accepts-expired-token',
  ),
  organizationRefused({
    id: 'AUTH-DENYLISTED-403',
    title: 'a denylisted organization is refused everywhere with 403',
    description:
      "A token of a denylisted ACO (BCDA's sandbox A9997) is refused with 403 and an OperationOutcome (code forbidden) on every endpoint that requires a token (the public ones only parse it, and serve). Needs that ACO's credentials (--denylisted-client-id).",
    level: 'MUST',
    refs: ['behavior §5', 'behavior §7.1'],
    endpoints: ENDPOINTS,
    fault: 'denylist-ignored',
    who: 'a denylisted organization',
    client: (ctx) => ctx.denylistedClient,
    option: '--denylisted-client-id / BCDA_DENYLISTED_CLIENT_ID',
  }),
  organizationRefused({
    id: 'AUTH-UNKNOWN-ACO-403',
    title: 'a token of an organization the API does not know is refused everywhere with 403',
    description:
      "A valid token whose organization (CMS id) is in no ACO table is refused with 403 and an OperationOutcome (code forbidden) on every endpoint, the public ones included: BCDA looks the organization up while parsing any presented token. Needs such a client's credentials (--unknown-aco-client-id; the embedded mock's X9999).",
    level: 'SHOULD',
    refs: ['behavior §0', 'behavior §5'],
    endpoints: ALL_ENDPOINTS,
    fault: 'public-routes-skip-aco-lookup',
    who: 'an unknown organization',
    client: (ctx) => ctx.unknownAcoClient,
    option: '--unknown-aco-client-id / BCDA_UNKNOWN_ACO_CLIENT_ID',
  }),
  {
    id: 'AUTH-TOKEN-GET-405',
    title: 'the token endpoint takes POST only',
    description:
      'GET /auth/token, even with valid Basic credentials, answers 405 Method Not Allowed and issues no token.',
    level: 'SHOULD',
    area: 'auth',
    profiles: ['bcda'],
    refs: ['behavior §2.8', 'seed:002 §Authentication and Authorization'],
    operations: ['getToken'],
    faults: ['token-accepts-get'],
    async run(ctx) {
      const creds = mainCredentials(ctx);
      if (!creds) return skip('a static --token was given: no client credentials to send');
      const res = await ctx.target.http.send({
        method: 'GET',
        url: ctx.target.url('getToken'),
        label: 'GET /auth/token with Basic credentials',
        operationId: 'getToken',
        headers: { authorization: await ctx.target.authorization({ basic: creds }) },
      });
      const problem = joinProblems([
        statusProblem(res, 405),
        /access_token/.test(res.text()) ? 'a token was issued' : undefined,
      ]);
      return verdict(problem, '405', [res.exchange.id]);
    },
  },
  {
    id: 'AUTH-TOKEN-RATE-LIMIT-429',
    title: 'too many token requests are refused with 429 and Retry-After',
    description:
      "Past the auth provider's per-organization token limit, POST /auth/token answers 429 with Retry-After and a plain-text message telling the client to cache its token. Needs a target whose limit can be lowered (the embedded mock, or a mock started with --control).",
    level: 'SHOULD',
    area: 'auth',
    profiles: ['bcda'],
    refs: ['behavior §2.8'],
    operations: ['getToken'],
    faults: ['token-rate-limit-ignored', 'token-rate-limit-no-retry-after'],
    async run(ctx) {
      if (!ctx.control)
        return skip('the target offers no way to lower its token rate limit (only the mock does)');
      const creds = mainCredentials(ctx);
      if (!creds) return skip('a static --token was given: no client credentials to send');
      await ctx.settled(); // the run's own token requests must not meet the lowered limit
      await ctx.control.setTokenRateLimit(1, 300);
      try {
        const answers: HttpResponse[] = [];
        for (let i = 0; i < 3; i++) {
          answers.push(
            await ctx.target.call('getToken', {
              label: `token request ${i + 1} under a limit of 1`,
              auth: { basic: creds },
            }),
          );
        }
        const evidence = answers.map((r) => r.exchange.id);
        const limited = answers.find((r) => r.status === 429);
        if (!limited)
          return fail(
            `3 token requests under a limit of 1 answered ${answers.map((r) => r.status).join(', ')}`,
            evidence,
          );
        const problem = joinProblems([
          retryAfterMs(limited.headers['retry-after']) === undefined
            ? `Retry-After is ${JSON.stringify(limited.headers['retry-after'] ?? null)}`
            : undefined,
          mediaType(limited) === 'text/plain'
            ? undefined
            : `Content-Type "${limited.headers['content-type'] ?? '(none)'}", expected text/plain`,
          /rate limit/i.test(limited.text()) ? undefined : 'the body does not mention the rate limit',
        ]);
        return verdict(problem, `429 with Retry-After: ${limited.headers['retry-after']}`, evidence);
      } finally {
        await ctx.control.setTokenRateLimit(0, 0);
      }
    },
  },
  outageCheck('AUTH-PROVIDER-TIMEOUT-503', 'timeout', 503, [
    'outage-wrong-status',
    'outage-no-retry-after',
    'outage-ignored',
  ]),
  outageCheck('AUTH-PROVIDER-ERROR-500', 'error', 500, ['outage-ignored']),
];
