/** Reading the job list (GET /jobs): shared by the jobs checks and the status checks that cross-check it. */
import type { CheckContext } from '../context';
import type { HttpResponse } from '../../http/client';
import type { TargetClient } from '../../http/target';

export const JOBS_HEADERS = { accept: 'application/fhir+json', prefer: 'respond-async' };

/** The documented mapping of the nine job states to Task.status (seed 001). */
export const TASK_STATUS: Record<string, string> = {
  Completed: 'completed',
  Archived: 'completed',
  Expired: 'completed',
  Failed: 'failed',
  FailedExpired: 'failed',
  'In Progress': 'in-progress',
  Pending: 'in-progress',
  Cancelled: 'cancelled',
  CancelledExpired: 'cancelled',
};

export interface TaskView {
  /** The job id, from the Task's first identifier. */
  id?: string;
  status?: unknown;
  raw: Record<string, unknown>;
}

/** The job id at the end of a status URL. */
export const jobIdOf = (url: string | undefined) => (url ? /\/jobs\/([^/?#]+)$/.exec(url)?.[1] : undefined);

/** The Tasks of a job-list answer, or undefined when it is not a Bundle. */
export function tasksOf(res: HttpResponse): TaskView[] | undefined {
  const body = res.json<Record<string, unknown>>();
  if (!body || body.resourceType !== 'Bundle') return undefined;
  const entries = Array.isArray(body.entry) ? body.entry : [];
  return entries.map((e: unknown) => {
    const raw = ((e as Record<string, unknown>)?.resource ?? {}) as Record<string, unknown>;
    const ident = Array.isArray(raw.identifier)
      ? (raw.identifier[0] as Record<string, unknown> | undefined)
      : undefined;
    const view: TaskView = { status: raw.status, raw };
    if (typeof ident?.value === 'string') view.id = ident.value;
    return view;
  });
}

export async function listJobs(
  ctx: CheckContext,
  status?: string,
  label = 'list jobs',
  client: TargetClient = ctx.target,
): Promise<HttpResponse> {
  return client.call(ctx.op('listJobs'), {
    label,
    headers: JOBS_HEADERS,
    ...(status ? { query: { _status: status } } : {}),
  });
}
