/**
 * The duplicate-job limit (seed 001, seed 003 FAQ, bulkdata@118, behavior §4): asking again for an
 * export that is still running answers 429 with Retry-After. And the IG's advice for a client that
 * polls too often (bulkdata@128): 429 with Retry-After, which BCDA does not follow.
 */
import { type CheckDefinition, KickoffBudgetExceeded, pass, skip, verdict, warn } from './context';
import type { HttpResponse } from '../http/client';
import { retryAfterMs } from '../http/retry-after';
import { joinProblems, retryAfterSecondsProblem, statusProblem } from './kit/expect';
import { versioned } from './kit/operations';
import { isOutcome, startOwnJob } from './kit/own-job';

/** The third kick-off of the duplicate checks, unless the run's kick-off budget is spent. */
async function unlessBudgetSpent<T>(start: () => Promise<T>): Promise<T | undefined> {
  try {
    return await start();
  } catch (err) {
    if (err instanceof KickoffBudgetExceeded) return undefined;
    throw err;
  }
}

function rateLimitCheck(id: string, endpoint: 'patient' | 'group'): CheckDefinition {
  const name = endpoint === 'patient' ? 'Patient' : 'Group/all';
  const spec = endpoint === 'patient' ? ({ endpoint } as const) : ({ endpoint, group: 'all' } as const);
  return {
    id,
    title: `a duplicate of a running ${name} job is refused with 429 and Retry-After`,
    description: `For a rate-limited organization, asking again for a ${name} export that is still running answers 429 Too Many Requests with a Retry-After header (delay-seconds). Where job states can be set (the embedded mock), the first job is put In Progress before the second kick-off: the documents speak of jobs "already marked as In-Progress", which a server counting only queued jobs would let through. A third kick-off asks the same endpoint again for Patient data only (_type=Patient, a type the first job exports): it is the same endpoint asked again too, and must get 429 as well, where a server matching only byte-identical requests would start it.`,
    level: 'MUST',
    area: 'ratelimit',
    // BCDA's rule for its rate-limited organizations; the IG lets a server start duplicates (bulkdata@118).
    profiles: ['bcda'],
    refs: ['behavior §4'],
    operations: versioned(endpoint === 'patient' ? 'exportPatient' : 'exportGroup'),
    faults: ['ratelimit-disabled', 'ratelimit-no-retry-after'],
    async run(ctx) {
      const client = ctx.rateLimitedClient;
      if (!client)
        return skip(
          'no rate-limited client configured (--rate-limited-client-id / BCDA_RATE_LIMITED_CLIENT_ID)',
        );
      try {
        const first = await ctx.kickoff({
          ...spec,
          client,
          label: `${name} kick-off by the rate-limited client`,
        });
        if (!first.jobUrl)
          return skip(`the first kick-off answered ${first.res.status}`, [first.res.exchange.id]);
        // Past its queue: the rule is about a job In Progress, not only one still Pending.
        const firstId = ctx.control?.jobIdOf(first.jobUrl);
        if (ctx.control && firstId) await ctx.control.forceJobState(firstId, 'In Progress');
        const second = await ctx.kickoff({
          ...spec,
          client,
          label: `the same ${name} kick-off again while the first runs`,
        });
        const varied = await unlessBudgetSpent(() =>
          ctx.kickoff({
            ...spec,
            query: { _type: 'Patient' },
            client,
            label: `the ${name} kick-off again, for Patient data only, while the first runs`,
          }),
        );
        const evidence = [
          first.res.exchange.id,
          second.res.exchange.id,
          ...(varied ? [varied.res.exchange.id] : []),
        ];
        await ctx.cancel(first.jobUrl, "cancel the rate-limited client's job", client);
        if (second.jobUrl) await ctx.cancel(second.jobUrl, 'cancel the duplicate job', client);
        if (varied?.jobUrl) await ctx.cancel(varied.jobUrl, 'cancel the job for Patient data only', client);
        const retryAfter = second.res.headers['retry-after'];
        const problem = joinProblems([
          statusProblem(second.res, 429),
          second.res.status === 429 ? retryAfterSecondsProblem(retryAfter) : undefined,
          varied && statusProblem(varied.res, 429) && `with _type=Patient: ${statusProblem(varied.res, 429)}`,
        ]);
        return verdict(
          problem,
          `429 with Retry-After: ${retryAfter}${varied ? ', and 429 for the same endpoint with _type=Patient' : ''}`,
          evidence,
        );
      } catch (err) {
        if (err instanceof KickoffBudgetExceeded) return skip(err.message);
        throw err;
      }
    },
  };
}

/** Status requests sent back to back, Retry-After disregarded: far more than any pacing allows. */
const POLL_BURST = 12;
/** The poll limit the check sets on a mock with control: requests per job, and the window in seconds. */
const MOCK_POLL_LIMIT = 3;
const MOCK_POLL_WINDOW_SECONDS = 10;

const pollingTooOftenCheck: CheckDefinition = {
  id: 'RATELIMIT-POLLING-TOO-OFTEN',
  title: 'a client that polls one job too often gets 429 with Retry-After',
  description: `A job of the check's own is polled ${POLL_BURST} times back to back, disregarding Retry-After; a server should answer such a client 429 Too Many Requests with a Retry-After header (a 503 after the job was seen running is throttling under the wrong status). On a target with mock control the mock's poll limit, off by default, is first set to ${MOCK_POLL_LIMIT} status requests per job in ${MOCK_POLL_WINDOW_SECONDS} seconds (and switched off again after). SHOULD: the IG's word; the BCDA documents say nothing of it and the real server never throttles polling.`,
  level: 'SHOULD',
  area: 'ratelimit',
  profiles: ['bulk-data-ig'],
  refs: ['behavior §2.3'],
  operations: versioned('getJobStatus'),
  faults: ['poll-rate-limit-ignored', 'poll-rate-limit-no-retry-after', 'ig-poll-rate-limit-ignored'],
  async run(ctx) {
    const control = ctx.control?.setPollRateLimit ? ctx.control : undefined;
    // The run's other polling must not meet the lowered limit.
    if (control) await ctx.settled();
    const started = await startOwnJob(ctx, {
      endpoint: 'patient',
      query: { _type: 'Patient' },
      label: 'kick-off of a job to poll too often',
    });
    if (isOutcome(started)) return started;
    const answers: HttpResponse[] = [];
    const t0 = Date.now();
    // Held running where job states can be set: a fast job must not finish in the middle of the burst.
    const id = control?.jobIdOf(started.jobUrl);
    if (control && id) await control.forceJobState(id, 'In Progress');
    await control?.setPollRateLimit?.(MOCK_POLL_LIMIT, MOCK_POLL_WINDOW_SECONDS);
    try {
      for (let i = 0; i < POLL_BURST; i++) {
        const res = await ctx.target.get(started.jobUrl, {
          label: `status request ${i + 1} of ${POLL_BURST}, sent back to back`,
          operationId: ctx.op('getJobStatus'),
        });
        answers.push(res);
        if (res.status !== 202) break;
      }
    } finally {
      await control?.setPollRateLimit?.(0, 0);
      await ctx.cancel(started.jobUrl, 'cancel the job polled too often');
    }
    const ms = Date.now() - t0;
    const evidence = [started.res.exchange.id, ...answers.map((r) => r.exchange.id)];
    const limited = answers.find((r) => r.status === 429);
    const last = answers.at(-1);
    if (!limited) {
      // A 503 in the middle of the burst, the job running before it, is throttling under the
      // status meant for an unavailable server, not the job ending (bulkdata@128 asks for 429).
      if (last?.status === 503 && answers.length > 1)
        return warn(
          `status request ${answers.length} of the burst answered 503${last.headers['retry-after'] === undefined ? '' : ` with Retry-After: ${last.headers['retry-after']}`}, not 429 Too Many Requests`,
          evidence,
        );
      if (last && last.status !== 202)
        return skip(
          `the job answered ${last.status} after ${answers.length} status request(s), before the burst ended`,
          evidence,
        );
      return warn(`${answers.length} status requests in ${ms} ms all answered 202: never 429`, evidence);
    }
    const retryAfter = limited.headers['retry-after'];
    const nth = answers.indexOf(limited) + 1;
    if (retryAfter === undefined || retryAfterMs(retryAfter) === undefined)
      return warn(
        `status request ${nth} answered 429, with Retry-After ${retryAfter === undefined ? 'missing' : `"${retryAfter}"`}`,
        evidence,
      );
    return pass(`status request ${nth} of the burst answered 429 with Retry-After: ${retryAfter}`, evidence);
  },
};

export const rateLimitChecks: CheckDefinition[] = [
  rateLimitCheck('RATELIMIT-DUPLICATE-JOB', 'group'),
  rateLimitCheck('RATELIMIT-DUPLICATE-PATIENT-JOB', 'patient'),
  pollingTooOftenCheck,
];
