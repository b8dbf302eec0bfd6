/**
 * The times a job list gives each job (seed 000 §/Jobs: its creation time, and the completion
 * time of a finished job), held against what the server itself said elsewhere: a job of the run
 * was created while its kick-off was being answered (by the kick-off answer's Date header, the
 * server's clock), and no job can have been created or have finished after the answer that lists
 * it was sent (its Date header). Not the manifest's transactionTime: BCDA's v1/v2 take it from
 * BFD's last update and v3 from when the job is prepared, which may be long after its creation.
 */
import type { CheckContext } from '../context';
import { jobIdOf, tasksOfBody } from './job-list';
import type { RecordedAnswer } from './recorded';

/**
 * How far a Task time may lie outside what an answer's Date allows: whole-second renderings, and
 * the clocks of the server's nodes (the one answering, the one that made or finished the job), may
 * disagree a little.
 */
const DATE_SKEW_MS = 60_000;

/** When a job may have been created, by the server's clock (epoch ms). */
interface CreationWindow {
  earliest: number;
  latest: number;
  /** The kick-off answer's Date, as sent. */
  date: string;
}

type Period = { start?: unknown; end?: unknown };

const instantOf = (v: unknown): number | undefined => {
  if (typeof v !== 'string') return undefined;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? ms : undefined;
};

/**
 * The run's followed jobs by id, each with when it was created: before its kick-off answer's Date,
 * and no earlier than that Date less the time the kick-off took (a job whose kick-off answer has
 * no Date is left out).
 */
export async function creationWindows(ctx: CheckContext): Promise<Map<string, CreationWindow>> {
  const out = new Map<string, CreationWindow>();
  for (const run of await ctx.followedExports()) {
    const id = jobIdOf(run.jobUrl);
    const date = run.kickoff?.headers['date'];
    const at = instantOf(date);
    if (!id || at === undefined || !date) continue;
    const took = run.kickoff?.exchange.durationMs ?? 0;
    out.set(id, { earliest: at - took - DATE_SKEW_MS, latest: at + DATE_SKEW_MS, date });
  }
  return out;
}

/** What is wrong with the times of the Tasks of one job-list answer. */
export function taskTimeProblems(
  answer: RecordedAnswer,
  body: unknown,
  created: ReadonlyMap<string, CreationWindow>,
): string[] {
  const served = instantOf(answer.exchange.response?.headers['date']);
  const problems: string[] = [];
  for (const task of tasksOfBody(body) ?? []) {
    const period = (task.raw as { executionPeriod?: Period }).executionPeriod;
    const start = instantOf(period?.start);
    const end = instantOf(period?.end);
    const name = `${answer.exchange.id} Task ${task.id ?? '?'}`;
    const window = task.id === undefined ? undefined : created.get(task.id);
    if (start !== undefined && window && (start < window.earliest || start > window.latest))
      problems.push(
        `${name}: executionPeriod.start ${String(period?.start)} is not when the job was created (its kick-off was answered at ${window.date})`,
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
