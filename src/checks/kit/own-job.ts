/**
 * A job a check starts for itself (to list it, walk it through states, make it fail): the kick-off,
 * or the skip that says why there is no job to judge — the run's kick-off budget is spent, or the
 * target answered without a job URL (another check judges that answer).
 */
import {
  type CheckContext,
  type KickoffResult,
  type KickoffSpec,
  KickoffBudgetExceeded,
  skip,
} from '../context';
import type { CheckOutcome } from '../types';
import { jobIdOf } from './job-list';

export interface OwnJob extends KickoffResult {
  jobUrl: string;
  /** The job id from the URL; undefined when the URL has none this tool can read. */
  id: string | undefined;
}

/** With `needsId`, a job whose URL has no readable id is skipped too, so `id` is always there. */
export async function startOwnJob(
  ctx: CheckContext,
  spec: KickoffSpec,
  options: { needsId: true },
): Promise<(OwnJob & { id: string }) | CheckOutcome>;
export async function startOwnJob(ctx: CheckContext, spec: KickoffSpec): Promise<OwnJob | CheckOutcome>;
export async function startOwnJob(
  ctx: CheckContext,
  spec: KickoffSpec,
  options: { needsId?: boolean } = {},
): Promise<OwnJob | CheckOutcome> {
  let started: KickoffResult;
  try {
    started = await ctx.kickoff(spec);
  } catch (err) {
    if (err instanceof KickoffBudgetExceeded) return skip(err.message);
    throw err;
  }
  // The id the target's control knows the job by, where there is one; else BCDA's /jobs/{id}.
  const id = started.jobUrl ? (ctx.control?.jobIdOf(started.jobUrl) ?? jobIdOf(started.jobUrl)) : undefined;
  if (!started.jobUrl || (options.needsId && !id))
    return skip(`the kick-off answered ${started.res.status}`, [started.res.exchange.id]);
  return { ...started, jobUrl: started.jobUrl, id };
}

/** True for the skip startOwnJob returns instead of a job. */
export const isOutcome = <J extends OwnJob>(value: J | CheckOutcome): value is CheckOutcome =>
  'outcome' in value;

/**
 * With mock control: a `_type=Patient` job of the check's own, forced into `state` (held there, as
 * a long real job would be). Undefined when no job could be started (the kick-off budget is spent,
 * or the target refused).
 */
export async function holdOwnJob(
  ctx: CheckContext,
  state: string,
  label: string,
): Promise<(OwnJob & { id: string }) | undefined> {
  const control = ctx.control;
  if (!control) return undefined;
  const job = await startOwnJob(
    ctx,
    { endpoint: 'patient', query: { _type: 'Patient' }, label },
    { needsId: true },
  );
  if (isOutcome(job)) return undefined;
  await control.forceJobState(job.id, state);
  return job;
}
