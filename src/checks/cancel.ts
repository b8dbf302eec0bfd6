/**
 * Cancelling a job (seed 001 §Cancel a job, bulkdata@305–309, @122, behavior §2.4): a running job
 * answers 202, then 404 when polled and 410 when cancelled again; an unknown job 404. And what a
 * cancel leaves behind (behavior §2.4, §2.7): a completed job stays as it was, and a cancelled
 * job's files are gone.
 */
import { type CheckContext, type CheckDefinition, fail, pass, skip, verdict } from './context';
import type { HttpResponse } from '../http/client';
import { asManifest, manifestItems } from '../flows/manifest';
import { type CancelFlow, cancelFlow } from './kit/cancel-flow';
import { cancelStages } from './kit/cancel-stages';
import { holdOwnJob } from './kit/own-job';
import { errorAnswerProblems, joinProblems, statusProblem } from './kit/expect';
import { versioned } from './kit/operations';
import { unknownJobRequest } from './kit/unknown-job';
import type { CheckOutcome } from './types';

/** BCDA's diagnostics when a job that is not active is cancelled (behavior §2.4). */
const NOT_CANCELLED = 'job was not cancelled because it is not Pending or In Progress';

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

/**
 * With mock control: a job of the check's own, forced In Progress, then cancelled. Undefined when
 * no job could be started (the kick-off budget is spent, or the target refused).
 */
async function cancelHeldInProgress(ctx: CheckContext): Promise<HttpResponse | undefined> {
  const job = await holdOwnJob(ctx, 'In Progress', 'kick-off of a job to cancel In Progress');
  if (!job) return undefined;
  return ctx.target.http.send({
    method: 'DELETE',
    url: job.jobUrl,
    label: 'cancel a job held In Progress',
    operationId: ctx.op('cancelJob'),
    headers: { authorization: await ctx.target.authorization('token'), accept: 'application/fhir+json' },
  });
}

export const cancelChecks: CheckDefinition[] = [
  {
    id: 'CANCEL-ACCEPTED',
    title: 'DELETE on a running job answers 202',
    description:
      'Cancelling a job that is pending or in progress answers 202 Accepted: the cancel flow\'s job, cancelled at once, and, where job states can be set (the embedded mock), a job of the check\'s own held In Progress, since "any active job" can be cancelled, not only one still queued.',
    level: 'MUST',
    area: 'cancel',
    profiles: ['bcda', 'bulk-data-ig'],
    refs: ['behavior §2.4'],
    operations: [...versioned('cancelJob'), ...versioned('getJobStatus')],
    faults: ['cancel-returns-200'],
    async run(ctx) {
      const flow = await cancelFlow(ctx);
      const res = flow.cancel;
      if (!res) return skip(flow.problem ?? 'an earlier step of the cancel flow did not happen');
      const held = ctx.control ? await cancelHeldInProgress(ctx) : undefined;
      const evidence = [res.exchange.id, ...(held ? [held.exchange.id] : [])];
      const problem = joinProblems([
        res.status === 202 ? undefined : `the job cancelled at once: status ${res.status}, expected 202`,
        held && held.status !== 202
          ? `a job held In Progress: status ${held.status}, expected 202`
          : undefined,
      ]);
      return verdict(problem, `202 Accepted${held ? '; a job held In Progress too' : ''}`, evidence);
    },
  },
  cancelCheck(
    {
      id: 'CANCEL-THEN-NOT-FOUND',
      title: 'a cancelled job answers 404 with an OperationOutcome',
      description:
        'After a successful DELETE, polling the job answers 404 Not Found with an OperationOutcome (BCDA: "Job has been cancelled.").',
      level: 'MUST',
      profiles: ['bcda', 'bulk-data-ig'],
      refs: ['behavior §2.3'],
      faults: ['cancel-ignored', 'ig-status-error-json', 'ig-cancel-ignored'],
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
        errorAnswerProblems(res, 410, { code: 'not-found', diagnostics: NOT_CANCELLED }),
      );
      return verdict(problem, '410 with an OperationOutcome', [res.exchange.id]);
    },
  ),
  {
    id: 'CANCEL-UNKNOWN-JOB',
    title: 'cancelling a job that does not exist answers 404',
    description:
      "DELETE /jobs/0 answers 404 with an OperationOutcome. Under the bulk-data-ig profile the URL is a real job's status URL with its id swapped for one no job has, and the OperationOutcome is application/fhir+json.",
    level: 'MUST',
    area: 'cancel',
    profiles: ['bcda', 'bulk-data-ig'],
    refs: ['behavior §2.4'],
    operations: versioned('cancelJob'),
    faults: ['status-unknown-job-200', 'ig-status-error-json'],
    async run(ctx) {
      const res = ctx.generic
        ? await unknownJobRequest(ctx, 'DELETE', 'cancel a job that does not exist')
        : await ctx.target.call(ctx.op('cancelJob'), { label: 'cancel job 0', path: { jobId: 0 } });
      if (typeof res === 'string') return skip(res);
      const problem = joinProblems(errorAnswerProblems(res, 404, { contentType: ctx.generic }));
      return verdict(problem, '404 with an OperationOutcome', [res.exchange.id]);
    },
  },
  {
    id: 'CANCEL-COMPLETED-KEEPS-JOB',
    title: 'cancelling a completed job answers 410 and leaves the job as it was',
    description:
      "Only an active job can be cancelled (seed 001): a DELETE of a job of the run's own that has completed answers 410 Gone with an OperationOutcome (\"job was not cancelled because it is not Pending or In Progress\"), and the job stays completed: its status still answers 200 with its manifest and its file still downloads. SHOULD: the documents do not say what cancelling a finished job answers; the 410 is the real server's answer (the Bulk Data IG lets a server take such a DELETE as the client being done with the files, so the rule is BCDA's only). Where job states can be set (the embedded mock) the job is forced Completed instead of waited for.",
    level: 'SHOULD',
    area: 'cancel',
    profiles: ['bcda'],
    refs: ['behavior §2.4'],
    operations: [...versioned('cancelJob'), ...versioned('getJobStatus'), 'downloadFile'],
    faults: ['cancel-finished-job-202', 'cancel-completed-drops-files'],
    async run(ctx) {
      const flow = await cancelStages(ctx);
      const { cancelCompleted: cancel, statusAfter, downloadAfter } = flow;
      if (!cancel || !statusAfter || !downloadAfter)
        return skip(flow.problem ?? 'no completed job of its own to cancel');
      const cancelProblem = joinProblems(
        errorAnswerProblems(cancel, 410, { code: 'not-found', diagnostics: NOT_CANCELLED }),
      );
      const manifest = manifestItems(asManifest(statusAfter.json())?.output).length > 0;
      const statusAfterProblem =
        statusProblem(statusAfter, 200) ?? (manifest ? undefined : 'no manifest with output files');
      const downloadProblem = statusProblem(downloadAfter, 200);
      const problem = joinProblems([
        cancelProblem && `the cancel: ${cancelProblem}`,
        statusAfterProblem && `the job's status afterwards: ${statusAfterProblem}`,
        downloadProblem && `its file afterwards: ${downloadProblem}`,
      ]);
      return verdict(problem, '410 with an OperationOutcome; the job still answers 200 and its file 200', [
        cancel.exchange.id,
        statusAfter.exchange.id,
        downloadAfter.exchange.id,
      ]);
    },
  },
  {
    id: 'CANCEL-FILES-GONE',
    title: "a cancelled job's files are no longer served",
    description:
      "A job cancelled while it already had files serves none of them afterwards: each of its file URLs (its first data files and its first error file) answers 404 or 410, not 200. A completed job of the run's own is put back In Progress with its files (mock control: as a job whose files were written while it still ran), cancelled (202), and its files asked for again. SHOULD: the documents do not say; the real server never moves a cancelled job's files to where files are served from, so their URLs answer 404. Needs a target whose job states can be set (the embedded mock, or a mock started with --control).",
    level: 'SHOULD',
    area: 'cancel',
    profiles: ['bcda'],
    refs: ['behavior §2.4', 'behavior §2.7'],
    operations: [...versioned('cancelJob'), 'downloadFile'],
    faults: ['cancel-keeps-files'],
    async run(ctx) {
      const flow = await cancelStages(ctx);
      if (!flow.cancelCompleted) return skip(flow.problem ?? 'no completed job of its own to cancel');
      const cancel = flow.cancelReopened;
      if (!cancel) return skip(flow.reopenProblem ?? 'the job could not be put back in progress');
      if (cancel.status !== 202)
        return skip(`cancelling the job put back in progress answered ${cancel.status}, not 202`, [
          cancel.exchange.id,
        ]);
      const downloads = flow.downloadsAfterCancel ?? [];
      if (!downloads.length) return skip('the job lists no file to ask for', [cancel.exchange.id]);
      const evidence = [cancel.exchange.id, ...downloads.map((d) => d.exchange.id)];
      const served = downloads.filter((d) => d.status !== 404 && d.status !== 410);
      if (served.length)
        return fail(
          `after the cancel (202), ${served.length} of ${downloads.length} file(s) still answer ${[...new Set(served.map((d) => d.status))].join(', ')}, expected 404 or 410`,
          evidence,
        );
      return pass(
        `after the cancel (202), its ${downloads.length} file(s) answer ${[...new Set(downloads.map((d) => d.status))].join(', ')}`,
        evidence,
      );
    },
  },
];
