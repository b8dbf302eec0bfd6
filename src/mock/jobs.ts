/**
 * Export jobs and their lifecycle on the mock clock (behavior §6). A job's state is computed from
 * its creation time, its duration and any cancel or forced state, so advancing the clock moves
 * every job at once without timers.
 *
 * What is kept is bounded per ACO, so one client cannot grow the mock without end: a job leaves
 * memory a day after its lifecycle ended (Expired, FailedExpired, CancelledExpired), and past the
 * cap the ACO's oldest job does too. A job that left answers as an expired one; all that is
 * remembered of them is the highest such id per ACO.
 */
import type { ApiVersion } from '../core/vocabulary';
import type { ExportSpec } from './data/types';

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
  /** Digest of the URL-unescaped path and query, compared by the duplicate-job rate limit. */
  requestKey: string;
  /** Raw `_type` value as sent, if any (the rate limit compares it as one string). */
  typeParam?: string;
  createdAtMs: number;
  durationMs: number;
  spec: ExportSpec;
  /** The worker will fail this job (e.g. v1 Observation). */
  willFail: boolean;
  /** Cancel (lifecycle continues to CancelledExpired) or a control-forced state (sticky). */
  override?: { status: JobStatus; atMs: number; sticky: boolean };
  /** How long a Completed job keeps its files before it is Archived (default DAY_MS; fault download-expires-early). */
  archiveAfterMs?: number;
  /** Mock times of the latest status requests, while a poll rate limit is on (JobStore.notePoll). */
  polls?: number[];
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
    return expireAfterDay(o.status, o.atMs, nowMs, job.archiveAfterMs);
  }
  const pendingEnd = job.createdAtMs + job.durationMs * PENDING_SHARE;
  const doneAt = job.createdAtMs + job.durationMs;
  if (nowMs < pendingEnd) return { status: 'Pending', updatedAtMs: job.createdAtMs, percent: 0 };
  if (job.willFail) return expireAfterDay('Failed', pendingEnd, nowMs);
  if (nowMs < doneAt) {
    const share = (nowMs - pendingEnd) / (doneAt - pendingEnd);
    return { status: 'In Progress', updatedAtMs: pendingEnd, percent: Math.min(99, Math.floor(share * 100)) };
  }
  return expireAfterDay('Completed', doneAt, nowMs, job.archiveAfterMs);
}

/**
 * The daily cleanup: Completed → Archived → Expired, Failed → FailedExpired, Cancelled → CancelledExpired.
 * `firstStepMs` replaces the day a Completed job keeps its files (a fault archives them early).
 */
function expireAfterDay(status: JobStatus, atMs: number, nowMs: number, firstStepMs = DAY_MS): JobState {
  const next: Partial<Record<JobStatus, JobStatus>> = {
    Completed: 'Archived',
    Archived: 'Expired',
    Failed: 'FailedExpired',
    Cancelled: 'CancelledExpired',
  };
  let current = status;
  let since = atMs;
  const step = (from: JobStatus) => (from === 'Completed' ? firstStepMs : DAY_MS);
  for (
    let following = next[current];
    following && nowMs >= since + step(current);
    following = next[current]
  ) {
    since += step(current);
    current = following;
  }
  return { status: current, updatedAtMs: since, percent: 0 };
}

/** BCDA job states are in-flight while Pending or In Progress. */
export function isActive(status: JobStatus): boolean {
  return status === 'Pending' || status === 'In Progress';
}

/** The states a job's lifecycle ends in. */
const FINAL_STATUSES: ReadonlySet<JobStatus> = new Set(['Expired', 'FailedExpired', 'CancelledExpired']);

/**
 * True a day after the job reached a final state by time (as long as BCDA's cleanup takes to get
 * there, and so a clock moved ahead and back again rarely finds a job gone); a state forced
 * through control never ends.
 */
export function lifecycleOver(job: Job, nowMs: number): boolean {
  if (job.override?.sticky === true) return false;
  const state = jobState(job, nowMs);
  return FINAL_STATUSES.has(state.status) && nowMs >= state.updatedAtMs + DAY_MS;
}

/** Default number of jobs kept per ACO. */
export const DEFAULT_MAX_JOBS_PER_ACO = 1000;

/** What a job id means to the ACO asking about it. */
export type JobLookup =
  | { kind: 'own'; job: Job }
  /** The ACO's job, gone from memory (lifecycle over, or past the cap): it answers as expired. */
  | { kind: 'gone' }
  /** Another ACO's job; `job` when it is still kept. */
  | { kind: 'foreign'; job?: Job }
  | { kind: 'unknown' };

/**
 * At most `limit` status requests for one job in any `windowSeconds` of mock time; a limit of 0
 * switches it off. BCDA has no such limit; the Bulk Data IG recommends one (bulkdata@128).
 */
export interface PollRateLimit {
  limit: number;
  windowSeconds: number;
}

export const NO_POLL_RATE_LIMIT: PollRateLimit = { limit: 0, windowSeconds: 0 };

/** Mock time between two sweeps for jobs whose lifecycle is over. */
const SWEEP_EVERY_MS = 60_000;

/** In-memory job table with serial ids, like BCDA's jobs table, bounded per ACO. */
export class JobStore {
  private readonly byId = new Map<number, Job>();
  /** Per ACO, its kept jobs in id order (Map order is insertion order). */
  private readonly byAco = new Map<string, Map<number, Job>>();
  /** Per ACO, the highest id of its jobs that left memory. */
  private readonly goneUpTo = new Map<string, number>();
  private nextId = 1;
  private sweptAtMs = Number.NEGATIVE_INFINITY;
  /**
   * Off unless a control request sets it: clients that poll on a frozen or fast-forwarded clock
   * (the load driver, tests) would otherwise meet it without polling any faster than asked.
   */
  pollRateLimit: PollRateLimit = NO_POLL_RATE_LIMIT;

  constructor(readonly maxPerAco = DEFAULT_MAX_JOBS_PER_ACO) {}

  /**
   * Counts a status request for `job` under the poll rate limit. Over the limit it is not counted
   * and the answer is the seconds until the oldest counted request leaves the window (at least 1).
   */
  notePoll(job: Job, nowMs: number): number | undefined {
    const { limit, windowSeconds } = this.pollRateLimit;
    if (limit === 0) {
      delete job.polls;
      return undefined;
    }
    const windowMs = windowSeconds * 1000;
    const recent = (job.polls ?? []).filter((t) => t > nowMs - windowMs && t <= nowMs);
    job.polls = recent;
    if (recent.length >= limit) return Math.max(1, Math.ceil((recent[0]! + windowMs - nowMs) / 1000));
    recent.push(nowMs);
    return undefined;
  }

  create(fields: Omit<Job, 'id' | 'spec'> & { spec: Omit<ExportSpec, 'jobId'> }): Job {
    this.sweep(fields.createdAtMs);
    const id = this.nextId++;
    const job: Job = { ...fields, id, spec: { ...fields.spec, jobId: id } };
    this.byId.set(id, job);
    let own = this.byAco.get(job.cmsId);
    if (!own) this.byAco.set(job.cmsId, (own = new Map()));
    own.set(id, job);
    if (own.size > this.maxPerAco) {
      const oldest = own.values().next().value;
      if (oldest) this.drop(oldest);
    }
    return job;
  }

  /** A kept job by id, whoever owns it and whatever its state (tests, control, fault paths). */
  get(id: number): Job | undefined {
    return this.byId.get(id);
  }

  /** Every kept job in id order, those whose lifecycle just ended included. */
  all(): Job[] {
    return [...this.byId.values()];
  }

  /** The ACO's kept jobs in id order. */
  ofAco(cmsId: string): IterableIterator<Job> {
    return (this.byAco.get(cmsId) ?? new Map<number, Job>()).values();
  }

  /** Job `id` as seen by ACO `cmsId`; a job of its own whose lifecycle is over leaves here. */
  lookup(id: number, cmsId: string, nowMs: number): JobLookup {
    const job = this.byId.get(id);
    if (job) {
      if (job.cmsId !== cmsId) return { kind: 'foreign', job };
      if (!lifecycleOver(job, nowMs)) return { kind: 'own', job };
      this.drop(job);
      return { kind: 'gone' };
    }
    if (!Number.isSafeInteger(id) || id < 1 || id >= this.nextId) return { kind: 'unknown' };
    // Not kept, so it left. Below the ACO's highest gone id it is taken for one of its own (an
    // approximation: it may have been another ACO's); above, it cannot have been the ACO's.
    return id <= (this.goneUpTo.get(cmsId) ?? 0) ? { kind: 'gone' } : { kind: 'foreign' };
  }

  /**
   * Drops the jobs whose lifecycle is over. Runs at most once a minute of mock time unless
   * forced (readers that list jobs filter them out anyway, so the timing is not visible).
   */
  sweep(nowMs: number, force = false): void {
    if (!force && nowMs >= this.sweptAtMs && nowMs - this.sweptAtMs < SWEEP_EVERY_MS) return;
    this.sweptAtMs = nowMs;
    for (const job of this.byId.values()) if (lifecycleOver(job, nowMs)) this.drop(job);
  }

  private drop(job: Job): void {
    this.byId.delete(job.id);
    this.byAco.get(job.cmsId)?.delete(job.id);
    if (job.id > (this.goneUpTo.get(job.cmsId) ?? 0)) this.goneUpTo.set(job.cmsId, job.id);
  }

  reset(): void {
    this.byId.clear();
    this.byAco.clear();
    this.goneUpTo.clear();
    this.nextId = 1;
    this.sweptAtMs = Number.NEGATIVE_INFINITY;
    this.pollRateLimit = NO_POLL_RATE_LIMIT;
  }
}
