/** Client checks of good conduct over a whole run: cancelling what it abandons, heeding rate limits. */
import type { ClientCheck } from '../types';
import {
  describe,
  fail,
  isKickoff,
  isTokenRequest,
  jobPathOf,
  pass,
  pathAndQuery,
  retryAfterSeconds,
  skip,
} from '../requests';
import { TIMING_SLACK_MS } from './kickoff';
import { isTerminalFailure, pollsByJob } from './poll';

const CANCELS_ABANDONED: ClientCheck = {
  id: 'CLIENT-CANCELS-ABANDONED',
  title: 'Cancels the jobs it abandons',
  description:
    'A job the client stops following before it completed or failed (it gave up waiting, or met an error of its own) is cancelled with DELETE on its status URL before the client ends.',
  level: 'SHOULD',
  area: 'cancel',
  refs: ['seed:001 §Cancel a job', 'bulkdata@305'],
  run({ requests, client }) {
    if (client.timedOut) return skip('the client was stopped at the budget: it abandoned nothing by itself');
    const jobs = requests.flatMap((r) => {
      const location = isKickoff(r) && r.status === 202 ? r.responseHeaders?.['content-location'] : undefined;
      const path = location ? pathAndQuery(location)?.split('?')[0] : undefined;
      return path ? [{ kickoff: r, path }] : [];
    });
    const polls = pollsByJob(requests);
    const abandoned = jobs.filter(({ path }) => {
      const last = polls.get(path)?.at(-1);
      return !last || (last.status !== 200 && !isTerminalFailure(last));
    });
    if (!abandoned.length) return skip('every job the client started completed or failed');
    for (const { kickoff, path } of abandoned) {
      const last = polls.get(path)?.at(-1) ?? kickoff;
      const cancels = requests
        .slice(requests.indexOf(last) + 1)
        .filter((r) => r.method === 'DELETE' && jobPathOf(r) === path);
      if (!cancels.length)
        return fail(
          `the client left the job ${path} (started by ${kickoff.id}) after ${describe(last)} answered ${last.status ?? 'nothing'}, and never cancelled it`,
          [kickoff.id, last.id],
          `DELETE ${path}`,
          'no DELETE',
        );
      // A refused DELETE (no token, wrong URL) cancels nothing; 410 means the job had already ended.
      const done = (status?: number) =>
        status !== undefined && ((status >= 200 && status < 300) || status === 410);
      if (!cancels.some((r) => done(r.status))) {
        const refused = cancels.at(-1)!;
        return fail(
          `the client's DELETE of the job ${path} (${refused.id}) was answered ${refused.status ?? 'nothing'}, and it did not cancel the job with a request the server accepted`,
          [kickoff.id, ...cancels.map((r) => r.id)],
          `DELETE ${path} answered 202`,
          `${cancels.length} DELETE(s), the last answered ${refused.status ?? 'nothing'}`,
        );
      }
    }
    return pass(
      `${abandoned.length} abandoned job(s), each cancelled with DELETE`,
      abandoned.map((j) => j.kickoff.id),
    );
  },
};

const TOKEN_RATE_LIMIT: ClientCheck = {
  id: 'CLIENT-TOKEN-RATE-LIMIT',
  title: "Stays under the token endpoint's rate limit",
  description:
    'After a token request is answered 429 (too many tokens for the window), the client asks for no token again before Retry-After has passed.',
  level: 'MUST',
  area: 'ratelimit',
  refs: ['behavior §2.8', 'seed:001 §Response example: too many requests'],
  requirements: ['BCDA-001-041'],
  run({ requests }) {
    const asks = requests.filter(isTokenRequest);
    const refused = asks.filter((r) => r.status === 429);
    if (!refused.length) return skip('no token request was answered 429');
    for (const answer of refused) {
      const next = asks[asks.indexOf(answer) + 1];
      if (!next) continue;
      const wait = retryAfterSeconds(answer) ?? 1;
      const waitedMs = next.atMs - (answer.respondedAtMs ?? answer.atMs);
      if (waitedMs + TIMING_SLACK_MS < wait * 1000)
        return fail(
          `${describe(next)} asked for a token ${waitedMs} ms after ${answer.id} was refused with 429 and Retry-After: ${wait} (${refused.length} refusal(s) in all)`,
          [answer.id, next.id],
          `no token request for ${wait} s`,
          `another after ${waitedMs} ms`,
        );
    }
    return pass(
      `${refused.length} token request(s) refused with 429, each waited out`,
      refused.map((r) => r.id),
    );
  },
};

export const HYGIENE_CHECKS: readonly ClientCheck[] = [CANCELS_ABANDONED, TOKEN_RATE_LIMIT];
