/**
 * Cancelling a job (seed 001 §Cancel a job, bulkdata@305–309, @122, behavior §2.4): a running job
 * answers 202, then 404 when polled and 410 when cancelled again; an unknown job 404.
 */
import { type CheckContext, type CheckDefinition, fail, pass, skip, verdict } from './context';
import type { HttpResponse } from '../http/client';
import { type CancelFlow, cancelFlow } from './kit/cancel-flow';
import { errorAnswerProblems, joinProblems } from './kit/expect';
import { versioned } from './kit/operations';
import type { CheckOutcome } from './types';

function cancelCheck(
  def: Omit<CheckDefinition, 'run' | 'area' | 'operations'>,
  pick: (f: CancelFlow) => HttpResponse | undefined,
  judge: (res: HttpResponse, ctx: CheckContext) => CheckOutcome,
): CheckDefinition {
  return {
    ...def,
    area: 'cancel',
    operations: [...versioned('cancelJob'), ...versioned('getJobStatus')],
    async run(ctx) {
      const flow = await cancelFlow(ctx);
      const res = pick(flow);
      if (!res) return skip(flow.problem ?? 'an earlier step of the cancel flow did not happen');
      return judge(res, ctx);
    },
  };
}

export const cancelChecks: CheckDefinition[] = [
  cancelCheck(
    {
      id: 'CANCEL-ACCEPTED',
      title: 'DELETE on a running job answers 202',
      description: 'Cancelling a job that is pending or in progress answers 202 Accepted.',
      level: 'MUST',
      profiles: ['bcda', 'bulk-data-ig'],
      refs: ['behavior §2.4'],
      faults: ['cancel-returns-200'],
    },
    (f) => f.cancel,
    (res) =>
      res.status === 202
        ? pass('202 Accepted', [res.exchange.id])
        : fail(`status ${res.status}, expected 202`, [res.exchange.id]),
  ),
  cancelCheck(
    {
      id: 'CANCEL-THEN-NOT-FOUND',
      title: 'a cancelled job answers 404 with an OperationOutcome',
      description:
        'After a successful DELETE, polling the job answers 404 Not Found with an OperationOutcome (BCDA: "Job has been cancelled.").',
      level: 'MUST',
      profiles: ['bcda', 'bulk-data-ig'],
      refs: ['behavior §2.3'],
      faults: ['cancel-ignored'],
    },
    (f) => (f.cancel?.status === 202 ? f.statusAfter : undefined),
    (res, ctx) => {
      const want =
        ctx.config.profile === 'bcda'
          ? { code: 'not-found', diagnostics: 'Job has been cancelled.', contentType: true }
          : { contentType: true };
      const problem = joinProblems(errorAnswerProblems(res, 404, want));
      return verdict(problem, '404 with an OperationOutcome', [res.exchange.id]);
    },
  ),
  cancelCheck(
    {
      id: 'CANCEL-TWICE-GONE',
      title: 'cancelling a job that is no longer running answers 410',
      description:
        'Only pending or in-progress jobs can be cancelled: a second DELETE answers 410 Gone with an OperationOutcome ("job was not cancelled because it is not Pending or In Progress"). SHOULD: the documents say only that an active job can be cancelled; the 410 is the real server\'s answer.',
      level: 'SHOULD',
      profiles: ['bcda'],
      refs: ['behavior §2.4'],
      faults: ['cancel-finished-job-202'],
    },
    (f) => (f.cancel?.status === 202 ? f.cancelAgain : undefined),
    (res) => {
      const problem = joinProblems(
        errorAnswerProblems(res, 410, {
          code: 'not-found',
          diagnostics: 'job was not cancelled because it is not Pending or In Progress',
        }),
      );
      return verdict(problem, '410 with an OperationOutcome', [res.exchange.id]);
    },
  ),
  {
    id: 'CANCEL-UNKNOWN-JOB',
    title: 'cancelling a job that does not exist answers 404',
    description: 'DELETE /jobs/0 answers 404 with an OperationOutcome.',
    level: 'MUST',
    area: 'cancel',
    profiles: ['bcda', 'bulk-data-ig'],
    refs: ['behavior §2.4'],
    operations: versioned('cancelJob'),
    faults: ['status-unknown-job-200'],
    async run(ctx) {
      const res = await ctx.target.call(ctx.op('cancelJob'), { label: 'cancel job 0', path: { jobId: 0 } });
      const problem = joinProblems(errorAnswerProblems(res, 404));
      return verdict(problem, '404 with an OperationOutcome', [res.exchange.id]);
    },
  },
];
