/**
 * Export jobs and their lifecycle on the mock clock (behavior §6). A job's state is computed from
 * its creation time, its duration and any cancel or forced state, so advancing the clock moves
 * every job at once without timers.
 */
import type { ApiVersion } from '../checks/types';
import type { ExportSpec, PlannedFile } from './data/types';

export const JOB_STATUSES = [
  'Pending',
  'In Progress',
  'Completed',
  'Archived',
  'Expired',
  'Failed',
  'FailedExpired',
  'Cancelled',
  'CancelledExpired',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export function isJobStatus(value: string): value is JobStatus {
  return (JOB_STATUSES as readonly string[]).includes(value);
}

/** BCDA's cleanup threshold (ARCHIVE_THRESHOLD_HR). */
export const DAY_MS = 24 * 60 * 60 * 1000;
/** Share of a job's duration spent Pending (the "prepare" step). */
const PENDING_SHARE = 0.25;

export interface Job {
  id: number;
  cmsId: string;
  version: ApiVersion;
  /** Absolute kick-off URL (manifest `request`, Task input). */
  requestUrl: string;
  /** URL-unescaped path and query, compared by the duplicate-job rate limit. */
  requestPathQuery: string;
  /** Raw `_type` value as sent, if any (the rate limit compares it as one string). */
  typeParam?: string;
  createdAtMs: number;
  durationMs: number;
  spec: ExportSpec;
  /** The worker will fail this job (e.g. v1 Observation). */
  willFail: boolean;
  /** Cancel (lifecycle continues to CancelledExpired) or a control-forced state (sticky). */
  override?: { status: JobStatus; atMs: number; sticky: boolean };
  /** Planned files, computed on first need. */
  files?: PlannedFile[];
}

export interface JobState {
  status: JobStatus;
  /** BCDA's updated_at: when the job last changed state. */
  updatedAtMs: number;
  /** Progress of an In Progress job, 0-99. */
  percent: number;
}

export function jobState(job: Job, nowMs: number): JobState {
  const o = job.override;
  if (o) {
    if (o.sticky)
      return { status: o.status, updatedAtMs: o.atMs, percent: o.status === 'In Progress' ? 50 : 0 };
    return expireAfterDay(o.status, o.atMs, nowMs);
  }
  const pendingEnd = job.createdAtMs + job.durationMs * PENDING_SHARE;
  const doneAt = job.createdAtMs + job.durationMs;
  if (nowMs < pendingEnd) return { status: 'Pending', updatedAtMs: job.createdAtMs, percent: 0 };
  if (job.willFail) return expireAfterDay('Failed', pendingEnd, nowMs);
  if (nowMs < doneAt) {
    const share = (nowMs - pendingEnd) / (doneAt - pendingEnd);
    return { status: 'In Progress', updatedAtMs: pendingEnd, percent: Math.min(99, Math.floor(share * 100)) };
  }
  return expireAfterDay('Completed', doneAt, nowMs);
}

/** The daily cleanup: Completed → Archived → Expired, Failed → FailedExpired, Cancelled → CancelledExpired. */
function expireAfterDay(status: JobStatus, atMs: number, nowMs: number): JobState {
  const next: Partial<Record<JobStatus, JobStatus>> = {
    Completed: 'Archived',
    Archived: 'Expired',
    Failed: 'FailedExpired',
    Cancelled: 'CancelledExpired',
  };
  let current = status;
  let since = atMs;
  for (let following = next[current]; following && nowMs >= since + DAY_MS; following = next[current]) {
    current = following;
    since += DAY_MS;
  }
  return { status: current, updatedAtMs: since, percent: 0 };
}

/** BCDA job states are in-flight while Pending or In Progress. */
export function isActive(status: JobStatus): boolean {
  return status === 'Pending' || status === 'In Progress';
}

/** In-memory job table with serial ids, like BCDA's jobs table. */
export class JobStore {
  private jobs = new Map<number, Job>();
  private nextId = 1;

  create(fields: Omit<Job, 'id' | 'spec'> & { spec: Omit<ExportSpec, 'jobId'> }): Job {
    const id = this.nextId++;
    const job: Job = { ...fields, id, spec: { ...fields.spec, jobId: id } };
    this.jobs.set(id, job);
    return job;
  }

  get(id: number): Job | undefined {
    return this.jobs.get(id);
  }

  all(): Job[] {
    return [...this.jobs.values()];
  }

  reset(): void {
    this.jobs.clear();
    this.nextId = 1;
  }
}
