/**
 * The duplicate-job limit (seed 001, seed 003 FAQ, bulkdata@118, behavior §4): asking again for an
 * export that is still running answers 429 with Retry-After.
 */
import { type CheckDefinition, KickoffBudgetExceeded, skip, verdict } from './context';
import { retryAfterMs } from '../http/retry-after';
import { joinProblems, statusProblem } from './kit/expect';
import { versioned } from './kit/operations';

function rateLimitCheck(id: string, endpoint: 'patient' | 'group'): CheckDefinition {
  const name = endpoint === 'patient' ? 'Patient' : 'Group/all';
  const spec = endpoint === 'patient' ? ({ endpoint } as const) : ({ endpoint, group: 'all' } as const);
  return {
    id,
    title: `a duplicate of a running ${name} job is refused with 429 and Retry-After`,
    description: `For a rate-limited organization, asking again for a ${name} export that is still running answers 429 Too Many Requests with a Retry-After header (delay-seconds).`,
    level: 'MUST',
    area: 'ratelimit',
    profiles: ['bcda', 'bulk-data-ig'],
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
        const second = await ctx.kickoff({
          ...spec,
          client,
          label: `the same ${name} kick-off again while the first runs`,
        });
        const evidence = [first.res.exchange.id, second.res.exchange.id];
        await ctx.cancel(first.jobUrl, "cancel the rate-limited client's job", client);
        if (second.jobUrl) await ctx.cancel(second.jobUrl, 'cancel the duplicate job', client);
        const retryAfter = second.res.headers['retry-after'];
        const problem = joinProblems([
          statusProblem(second.res, 429),
          second.res.status === 429 && (retryAfter === undefined || retryAfterMs(retryAfter) === undefined)
            ? `Retry-After is ${retryAfter === undefined ? 'missing' : `"${retryAfter}"`}`
            : undefined,
        ]);
        return verdict(problem, `429 with Retry-After: ${retryAfter}`, evidence);
      } catch (err) {
        if (err instanceof KickoffBudgetExceeded) return skip(err.message);
        throw err;
      }
    },
  };
}

export const rateLimitChecks: CheckDefinition[] = [
  rateLimitCheck('RATELIMIT-DUPLICATE-JOB', 'group'),
  rateLimitCheck('RATELIMIT-DUPLICATE-PATIENT-JOB', 'patient'),
];
