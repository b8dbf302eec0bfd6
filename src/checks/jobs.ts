/**
 * The job list (GET /jobs, seed 001 §Request job history, behavior §2.5): a searchset Bundle of
 * Tasks, the documented mapping of job states to Task.status, the _status filter, 404 when empty,
 * and only the caller's own jobs. The list rules (Bundle, Task shape, each Task's request, the filter)
 * are judged late in the run on every job-list answer it received, whichever check or client asked.
 */
import { type CheckContext, type CheckDefinition, fail, pass, skip, warn, verdict } from './context';
import type { HttpResponse } from '../http/client';
import { cancelFlow } from './kit/cancel-flow';
import { errorAnswerProblems, firstJson, joinProblems, statusProblem } from './kit/expect';
import {
  TASK_STATUS,
  type TaskView,
  apiVersionOf,
  bundleProblems,
  jobIdOf,
  listJobs,
  statusFilterOf,
  taskProblems,
  tasksOf,
  tasksOfBody,
} from './kit/job-list';
import { sameRequestUrl } from './kit/every-export';
import { answersTo, type RecordedAnswer } from './kit/recorded';
import { versioned } from './kit/operations';
import { isOutcome, startOwnJob } from './kit/own-job';
import { creationWindows, taskTimeProblems } from './kit/job-times';

const JOB_STATES = Object.keys(TASK_STATUS);

function jobsCheck(def: Omit<CheckDefinition, 'area' | 'operations'>): CheckDefinition {
  return { ...def, area: 'jobs', operations: versioned('listJobs') };
}

/** The run's own unfiltered job list, asked once after the shared export: every list check has it to judge. */
async function ownList(ctx: CheckContext): Promise<HttpResponse> {
  await ctx.mainExport();
  return ctx.once('jobs:own-list', () => listJobs(ctx));
}

interface ListAnswer {
  answer: RecordedAnswer;
  body: unknown;
}

/**
 * Every 200 answer to GET /jobs the run received, whichever check or client asked, read back; those
 * whose body cannot be read (cut short in the record, not JSON) are counted apart.
 */
function listAnswers(ctx: CheckContext): { lists: ListAnswer[]; unreadable: RecordedAnswer[] } {
  const answers = answersTo(ctx, 'listJobs').filter((a) => a.status === 200);
  return {
    lists: answers.flatMap((answer) => (answer.unreadable ? [] : [{ answer, body: answer.documents[0] }])),
    unreadable: answers.filter((a) => a.unreadable),
  };
}

/** The Tasks of a job-list body (none when it is not a Bundle). */
const tasksIn = (body: unknown): TaskView[] => tasksOfBody(body) ?? [];

const named = (a: RecordedAnswer) => `${a.exchange.id} (${a.exchange.label})`;

/** " (N answer(s) not read: …)" when some answers could not be judged. */
const notRead = (unreadable: RecordedAnswer[]) =>
  unreadable.length
    ? ` (${unreadable.length} answer(s) not read: ${unreadable[0]!.unreadable ?? 'unreadable'})`
    : '';

/**
 * Starts a job, lists the jobs unfiltered right away and cancels it: the job the client just started
 * must be listed (seed 000 §/Jobs: a lost job id is found there). No problem when no job could be
 * started (the budget is spent, or the kick-off was refused: other checks judge that).
 */
async function newestJobListed(ctx: CheckContext): Promise<{ problem?: string; evidence: string[] }> {
  const started = await startOwnJob(
    ctx,
    { endpoint: 'patient', query: { _type: 'Patient' }, label: 'kick-off of a job to find in the job list' },
    { needsId: true },
  );
  if (isOutcome(started)) return { evidence: [] };
  const res = await listJobs(ctx, undefined, 'list jobs right after starting one');
  await ctx.cancel(started.jobUrl, 'cancel the job started to be found in the job list');
  const evidence = [started.res.exchange.id, res.exchange.id];
  if (res.status !== 200)
    return {
      problem: `the list asked right after job ${started.id} started answered ${res.status}`,
      evidence,
    };
  return tasksOf(res)?.some((t) => t.id === started.id)
    ? { evidence }
    : {
        problem: `job ${started.id}, started just before, is not in the unfiltered list ${res.exchange.id}`,
        evidence,
      };
}

/** The kick-offs of the run the target accepted, by the job id of their Content-Location. */
function kickoffsByJob(ctx: CheckContext): Map<string, { url: string; exchangeId: string }> {
  const ops = new Set<string>([ctx.op('exportPatient'), ctx.op('exportGroup')]);
  const byJob = new Map<string, { url: string; exchangeId: string }>();
  for (const e of ctx.log.all()) {
    const location = e.response?.status === 202 ? e.response.headers['content-location'] : undefined;
    if (!e.operationId || !ops.has(e.operationId) || !location) continue;
    let id: string | undefined;
    try {
      id = jobIdOf(new URL(location, e.request.url).toString());
    } catch {
      id = undefined;
    }
    if (id) byJob.set(id, { url: e.request.url, exchangeId: e.id });
  }
  return byJob;
}

export const jobsChecks: CheckDefinition[] = [
  jobsCheck({
    id: 'JOBS-LIST-BUNDLE',
    title: 'every job list is a searchset Bundle of Tasks',
    description:
      "GET /jobs answers 200 with a FHIR Bundle (type searchset, one entry per job: no job id twice, total equal to the number of entries) whose entries are Task resources, the run's export among them in the unfiltered list, and a job started just before a list is asked for in that list (the newest job is not left out). Judged on every 200 job-list answer the run received, filtered or not, whichever client asked.",
    level: 'MUST',
    phase: 'late',
    profiles: ['bcda'],
    refs: ['behavior §2.5'],
    faults: ['jobs-not-bundle', 'jobs-filtered-total-wrong'],
    async run(ctx) {
      const main = await ctx.mainExport();
      const own = await ownList(ctx);
      const mainId = jobIdOf(main.jobUrl);
      const newest = await newestJobListed(ctx);
      const { lists, unreadable } = listAnswers(ctx);
      const broken = lists.flatMap(({ answer, body }) => {
        const problems = bundleProblems(body);
        return problems.length ? [{ answer, text: `${named(answer)}: ${problems.join(', ')}` }] : [];
      });
      const ownProblems = joinProblems([
        statusProblem(own, 200),
        own.status === 200 && mainId && !tasksOf(own)?.some((t) => t.id === mainId)
          ? `the run's job ${mainId} is not in its unfiltered list ${own.exchange.id}`
          : undefined,
        newest.problem,
      ]);
      const evidence = [own.exchange.id, ...newest.evidence, ...broken.map((b) => b.answer.exchange.id)];
      if (broken.length || ownProblems) {
        const shown = broken.slice(0, 4).map((b) => b.text);
        const more = broken.length > 4 ? ` (+${broken.length - 4} more answers)` : '';
        return fail(joinProblems([ownProblems, ...shown])! + more, [...new Set(evidence)]);
      }
      return pass(
        `${lists.length} job-list answer(s), each a searchset Bundle of Tasks whose total matches${mainId ? `; job ${mainId} listed` : ''}${notRead(unreadable)}`,
        lists.map((l) => l.answer.exchange.id).slice(0, 12),
      );
    },
  }),
  jobsCheck({
    id: 'JOBS-TASK-SHAPE',
    title: 'each Task names its job, request and times',
    description:
      'Each Task has an official identifier whose system is the …/api/<version of the list>/jobs URL and whose value is the job id, intent "order", an input with type.text "BULK FHIR Export" and valueString "GET <request URL>", and an executionPeriod with a start (and an end once the job is finished). The times are the server\'s: a job of the run starts while its kick-off is answered (by that answer\'s Date, within a minute), and no start or end lies after the Date of the answer listing it (not the manifest\'s transactionTime, which BCDA takes from BFD or from when the job is prepared). Judged on every Task of every job-list answer the run received. MUST: the documents promise each job\'s "start and end datetime, unique ID, original valueString request, and status", its creation and completion time (seed 000).',
    level: 'MUST',
    phase: 'late',
    profiles: ['bcda'],
    refs: ['behavior §2.5'],
    faults: ['jobs-bad-task-shape'],
    async run(ctx) {
      await ownList(ctx);
      const { lists, unreadable } = listAnswers(ctx);
      const problems: string[] = [];
      const evidence = new Set<string>();
      const created = await creationWindows(ctx);
      let tasks = 0;
      for (const { answer, body } of lists) {
        const version = apiVersionOf(answer.exchange.request.url);
        for (const task of tasksIn(body)) {
          tasks += 1;
          const found = taskProblems(task, version);
          if (!found.length) continue;
          evidence.add(answer.exchange.id);
          problems.push(`${answer.exchange.id} Task ${task.id ?? '?'}: ${found.join(', ')}`);
        }
        const times = taskTimeProblems(answer, body, created);
        if (times.length) evidence.add(answer.exchange.id);
        problems.push(...times);
      }
      if (!tasks)
        return skip(
          `no Task in any job-list answer${notRead(unreadable)}`,
          lists.map((l) => l.answer.exchange.id),
        );
      return problems.length
        ? fail(
            problems.slice(0, 4).join('; ') + (problems.length > 4 ? ` (+${problems.length - 4} more)` : ''),
            [...evidence].slice(0, 12),
          )
        : pass(
            `${tasks} Task(s) in ${lists.length} answer(s) well formed${notRead(unreadable)}`,
            lists.map((l) => l.answer.exchange.id).slice(0, 12),
          );
    },
  }),
  jobsCheck({
    id: 'JOBS-TASK-STATUS-VALUES',
    title: 'every listed Task has one of the four documented statuses',
    description:
      'Task.status in a job list is completed, failed, in-progress or cancelled, the four values the nine job states map to, for every Task of every job-list answer the run received (other organizations\' jobs and old ones too, not only this run\'s). The real server lists Pending jobs as "accepted": reported as a known deviation. Skipped when no job-list answer lists a Task.',
    level: 'MUST',
    phase: 'late',
    profiles: ['bcda'],
    refs: ['behavior §2.5'],
    faults: ['jobs-wrong-task-status'],
    async run(ctx) {
      await ownList(ctx);
      const { lists, unreadable } = listAnswers(ctx);
      const documented = new Set(Object.values(TASK_STATUS));
      let tasks = 0;
      const wrong: string[] = [];
      const accepted: string[] = [];
      const evidence = new Set<string>();
      for (const { answer, body } of lists)
        for (const task of tasksIn(body)) {
          tasks += 1;
          if (typeof task.status === 'string' && documented.has(task.status)) continue;
          evidence.add(answer.exchange.id);
          (task.status === 'accepted' ? accepted : wrong).push(
            `${answer.exchange.id} job ${task.id ?? '?'}: ${JSON.stringify(task.status)}`,
          );
        }
      if (!tasks) return skip(`no job-list answer listed a Task${notRead(unreadable)}`);
      const listed = lists.map((l) => l.answer.exchange.id).slice(0, 12);
      if (wrong.length)
        return fail(
          `${wrong.length} of ${tasks} Task(s) with a status outside ${[...documented].join(', ')}: ${wrong.slice(0, 3).join('; ')}`,
          [...evidence].slice(0, 12),
        );
      if (accepted.length)
        return warn(
          `${accepted.length} Task(s) listed as "accepted": ${accepted[0]}`,
          [...evidence].slice(0, 12),
          {
            knownDeviation:
              'the real BCDA server maps Pending to "accepted"; the documentation says "in-progress"',
          },
        );
      return pass(
        `${tasks} Task(s) in ${lists.length} answer(s), each completed, failed, in-progress or cancelled${notRead(unreadable)}`,
        listed,
      );
    },
  }),
  jobsCheck({
    id: 'JOBS-TASK-REQUEST',
    title: "each Task's input is the job's original request",
    description:
      'For every job of this run that a job list shows, input valueString is GET followed by the exact URL of the kick-off that started it (query included), as the documents describe the job history\'s "original valueString request". Judged on every job-list answer the run received; skipped when none lists a job whose kick-off the run saw.',
    level: 'MUST',
    phase: 'late',
    profiles: ['bcda'],
    refs: ['behavior §2.5'],
    faults: ['jobs-task-wrong-request'],
    async run(ctx) {
      await ownList(ctx);
      const kicked = kickoffsByJob(ctx);
      const { lists, unreadable } = listAnswers(ctx);
      const problems: string[] = [];
      const evidence = new Set<string>();
      const seen = new Set<string>();
      for (const { answer, body } of lists) {
        for (const task of tasksIn(body)) {
          const kick = task.id ? kicked.get(task.id) : undefined;
          if (!kick) continue;
          seen.add(task.id!);
          const input = Array.isArray(task.raw.input)
            ? (task.raw.input[0] as Record<string, unknown> | undefined)
            : undefined;
          const value = input?.valueString;
          if (
            typeof value === 'string' &&
            value.startsWith('GET ') &&
            sameRequestUrl(value.slice(4), kick.url)
          )
            continue;
          evidence.add(answer.exchange.id).add(kick.exchangeId);
          problems.push(
            `${answer.exchange.id} job ${task.id}: valueString ${JSON.stringify(value)}, kick-off was GET ${kick.url}`,
          );
        }
      }
      if (!seen.size)
        return skip(`no job-list answer shows a job whose kick-off this run saw${notRead(unreadable)}`);
      return problems.length
        ? fail(
            problems.slice(0, 3).join('; ') + (problems.length > 3 ? ` (+${problems.length - 3} more)` : ''),
            [...evidence].slice(0, 12),
          )
        : pass(
            `${seen.size} job(s) of this run listed with their kick-off URL${notRead(unreadable)}`,
            lists.map((l) => l.answer.exchange.id).slice(0, 12),
          );
    },
  }),
  jobsCheck({
    id: 'JOBS-STATUS-MAPPING',
    title: "Task.status follows the run's jobs: completed and cancelled",
    description:
      'The documented mapping of job states to Task.status: the run\'s finished export shows "completed" and its cancelled job shows "cancelled".',
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['behavior §2.5'],
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
    refs: ['behavior §2.5'],
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
      '_status=Completed lists only completed jobs (Task.status "completed"), the run\'s finished export among them; and every job-list answer the run received for a _status filter lists only Tasks whose status is the documented mapping of one of the states asked for.',
    level: 'MUST',
    phase: 'late',
    profiles: ['bcda'],
    refs: ['behavior §2.5'],
    faults: ['jobs-ignores-status-filter'],
    async run(ctx) {
      const main = await ctx.mainExport();
      await cancelFlow(ctx);
      const res = await listJobs(ctx, 'Completed', 'list completed jobs');
      const tasks = tasksOf(res);
      if (!tasks) return fail(`status ${res.status}, not a Bundle`, [res.exchange.id]);
      const mainId = jobIdOf(main.jobUrl);
      const problems: string[] = [];
      const deviations: string[] = [];
      const evidence = new Set([res.exchange.id]);
      const wrong = statusProblem(res, 200);
      if (wrong) problems.push(wrong);
      if (main.manifest && mainId && !tasks.some((t) => t.id === mainId))
        problems.push(`the finished export (job ${mainId}) is missing from ${res.exchange.id}`);
      const { lists, unreadable } = listAnswers(ctx);
      let judged = 0;
      for (const { answer, body } of lists) {
        const asked = statusFilterOf(answer.exchange.request.url);
        if (!asked) continue;
        judged += 1;
        const allowed = new Set(asked.map((s) => TASK_STATUS[s]).filter(Boolean));
        for (const task of tasksIn(body)) {
          if (allowed.has(String(task.status))) continue;
          if (task.status === 'accepted' && asked.includes('Pending')) {
            deviations.push(`${answer.exchange.id} job ${task.id ?? '?'}: "accepted" for Pending`);
            continue;
          }
          evidence.add(answer.exchange.id);
          problems.push(
            `${answer.exchange.id} (_status=${asked.join(',')}) lists job ${task.id ?? '?'} as ${JSON.stringify(task.status)}`,
          );
        }
      }
      if (problems.length)
        return fail(
          problems.slice(0, 4).join('; ') + (problems.length > 4 ? ` (+${problems.length - 4} more)` : ''),
          [...evidence].slice(0, 12),
        );
      const summary = `${tasks.length} completed job(s); ${judged} filtered answer(s) list only the states asked for${notRead(unreadable)}`;
      if (deviations.length)
        return warn(`${summary}, except ${deviations.slice(0, 2).join('; ')}`, [...evidence], {
          knownDeviation:
            'the real BCDA server maps Pending to "accepted"; the documentation says "in-progress"',
        });
      return pass(summary, [...evidence]);
    },
  }),
  ...(
    [
      [
        'JOBS-FILTER-UNKNOWN',
        'an unknown _status value is rejected',
        ['Bogus'],
        /^invalid status type Bogus\. Supported types /,
        'jobs-accepts-bad-status',
      ],
      [
        'JOBS-FILTER-REPEATED',
        'a _status value named twice is rejected',
        // Twice in a row, and twice apart: a server comparing each value with the one before passes the first.
        ['Completed,Completed', 'Completed,Failed,Completed'],
        'Repeated status type Completed',
        'jobs-accepts-bad-status',
      ],
    ] as const
  ).map(([id, title, values, diagnostics, fault]) =>
    jobsCheck({
      id,
      title,
      description: `${values.map((v) => `_status=${v}`).join(' and ')} answer${values.length > 1 ? '' : 's'} 400 with an OperationOutcome (code structure). SHOULD: the real server's answer; the documents name the nine states but not what other values get.`,
      level: 'SHOULD',
      profiles: ['bcda'],
      refs: ['behavior §2.5'],
      faults: [fault],
      async run(ctx) {
        const problems: Array<string | undefined> = [];
        const evidence: string[] = [];
        for (const value of values) {
          const res = await listJobs(ctx, value, `list jobs with _status=${value}`);
          evidence.push(res.exchange.id);
          const problem = joinProblems(errorAnswerProblems(res, 400, { code: 'structure', diagnostics }));
          problems.push(problem && values.length > 1 ? `_status=${value}: ${problem}` : problem);
        }
        return verdict(joinProblems(problems), '400 with an OperationOutcome', evidence);
      },
    }),
  ),
  jobsCheck({
    id: 'JOBS-EMPTY-404',
    title: 'a job list with nothing to show answers 404',
    description:
      'When no job matches, GET /jobs answers 404 with an OperationOutcome (code not-found) rather than an empty Bundle. Asked with _status=FailedExpired, a state a healthy run never produces; skipped when the organization does have such jobs (Tasks listed as failed). A 200 listing only Tasks of other statuses fails: none of them can be FailedExpired, so nothing matched.',
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['behavior §2.5'],
    faults: ['jobs-empty-200'],
    async run(ctx) {
      const res = await listJobs(
        ctx,
        'FailedExpired',
        'list jobs with _status=FailedExpired (expected: none)',
      );
      const tasks = res.status === 200 ? tasksOf(res) : undefined;
      // FailedExpired jobs are listed as "failed": a list without one holds no FailedExpired job, and
      // answering it with jobs of other states stands in for the 404 (a filter falling back to everything).
      if (tasks?.length && !tasks.some((t) => t.status === 'failed'))
        return fail(
          `_status=FailedExpired answered 200 with ${tasks.length} job(s), none of them failed (${[...new Set(tasks.map((t) => JSON.stringify(t.status)))].join(', ')}): no FailedExpired job to return, so 404 was due`,
          [res.exchange.id],
          { expected: '404', actual: '200' },
        );
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
      "Another organization's GET /jobs must not list this run's jobs, unfiltered or filtered by _status (asked with Completed once the run's export has completed): a job list is scoped to the token's organization.",
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['behavior §2.5'],
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
      if (leaked.length)
        return fail(`the other organization's job list includes this run's job ${mainId}`, [res.exchange.id]);
      // A filtered list is a query of its own: it must be scoped to the organization too.
      if (!main.manifest)
        return pass(
          `the other organization's list (${res.status}, ${tasks?.length ?? 0} Task(s)) does not show job ${mainId}`,
          [res.exchange.id],
        );
      const filtered = await listJobs(
        ctx,
        'Completed',
        "another organization's job list, _status=Completed",
        ctx.otherClient,
      );
      const evidence = [res.exchange.id, filtered.exchange.id];
      const filteredTasks = filtered.status === 200 ? (tasksOf(filtered) ?? []) : [];
      return filteredTasks.some((t) => t.id === mainId)
        ? fail(
            `the other organization's _status=Completed list includes this run's completed job ${mainId} (its unfiltered list does not)`,
            evidence,
          )
        : pass(
            `neither the other organization's unfiltered list (${res.status}, ${tasks?.length ?? 0} Task(s)) nor its _status=Completed list (${filtered.status}) shows job ${mainId}`,
            evidence,
          );
    },
  }),
  jobsCheck({
    id: 'JOBS-FILTER-ARCHIVED',
    title: '_status=Archived and _status=Expired tell those states from Completed',
    description:
      "Completed, Archived and Expired jobs all show Task.status \"completed\", but _status names the job's state: the run's completed export must be listed under _status=Completed and under neither _status=Archived nor _status=Expired. Where job states can be set (the embedded mock), a job of the check's own is forced to Archived, then to Expired, and must be listed under that state only. A 404 counts as an empty list.",
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['behavior §2.5'],
    faults: ['jobs-status-filter-by-task-status', 'jobs-ignores-status-filter'],
    async run(ctx) {
      const main = await ctx.mainExport();
      const mainId = jobIdOf(main.jobUrl);
      if (!main.manifest || !mainId)
        return skip(`the shared export did not complete: ${main.problem ?? 'no manifest'}`);
      const problems: string[] = [];
      const evidence: string[] = [];
      /** Lists `state` and requires `listed` in it and `absent` out of it (job ids). */
      const expect = async (state: string, listed: string[], absent: string[], why: string) => {
        const res = await listJobs(ctx, state, `list jobs with _status=${state} (${why})`);
        evidence.push(res.exchange.id);
        const ids =
          res.status === 404 ? [] : res.status === 200 ? (tasksOf(res) ?? []).map((t) => t.id) : undefined;
        if (!ids) {
          problems.push(`_status=${state} answered ${res.status}`);
          return;
        }
        for (const id of listed)
          if (!ids.includes(id)) problems.push(`_status=${state} leaves out job ${id} (${why})`);
        for (const id of absent)
          if (ids.includes(id)) problems.push(`_status=${state} lists job ${id} (${why})`);
      };
      await expect('Completed', [mainId], [], 'the completed export');
      await expect('Archived', [], [mainId], 'the completed export');
      await expect('Expired', [], [mainId], 'the completed export');
      if (!ctx.control) {
        return problems.length
          ? fail(problems.join('; '), evidence)
          : pass(
              `job ${mainId} (completed) is listed under Completed only, not under Archived or Expired; no job could be put in those states to see it listed there (no mock control)`,
              evidence,
            );
      }
      const started = await startOwnJob(
        ctx,
        { endpoint: 'patient', query: { _type: 'Patient' }, label: 'kick-off of a job to archive' },
        { needsId: true },
      );
      if (isOutcome(started)) return started;
      const own = started.id;
      ctx.keep(started.jobUrl); // forced to a final state: nothing to cancel at cleanup
      evidence.unshift(started.res.exchange.id);
      await ctx.control.forceJobState(own, 'Archived');
      await expect('Archived', [own], [mainId], 'archived');
      await expect('Completed', [mainId], [own], 'archived');
      await expect('Expired', [], [own], 'archived');
      await ctx.control.forceJobState(own, 'Expired');
      await expect('Expired', [own], [mainId], 'expired');
      await expect('Archived', [], [own], 'expired');
      return problems.length
        ? fail(problems.join('; '), evidence)
        : pass(
            `job ${own} is listed under Archived, then Expired, and only there; job ${mainId} (completed) only under Completed`,
            evidence,
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
    refs: ['behavior §2.5', 'behavior §6'],
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
