/**
 * One job of the run's own, cancelled at each stage of its life, for the stateful cancel rules
 * (behavior §2.4, §2.7, §5): another organization tries to cancel it while it runs, its owner
 * cancels it once it has completed (BCDA: 410, the job stays), and, where job states can be set
 * (mock control), it is put back In Progress with its files and cancelled for real, after which
 * its files must be gone. Run once per run (ctx.once); the auth and cancel checks judge its steps.
 *
 * The mock finishes a job within a second, so with control the job is held In Progress while the
 * other client tries, then forced Completed: no waiting, and the order of events is certain.
 * Without control the other client tries at once after the kick-off, and the job is polled to
 * completion.
 */
import type { CheckContext } from '../context';
import type { HttpResponse } from '../../http/client';
import type { TargetClient } from '../../http/target';
import { asManifest, manifestItems } from '../../flows/manifest';
import { isOutcome, startOwnJob } from './own-job';

/** Most file URLs of the job asked for again once it is cancelled. */
const MAX_FILES_AFTER_CANCEL = 3;

export interface CancelStages {
  jobUrl?: string;
  kickoff?: HttpResponse;
  /** Why the job never reached completion (kick-off refused, budget spent, polling stopped…). */
  problem?: string;
  /** Another organization's DELETE of the running job; absent without a second client. */
  foreignCancel?: HttpResponse;
  /** The owner's status request right after it. */
  ownerStatus?: HttpResponse;
  /** True when the job was held In Progress (mock control) while the other client tried. */
  held?: boolean;
  /** The status answer that carried the completed job's manifest. */
  completed?: HttpResponse;
  /** One output file of the completed job, downloaded before any cancel. */
  file?: { url: string; res: HttpResponse };
  /** The owner's DELETE of the completed job, then its status and that file again. */
  cancelCompleted?: HttpResponse;
  statusAfter?: HttpResponse;
  downloadAfter?: HttpResponse;
  /** Why the job was not put back In Progress and cancelled (no control, no job id). */
  reopenProblem?: string;
  /** The owner's DELETE of the job put back In Progress with its files. */
  cancelReopened?: HttpResponse;
  /** The job's file URLs asked for after that cancel. */
  downloadsAfterCancel?: HttpResponse[];
}

const cancelRequest = async (
  ctx: CheckContext,
  client: TargetClient,
  url: string,
  label: string,
): Promise<HttpResponse> =>
  client.http.send({
    method: 'DELETE',
    url,
    label,
    operationId: ctx.op('cancelJob'),
    headers: { authorization: await client.authorization('token'), accept: 'application/fhir+json' },
  });

const download = (ctx: CheckContext, url: string, label: string): Promise<HttpResponse> =>
  ctx.target.get(url, { label, operationId: 'downloadFile' });

export function cancelStages(ctx: CheckContext): Promise<CancelStages> {
  return ctx.once('flow:cancel-stages', async () => {
    const flow: CancelStages = {};
    const started = await startOwnJob(ctx, {
      endpoint: 'patient',
      query: { _type: 'Patient' },
      label: 'kick-off of a job to cancel at each stage',
    });
    if (isOutcome(started)) {
      flow.problem = started.message;
      return flow;
    }
    const { jobUrl, id } = started;
    flow.jobUrl = jobUrl;
    flow.kickoff = started.res;
    const control = id === undefined ? undefined : ctx.control;
    const status = (label: string) => ctx.target.get(jobUrl, { label, operationId: ctx.op('getJobStatus') });

    if (ctx.otherClient) {
      if (control) await control.forceJobState(id!, 'In Progress');
      flow.held = control !== undefined;
      flow.foreignCancel = await cancelRequest(
        ctx,
        ctx.otherClient,
        jobUrl,
        "another organization's cancel of this client's running job",
      );
      flow.ownerStatus = await status("status of the job after another organization's cancel");
      // The other organization's cancel took: no job is left to take through the later stages.
      if (flow.ownerStatus.status === 404 || flow.ownerStatus.status === 410) {
        flow.problem = `the job was gone (${flow.ownerStatus.status}) after another organization's cancel`;
        return flow;
      }
    }

    let final: HttpResponse | undefined;
    if (control) {
      await control.forceJobState(id!, 'Completed');
      final = await status('status of the job, completed');
    } else {
      const polled = await ctx.poll(jobUrl, 'poll the job to cancel at each stage');
      final = polled.final;
      if (!final) flow.problem = polled.stopped ?? 'polling ended without an answer';
    }
    if (!final) return flow;
    const first = manifestItems(asManifest(final.json())?.output)[0];
    if (final.status !== 200 || !first) {
      flow.problem = `the job did not complete with a file: its status answered ${final.status}`;
      return flow;
    }
    // Finished: nothing left to cancel at the end of the run, whatever the steps below do.
    ctx.keep(jobUrl);
    flow.completed = final;
    flow.file = {
      url: first.url,
      res: await download(ctx, first.url, 'download of the completed job’s file'),
    };
    if (flow.file.res.status !== 200) {
      flow.problem = `the completed job's file answered ${flow.file.res.status} before any cancel`;
      return flow;
    }

    flow.cancelCompleted = await cancelRequest(ctx, ctx.target, jobUrl, 'cancel the completed job');
    flow.statusAfter = await status('status of the completed job after the cancel');
    flow.downloadAfter = await download(ctx, first.url, 'download of its file after the cancel');

    if (!control) {
      flow.reopenProblem =
        'the target offers no way to set job states (only the embedded mock, or a mock started with --control, does): a job that already has files cannot be put back in progress to cancel it';
      return flow;
    }
    // As a job whose files were written while it still ran: cancelling it must take them away.
    await control.forceJobState(id!, 'In Progress');
    flow.cancelReopened = await cancelRequest(ctx, ctx.target, jobUrl, 'cancel the job put back in progress');
    if (flow.cancelReopened.status !== 202) return flow;
    // Its first data files and its first error file: none of a cancelled job's files may be served.
    const manifest = asManifest(final.json());
    const urls = [
      ...manifestItems(manifest?.output).slice(0, MAX_FILES_AFTER_CANCEL),
      ...manifestItems(manifest?.error).slice(0, 1),
    ].map((item) => item.url);
    flow.downloadsAfterCancel = [];
    for (const url of urls)
      flow.downloadsAfterCancel.push(await download(ctx, url, 'download of a cancelled job’s file'));
    return flow;
  });
}
