/**
 * Cancel (seed 001 §Cancel a job, bulkdata@305–309, @122, behavior §2.4), the job list with its
 * Task status mapping (seed 001 §Request job history, behavior §2.5), attribution status
 * (seed 001 §Request attribution status, behavior §2.6) and the duplicate-job 429 (seed 001,
 * seed 003 FAQ, behavior §4).
 */
import {
  type CheckContext,
  type CheckDefinition,
  KickoffBudgetExceeded,
  fail,
  pass,
  skip,
  warn,
  verdict,
} from './context';
import type { HttpResponse } from '../http/client';
import { retryAfterMs } from '../auth/tokens';
import {
  joinProblems,
  mediaType,
  operationOutcomeProblems,
  statusProblem,
  errorAnswerProblems,
} from './kit/expect';
import type { CheckOutcome } from './types';
import { TASK_STATUS, jobIdOf, listJobs, tasksOf } from './kit/job-list';

const V = ['V1', 'V2', 'V3'];
const ops = (base: string) => V.map((v) => base + v);

interface CancelFlow {
  jobUrl?: string;
  problem?: string;
  kickoff?: HttpResponse;
  cancel?: HttpResponse;
  statusAfter?: HttpResponse;
  cancelAgain?: HttpResponse;
}

/** Kick off a small job, cancel it at once, look at it, cancel it again. Shared by the cancel checks. */
function cancelFlow(ctx: CheckContext): Promise<CancelFlow> {
  return ctx.once('flow:cancel', async () => {
    const flow: CancelFlow = {};
    try {
      const started = await ctx.kickoff({
        endpoint: 'patient',
        query: { _type: 'Patient' },
        label: 'kick-off of a job to cancel',
      });
      flow.kickoff = started.res;
      if (!started.jobUrl) {
        flow.problem = `the kick-off answered ${started.res.status}`;
        return flow;
      }
      flow.jobUrl = started.jobUrl;
      const headers = {
        authorization: await ctx.target.authorization('token'),
        accept: 'application/fhir+json',
      };
      flow.cancel = await ctx.target.http.send({
        method: 'DELETE',
        url: started.jobUrl,
        label: 'cancel a running job',
        operationId: ctx.op('cancelJob'),
        headers,
      });
      ctx.keep(started.jobUrl);
      flow.statusAfter = await ctx.target.get(started.jobUrl, {
        label: 'status of the cancelled job',
        operationId: ctx.op('getJobStatus'),
      });
      flow.cancelAgain = await ctx.target.http.send({
        method: 'DELETE',
        url: started.jobUrl,
        label: 'cancel the cancelled job again',
        operationId: ctx.op('cancelJob'),
        headers,
      });
    } catch (err) {
      if (err instanceof KickoffBudgetExceeded) flow.problem = err.message;
      else throw err;
    }
    return flow;
  });
}

function cancelCheck(
  def: Omit<CheckDefinition, 'run' | 'area' | 'operations'>,
  pick: (f: CancelFlow) => HttpResponse | undefined,
  judge: (res: HttpResponse, ctx: CheckContext) => CheckOutcome,
): CheckDefinition {
  return {
    ...def,
    area: 'cancel',
    operations: [...ops('cancelJob'), ...ops('getJobStatus')],
    async run(ctx) {
      const flow = await cancelFlow(ctx);
      const res = pick(flow);
      if (!res) return skip(flow.problem ?? 'an earlier step of the cancel flow did not happen');
      return judge(res, ctx);
    },
  };
}

export const cancelChecks: CheckDefinition[] = [
  cancelCheck(
    {
      id: 'CANCEL-ACCEPTED',
      title: 'DELETE on a running job answers 202',
      description: 'Cancelling a job that is pending or in progress answers 202 Accepted.',
      level: 'MUST',
      profiles: ['bcda', 'bulk-data-ig'],
      refs: ['seed:001 §Cancel a job', 'bulkdata@305', 'bulkdata@306', 'behavior §2.4'],
      faults: ['cancel-returns-200'],
    },
    (f) => f.cancel,
    (res) =>
      res.status === 202
        ? pass('202 Accepted', [res.exchange.id])
        : fail(`status ${res.status}, expected 202`, [res.exchange.id]),
  ),
  cancelCheck(
    {
      id: 'CANCEL-THEN-NOT-FOUND',
      title: 'a cancelled job answers 404 with an OperationOutcome',
      description:
        'After a successful DELETE, polling the job answers 404 Not Found with an OperationOutcome (BCDA: "Job has been cancelled.").',
      level: 'MUST',
      profiles: ['bcda', 'bulk-data-ig'],
      refs: ['bulkdata@122', 'behavior §2.3'],
      faults: ['cancel-ignored'],
    },
    (f) => (f.cancel?.status === 202 ? f.statusAfter : undefined),
    (res, ctx) => {
      const want =
        ctx.config.profile === 'bcda'
          ? { code: 'not-found', diagnostics: 'Job has been cancelled.', contentType: true }
          : { contentType: true };
      const problem = joinProblems(errorAnswerProblems(res, 404, want));
      return verdict(problem, '404 with an OperationOutcome', [res.exchange.id]);
    },
  ),
  cancelCheck(
    {
      id: 'CANCEL-TWICE-GONE',
      title: 'cancelling a job that is no longer running answers 410',
      description:
        'Only pending or in-progress jobs can be cancelled: a second DELETE answers 410 Gone with an OperationOutcome ("job was not cancelled because it is not Pending or In Progress").',
      level: 'SHOULD',
      profiles: ['bcda'],
      refs: ['behavior §2.4', 'bulkdata@308'],
      faults: ['cancel-finished-job-202'],
    },
    (f) => (f.cancel?.status === 202 ? f.cancelAgain : undefined),
    (res) => {
      const problem = joinProblems(
        errorAnswerProblems(res, 410, {
          code: 'not-found',
          diagnostics: 'job was not cancelled because it is not Pending or In Progress',
        }),
      );
      return verdict(problem, '410 with an OperationOutcome', [res.exchange.id]);
    },
  ),
  {
    id: 'CANCEL-UNKNOWN-JOB',
    title: 'cancelling a job that does not exist answers 404',
    description: 'DELETE /jobs/0 answers 404 with an OperationOutcome.',
    level: 'MUST',
    area: 'cancel',
    profiles: ['bcda', 'bulk-data-ig'],
    refs: ['behavior §2.4', 'bulkdata@308', 'bulkdata@309'],
    operations: ops('cancelJob'),
    faults: ['status-unknown-job-200'],
    async run(ctx) {
      const res = await ctx.target.call(ctx.op('cancelJob'), { label: 'cancel job 0', path: { jobId: 0 } });
      const problem = joinProblems(errorAnswerProblems(res, 404));
      return verdict(problem, '404 with an OperationOutcome', [res.exchange.id]);
    },
  },
];

/* ---------------------------------------------------------------- /jobs */

const JOB_STATES = Object.keys(TASK_STATUS);

function jobsCheck(def: Omit<CheckDefinition, 'area' | 'operations'>): CheckDefinition {
  return { ...def, area: 'jobs', operations: ops('listJobs') };
}

export const jobsChecks: CheckDefinition[] = [
  jobsCheck({
    id: 'JOBS-LIST-BUNDLE',
    title: 'the job list is a searchset Bundle of Tasks',
    description:
      "GET /jobs answers 200 with a FHIR Bundle (type searchset, total equal to the number of entries) whose entries are Task resources, the run's export among them.",
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['seed:001 §Request job history', 'seed:000 §/Jobs', 'behavior §2.5'],
    faults: ['jobs-not-bundle'],
    async run(ctx) {
      const main = await ctx.mainExport();
      const res = await listJobs(ctx);
      const body = res.json<Record<string, unknown>>();
      const tasks = tasksOf(res);
      const mainId = jobIdOf(main.jobUrl);
      const problems = [
        statusProblem(res, 200),
        body?.resourceType === 'Bundle'
          ? undefined
          : `resourceType is ${JSON.stringify(body?.resourceType)}, expected "Bundle"`,
        body?.type === 'searchset'
          ? undefined
          : `Bundle.type is ${JSON.stringify(body?.type)}, expected "searchset"`,
        tasks && body?.total !== tasks.length
          ? `total is ${JSON.stringify(body?.total)} but there are ${tasks.length} entries`
          : undefined,
        tasks?.some((t) => t.raw.resourceType !== 'Task') ? 'an entry is not a Task' : undefined,
        mainId && tasks && !tasks.some((t) => t.id === mainId)
          ? `the run's job ${mainId} is not listed`
          : undefined,
      ];
      const problem = joinProblems(problems);
      return verdict(problem, `${tasks?.length ?? 0} Task(s)`, [res.exchange.id]);
    },
  }),
  jobsCheck({
    id: 'JOBS-TASK-SHAPE',
    title: 'each Task names its job, request and times',
    description:
      'Each Task has an official identifier whose system is the …/api/<version>/jobs URL and whose value is the job id, intent "order", an input with type.text "BULK FHIR Export" and valueString "GET <request URL>", and an executionPeriod.start.',
    level: 'SHOULD',
    profiles: ['bcda'],
    refs: ['seed:001 §Request job history (response example)', 'behavior §2.5'],
    faults: ['jobs-bad-task-shape'],
    async run(ctx) {
      await ctx.mainExport();
      const res = await listJobs(ctx);
      const tasks = tasksOf(res);
      if (!tasks) return fail('the job list is not a Bundle', [res.exchange.id]);
      if (!tasks.length) return skip('no Task to inspect', [res.exchange.id]);
      const problems: string[] = [];
      for (const t of tasks.slice(0, 50)) {
        const r = t.raw;
        const ident = Array.isArray(r.identifier) ? (r.identifier[0] as Record<string, unknown>) : undefined;
        const input = Array.isArray(r.input) ? (r.input[0] as Record<string, unknown>) : undefined;
        const period = r.executionPeriod as Record<string, unknown> | undefined;
        const label = `Task ${t.id ?? '?'}`;
        if (
          !ident ||
          typeof ident.system !== 'string' ||
          !/\/api\/v\d\/jobs$/.test(ident.system) ||
          typeof ident.value !== 'string'
        ) {
          problems.push(`${label}: identifier is not {system: …/api/vN/jobs, value: <id>}`);
        }
        if (r.intent !== 'order') problems.push(`${label}: intent ${JSON.stringify(r.intent)}`);
        const text = (input?.type as Record<string, unknown> | undefined)?.text;
        if (
          text !== 'BULK FHIR Export' ||
          typeof input?.valueString !== 'string' ||
          !input.valueString.startsWith('GET ')
        ) {
          problems.push(`${label}: input is not {type.text "BULK FHIR Export", valueString "GET …"}`);
        }
        if (typeof period?.start !== 'string') problems.push(`${label}: no executionPeriod.start`);
      }
      return problems.length
        ? fail(problems.slice(0, 4).join('; '), [res.exchange.id])
        : pass(`${tasks.length} Task(s) well formed`, [res.exchange.id]);
    },
  }),
  jobsCheck({
    id: 'JOBS-STATUS-MAPPING',
    title: "Task.status follows the run's jobs: completed and cancelled",
    description:
      'The documented mapping of job states to Task.status: the run\'s finished export shows "completed" and its cancelled job shows "cancelled".',
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['seed:001 §Request that filters jobs by end state', 'behavior §2.5'],
    faults: ['jobs-wrong-task-status'],
    async run(ctx) {
      const main = await ctx.mainExport();
      const cancelled = await cancelFlow(ctx);
      const res = await listJobs(ctx);
      const tasks = tasksOf(res);
      if (!tasks) return fail('the job list is not a Bundle', [res.exchange.id]);
      const expectations: Array<[string | undefined, string, string]> = [];
      if (main.manifest) expectations.push([jobIdOf(main.jobUrl), 'completed', 'the finished export']);
      if (cancelled.cancel?.status === 202)
        expectations.push([jobIdOf(cancelled.jobUrl), 'cancelled', 'the cancelled job']);
      if (!expectations.length) return skip('neither a finished nor a cancelled job is available');
      const problems = expectations.flatMap(([id, want, what]) => {
        const task = tasks.find((t) => t.id === id);
        if (!task) return [`${what} (job ${id}) is not listed`];
        return task.status === want
          ? []
          : [`${what} (job ${id}) has status ${JSON.stringify(task.status)}, expected "${want}"`];
      });
      return problems.length
        ? fail(problems.join('; '), [res.exchange.id])
        : pass(expectations.map(([id, want]) => `job ${id} ${want}`).join(', '), [res.exchange.id]);
    },
  }),
  jobsCheck({
    id: 'JOBS-PENDING-IN-PROGRESS',
    title: 'a job that has just started is listed as in-progress',
    description:
      'Pending and In Progress jobs map to Task.status "in-progress" (seed 001). The real server lists Pending jobs as "accepted": reported as a known deviation.',
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['seed:001 §Request that filters jobs by end state', 'behavior §2.5'],
    faults: ['jobs-wrong-task-status'],
    async run(ctx) {
      let started;
      try {
        started = await ctx.kickoff({
          endpoint: 'patient',
          query: { _type: 'Coverage' },
          label: 'kick-off of a job to see listed while running',
        });
      } catch (err) {
        if (err instanceof KickoffBudgetExceeded) return skip(err.message);
        throw err;
      }
      const id = jobIdOf(started.jobUrl);
      if (!started.jobUrl || !id)
        return skip(`the kick-off answered ${started.res.status}`, [started.res.exchange.id]);
      const res = await listJobs(ctx, 'Pending,In Progress', 'list running jobs');
      await ctx.cancel(started.jobUrl, 'cancel the job started for the running-job listing');
      const task = tasksOf(res)?.find((t) => t.id === id);
      if (!task) return skip(`job ${id} finished before it could be listed as running`, [res.exchange.id]);
      if (task.status === 'in-progress') return pass(`job ${id} is listed as in-progress`, [res.exchange.id]);
      if (task.status === 'accepted') {
        return warn(`job ${id} is listed as "accepted"`, [res.exchange.id], {
          knownDeviation:
            'the real BCDA server maps Pending to "accepted"; the documentation says "in-progress"',
        });
      }
      return fail(`job ${id} is listed as ${JSON.stringify(task.status)}, expected "in-progress"`, [
        res.exchange.id,
      ]);
    },
  }),
  jobsCheck({
    id: 'JOBS-FILTER-STATUS',
    title: '_status filters the job list by job state',
    description:
      '_status=Completed lists only completed jobs (Task.status "completed"), the run\'s finished export among them.',
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['seed:001 §Request that filters jobs by end state', 'behavior §2.5'],
    faults: ['jobs-ignores-status-filter'],
    async run(ctx) {
      const main = await ctx.mainExport();
      await cancelFlow(ctx);
      const res = await listJobs(ctx, 'Completed', 'list completed jobs');
      const tasks = tasksOf(res);
      if (!tasks) return fail(`status ${res.status}, not a Bundle`, [res.exchange.id]);
      const others = tasks.filter((t) => t.status !== 'completed');
      const mainId = jobIdOf(main.jobUrl);
      const problem = joinProblems([
        statusProblem(res, 200),
        others.length
          ? `${others.length} listed job(s) are not completed (${others
              .map((t) => `${t.id}: ${String(t.status)}`)
              .slice(0, 3)
              .join(', ')})`
          : undefined,
        main.manifest && mainId && !tasks.some((t) => t.id === mainId)
          ? `the finished export (job ${mainId}) is missing`
          : undefined,
      ]);
      return verdict(problem, `${tasks.length} completed job(s)`, [res.exchange.id]);
    },
  }),
  ...(
    [
      [
        'JOBS-FILTER-UNKNOWN',
        'an unknown _status value is rejected',
        'Bogus',
        /^invalid status type Bogus\. Supported types /,
        'jobs-accepts-bad-status',
      ],
      [
        'JOBS-FILTER-REPEATED',
        'a _status value named twice is rejected',
        'Completed,Completed',
        'Repeated status type Completed',
        'jobs-accepts-bad-status',
      ],
    ] as const
  ).map(([id, title, value, diagnostics, fault]) =>
    jobsCheck({
      id,
      title,
      description: `_status=${value} answers 400 with an OperationOutcome (code structure).`,
      level: 'SHOULD',
      profiles: ['bcda'],
      refs: ['behavior §2.5'],
      faults: [fault],
      async run(ctx) {
        const res = await listJobs(ctx, value, `list jobs with _status=${value}`);
        const problem = joinProblems(errorAnswerProblems(res, 400, { code: 'structure', diagnostics }));
        return verdict(problem, '400 with an OperationOutcome', [res.exchange.id]);
      },
    }),
  ),
  jobsCheck({
    id: 'JOBS-EMPTY-404',
    title: 'a job list with nothing to show answers 404',
    description:
      'When no job matches, GET /jobs answers 404 with an OperationOutcome (code not-found) rather than an empty Bundle. Asked with _status=FailedExpired, a state a healthy run never produces; skipped when the organization does have such jobs.',
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['seed:001 §Request job history', 'behavior §2.5'],
    faults: ['jobs-empty-200'],
    async run(ctx) {
      const res = await listJobs(
        ctx,
        'FailedExpired',
        'list jobs with _status=FailedExpired (expected: none)',
      );
      const tasks = res.status === 200 ? tasksOf(res) : undefined;
      if (tasks?.length)
        return skip(`the organization has ${tasks.length} FailedExpired job(s), so the list is not empty`, [
          res.exchange.id,
        ]);
      if (res.status === 200)
        return fail('an empty job list answered 200 with an empty Bundle', [res.exchange.id], {
          expected: '404',
          actual: '200',
        });
      const head = firstJson(res);
      const problem = joinProblems(errorAnswerProblems(res, 404, { code: 'not-found' }, head));
      if (problem) return fail(problem, [res.exchange.id]);
      if (head !== res) {
        return warn('404 with an OperationOutcome, followed by a second JSON document', [res.exchange.id], {
          knownDeviation: 'the real BCDA server appends an empty Bundle after the 404 OperationOutcome',
        });
      }
      return pass('404 with an OperationOutcome', [res.exchange.id]);
    },
  }),
  jobsCheck({
    id: 'JOBS-OWN-ONLY',
    title: "the job list shows only the caller's own jobs",
    description:
      "Another organization's GET /jobs must not list this run's jobs: a job list is scoped to the token's organization.",
    level: 'MUST',
    profiles: ['bcda', 'bulk-data-ig'],
    refs: ['seed:001 §Request job history', 'behavior §2.5'],
    faults: ['jobs-other-aco'],
    async run(ctx) {
      if (!ctx.otherClient)
        return skip('no second client configured (--other-client-id / BCDA_OTHER_CLIENT_ID)');
      const main = await ctx.mainExport();
      const mainId = jobIdOf(main.jobUrl);
      if (!mainId) return skip(`the shared export has no job id: ${main.problem ?? 'no Content-Location'}`);
      const res = await listJobs(ctx, undefined, "another organization's job list", ctx.otherClient);
      const tasks = res.status === 200 ? tasksOf(res) : [];
      if (res.status !== 200 && res.status !== 404)
        return skip(`the other client's job list answered ${res.status}`, [res.exchange.id]);
      const leaked = (tasks ?? []).filter((t) => t.id === mainId);
      return leaked.length
        ? fail(`the other organization's job list includes this run's job ${mainId}`, [res.exchange.id])
        : pass(
            `the other organization's list (${res.status}, ${tasks?.length ?? 0} Task(s)) does not show job ${mainId}`,
            [res.exchange.id],
          );
    },
  }),
  jobsCheck({
    id: 'JOBS-ALL-STATES',
    title: 'all nine job states map to the four Task status values',
    description:
      'A job is put in each of the nine states (Pending, In Progress, Completed, Archived, Expired, Failed, FailedExpired, Cancelled, CancelledExpired); filtered by that state, the list shows it with the documented Task.status. Needs a target whose job states can be set (the embedded mock).',
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['seed:001 §Request that filters jobs by end state', 'behavior §2.5', 'behavior §6'],
    faults: ['jobs-wrong-task-status'],
    async run(ctx) {
      if (!ctx.control)
        return skip('the target offers no way to set job states (only the embedded mock does)');
      let started;
      try {
        started = await ctx.kickoff({
          endpoint: 'patient',
          query: { _type: 'Patient' },
          label: 'kick-off of a job to walk through every state',
        });
      } catch (err) {
        if (err instanceof KickoffBudgetExceeded) return skip(err.message);
        throw err;
      }
      const id = jobIdOf(started.jobUrl);
      if (!started.jobUrl || !id)
        return skip(`the kick-off answered ${started.res.status}`, [started.res.exchange.id]);
      ctx.keep(started.jobUrl);
      const problems: string[] = [];
      const evidence: string[] = [];
      const deviations: string[] = [];
      for (const state of JOB_STATES) {
        await ctx.control.forceJobState(id, state);
        const res = await listJobs(ctx, state, `list jobs with _status=${state}`);
        evidence.push(res.exchange.id);
        const task = tasksOf(res)?.find((t) => t.id === id);
        const want = TASK_STATUS[state]!;
        if (!task) problems.push(`${state}: job not listed (status ${res.status})`);
        else if (state === 'Pending' && task.status === 'accepted') deviations.push('Pending → accepted');
        else if (task.status !== want)
          problems.push(`${state} → ${JSON.stringify(task.status)}, expected ${want}`);
      }
      if (problems.length) return fail(problems.join('; '), evidence);
      const extra = deviations.length
        ? { knownDeviation: `the real server's mapping: ${deviations.join(', ')}` }
        : {};
      return deviations.length
        ? warn(`the nine states map as documented except ${deviations.join(', ')}`, evidence, extra)
        : pass('the nine states map as documented', evidence);
    },
  }),
];

/* ------------------------------------------------------ attribution_status */

export const attributionChecks: CheckDefinition[] = [
  {
    id: 'ATTRIBUTION-STATUS',
    title: 'attribution_status lists the last attribution update',
    description:
      'GET /attribution_status answers 200 application/json with ingestion_dates: entries of type last_attribution_update or last_runout_update, each with a timestamp.',
    level: 'MUST',
    area: 'attribution',
    profiles: ['bcda'],
    refs: ['seed:001 §Request attribution status', 'seed:000 §/Attribution_Status', 'behavior §2.6'],
    operations: ops('getAttributionStatus'),
    faults: ['attribution-wrong-shape', 'attribution-bad-timestamp'],
    async run(ctx) {
      const res = await ctx.target.call(ctx.op('getAttributionStatus'), {
        label: 'attribution status',
        headers: { accept: 'application/json' },
      });
      if (res.status === 404)
        return skip('404: the organization has no attribution file (documented)', [res.exchange.id]);
      const body = res.json<Record<string, unknown>>();
      const dates = Array.isArray(body?.ingestion_dates)
        ? (body.ingestion_dates as Array<Record<string, unknown>>)
        : undefined;
      const problems = [
        statusProblem(res, 200),
        mediaType(res) === 'application/json'
          ? undefined
          : `Content-Type "${res.headers['content-type'] ?? '(none)'}", expected application/json`,
        dates ? undefined : 'no ingestion_dates array',
        ...(dates ?? []).map((d, i) =>
          d?.type === 'last_attribution_update' || d?.type === 'last_runout_update'
            ? typeof d.timestamp === 'string' &&
              !Number.isNaN(Date.parse(d.timestamp.replace(' ', 'T').replace(/\+00$/, 'Z')))
              ? undefined
              : `ingestion_dates[${i}].timestamp ${JSON.stringify(d.timestamp)} is not a timestamp`
            : `ingestion_dates[${i}].type ${JSON.stringify(d?.type)}`,
        ),
        dates && !dates.some((d) => d?.type === 'last_attribution_update')
          ? 'no last_attribution_update entry'
          : undefined,
      ];
      const problem = joinProblems(problems);
      return verdict(problem, `${dates?.length} ingestion date(s)`, [res.exchange.id]);
    },
  },
  {
    id: 'ATTRIBUTION-NONE-404',
    title: 'an organization with no attribution data gets 404 from attribution_status',
    description:
      "When BCDA has never ingested an attribution or runout file for the organization, GET /attribution_status answers 404 (an OperationOutcome, code not-found). Needs such an ACO's credentials (--unattributed-client-id).",
    level: 'MUST',
    area: 'attribution',
    profiles: ['bcda'],
    refs: ['seed:001 §Request attribution status', 'behavior §2.6'],
    operations: ops('getAttributionStatus'),
    faults: ['attribution-missing-200'],
    async run(ctx) {
      const client = ctx.unattributedClient;
      if (!client)
        return skip(
          'no client without attribution configured (--unattributed-client-id / BCDA_UNATTRIBUTED_CLIENT_ID)',
        );
      const res = await client.call(ctx.op('getAttributionStatus'), {
        label: 'attribution status of an organization with no attribution data',
        headers: { accept: 'application/json' },
      });
      const problem = joinProblems(errorAnswerProblems(res, 404, { code: 'not-found' }));
      return verdict(problem, '404 with an OperationOutcome', [res.exchange.id]);
    },
  },
  {
    id: 'ATTRIBUTION-OUTDATED-EXPORT-404',
    title: 'an organization without up-to-date attribution cannot export, except runout',
    description:
      "For an ACO whose attribution is out of date (BCDA's smoke-test ACO TEST995), Patient and Group/all kick-offs answer 404 with an OperationOutcome saying no up-to-date attribution information is available; Group/runout still answers 202. Needs that ACO's credentials (--outdated-client-id).",
    level: 'SHOULD',
    area: 'attribution',
    profiles: ['bcda'],
    refs: ['behavior §2.2', 'behavior §7.1'],
    operations: [...ops('exportPatient'), ...ops('exportGroup')],
    faults: ['attribution-outdated-accepted'],
    async run(ctx) {
      const client = ctx.outdatedClient;
      if (!client)
        return skip(
          'no outdated-attribution client configured (--outdated-client-id / BCDA_OUTDATED_CLIENT_ID)',
        );
      const problems: string[] = [];
      const evidence: string[] = [];
      for (const [endpoint, group] of [
        ['patient', undefined],
        ['group', 'all'],
      ] as const) {
        const { res } = await ctx.kickoffAndCancel({
          endpoint,
          ...(group ? { group } : {}),
          client,
          label: `kick-off by the outdated-attribution client (${group ?? 'Patient'})`,
        });
        evidence.push(res.exchange.id);
        const where = group ? `Group/${group}` : 'Patient';
        problems.push(
          ...[
            ...errorAnswerProblems(res, 404, {
              code: 'not-found',
              diagnostics: /No up-to-date attribution information/,
            }),
          ]
            .filter((p): p is string => Boolean(p))
            .map((p) => `${where}: ${p}`),
        );
      }
      const runout = await ctx.kickoffAndCancel({
        endpoint: 'group',
        group: 'runout',
        client,
        label: 'runout kick-off by the outdated-attribution client',
      });
      evidence.push(runout.res.exchange.id);
      if (runout.res.status !== 202) problems.push(`Group/runout: ${runout.res.status}, expected 202`);
      return problems.length
        ? fail(problems.join('; '), evidence)
        : pass('404 for Patient and Group/all, 202 for runout', evidence);
    },
  },
];

/* ------------------------------------------------------------------ 429 */

function rateLimitCheck(id: string, endpoint: 'patient' | 'group'): CheckDefinition {
  const name = endpoint === 'patient' ? 'Patient' : 'Group/all';
  const spec = endpoint === 'patient' ? ({ endpoint } as const) : ({ endpoint, group: 'all' } as const);
  return {
    id,
    title: `a duplicate of a running ${name} job is refused with 429 and Retry-After`,
    description: `For a rate-limited organization, asking again for a ${name} export that is still running answers 429 Too Many Requests with a Retry-After header (delay-seconds).`,
    level: 'MUST',
    area: 'ratelimit',
    profiles: ['bcda', 'bulk-data-ig'],
    refs: [
      'seed:001 §Response example: too many requests',
      'seed:003 §How often can I request data',
      'bulkdata@118',
      'behavior §4',
    ],
    operations: ops(endpoint === 'patient' ? 'exportPatient' : 'exportGroup'),
    faults: ['ratelimit-disabled', 'ratelimit-no-retry-after'],
    async run(ctx) {
      const client = ctx.rateLimitedClient;
      if (!client)
        return skip(
          'no rate-limited client configured (--rate-limited-client-id / BCDA_RATE_LIMITED_CLIENT_ID)',
        );
      try {
        const first = await ctx.kickoff({
          ...spec,
          client,
          label: `${name} kick-off by the rate-limited client`,
        });
        if (!first.jobUrl)
          return skip(`the first kick-off answered ${first.res.status}`, [first.res.exchange.id]);
        const second = await ctx.kickoff({
          ...spec,
          client,
          label: `the same ${name} kick-off again while the first runs`,
        });
        const evidence = [first.res.exchange.id, second.res.exchange.id];
        await ctx.cancel(first.jobUrl, "cancel the rate-limited client's job", client);
        if (second.jobUrl) await ctx.cancel(second.jobUrl, 'cancel the duplicate job', client);
        const retryAfter = second.res.headers['retry-after'];
        const problem = joinProblems([
          statusProblem(second.res, 429),
          second.res.status === 429 && (retryAfter === undefined || retryAfterMs(retryAfter) === undefined)
            ? `Retry-After is ${retryAfter === undefined ? 'missing' : `"${retryAfter}"`}`
            : undefined,
        ]);
        return verdict(problem, `429 with Retry-After: ${retryAfter}`, evidence);
      } catch (err) {
        if (err instanceof KickoffBudgetExceeded) return skip(err.message);
        throw err;
      }
    },
  };
}

export const rateLimitChecks: CheckDefinition[] = [
  rateLimitCheck('RATELIMIT-DUPLICATE-JOB', 'group'),
  rateLimitCheck('RATELIMIT-DUPLICATE-PATIENT-JOB', 'patient'),
];

/* ------------------------------------------------------------ expiry (late) */

/** How far the expiry check moves the target's clock: past the documented 24 hours. */
const EXPIRY_JUMP_SECONDS = 25 * 3600;

export const expiryChecks: CheckDefinition[] = [
  {
    id: 'STATUS-EXPIRED-AFTER-24H',
    title: 'a finished job and its files are gone 24 hours later',
    description:
      "Files expire 24 hours after the job finishes: past that, the status URL no longer serves the manifest (404 or 410 with an OperationOutcome) and downloads answer 404/410. Needs a target whose clock can be moved (the embedded mock, or a mock started with --control) and client credentials: the check asks for a fresh token on the moved clock, where a fixed --token has expired. The clock is put back afterwards, so a shared mock's other clients keep their tokens.",
    level: 'MUST',
    area: 'status',
    phase: 'late',
    profiles: ['bcda'],
    refs: [
      'seed:001 §Files expire after 24 hours',
      'seed:003 §How long do I have before my file is deleted',
      'behavior §2.3',
      'behavior §2.7',
    ],
    operations: [...ops('getJobStatus'), 'downloadFile'],
    faults: ['status-expired-200', 'download-available-after-expiry'],
    async run(ctx) {
      const control = ctx.control;
      if (!control)
        return skip(
          'the target offers no way to move its clock (only the embedded mock, or a mock started with --control, does)',
        );
      // Tokens age with the target's clock: 25 hours on, only a token fetched then is valid there.
      if (ctx.config.token)
        return skip(
          'the run has only a fixed --token, which would be expired on the target’s clock 25 hours on; give client credentials to run this check',
        );
      const main = await ctx.mainExport();
      const file = main.downloads.find((d) => d.status === 200);
      if (!main.jobUrl || !main.manifest || !file)
        return skip(`the shared export did not complete: ${main.problem ?? 'no file'}`);
      const jobUrl = main.jobUrl;
      // Nothing of the run may be in flight while the clock is a day ahead.
      await ctx.settled();
      await control.advanceClock(EXPIRY_JUMP_SECONDS);
      try {
        ctx.invalidateToken();
        const status = await ctx.target.get(jobUrl, {
          label: 'status of the finished job 25 hours later',
          operationId: ctx.op('getJobStatus'),
        });
        const data = await ctx.target.get(file.item.url, {
          label: 'download 25 hours later',
          operationId: 'downloadFile',
        });
        const head = firstJson(status);
        const problem = joinProblems([
          statusProblem(status, [404, 410]),
          statusProblem(data, [404, 410]),
          status.status === 404 || status.status === 410
            ? joinProblems(operationOutcomeProblems(head))
            : undefined,
        ]);
        const evidence = [status.exchange.id, data.exchange.id];
        if (problem) return fail(problem, evidence);
        const note = `status ${status.status}, download ${data.status}`;
        if (head !== status) {
          return warn(`${note}; the status body holds two JSON documents`, evidence, {
            knownDeviation:
              'the real BCDA server writes two OperationOutcomes for an archived or expired job',
          });
        }
        return pass(note, evidence);
      } finally {
        // The clock may be shared (a mock other clients use): put it back, and drop the token
        // minted 25 hours ahead so the rest of the run asks for one on the restored clock.
        await control.rewindClock(EXPIRY_JUMP_SECONDS);
        ctx.invalidateToken();
      }
    },
  },
];

/** BCDA may send two JSON documents back to back (a quirk); judge the first. */
function firstJson(res: HttpResponse): HttpResponse {
  if (res.json() !== undefined) return res;
  const text = res.text();
  const cut = text.indexOf('}{');
  if (cut < 0) return res;
  const head = text.slice(0, cut + 1);
  return { ...res, text: () => head, json: <T>() => JSON.parse(head) as T, jsonError: () => undefined };
}
