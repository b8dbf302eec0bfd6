/**
 * A status URL for a job that does not exist, derived from one the server handed out: a generic
 * server's status URLs have any shape (…/bulkstatus/<uuid>, …/jobs?id=…), so the only safe guess is
 * the real URL with its job id swapped for one of the same form that no job has.
 */
import { randomUUID } from 'node:crypto';
import type { CheckContext } from '../context';
import type { HttpResponse } from '../../http/client';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A value shaped like `id` (digits, a UUID, hex or a word) that names no job. */
function unknownLike(id: string): string {
  if (/^\d+$/.test(id)) return '9'.repeat(Math.max(9, id.length + 3));
  if (UUID.test(id)) return randomUUID();
  if (/^[0-9a-f]+$/i.test(id) && id.length >= 8) return randomUUID().replace(/-/g, '').slice(0, id.length);
  return `no-such-job-${randomUUID().slice(0, 8)}`;
}

/**
 * The job URL with its id replaced: the last path segment, or, when the path ends in a fixed word and
 * the query carries the id, the last query value. Undefined when the URL cannot be read.
 */
export function unknownJobUrl(jobUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(jobUrl);
  } catch {
    return undefined;
  }
  const params = [...url.searchParams.entries()];
  const segments = url.pathname.split('/');
  const last = segments[segments.length - 1] ?? '';
  const lastParam = params[params.length - 1];
  if (lastParam && lastParam[1] && !/\d/.test(last)) {
    url.searchParams.set(lastParam[0], unknownLike(lastParam[1]));
    return url.toString();
  }
  if (!last) return undefined;
  segments[segments.length - 1] = encodeURIComponent(unknownLike(decodeURIComponent(last)));
  url.pathname = segments.join('/');
  return url.toString();
}

/**
 * Sends `method` to an unknown job derived from the shared export's status URL; a sentence saying
 * why not when the run has no job URL to derive it from.
 */
export async function unknownJobRequest(
  ctx: CheckContext,
  method: 'GET' | 'DELETE',
  label: string,
): Promise<HttpResponse | string> {
  const run = await ctx.mainExport();
  const url = run.jobUrl && unknownJobUrl(run.jobUrl);
  if (!url)
    return `no status URL to derive an unknown job from: ${run.problem ?? 'the shared export has none'}`;
  return ctx.target.http.send({
    method,
    url,
    label,
    operationId: ctx.op(method === 'GET' ? 'getJobStatus' : 'cancelJob'),
    headers: { accept: 'application/fhir+json', authorization: await ctx.target.authorization('token') },
  });
}
