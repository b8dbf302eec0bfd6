/**
 * The times a job list gives each job (seed 000 §/Jobs: its creation time, and the completion
 * time of a finished job), held against what the server itself said elsewhere: a job of the run
 * was created when its manifest's transactionTime says (the server's time when the export began),
 * and no job can have been created or have finished after the answer that lists it was sent (its
 * Date header, the server's clock).
 */
import type { CheckContext } from '../context';
import { jobIdOf, tasksOfBody } from './job-list';
import type { RecordedAnswer } from './recorded';

/** How far a Task's start may lie from its job's transactionTime: both are the server's "now" at kick-off. */
export const CREATION_TOLERANCE_MS = 5_000;
/**
 * How far after the answer's Date a Task time may lie: whole-second renderings, and the clocks of the
 * server's nodes (the one answering, the one that finished the job), may disagree a little.
 */
const DATE_SKEW_MS = 60_000;

type Period = { start?: unknown; end?: unknown };

const instantOf = (v: unknown): number | undefined => {
  if (typeof v !== 'string') return undefined;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? ms : undefined;
};

/** The run's followed exports' job ids and their manifests' transactionTime. */
export async function createdAtByJob(ctx: CheckContext): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const run of await ctx.followedExports()) {
    const id = jobIdOf(run.jobUrl);
    const at = instantOf(run.manifest?.transactionTime);
    if (id && at !== undefined) out.set(id, at);
  }
  return out;
}

/** What is wrong with the times of the Tasks of one job-list answer. */
export function taskTimeProblems(
  answer: RecordedAnswer,
  body: unknown,
  createdAt: ReadonlyMap<string, number>,
): string[] {
  const served = instantOf(answer.exchange.response?.headers['date']);
  const problems: string[] = [];
  for (const task of tasksOfBody(body) ?? []) {
    const period = (task.raw as { executionPeriod?: Period }).executionPeriod;
    const start = instantOf(period?.start);
    const end = instantOf(period?.end);
    const name = `${answer.exchange.id} Task ${task.id ?? '?'}`;
    const created = task.id === undefined ? undefined : createdAt.get(task.id);
    if (start !== undefined && created !== undefined && Math.abs(start - created) > CREATION_TOLERANCE_MS)
      problems.push(
        `${name}: executionPeriod.start ${String(period?.start)} is not the job's creation time (its manifest's transactionTime ${new Date(created).toISOString()})`,
      );
    if (served === undefined) continue;
    for (const [what, at] of [
      ['start', start],
      ['end', end],
    ] as const)
      if (at !== undefined && at > served + DATE_SKEW_MS)
        problems.push(
          `${name}: executionPeriod.${what} ${String(period?.[what])} lies after the answer listing it was sent (Date ${answer.exchange.response?.headers['date']})`,
        );
  }
  return problems;
}
