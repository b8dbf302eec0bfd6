/**
 * Faults of the job list written from seed 001's rows on job history (independent faults, issue 16
 * item 5): a filter matched against the raw _status text, a filter that falls back to the whole
 * list, an incomplete state mapping, and Tasks whose request, end or intent an implementation could
 * get wrong.
 */
import type { JobStatus } from './jobs';
import type { FaultSet } from './faults';

/**
 * Fault jobs-status-filter-raw-contains: a job matches when its state's name occurs anywhere in the
 * raw _status text, so _status=FailedExpired also lists Failed and Expired jobs.
 */
export function matchesRawStatusText(
  faults: FaultSet,
  statusText: string,
  status: JobStatus,
): boolean | undefined {
  return faults.has('jobs-status-filter-raw-contains') ? statusText.includes(status) : undefined;
}

/**
 * Fault jobs-archived-filter-files-gone: _status=Archived is read as "files no longer available" and
 * matches Expired jobs too (Completed ones stay out).
 */
export function archivedMeansFilesGone(
  faults: FaultSet,
  wanted: readonly string[],
  status: JobStatus,
): boolean {
  return faults.has('jobs-archived-filter-files-gone') && wanted.includes('Archived') && status === 'Expired';
}

/** Fault jobs-filtered-empty-lists-all: a _status filter that matches nothing answers the whole list. */
export function emptyFilterListsAll(faults: FaultSet, filtered: boolean, matched: number): boolean {
  return faults.has('jobs-filtered-empty-lists-all') && filtered && matched === 0;
}

/** The states a mapping written from memory knows (fault jobs-task-status-unmapped-states). */
const REMEMBERED_STATES: ReadonlySet<JobStatus> = new Set([
  'Pending',
  'In Progress',
  'Completed',
  'Failed',
  'Cancelled',
]);

/** Task.status under the seed 001 status faults, given the documented one. */
export function seed001TaskStatus(faults: FaultSet, state: JobStatus, documented: string): string {
  // Fault jobs-task-status-unmapped-states: states missing from the mapping fall back to their own name.
  if (faults.has('jobs-task-status-unmapped-states') && !REMEMBERED_STATES.has(state))
    return state.toLowerCase().replace(/ /g, '-');
  // Fault jobs-pending-task-requested: a queued job reads as FHIR's "requested".
  if (faults.has('jobs-pending-task-requested') && state === 'Pending') return 'requested';
  return documented;
}

/** Edits one written Task (the `index`th of its list) for the seed 001 Task faults. */
export function applySeed001TaskFaults(faults: FaultSet, task: Record<string, unknown>, index: number): void {
  // Fault jobs-task-request-path-only: the request is written from the router's path, without scheme and host.
  if (faults.has('jobs-task-request-path-only') && Array.isArray(task['input']))
    for (const input of task['input'] as Array<{ valueString?: string }>)
      if (typeof input.valueString === 'string')
        input.valueString = input.valueString.replace(/^GET [a-z]+:\/\/[^/]+/, 'GET ');
  // Fault jobs-task-end-completed-only: the end comes from a completion time, which only completed jobs have.
  const period = task['executionPeriod'] as { start?: string; end?: string } | undefined;
  if (faults.has('jobs-task-end-completed-only') && period && task['status'] !== 'completed')
    delete period.end;
  // Fault jobs-task-start-date-only: the start written with a date layout, its time of day lost.
  if (faults.has('jobs-task-start-date-only') && typeof period?.start === 'string')
    period.start = period.start.slice(0, 10);
  // Fault jobs-task-intent-first-only: only the first Task of a list carries intent.
  if (faults.has('jobs-task-intent-first-only') && index > 0) delete task['intent'];
}
