/** Client checks of the token: how it is asked for, kept, presented and renewed. */
import type { ClientCheck } from '../types';
import { bearerOf, describe, fail, isTokenRequest, pass, skip, type Req } from '../requests';

/** A token with less than this left may be renewed early (a quarter of BCDA's 20 minutes). */
export const NEAR_EXPIRY_SECONDS = 300;

const TOKEN_BASIC: ClientCheck = {
  id: 'CLIENT-TOKEN-BASIC',
  title: 'Asks for tokens with POST and Basic credentials',
  description:
    'Every token request is a POST to /auth/token whose Authorization is Basic followed by base64("<client id>:<client secret>") of the credentials the client was given.',
  level: 'MUST',
  area: 'auth',
  refs: ['seed:001 §1. Get a bearer token', 'seed:002 §Authentication and Authorization'],
  requirements: ['BCDA-002-11', 'BCDA-002-15'],
  run({ requests, basicFingerprint }) {
    const asks = requests.filter(isTokenRequest);
    if (!asks.length) return skip('the client asked for no token');
    const expected = 'POST /auth/token with Authorization: Basic base64(clientId:clientSecret)';
    const bad = asks.filter((r) => r.method !== 'POST' || r.credential?.scheme.toLowerCase() !== 'basic');
    if (bad.length) {
      const first = bad[0]!;
      const sent = first.credential ? `${first.credential.scheme} credentials` : 'no Authorization header';
      return fail(
        `${describe(first)} asked for a token with ${first.method} and ${sent}${bad.length > 1 ? ` (and ${bad.length - 1} more like it)` : ''}`,
        bad.map((r) => r.id),
        expected,
        `${first.method} with ${sent}`,
      );
    }
    // Told apart by fingerprint only: neither value is kept.
    const wrong = asks.filter((r) => r.credential!.fingerprint !== basicFingerprint);
    if (wrong.length) {
      const first = wrong[0]!;
      return fail(
        `${describe(first)} sent Basic ${first.credential!.fingerprint}, which is not base64("<client id>:<client secret>") of the credentials it was given (that would be ${basicFingerprint})${wrong.length > 1 ? ` (and ${wrong.length - 1} more like it)` : ''}`,
        wrong.map((r) => r.id),
        `Authorization: Basic ${basicFingerprint}`,
        `Authorization: Basic ${first.credential!.fingerprint}`,
      );
    }
    return pass(
      `${asks.length} token request(s), each a POST with the Basic credentials of the client's id and secret`,
      asks.map((r) => r.id),
    );
  },
};

/** The token answers in order, with the mock-clock time each token stops working. */
function issued(requests: readonly Req[]): Array<{ req: Req; fingerprint: string; expiresAtMs: number }> {
  return requests.flatMap((r) =>
    r.issuedToken && r.status === 200
      ? [
          {
            req: r,
            fingerprint: r.issuedToken.fingerprint,
            expiresAtMs: r.clockMs + (r.issuedToken.expiresInSeconds ?? 1200) * 1000,
          },
        ]
      : [],
  );
}

const TOKEN_REUSE: ClientCheck = {
  id: 'CLIENT-TOKEN-REUSE',
  title: 'Re-uses a token until it nears expiry',
  description: `A new token is asked for only when the last one has less than ${NEAR_EXPIRY_SECONDS} s left or was refused, not per request.`,
  level: 'SHOULD',
  area: 'auth',
  refs: ['seed:001 §3. Check job status', 'behavior §2.8'],
  run({ requests }) {
    const tokens = issued(requests);
    if (!tokens.length) return skip('no token was issued');
    for (let i = 1; i < tokens.length; i += 1) {
      const before = tokens[i - 1]!;
      const ask = tokens[i]!.req;
      const leftSeconds = Math.round((before.expiresAtMs - ask.clockMs) / 1000);
      const between = requests.slice(requests.indexOf(before.req) + 1, requests.indexOf(ask));
      const refused = between.some((r) => r.status === 401 && bearerOf(r) === before.fingerprint);
      if (leftSeconds > NEAR_EXPIRY_SECONDS && !refused) {
        return fail(
          `${describe(ask)} asked for a new token while the one issued in ${before.req.id} still had ${leftSeconds} s left and had not been refused`,
          [before.req.id, ask.id],
          `re-use the token until it has less than ${NEAR_EXPIRY_SECONDS} s left or is refused with 401`,
          `new token with ${leftSeconds} s left on the last one`,
        );
      }
    }
    return pass(
      `${tokens.length} token(s) issued, none asked for while the last one was fresh`,
      tokens.map((t) => t.req.id),
    );
  },
};

const BEARER_CAPITAL_B: ClientCheck = {
  id: 'CLIENT-BEARER-CAPITAL-B',
  title: 'Presents the token as "Bearer" with a capital B',
  description:
    'Every API request carries Authorization: Bearer <token>, spelt with a capital B and one space.',
  level: 'MUST',
  area: 'auth',
  refs: ['seed:001 §Request header'],
  requirements: ['BCDA-001-027', 'BCDA-003-08'],
  run({ requests }) {
    const presented = requests.filter((r) => !isTokenRequest(r) && r.credential);
    if (!presented.length) return skip('the client presented no token');
    const bad = presented.filter(
      (r) => r.credential!.scheme !== 'Bearer' || !/^Bearer fp:/.test(r.headers.authorization ?? ''),
    );
    if (bad.length) {
      const first = bad[0]!;
      return fail(
        `${describe(first)} sent Authorization: ${first.headers.authorization ?? ''}${bad.length > 1 ? ` (and ${bad.length - 1} more)` : ''}`,
        bad.map((r) => r.id),
        'Authorization: Bearer <token>',
        `Authorization: ${first.headers.authorization ?? ''}`,
      );
    }
    return pass(
      `${presented.length} request(s) presented the token as Bearer`,
      presented.slice(0, 3).map((r) => r.id),
    );
  },
};

/** What followed one 401: the fault the client made, or undefined when it renewed and retried right. */
function afterRefusal(
  requests: readonly Req[],
  refusedAt: number,
): { message: string; evidence: string[]; actual: string; expected?: string } | undefined {
  const refused = requests[refusedAt]!;
  const stale = bearerOf(refused)!;
  const rest = requests.slice(refusedAt + 1);
  const retry = rest.find((r) => r.method === refused.method && r.url === refused.url);
  // New tokens are those issued after the refused one, before the retry: one another request had
  // already asked for (parallel downloads all refused at once) is as good as one asked for now.
  const staleIssuedAt = requests.findIndex((r) => r.issuedToken?.fingerprint === stale);
  const renewals = requests
    .slice(staleIssuedAt + 1, retry ? requests.indexOf(retry) : requests.length)
    .filter((r) => r.issuedToken && r.status === 200);
  const renewal = renewals.at(-1);
  if (!renewal) {
    const reused = rest.find((r) => bearerOf(r) === stale);
    return reused
      ? {
          message: `after ${describe(refused)} was refused with 401, ${describe(reused)} sent the same token again without asking for a new one`,
          evidence: [refused.id, reused.id],
          actual: `Authorization: Bearer ${stale} (the refused token)`,
        }
      : {
          message: `after ${describe(refused)} was refused with 401 the client asked for no new token`,
          evidence: [refused.id],
          actual: 'no token request after the 401',
        };
  }
  const fresh = renewal.issuedToken!.fingerprint;
  if (!retry)
    return {
      message: `after ${describe(refused)} was refused with 401 and ${renewal.id} issued a new token, the client never retried the request`,
      evidence: [refused.id, renewal.id],
      actual: 'no retry',
    };
  const sent = bearerOf(retry);
  if (renewals.some((r) => r.issuedToken!.fingerprint === sent)) return undefined;
  return {
    message: `${describe(retry)} retried ${refused.id} (refused with 401) after ${renewal.id} issued a new token (${fresh}), but sent Authorization: ${retry.headers.authorization ?? '(none)'}${sent === stale ? ', the refused token' : ''}`,
    evidence: [refused.id, renewal.id, retry.id],
    actual: `Authorization: ${retry.headers.authorization ?? '(none)'}`,
    expected: `Authorization: Bearer ${fresh} (the token issued in ${renewal.id})`,
  };
}

const TOKEN_REFRESH_RETRY: ClientCheck = {
  id: 'CLIENT-TOKEN-REFRESH-RETRY',
  title: 'After a 401 gets a new token and retries with it',
  description:
    'When a request is refused with 401 because its token expired, the client asks for a new token and sends the request again with the new token, not the old Authorization header.',
  level: 'MUST',
  area: 'auth',
  refs: ['seed:001 §Request header', 'seed:001 §3. Check job status', 'bulkdata@5'],
  requirements: ['BCDA-001-044', 'BCDA-003-41'],
  run({ requests }) {
    // Only refusals of a token that had expired by the mock's clock: a 401 for a token refused for
    // another reason (a lower-case "bearer", a token never issued) is no renewal to judge.
    const expiry = new Map(issued(requests).map((t) => [t.fingerprint, t.expiresAtMs] as const));
    const expired = (r: Req): boolean => {
      const at = expiry.get(bearerOf(r) ?? '');
      return at !== undefined && r.clockMs >= at;
    };
    const refusals = requests.flatMap((r, i) => (r.status === 401 && expired(r) ? [i] : []));
    if (!refusals.length) return skip('no request was refused with 401 for an expired token');
    // A retry sent with the wrong token is refused in turn: that 401 is the same fault, not another.
    const faults: Array<NonNullable<ReturnType<typeof afterRefusal>>> = [];
    for (const i of refusals) {
      if (faults.some((f) => f.evidence.at(-1) === requests[i]!.id)) continue;
      const fault = afterRefusal(requests, i);
      if (fault) faults.push(fault);
    }
    if (faults.length) {
      const first = faults[0]!;
      return fail(
        `${first.message}${faults.length > 1 ? ` (${faults.length} refusals handled wrongly)` : ''}`,
        first.evidence,
        first.expected ?? 'a new token, then the request again with Authorization: Bearer <the new token>',
        first.actual,
      );
    }
    return pass(
      `${refusals.length} 401(s): each time a new token was fetched and the request retried with it`,
      refusals.map((i) => requests[i]!.id),
    );
  },
};

const SECRET_CONFINED: ClientCheck = {
  id: 'CLIENT-SECRET-CONFINED',
  title: 'Sends its secret only as Basic credentials to /auth/token',
  description:
    'The client secret appears in no URL and no other header, and Basic credentials go to the token endpoint only.',
  level: 'MUST',
  area: 'auth',
  refs: ['seed:001 §1. Get a bearer token', 'seed:002 §Authentication and Authorization'],
  run({ requests }) {
    if (!requests.length) return skip('the client sent no request');
    // The recorder blanks the secret to [secret] wherever it shows outside Authorization.
    const leaked = requests.find(
      (r) => r.url.includes('[secret]') || Object.values(r.headers).some((v) => v.includes('[secret]')),
    );
    if (leaked)
      return fail(
        `${describe(leaked)} carried the client secret outside the Basic credentials (shown as [secret])`,
        [leaked.id],
        'the secret only inside Authorization: Basic on POST /auth/token',
        'the secret in the URL or a header',
      );
    const basicElsewhere = requests.find(
      (r) => !isTokenRequest(r) && r.credential?.scheme.toLowerCase() === 'basic',
    );
    if (basicElsewhere)
      return fail(
        `${describe(basicElsewhere)} sent Basic credentials (the client secret) to an API endpoint`,
        [basicElsewhere.id],
        'Authorization: Bearer <token> on API requests',
        `Authorization: ${basicElsewhere.headers.authorization ?? ''}`,
      );
    return pass(`${requests.length} request(s), the secret only in token requests' Basic credentials`);
  },
};

export const TOKEN_CHECKS: readonly ClientCheck[] = [
  TOKEN_BASIC,
  TOKEN_REUSE,
  BEARER_CAPITAL_B,
  TOKEN_REFRESH_RETRY,
  SECRET_CONFINED,
];
