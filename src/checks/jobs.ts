/**
 * The job list (GET /jobs, seed 001 §Request job history, behavior §2.5): a searchset Bundle of
 * Tasks, the documented mapping of job states to Task.status, the _status filter, 404 when empty,
 * and only the caller's own jobs.
 */
import { type CheckDefinition, fail, pass, skip, warn, verdict } from './context';
import { cancelFlow } from './kit/cancel-flow';
import { errorAnswerProblems, firstJson, joinProblems, statusProblem } from './kit/expect';
import { TASK_STATUS, jobIdOf, listJobs, tasksOf } from './kit/job-list';
import { versioned } from './kit/operations';
import { isOutcome, startOwnJob } from './kit/own-job';

const JOB_STATES = Object.keys(TASK_STATUS);

function jobsCheck(def: Omit<CheckDefinition, 'area' | 'operations'>): CheckDefinition {
  return { ...def, area: 'jobs', operations: versioned('listJobs') };
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
      const started = await startOwnJob(
        ctx,
        {
          endpoint: 'patient',
          query: { _type: 'Coverage' },
          label: 'kick-off of a job to see listed while running',
        },
        { needsId: true },
      );
      if (isOutcome(started)) return started;
      const id = started.id;
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
      const started = await startOwnJob(
        ctx,
        {
          endpoint: 'patient',
          query: { _type: 'Patient' },
          label: 'kick-off of a job to walk through every state',
        },
        { needsId: true },
      );
      if (isOutcome(started)) return started;
      const id = started.id;
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
