/** The completed-job manifest (behavior §2.3, seed 001 "Response example: completed job"). */
import type { MockContext } from './context';
import { horizonFor } from './data/beneficiary';
import type { PlannedFile } from './data/types';
import type { FaultName } from './faults';
import { rfc3339Nano } from './formats';
import type { Job } from './jobs';

/**
 * The file plans of the jobs most recently polled or downloaded. A plan is cheap to hold but
 * costs a pass over the ACO's beneficiaries to make, and a client walks one job's files at a time;
 * holding every job's plan would let one client grow the mock without end.
 */
export class PlanCache {
  private readonly plans = new Map<Job, PlannedFile[]>();

  constructor(private readonly size = 32) {}

  get(job: Job, make: () => PlannedFile[]): PlannedFile[] {
    let plan = this.plans.get(job);
    if (plan) {
      this.plans.delete(job); // re-inserted below: Map order is recency order
    } else {
      plan = make();
      if (this.plans.size >= this.size) this.plans.delete(this.plans.keys().next().value!);
    }
    this.plans.set(job, plan);
    return plan;
  }

  clear(): void {
    this.plans.clear();
  }
}

/** The job's planned files. */
export function jobFiles(ctx: MockContext, job: Job): PlannedFile[] {
  return ctx.plans.get(job, () => {
    let plan = ctx.generator.planExport(job.spec);
    if (ctx.faults.has('manifest-file-names-not-uuid')) plan = namedByType(plan);
    if (ctx.faults.has('manifest-error-file-unpaired')) plan = unpairedErrorFiles(plan, job.id);
    if (ctx.faults.has('manifest-error-lists-empty-file')) plan = emptyErrorFilePerType(plan);
    if (ctx.faults.has('manifest-file-uuid-time-based')) plan = timeBasedNames(plan);
    return ctx.faults.has('manifest-lists-empty-file') ? withEmptyFile(plan) : plan;
  });
}

/** Fault manifest-file-names-not-uuid: files named after their type and place, guessable. */
function namedByType(plan: PlannedFile[]): PlannedFile[] {
  const names = new Map<string, string>();
  plan
    .filter((f) => f.kind === 'output')
    .forEach((f, i) => names.set(f.name, `${f.type.toLowerCase()}-${i + 1}.ndjson`));
  return plan.map((f) => {
    const data = f.kind === 'output' ? f.name : f.name.replace(/-error\.ndjson$/, '.ndjson');
    const renamed = names.get(data);
    if (!renamed) return f;
    return { ...f, name: f.kind === 'output' ? renamed : renamed.replace(/\.ndjson$/, '-error.ndjson') };
  });
}

/**
 * Fault manifest-file-uuid-time-based: each UUID's version nibble says 1 (time-based, as Go's
 * uuid.NewUUID makes) instead of 4 (random); error files keep their data file's UUID.
 */
function timeBasedNames(plan: PlannedFile[]): PlannedFile[] {
  return plan.map((f) => ({ ...f, name: f.name.replace(/^([0-9a-f]{8}-[0-9a-f]{4}-)4/, '$11') }));
}

/** Fault manifest-error-file-unpaired: each error file gets a UUID no data file has. */
function unpairedErrorFiles(plan: PlannedFile[], jobId: number): PlannedFile[] {
  let n = 0;
  return plan.map((f) => {
    if (f.kind !== 'error' || !f.name.endsWith('-error.ndjson')) return f;
    n += 1;
    const tail = `${jobId.toString(16)}${n.toString(16)}`.padStart(12, '0').slice(-12);
    return { ...f, name: `00000000-0000-4000-8000-${tail}-error.ndjson` };
  });
}

/**
 * Fault manifest-error-lists-empty-file: one more error file per resource type, beside its last
 * data file, covering no beneficiary: listed and served with no line.
 */
function emptyErrorFilePerType(plan: PlannedFile[]): PlannedFile[] {
  const last = new Map(plan.filter((f) => f.kind === 'output').map((f) => [f.type, f]));
  const extra = [...last.values()].map((f): PlannedFile => ({
    // A UUID of its own (the data file's, its first group reversed), named as error files are.
    name: f.name
      .replace(/^[0-9a-f]{8}/, (head) => [...head].reverse().join(''))
      .replace(/\.ndjson$/, '-error.ndjson'),
    type: 'OperationOutcome',
    kind: 'error',
    beneficiaries: [f.beneficiaries[1], f.beneficiaries[1]],
  }));
  return [...plan, ...extra];
}

/**
 * Fault manifest-lists-empty-file: one more output file of the last output's type that covers no
 * beneficiary, so it is listed and served with no line, as a sub-job that found no data would be.
 */
function withEmptyFile(plan: PlannedFile[]): PlannedFile[] {
  const last = plan.filter((f) => f.kind === 'output').at(-1);
  if (!last) return plan;
  const end = last.beneficiaries[1];
  const empty: PlannedFile = {
    name: last.name.replace(/\.ndjson$/, '-empty.ndjson'),
    type: last.type,
    kind: 'output',
    beneficiaries: [end, end],
  };
  return [...plan, empty];
}

export function buildManifest(ctx: MockContext, job: Job, base: string): Record<string, unknown> {
  const has = (name: FaultName): boolean => ctx.faults.has(name);
  // Fault manifest-filtered-relative-urls: a job started with _since or _type lists paths only;
  // fault manifest-urls-under-api-path: the files are placed under the API's path.
  const filtered = job.spec.since !== undefined || job.typeParam !== undefined;
  const fileBase =
    (has('manifest-relative-urls') || (filtered && has('manifest-filtered-relative-urls')) ? '' : base) +
    (has('manifest-urls-under-api-path') ? `/api/${job.version}` : '');
  const files = jobFiles(ctx, job);
  // Fault manifest-urls-previous-job-id: the file URLs name the job id before this one.
  const dir = has('manifest-urls-previous-job-id') ? job.id - 1 : job.id;
  const output: Array<Record<string, string>> = files
    .filter((f) => f.kind === 'output')
    .map((f) => ({ type: f.type, url: `${fileBase}/data/${dir}/${f.name}` }));
  // Fault manifest-error-typed-as-data: an error entry takes the type of the data file it pairs with.
  const pairedType = (name: string): string =>
    (has('manifest-error-typed-as-data') &&
      files.find((d) => d.kind === 'output' && d.name === name.replace(/-error\.ndjson$/, '.ndjson'))
        ?.type) ||
    'OperationOutcome';
  const error = files
    .filter((f) => f.kind === 'error')
    .map((f) => ({ type: pairedType(f.name), url: `${fileBase}/data/${dir}/${f.name}` }));

  const first = output[0];
  if (first && has('manifest-output-wrong-type'))
    first.type = first.type === 'Patient' ? 'Coverage' : 'Patient';
  if (first && has('manifest-dead-url'))
    first.url = `${fileBase}/data/${job.id}/00000000-0000-4000-8000-000000000000.ndjson`;
  if (has('manifest-output-missing-type')) for (const item of output) delete item.type;
  // Fault manifest-type-lowercase: each entry labelled as its file name is spelt (patient, coverage).
  if (has('manifest-type-lowercase'))
    for (const item of output) if (item.type) item.type = item.type.toLowerCase();
  // Fault manifest-types-share-url: Coverage is listed, but under the first Patient file's URL.
  const patientUrl = output.find((item) => item.type === 'Patient')?.url;
  if (patientUrl && has('manifest-types-share-url'))
    for (const item of output) if (item.type === 'Coverage') item.url = patientUrl;

  const manifest: Record<string, unknown> = {};
  if (!has('manifest-no-transaction-time')) {
    // The real server's v1/v2 give BFD's last data load (behavior §2.3), not the export's start.
    const shown =
      ctx.quirks && job.spec.version !== 'v3'
        ? new Date(horizonFor(job.spec.transactionTime))
        : job.spec.transactionTime;
    // Fault manifest-transaction-time-is-expiry: the files' expiry, 24 h on, given as transactionTime.
    const given = has('manifest-transaction-time-is-expiry') ? new Date(shown.getTime() + 86_400_000) : shown;
    manifest.transactionTime = has('manifest-bad-transaction-time')
      ? rfc3339Nano(given).slice(0, 10)
      : has('manifest-transaction-time-no-zone')
        ? rfc3339Nano(given).replace(/(Z|[+-]\d\d:\d\d)$/, '')
        : rfc3339Nano(given);
  }
  if (!has('manifest-no-request')) {
    manifest.request = has('manifest-wrong-request')
      ? job.requestUrl.replace('$export', '$everything')
      : has('manifest-request-drops-query')
        ? job.requestUrl.split('?')[0]
        : has('manifest-request-internal-host')
          ? internalHostUrl(job.requestUrl)
          : has('manifest-request-previous-job')
            ? previousRequestUrl(ctx, job)
            : job.requestUrl;
  }
  manifest.requiresAccessToken = has('manifest-requires-access-token-string')
    ? 'true'
    : !has('manifest-requires-access-token-false');
  // Fault manifest-empty-output-null: an export that found nothing says null, not [].
  manifest.output = output.length === 0 && has('manifest-empty-output-null') ? null : output;
  // Fault manifest-output-keyed-by-type: {"Patient": [url, ...], ...} instead of [{type, url}, ...].
  if (has('manifest-output-keyed-by-type')) {
    const byType: Record<string, string[]> = {};
    for (const item of output) if (item.type && item.url) (byType[item.type] ??= []).push(item.url);
    manifest.output = byType;
  }
  manifest.error = has('manifest-error-not-array') ? null : error;
  manifest.JobID = has('manifest-wrong-job-id')
    ? job.id - 1
    : has('manifest-job-id-string')
      ? String(job.id)
      : job.id;
  return manifest;
}

/**
 * Fault manifest-request-internal-host: the kick-off URL as the application behind the proxy saw
 * it, on its own host and port.
 */
function internalHostUrl(url: string): string {
  return url.replace(/^https?:\/\/[^/]+/, 'http://localhost:3000');
}

/**
 * Fault manifest-request-previous-job: the kick-off URL of the organization's job before this one,
 * as from a lookup of "the organization's last request" (its first job keeps its own).
 */
function previousRequestUrl(ctx: MockContext, job: Job): string {
  let previous: Job | undefined;
  for (const j of ctx.jobs.ofAco(job.cmsId))
    if (j.id < job.id && (!previous || j.id > previous.id)) previous = j;
  return (previous ?? job).requestUrl;
}

/** True when `name` is one of the job's files (and not blocked by a fault). */
export function findFile(ctx: MockContext, job: Job, name: string): PlannedFile | undefined {
  return jobFiles(ctx, job).find((f) => f.name === name);
}
