/**
 * The cancel flow the cancel checks judge and the jobs checks list: one small job, kicked off,
 * cancelled at once, looked at, cancelled again. Run once per run (ctx.once).
 */
import { type CheckContext, KickoffBudgetExceeded } from '../context';
import type { HttpResponse } from '../../http/client';

export interface CancelFlow {
  jobUrl?: string;
  problem?: string;
  kickoff?: HttpResponse;
  cancel?: HttpResponse;
  statusAfter?: HttpResponse;
  cancelAgain?: HttpResponse;
}

/** Kick off a small job, cancel it at once, look at it, cancel it again. */
export function cancelFlow(ctx: CheckContext): Promise<CancelFlow> {
  return ctx.once('flow:cancel', async () => {
    const flow: CancelFlow = {};
    try {
      const started = await ctx.kickoff({
        endpoint: 'patient',
        query: { _type: 'Patient' },
        label: 'kick-off of a job to cancel',
      });
      flow.kickoff = started.res;
      if (!started.jobUrl) {
        flow.problem = `the kick-off answered ${started.res.status}`;
        return flow;
      }
      flow.jobUrl = started.jobUrl;
      const headers = {
        authorization: await ctx.target.authorization('token'),
        accept: 'application/fhir+json',
      };
      flow.cancel = await ctx.target.http.send({
        method: 'DELETE',
        url: started.jobUrl,
        label: 'cancel a running job',
        operationId: ctx.op('cancelJob'),
        headers,
      });
      ctx.keep(started.jobUrl);
      flow.statusAfter = await ctx.target.get(started.jobUrl, {
        label: 'status of the cancelled job',
        operationId: ctx.op('getJobStatus'),
      });
      flow.cancelAgain = await ctx.target.http.send({
        method: 'DELETE',
        url: started.jobUrl,
        label: 'cancel the cancelled job again',
        operationId: ctx.op('cancelJob'),
        headers,
      });
    } catch (err) {
      if (err instanceof KickoffBudgetExceeded) flow.problem = err.message;
      else throw err;
    }
    return flow;
  });
}
