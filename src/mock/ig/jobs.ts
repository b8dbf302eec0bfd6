/**
 * Export jobs of the generic mock: made at kick-off with their files already computed, running for
 * a while of mock time (2 s / jobSpeed), then complete until cancelled. A job belongs to the client
 * whose token started it.
 */
import { randomUUID } from 'node:crypto';
import type { IgContext } from './context';
import type { ExportFile } from './export-data';

export interface IgJob {
  id: string;
  clientId: string;
  createdMs: number;
  durationMs: number;
  /** The manifest's `request`: the kick-off URL (for a POST, without parameters). */
  requestUrl: string;
  files: ExportFile[];
  /** The resource type the output files are organised by (organizeOutputBy), when they are. */
  organizedBy?: string;
  /** Set through control: the job answers 500 with an OperationOutcome. */
  failed?: boolean;
  /** Set through control: the job stays in progress, half done, until released. */
  held?: boolean;
  /** Cancelled but kept, under ig-cancelled-status-empty (its status answers an empty 404). */
  cancelled?: boolean;
}

/** Where a held job (and, under ig-failed-job-in-progress, a failed one) stays. */
const HELD_PERCENT = 50;

/** The base job duration at jobSpeed 1, in mock milliseconds. */
export const BASE_JOB_MS = 2000;

export function createJob(
  ctx: IgContext,
  clientId: string,
  requestUrl: string,
  files: Omit<ExportFile, 'name'>[],
  organizedBy?: string,
): IgJob {
  const id = randomUUID();
  const counts = new Map<string, number>();
  const named = files.map((f) => {
    const stem =
      f.kind === 'output' ? f.type : f.kind === 'deleted' ? `deleted-${f.scopeType ?? 'Bundle'}` : 'error';
    const n = (counts.get(stem) ?? 0) + 1;
    counts.set(stem, n);
    return { ...f, name: `${stem}-${n}.ndjson` };
  });
  const job: IgJob = {
    id,
    clientId,
    createdMs: ctx.clock.nowMs(),
    durationMs: BASE_JOB_MS / ctx.jobSpeed,
    requestUrl,
    files: named,
    ...(organizedBy ? { organizedBy } : {}),
  };
  ctx.jobs.set(id, job);
  return job;
}

/** How far the job is, 0 to 100 (100: complete). */
export function jobPercent(ctx: IgContext, job: IgJob): number {
  if (job.held || (job.failed && ctx.faults.has('ig-failed-job-in-progress'))) return HELD_PERCENT;
  const elapsed = ctx.clock.nowMs() - job.createdMs;
  return elapsed >= job.durationMs ? 100 : Math.max(0, Math.floor((elapsed / job.durationMs) * 100));
}
