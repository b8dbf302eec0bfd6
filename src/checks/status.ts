/**
 * Job status and the completed-job manifest (seed 001 §Check job status, seed 002 §Check the status,
 * bulkdata@132–199, behavior §2.3). The poll and manifest rules are judged late in the run on every
 * export it followed (the shared one, the filtered ones, other clients'), naming the export that
 * breaks one; last of all (phase 'late'), the job and its files expiring 24 hours on.
 */
import {
  type CheckContext,
  type CheckDefinition,
  type ExportRun,
  fail,
  pass,
  skip,
  warn,
  verdict,
} from './context';
import { FHIR_INSTANT, isAbsoluteHttpUrl, manifestItems } from '../flows/manifest';
import type { DownloadRecord } from '../flows/download';
import type { PollRecord } from '../flows/poll';
import type { HttpResponse } from '../http/client';
import { BudgetSpentError } from '../http/budget';
import { readRetryAfter, retryAfterMs } from '../http/retry-after';
import {
  GO_TIME,
  HTTP_DATE,
  joinProblems,
  mediaType,
  operationOutcomeProblems,
  statusProblem,
  errorAnswerProblems,
  firstJson,
} from './kit/expect';
import type { OperationId } from '../core/operations';
import type { CheckCaseMeta, CheckOutcome } from './types';
import { jobIdOf, listJobs, tasksOf } from './kit/job-list';
import { versioned } from './kit/operations';
import { holdOwnJob, isOutcome, startOwnJob } from './kit/own-job';
import { unknownJobRequest } from './kit/unknown-job';
import { expiryOf, type ExpiryReading } from './kit/expires-at';
import {
  type ExportVerdict,
  type FinishedExport,
  isCompleted,
  isFinished,
  kickoffQuery,
  overEveryExport,
  sameRequestUrl,
} from './kit/every-export';
import { isSkip } from './kit/ig-exports';
import { postExport, sinceExport } from './kit/ig-features';
import { judgeDeletedSince, readDeleted } from './kit/ig-deleted';

const STATUS_OPS: OperationId[] = ['getJobStatusV1', 'getJobStatusV2', 'getJobStatusV3'];

/** How far the target's clock may differ from the run's before a transactionTime is judged. */
const CLOCK_SKEW_MS = 60_000;

interface ManifestCase extends CheckCaseMeta {
  /**
   * What an export must have reached to be judged: `finished` (its polling ended with an answer,
   * whatever the status) or, by default, `completed` (200 with a JSON object for a manifest).
   */
  needs?: 'finished' | 'completed';
  /** Whether the rule speaks of this export at all (e.g. only exports without _type); default all. */
  appliesTo?(run: ExportRun, ctx: CheckContext): boolean;
  /** Judges one export (its manifest is there unless `needs` is `finished`). */
  check(run: FinishedExport, ctx: CheckContext): CheckOutcome;
  /** Judges the exports that never finished; without it they are left out. */
  unfinished?(runs: ExportRun[], ctx: CheckContext): Promise<ExportVerdict[]>;
  /**
   * For a rule about a field a manifest may leave out: what the skip says when no export judged
   * has it ("no output item carries count"), naming how many exports were looked at.
   */
  absent?: string;
}

/**
 * A rule of the completed-job answer, judged on every export the run followed (the shared one, the
 * filtered ones, other clients'), late in the run so the exports other checks start are there too.
 */
function completed(c: ManifestCase): CheckDefinition {
  return {
    id: c.id,
    title: c.title,
    description: c.description,
    level: c.level ?? 'MUST',
    area: 'status',
    phase: 'late',
    profiles: c.profiles ?? ['bcda', 'bulk-data-ig'],
    refs: c.refs,
    operations: STATUS_OPS,
    faults: c.faults,
    ...(c.versions ? { versions: c.versions } : {}),
    ...(c.judgesExports ? { judgesExports: c.judgesExports } : {}),
    async run(ctx) {
      const runs = (await ctx.followedExports()).filter((r) => c.appliesTo?.(r, ctx) ?? true);
      const ready = c.needs === 'finished' ? isFinished : isCompleted;
      const verdicts: ExportVerdict[] = runs
        .filter(ready)
        .map((run) => ({ run, outcome: c.check(run, ctx) }));
      const unfinished = runs.filter((r) => !isFinished(r));
      if (c.unfinished && unfinished.length) verdicts.push(...(await c.unfinished(unfinished, ctx)));
      const main = runs.find((r) => r.name === 'main');
      if (c.absent && verdicts.length && verdicts.every((v) => v.outcome.outcome === 'skip'))
        return skip(`${c.absent} in any of the ${verdicts.length} export(s) judged`);
      return overEveryExport(
        verdicts,
        main
          ? `the shared export did not complete: ${main.problem ?? 'unknown'}`
          : 'no export this rule speaks of completed',
      );
    },
  };
}

/**
 * A GET Patient- or Group-level kick-off naming no parameter that narrows the types or the data
 * (_type, _since, _typeFilter) nor organising the output (its items then have no type).
 */
function isPatientLevelDefault(run: ExportRun): boolean {
  if (run.kickoff?.exchange.request.method !== 'GET') return false;
  let path: string;
  try {
    path = new URL(run.kickoffUrl).pathname;
  } catch {
    return false;
  }
  if (!/\/(Patient|Group\/[^/]+)\/\$export$/.test(path)) return false;
  const query = kickoffQuery(run);
  return !['_type', '_since', '_typeFilter', 'organizeOutputBy'].some((p) => query.has(p));
}

/** bulkdata@35, @36: a Patient- or Group-level export without _type that found data holds Patient. */
function judgePatientsIncluded(run: FinishedExport): CheckOutcome {
  const evidence = manifestEvidence(run);
  // Items without a type (output organised by a type) say nothing of what the files hold.
  const items = manifestItems(run.manifest?.output);
  if (items.some((i) => typeof i.type !== 'string'))
    return skip('an output item names no type: the files are organised otherwise', evidence);
  const types = [...new Set(items.map((i) => i.type))].sort();
  if (!types.length) return skip('the export found no data', evidence);
  return types.includes('Patient')
    ? pass(`types: ${types.join(', ')}`, evidence)
    : warn(
        `no Patient output, though the export without _type holds ${types.join(', ')}: the patients' own resources belong in it (bulkdata@35, @36)`,
        evidence,
      );
}

/** The kick-off and the final answer of an export: what a verdict on its manifest cites. */
const manifestEvidence = (run: FinishedExport): string[] =>
  [run.kickoff?.exchange.id, run.final.exchange.id].filter((id): id is string => Boolean(id));

/** The path of a URL (the text itself when it is not one). */
/** A data file's name: a random (version 4) UUID, lower case as BCDA writes it (behavior §2.7). */
const UUID_FILE = /^([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})\.ndjson$/;
/** The error file of a data file: the same UUID with -error. */
const UUID_ERROR_FILE =
  /^([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})-error\.ndjson$/;
/** v3's file of warnings and information about the whole job. */
const WARNINGS_FILE = 'warnings-and-info.ndjson';

function urlPath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

/** How FHIR spells a resource type: an upper-case letter, then letters (Patient, ExplanationOfBenefit). */
const RESOURCE_TYPE_NAME = /^[A-Z][A-Za-z]*$/;

/** The path of the target's base URL, without a trailing slash ("" for a host's root). */
function basePathOf(baseUrl: string): string {
  return urlPath(baseUrl).replace(/\/+$/, '');
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What an X-Progress value says: Pending, a percentage (in seed 001's form or the older one), nothing usable. */
type XProgressForm =
  | { kind: 'pending' }
  | { kind: 'percent'; percent: number; older: boolean }
  | { kind: 'bare' }
  | { kind: 'bad' };

function xProgressForm(value: string): XProgressForm {
  if (value.length >= 100) return { kind: 'bad' };
  if (value === 'Pending') return { kind: 'pending' };
  if (value === 'In Progress') return { kind: 'bare' };
  const documented = /^In Progress, (\d{1,3})%$/.exec(value);
  if (documented) return { kind: 'percent', percent: Number(documented[1]), older: false };
  const older = /^In Progress \((\d{1,3})%\)$/.exec(value);
  if (older) return { kind: 'percent', percent: Number(older[1]), older: true };
  return { kind: 'bad' };
}

/** X-Progress on the 202 answers of one export: present, short, "Pending" or a percentage. */
function judgeXProgress(run: Pick<ExportRun, 'polls'>): CheckOutcome {
  const running = run.polls.filter((p) => p.status === 202);
  if (!running.length) return skip('no 202 answer was seen');
  const problems: string[] = [];
  const olderForm: string[] = [];
  let inProgress = 0;
  for (const p of running) {
    const value = p.xProgress;
    if (value === undefined) {
      problems.push(`${p.exchangeId}: no X-Progress header`);
      continue;
    }
    const form = xProgressForm(value);
    if (form.kind !== 'pending') inProgress += 1;
    if (form.kind === 'bad') problems.push(`${p.exchangeId}: X-Progress "${value}"`);
    else if (form.kind === 'bare')
      problems.push(`${p.exchangeId}: X-Progress "${value}" gives no percentage`);
    else if (form.kind === 'percent' && form.percent > 100)
      problems.push(`${p.exchangeId}: ${form.percent}% is over 100`);
    else if (form.kind === 'percent' && form.older) olderForm.push(value);
  }
  const seen = [...new Set(running.map((p) => p.xProgress ?? '(none)'))].join(' → ');
  const evidence = running.map((p) => p.exchangeId);
  if (problems.length) return fail(problems.slice(0, 5).join('; '), evidence);
  if (!inProgress)
    return skip(`every 202 said "Pending": no answer showed a job in progress (${seen})`, evidence);
  if (olderForm.length)
    return warn(`X-Progress values: ${seen}`, evidence, {
      knownDeviation:
        'the real BCDA server writes "In Progress (NN%)"; seed 001 documents "In Progress, NN%"',
    });
  return pass(`X-Progress values: ${seen}`, evidence);
}

/**
 * With mock control: a job of the check's own, forced into `state` (In Progress or Pending), asked
 * for its status once. Undefined when no job could be started (the kick-off budget is spent, or the
 * target refused).
 */
async function heldIn(
  ctx: CheckContext,
  state: 'In Progress' | 'Pending',
  asks = 1,
): Promise<{ outcome: CheckOutcome; xProgress?: string; exchangeId: string; status: number } | undefined> {
  const job = await holdOwnJob(ctx, state, `kick-off of a job to hold ${state}`);
  if (!job) return undefined;
  const polls: PollRecord[] = [];
  for (let i = 0; i < asks; i++) {
    const res = await ctx.target.get(job.jobUrl, {
      label: i === 0 ? `status of a job held ${state}` : `status of a job held ${state}, asked again`,
      auth: 'token',
      operationId: ctx.op('getJobStatus'),
    });
    const xProgress = res.headers['x-progress'];
    const poll = { exchangeId: res.exchange.id, status: res.status, at: new Date().toISOString() };
    polls.push(xProgress === undefined ? poll : { ...poll, xProgress });
  }
  const first = polls[0]!;
  const outcome = judgeXProgress({ polls });
  return {
    outcome,
    exchangeId: first.exchangeId,
    status: first.status,
    ...(first.xProgress === undefined ? {} : { xProgress: first.xProgress }),
  };
}

/** Status requests sent to a job held running (STATUS-RETRY-AFTER): the later answers count too. */
const HELD_POLLS = 3;

/** bulkdata@125: every 202 answer carries a usable Retry-After. */
function judgeRetryAfter(
  polls: ReadonlyArray<{ status: number; retryAfter?: string; exchangeId: string }>,
): CheckOutcome {
  const running = polls.filter((p) => p.status === 202);
  if (!running.length) return skip('no 202 answer was seen');
  const without = running.filter((p) => retryAfterMs(p.retryAfter) === undefined);
  return without.length
    ? warn(
        `${without.length} of ${running.length} 202 answers have no usable Retry-After`,
        without.map((p) => p.exchangeId),
      )
    : pass(
        `every 202 answer has Retry-After`,
        running.map((p) => p.exchangeId),
      );
}

/**
 * With mock control, a job of the check's own held In Progress and polled `count` times, a
 * second apart; undefined when no job could be started.
 */
async function heldPolls(
  ctx: CheckContext,
  count: number,
): Promise<Array<{ status: number; retryAfter?: string; exchangeId: string }> | undefined> {
  const job = await holdOwnJob(ctx, 'In Progress', 'kick-off of a job to hold in progress');
  if (!job) return undefined;
  const polls = [];
  for (let i = 0; i < count; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 1000));
    const res = await ctx.target.get(job.jobUrl, {
      label: `status ${i + 1} of ${count} of a job held in progress`,
      auth: 'token',
      operationId: ctx.op('getJobStatus'),
    });
    const retryAfter = res.headers['retry-after'];
    polls.push({
      status: res.status,
      exchangeId: res.exchange.id,
      ...(retryAfter === undefined ? {} : { retryAfter }),
    });
  }
  await ctx.cancel(job.jobUrl, 'cancel the job held in progress');
  return polls;
}

/**
 * With mock control, a job held Pending: its 202 must say "Pending" in X-Progress. Whether the
 * run's own polls catch a job before it starts depends on timing; this one does not.
 */
async function heldPendingProblem(
  ctx: CheckContext,
): Promise<{ problem?: string; exchangeId: string } | undefined> {
  const held = await heldIn(ctx, 'Pending');
  if (!held) return undefined;
  const { xProgress, exchangeId } = held;
  if (xProgress === 'Pending') return { exchangeId };
  return {
    exchangeId,
    problem: `a job held Pending: ${xProgress === undefined ? 'no X-Progress header' : `X-Progress "${xProgress}", not "Pending"`}`,
  };
}

/** A rule of the in-progress answers, judged on each export's polls. */
function everyExportsPolls(
  ctx: CheckContext,
  judge: (run: ExportRun) => CheckOutcome,
): Promise<CheckOutcome> {
  return ctx.followedExports().then((runs) =>
    overEveryExport(
      runs.map((run) => ({ run, outcome: judge(run) })),
      'the run followed no export',
    ),
  );
}

/** The items of a manifest's output or error as written (objects only), count and all. */
/** One problem per URL the manifest lists under more than one resource type. */
function urlsUnderSeveralTypes(items: ReadonlyArray<{ type: string; url: string }>): string[] {
  const typesByUrl = new Map<string, Set<string>>();
  for (const { type, url } of items) typesByUrl.set(url, (typesByUrl.get(url) ?? new Set()).add(type));
  return [...typesByUrl]
    .filter(([, types]) => types.size > 1)
    .map(([url, types]) => `${urlPath(url)} is listed under ${[...types].sort().join(' and ')}`);
}

function rawItems(list: unknown): Array<Record<string, unknown>> {
  return Array.isArray(list)
    ? list.filter(
        (i): i is Record<string, unknown> => Boolean(i) && typeof i === 'object' && !Array.isArray(i),
      )
    : [];
}

/** The files of an export the run downloaded whole (200, read to the end), with their line counts. */
type ReadFile = DownloadRecord & { validation: NonNullable<DownloadRecord['validation']> };

function completeDownloads(run: ExportRun, kind: 'output' | 'error'): ReadFile[] {
  return run.downloads.filter(
    (d): d is ReadFile => d.kind === kind && d.status === 200 && !d.error && d.validation !== undefined,
  );
}

/** " (+N more)" past the first `shown` problems. */
const more = (problems: string[], shown: number) =>
  problems.length > shown ? ` (+${problems.length - shown} more)` : '';

/** Most error files of the shared export read back to find the failed beneficiaries named. */
const MAX_ERROR_FILES_READ = 20;

/**
 * Part of an export failing (BCDA: beneficiaries BFD cannot find) still ends in 200, with error
 * files that describe each failure. Which beneficiaries failed only a target with control can say
 * (the mock, whose data has such beneficiaries for every organization); elsewhere this skips.
 */
function partialFailureCheck(): CheckDefinition {
  return {
    id: 'MANIFEST-PARTIAL-FAILURE',
    title: 'an export that fails in part completes with error files naming the failures',
    description:
      "For every export the run followed, the target's control endpoints say which beneficiaries it could not export. Where there are any, the job must still complete with 200, its manifest's error array must list OperationOutcome files that download (200), and the error files the run downloaded must hold at least one OperationOutcome per failed beneficiary; the shared export's error files are read back and must name each failed beneficiary's MBI. Skipped on a target without mock control, and for exports where nothing failed.",
    level: 'MUST',
    area: 'status',
    phase: 'late',
    profiles: ['bcda', 'bulk-data-ig'],
    refs: ['behavior §2.7', 'behavior §6'],
    operations: [...STATUS_OPS, 'downloadFile'],
    faults: ['status-partial-failure-500', 'manifest-error-array-empty'],
    async run(ctx) {
      const control = ctx.control;
      if (!control?.jobFailures)
        return skip(
          'the target offers no way to tell which beneficiaries it could not export (only the mock’s control endpoints do)',
        );
      const runs = (await ctx.followedExports()).filter(isFinished);
      const verdicts: ExportVerdict[] = [];
      for (const run of runs) {
        const id = jobIdOf(run.jobUrl);
        if (!id) {
          verdicts.push({ run, outcome: skip(`no job id in ${run.jobUrl ?? 'the kick-off answer'}`) });
          continue;
        }
        let failed: string[];
        try {
          failed = await control.jobFailures(id);
        } catch (err) {
          if (err instanceof BudgetSpentError) throw err;
          verdicts.push({ run, outcome: skip(`the control could not tell: ${(err as Error).message}`) });
          continue;
        }
        verdicts.push({ run, outcome: await judgePartialFailure(ctx, run, failed) });
      }
      return overEveryExport(verdicts, 'no export the run followed finished');
    },
  };
}

async function judgePartialFailure(
  ctx: CheckContext,
  run: FinishedExport,
  failed: string[],
): Promise<CheckOutcome> {
  const evidence = manifestEvidence(run);
  if (!failed.length) return skip('the target exported every beneficiary', evidence);
  const what = `${failed.length} beneficiar${failed.length === 1 ? 'y' : 'ies'} could not be exported`;
  const notCompleted = statusProblem(run.final, 200);
  if (notCompleted) return fail(`${what}, and the job did not complete: ${notCompleted}`, evidence);
  const listed = manifestItems(run.manifest?.error).filter((i) => i.type === 'OperationOutcome');
  if (!listed.length)
    return fail(`${what}, but the manifest's error array lists no OperationOutcome file`, evidence, {
      expected: `error files describing ${failed.length} failure(s)`,
      actual: JSON.stringify(run.manifest?.error ?? null),
    });
  // A listed error file that cannot be had describes nothing: the failures would go unexplained.
  const dead = run.downloads.filter(
    (d) => d.kind === 'error' && !d.refused && d.status !== undefined && d.status !== 200,
  );
  if (dead.length)
    return fail(
      `${what}, but ${dead.length} of the ${listed.length} error file(s) listed cannot be downloaded (${dead
        .slice(0, 2)
        .map((d) => `${d.item.url}: ${d.status}`)
        .join('; ')})`,
      [...evidence, ...dead.flatMap((d) => (d.exchangeId ? [d.exchangeId] : []))],
    );
  const read = completeDownloads(run, 'error');
  const outcomes = read.reduce((n, d) => n + (d.validation.countsByType.OperationOutcome ?? 0), 0);
  if (read.length === listed.length && outcomes < failed.length)
    return fail(`${what}, but the ${listed.length} error file(s) hold only ${outcomes} OperationOutcome(s)`, [
      ...evidence,
      ...read.flatMap((d) => (d.exchangeId ? [d.exchangeId] : [])),
    ]);
  if (run.name !== 'main')
    return pass(
      `${what}; 200 with ${listed.length} error file(s), ${outcomes} OperationOutcome(s)`,
      evidence,
    );
  // The shared export's error files, read back: each failed beneficiary must be named.
  const texts: string[] = [];
  for (const item of listed.slice(0, MAX_ERROR_FILES_READ)) {
    const res = await ctx.target.get(item.url, {
      label: 'read an error file back for the beneficiaries it names',
      operationId: 'downloadFile',
    });
    evidence.push(res.exchange.id);
    if (res.status === 200) texts.push(res.text());
  }
  const all = listed.length <= MAX_ERROR_FILES_READ && texts.length === listed.length;
  const unnamed = failed.filter((mbi) => !texts.some((t) => t.includes(mbi)));
  if (unnamed.length && all)
    return fail(
      `${what}, but the error files do not name ${unnamed.length} of them (${unnamed.slice(0, 3).join(', ')})`,
      evidence,
    );
  const named = failed.length - unnamed.length;
  return pass(
    `${what}; 200 with ${listed.length} error file(s) naming ${named} of them${all ? '' : ' (not every error file was read)'}`,
    evidence,
  );
}

const jobStatusChecks: CheckDefinition[] = [
  {
    id: 'STATUS-IN-PROGRESS-202',
    title: 'a running job answers 202',
    description:
      'While an export runs, GET on its Content-Location URL answers 202 Accepted (no body needed): judged on the polls of every export the run followed. A first poll answering another 2XX than 200 with a manifest (204 No Content) fails, and so does one answering 404 or 410: the run cancels none of the exports it follows, so a job the kick-off has just named is not gone but not yet shown.',
    level: 'MUST',
    area: 'status',
    phase: 'late',
    profiles: ['bcda', 'bulk-data-ig'],
    refs: [],
    operations: STATUS_OPS,
    faults: ['status-running-200'],
    async run(ctx) {
      const judged = await everyExportsPolls(ctx, (run) => {
        if (!run.polls.length) return skip(`never polled: ${run.problem ?? 'unknown'}`);
        const early = run.polls.slice(0, -1);
        if (!early.length) {
          const first = run.polls[0]!;
          // A 200 that carries no manifest is a running job answering with the wrong status.
          if (first.status === 200 && !(run.manifest && Array.isArray(run.manifest.output))) {
            return fail('the first poll answered 200 without a manifest: a running job must answer 202', [
              first.exchangeId,
            ]);
          }
          // Another 2XX (204 No Content) is no answer of a finished job either: one still running.
          if (first.status > 200 && first.status < 300 && first.status !== 202)
            return fail(`the first poll answered ${first.status}: a running job must answer 202`, [
              first.exchangeId,
            ]);
          // Nothing the run does cancels a job it follows: one just named cannot be gone already.
          if (first.status === 404 || first.status === 410)
            return fail(
              `the first poll answered ${first.status}: the job the kick-off had just named was not found, where a job still processing answers 202`,
              [first.exchangeId],
            );
          return skip('the job was already finished at the first poll, so no in-progress answer was seen', [
            first.exchangeId,
          ]);
        }
        const bad = early.find((p) => p.status !== 202);
        return bad
          ? fail(`a poll of the running job answered ${bad.status}`, [bad.exchangeId])
          : pass(
              `${early.length} poll(s) answered 202 while the job ran`,
              early.map((p) => p.exchangeId),
            );
      });
      // The run's polls see a running job only by chance (a job answering 200 while it runs looks
      // finished to them): with mock control, a job of its own held In Progress is asked too.
      if (!ctx.control || judged.outcome === 'fail') return judged;
      const held = await heldIn(ctx, 'In Progress');
      if (!held) return judged;
      const evidence = [...(judged.evidence ?? []), held.exchangeId];
      if (held.status !== 202)
        return fail(
          `a job held In Progress answered ${held.status}, where a running job answers 202`,
          evidence,
        );
      return judged.outcome === 'skip'
        ? pass('a job held In Progress answered 202', evidence)
        : { ...judged, evidence };
    },
  },
  {
    id: 'STATUS-X-PROGRESS',
    title: 'a running job reports X-Progress, with its percentage while in progress',
    description:
      'Each 202 carries X-Progress, under 100 characters: "Pending" before work starts, and while the job is in progress its estimated progress as a percentage from 0 to 100, in the form seed 001 shows ("In Progress, 80%"). The real server writes "In Progress (80%)", the form of the older walkthrough, a known deviation. A bare "In Progress" fails: it tells no progress. Judged on the polls of every export the run followed, and, where the target offers mock control, on two status answers in a row of a job of its own held In Progress (a quick server finishes between two polls, so the polls of its exports rarely see a job running twice); with neither, skipped. Where job states can be set, a job of its own held Pending must also say "Pending": the run\'s polls catch a job before it starts only by chance.',
    level: 'MUST',
    area: 'status',
    phase: 'late',
    profiles: ['bcda'],
    refs: ['behavior §2.3'],
    operations: STATUS_OPS,
    faults: ['status-no-x-progress', 'status-bad-x-progress', 'status-x-progress-no-percent'],
    async run(ctx) {
      let judged = await everyExportsPolls(ctx, judgeXProgress);
      if (!ctx.control || judged.outcome === 'fail') return judged;
      // Jobs can finish between two polls, and are rarely seen running twice: hold one In Progress
      // and ask twice, since every 202 of a running job carries X-Progress, not only the first.
      const running = await heldIn(ctx, 'In Progress', 2);
      if (running?.outcome.outcome === 'fail' || (running && judged.outcome === 'skip'))
        judged = running.outcome;
      if (judged.outcome === 'fail' || judged.outcome === 'skip') return judged;
      const pending = await heldPendingProblem(ctx);
      if (!pending) return judged;
      const evidence = [...(judged.evidence ?? []), pending.exchangeId];
      return pending.problem ? fail(pending.problem, evidence) : { ...judged, evidence };
    },
  },
  {
    id: 'STATUS-RETRY-AFTER',
    title: 'a running job suggests when to poll again',
    description:
      "The IG recommends Retry-After on 202 status answers, in delta-seconds or HTTP-date form: judged on the polls of every export the run followed and, where the target's job states can be set, on three polls of a job held in progress (a fast job may answer 202 once only). SHOULD: the IG's word (bulkdata@125); the BCDA documents do not mention it.",
    level: 'SHOULD',
    area: 'status',
    phase: 'late',
    profiles: ['bulk-data-ig'],
    refs: [],
    operations: STATUS_OPS,
    faults: ['status-no-retry-after', 'ig-status-no-retry-after'],
    async run(ctx) {
      const judged = await everyExportsPolls(ctx, (run) => judgeRetryAfter(run.polls));
      if (!ctx.control || judged.outcome === 'warn' || judged.outcome === 'fail') return judged;
      // A fast job may answer 202 once only: a job held running is polled again and again.
      const held = await heldPolls(ctx, HELD_POLLS);
      if (!held) return judged;
      const verdictOnHeld = judgeRetryAfter(held);
      if (verdictOnHeld.outcome === 'warn')
        return warn(`a job held in progress: ${verdictOnHeld.message}`, verdictOnHeld.evidence);
      return judged.outcome === 'skip' ? verdictOnHeld : judged;
    },
  },
  completed({
    id: 'STATUS-COMPLETE-200',
    title: 'a finished job answers 200 with JSON',
    description:
      'When an export is done, its status URL answers 200 OK with Content-Type application/json and a JSON body: judged on every export the run followed.',
    refs: [],
    faults: ['status-complete-wrong-content-type', 'status-complete-202'],
    needs: 'finished',
    async unfinished(runs, ctx) {
      // A job the job list already calls completed, while its status URL still answers 202, never will finish.
      const stuck = runs.flatMap((run) => {
        const id = jobIdOf(run.jobUrl);
        const last = run.polls.at(-1);
        return id && last?.status === 202 ? [{ run, id, last }] : [];
      });
      if (!stuck.length) return [];
      const res = await listJobs(
        ctx,
        'Completed',
        'list completed jobs to cross-check the unfinished exports',
      );
      const done = new Set((tasksOf(res) ?? []).map((t) => t.id));
      // Polling may have stopped (the run's deadline) just before the job finished: ask once more
      // after the list, and call the job stuck only if its status URL still answers 202.
      const stillRunning = await Promise.all(
        stuck
          .filter(({ id }) => done.has(id))
          .map(async (s) => ({
            ...s,
            again: await ctx.target.get(s.run.jobUrl!, {
              label: 'status of a job the job list calls completed',
              operationId: ctx.op('getJobStatus'),
            }),
          })),
      );
      return stillRunning
        .filter(({ again }) => again.status === 202)
        .map(({ run, id, last, again }) => ({
          run,
          outcome: fail(
            `the job list says job ${id} is completed, but its status URL still answered 202 after ${run.polls.length} polls and once more after the list`,
            [last.exchangeId, res.exchange.id, again.exchange.id],
          ),
        }));
    },
    check(run) {
      const res = run.final;
      const problem = joinProblems([
        statusProblem(res, 200),
        mediaType(res) === 'application/json'
          ? undefined
          : `Content-Type is "${res.headers['content-type'] ?? '(none)'}", expected application/json`,
        run.manifest ? undefined : `the body is not a JSON object (${res.jsonError() ?? 'empty'})`,
      ]);
      return verdict(problem, '200, application/json, JSON body', [res.exchange.id]);
    },
  }),
  completed({
    id: 'STATUS-EXPIRES',
    title: 'a finished job says when its files expire',
    description:
      "Every completed answer carries an Expires header (an HTTP-date) about 24 hours ahead: files expire after 24 hours. The real server sends a Go time string instead, a known deviation. SHOULD: the IG's word (bulkdata@146); the BCDA documents promise the 24 hours, not the header.",
    level: 'SHOULD',
    refs: ['behavior §2.3'],
    faults: ['status-no-expires'],
    check(run) {
      const res = run.final;
      const value = res.headers.expires;
      if (value === undefined) return fail('no Expires header', [res.exchange.id]);
      if (GO_TIME.test(value)) {
        return warn(`Expires "${value}" is a Go time string, not an HTTP-date`, [res.exchange.id], {
          knownDeviation: 'the real BCDA server formats Expires with Go time.Time.String()',
        });
      }
      if (!HTTP_DATE.test(value)) return fail(`Expires "${value}" is not an HTTP-date`, [res.exchange.id]);
      const hours = (Date.parse(value) - Date.parse(res.exchange.startedAt)) / 3_600_000;
      if (hours < 1 || hours > 25)
        return warn(`Expires is ${hours.toFixed(1)} h ahead, not about 24 h`, [res.exchange.id]);
      return pass(`Expires ${value}`, [res.exchange.id]);
    },
  }),
  completed({
    id: 'MANIFEST-TRANSACTION-TIME',
    title: 'manifest transactionTime is a FHIR instant',
    description:
      "In every manifest, transactionTime is required and is a FHIR instant (date, time with seconds, zone), no later than the answer and, being the server's time when the export's query ran, no earlier than the kick-off (a minute of clock skew allowed either way). The real server's v1 and v2 give BFD's last data load instead, a known deviation under the bcda profile; under bulk-data-ig a time before the kick-off warns, since a server answering from a snapshot may give the snapshot's time.",
    refs: [],
    faults: ['manifest-bad-transaction-time', 'manifest-no-transaction-time'],
    check(run, ctx) {
      const t = run.manifest?.transactionTime;
      const id = run.final.exchange.id;
      if (typeof t !== 'string' || !FHIR_INSTANT.test(t))
        return fail(`transactionTime is ${JSON.stringify(t)}`, [id]);
      if (Date.parse(t) > Date.parse(run.final.exchange.startedAt) + CLOCK_SKEW_MS)
        return fail(`transactionTime ${t} is in the future`, [id]);
      const kickoff = run.kickoff?.exchange;
      const early = kickoff ? Date.parse(kickoff.startedAt) - Date.parse(t) : 0;
      if (kickoff && early > CLOCK_SKEW_MS) {
        const message = `transactionTime ${t} is ${(early / 3_600_000).toFixed(1)} h before the kick-off (${kickoff.startedAt}): the export's query cannot have run then`;
        // BCDA v1/v2 report BFD's last load, at most a day and an hour before the kick-off.
        if (ctx.config.profile === 'bcda' && ctx.config.apiVersion !== 'v3' && early <= 25 * 3_600_000)
          return warn(message, [id, kickoff.id], {
            knownDeviation: "the real BCDA server's v1 and v2 give BFD's last data load as transactionTime",
          });
        // A generic server answering from a snapshot may give the snapshot's time: the data then
        // agree with it, only the IG's wording does not, so this is worth a warning, not a failure.
        if (ctx.config.profile === 'bulk-data-ig')
          return warn(
            `${message}; a server answering from an older snapshot gives its time, where the IG asks for the time the query ran`,
            [id, kickoff.id],
          );
        return fail(message, [id, kickoff.id]);
      }
      return pass(`transactionTime ${t}`, [id]);
    },
  }),
  completed({
    id: 'MANIFEST-REQUEST-URL',
    title: 'manifest request is the kick-off URL',
    description:
      "In every manifest, request holds the full URL of that export's kick-off request, query included.",
    refs: [],
    faults: ['manifest-wrong-request', 'manifest-no-request', 'manifest-request-drops-query'],
    check(run) {
      const id = run.final.exchange.id;
      const got = run.manifest?.request;
      if (typeof got !== 'string') return fail(`request is ${JSON.stringify(got)}`, [id]);
      return sameRequestUrl(got, run.kickoffUrl)
        ? pass(`request ${got}`, [id])
        : fail(`request is ${got}`, [id, run.kickoff?.exchange.id ?? ''].filter(Boolean), {
            expected: run.kickoffUrl,
            actual: got,
          });
    },
  }),
  completed({
    id: 'MANIFEST-REQUIRES-ACCESS-TOKEN',
    title: 'manifest requiresAccessToken is a boolean (true for BCDA)',
    description:
      'In every manifest, requiresAccessToken is a JSON boolean; BCDA protects its files with the bearer token, so it is true.',
    refs: [],
    faults: ['manifest-requires-access-token-string'],
    check(run, ctx) {
      const v = run.manifest?.requiresAccessToken;
      const id = run.final.exchange.id;
      if (typeof v !== 'boolean')
        return fail(`requiresAccessToken is ${JSON.stringify(v)}, not a boolean`, [id]);
      if (ctx.config.profile === 'bcda' && v !== true) return fail('requiresAccessToken is false', [id]);
      return pass(`requiresAccessToken ${v}`, [id]);
    },
  }),
  completed({
    id: 'MANIFEST-OUTPUT-ITEMS',
    title: 'manifest output lists files with type and absolute url',
    description:
      'In every manifest, output is an array and every item has a resource type, spelt as FHIR names it (Patient, not patient), and an absolute url, each file listed once (one item per file: no two items with the same url).',
    refs: [],
    faults: ['manifest-relative-urls', 'manifest-output-missing-type', 'ig-manifest-relative-urls'],
    judgesExports: ['empty-output'],
    check(run) {
      const id = run.final.exchange.id;
      const output = run.manifest?.output;
      if (!Array.isArray(output))
        return fail(`output is ${JSON.stringify(output)?.slice(0, 80)}, not an array`, [id]);
      const problems: string[] = [];
      const firstAt = new Map<string, number>();
      output.forEach((raw: unknown, i) => {
        const item = raw as Record<string, unknown> | null;
        if (!item || typeof item.type !== 'string' || !item.type) problems.push(`output[${i}] has no type`);
        else if (!RESOURCE_TYPE_NAME.test(item.type))
          problems.push(`output[${i}].type ${JSON.stringify(item.type)} is not a resource type name`);
        if (!item || !isAbsoluteHttpUrl(item.url))
          problems.push(`output[${i}].url ${JSON.stringify(item?.url)} is not absolute`);
        else if (firstAt.has(item.url))
          problems.push(`output[${i}] lists the file of output[${firstAt.get(item.url)}] again`);
        else firstAt.set(item.url, i);
      });
      return problems.length
        ? fail(
            problems.slice(0, 5).join('; ') + (problems.length > 5 ? ` (+${problems.length - 5} more)` : ''),
            [id],
          )
        : pass(`${output.length} output item(s), each with type and absolute url`, [id]);
    },
  }),
  completed({
    id: 'MANIFEST-ERROR-ARRAY',
    title: 'manifest error is an array of OperationOutcome files',
    description:
      'In every manifest, error is present as an array (empty when there are no errors); its items have type OperationOutcome and an absolute url. Under the bcda profile error lists failures only (seed 001: empty when nothing failed): no error file the run downloaded whole may be empty.',
    refs: [],
    faults: ['manifest-error-not-array'],
    judgesExports: ['with-error-files'],
    check(run, ctx) {
      const id = run.final.exchange.id;
      const error = run.manifest?.error;
      if (!Array.isArray(error)) return fail(`error is ${JSON.stringify(error)}, not an array`, [id]);
      const bad = error.findIndex((raw: unknown) => {
        const item = raw as Record<string, unknown> | null;
        return !item || item.type !== 'OperationOutcome' || !isAbsoluteHttpUrl(item.url);
      });
      if (bad >= 0) return fail(`error[${bad}] is not {type: OperationOutcome, url: absolute}`, [id]);
      // An error entry whose file reports nothing is an error listed where nothing failed.
      const empty =
        ctx.config.profile === 'bcda'
          ? completeDownloads(run, 'error').filter((d) => d.validation.lines === 0)
          : [];
      if (empty.length)
        return fail(
          `${empty.length} of the ${error.length} error file(s) hold no OperationOutcome (${urlPath(empty[0]!.item.url)}): error lists files where nothing failed`,
          [id, ...empty.flatMap((d) => (d.exchangeId ? [d.exchangeId] : []))].slice(0, 10),
        );
      return pass(`error array with ${error.length} item(s)`, [id]);
    },
  }),
  completed({
    id: 'MANIFEST-FILE-NAMES',
    title: 'data files have random UUID names, each error file the name of its data file',
    description:
      "Every output url ends in <random UUID>.ndjson and every error url in <UUID>-error.ndjson, the UUID of the data file of its batch (v3's warnings-and-info.ndjson is the one other error file). A batch whose data came out empty is left out of output while its error file stays, so pairing is judged as a whole: where an export lists both, some error file must carry an output file's UUID. A UUID name cannot be guessed and ties each error file to its data. Judged on every completed export; skipped when no manifest lists a file.",
    profiles: ['bcda'],
    refs: ['behavior §2.7'],
    faults: ['manifest-file-names-not-uuid', 'manifest-error-file-unpaired'],
    check(run) {
      const evidence = manifestEvidence(run);
      const fileName = (url: string) => urlPath(url).split('/').at(-1) ?? '';
      const outputs = manifestItems(run.manifest?.output).map((i) => fileName(i.url));
      const errors = manifestItems(run.manifest?.error).map((i) => fileName(i.url));
      if (!outputs.length && !errors.length) return skip('the manifest lists no file', evidence);
      const uuids = new Set(outputs.flatMap((n) => UUID_FILE.exec(n)?.[1] ?? []));
      const badOutputs = outputs.filter((n) => !UUID_FILE.test(n));
      const batchErrors = errors.filter((n) => n !== WARNINGS_FILE);
      const badErrors = batchErrors.filter((n) => !UUID_ERROR_FILE.test(n));
      const paired = batchErrors.filter((n) => uuids.has(UUID_ERROR_FILE.exec(n)?.[1] ?? ''));
      const problem = joinProblems([
        badOutputs.length
          ? `${badOutputs.length} output file name(s) are not <UUID>.ndjson (${badOutputs[0]})`
          : undefined,
        badErrors.length
          ? `${badErrors.length} error file name(s) are not <UUID>-error.ndjson (${badErrors[0]})`
          : undefined,
        uuids.size && batchErrors.length && !badErrors.length && !paired.length
          ? `none of the ${batchErrors.length} error file(s) carries the UUID of an output file (${batchErrors[0]})`
          : undefined,
      ]);
      return verdict(
        problem,
        `${outputs.length} output and ${errors.length} error file(s) named as documented`,
        evidence,
      );
    },
  }),
  completed({
    id: 'MANIFEST-JOB-ID',
    title: 'the manifest names its job: JobID and every file URL carry the job id',
    description:
      "BCDA's manifest carries JobID, the job's id as a JSON number, and every output and error url is /data/<job id>/<file>, with the id of the Content-Location the kick-off answered. Judged on every completed export.",
    profiles: ['bcda'],
    refs: ['behavior §2.3'],
    faults: ['manifest-wrong-job-id'],
    check(run, ctx) {
      const id = jobIdOf(run.jobUrl);
      const evidence = manifestEvidence(run);
      if (!id || !/^\d+$/.test(id))
        return skip(`no numeric job id in the status URL ${run.jobUrl}`, evidence);
      const jobId = run.manifest?.JobID;
      const files = [...manifestItems(run.manifest?.output), ...manifestItems(run.manifest?.error)];
      // <base>/data/<id>/<file>.ndjson: the path starts at the target's base, not below the API's path.
      const dir = `${basePathOf(ctx.target.baseUrl)}/data/${id}/`;
      const elsewhere = files.filter(
        (f) => !new RegExp(`^${escapeRegExp(dir)}[^/?#]+\\.ndjson$`).test(urlPath(f.url)),
      );
      const problem = joinProblems([
        jobId === Number(id) ? undefined : `JobID is ${JSON.stringify(jobId)}, expected the number ${id}`,
        elsewhere.length
          ? `${elsewhere.length} file url(s) are not <base>${dir}<file>.ndjson (${elsewhere[0]!.url})`
          : undefined,
      ]);
      return verdict(problem, `JobID ${id}, ${files.length} file url(s) under ${dir}`, evidence);
    },
  }),
  completed({
    id: 'MANIFEST-DEFAULT-TYPES',
    title: 'an export without _type returns Patient, Coverage and ExplanationOfBenefit',
    description:
      'Without _type, BCDA returns every type the organization is entitled to: ExplanationOfBenefit, Patient and Coverage; Claim and ClaimResponse only for partially adjudicated data on v2, each type under URLs of its own (a URL listed under two types lists a type whose data is not there). Judged on every export the run followed with neither _type nor _since (with _since a type may have nothing new). Under the bulk-data-ig profile: every GET Patient- or Group-level export without _type, _since, _typeFilter or organizeOutputBy that found data lists Patient among its output types (the IG says such an export includes the Patient resources where applicable: bulkdata@35, @36; a warning, SHOULD).',
    refs: ['behavior §2.2'],
    profiles: ['bcda', 'bulk-data-ig'],
    faults: ['export-default-omits-coverage'],
    appliesTo: (run, ctx) =>
      ctx.generic
        ? isPatientLevelDefault(run)
        : !kickoffQuery(run).has('_type') && !kickoffQuery(run).has('_since'),
    check(run, ctx) {
      if (ctx.generic) return judgePatientsIncluded(run);
      const id = run.final.exchange.id;
      const types = new Set(manifestItems(run.manifest?.output).map((i) => i.type));
      const missing = ['Patient', 'Coverage', 'ExplanationOfBenefit'].filter((t) => !types.has(t));
      const unexpected = [...types].filter(
        (t) => !['Patient', 'Coverage', 'ExplanationOfBenefit', 'Claim', 'ClaimResponse'].includes(t),
      );
      if (ctx.version !== 'v2')
        unexpected.push(...[...types].filter((t) => t === 'Claim' || t === 'ClaimResponse'));
      const problem = joinProblems([
        missing.length ? `missing type(s): ${missing.join(', ')}` : undefined,
        unexpected.length ? `unexpected type(s): ${unexpected.join(', ')}` : undefined,
        ...urlsUnderSeveralTypes(manifestItems(run.manifest?.output)),
      ]);
      return verdict(problem, `types: ${[...types].sort().join(', ')}`, [id]);
    },
  }),
  completed({
    id: 'MANIFEST-NO-EMPTY-OUTPUT',
    title: 'the manifest lists no output file without data',
    description:
      "A type without data gets no output item: in every completed export, no output item carries count 0 and no output file the run downloaded holds no resource. Skipped for an export without output items. SHOULD: the IG's word (bulkdata@173); BCDA leaves out the sub-jobs that found nothing.",
    level: 'SHOULD',
    refs: ['behavior §2.3'],
    faults: ['manifest-lists-empty-file'],
    check(run) {
      const evidence = manifestEvidence(run);
      const output = rawItems(run.manifest?.output);
      if (!output.length) return skip('no output item', evidence);
      const problems: string[] = [];
      output.forEach((item, i) => {
        if (item.count === 0) problems.push(`output[${i}] (${String(item.type)}) has count 0`);
      });
      const files = completeDownloads(run, 'output');
      for (const d of files) {
        if (d.validation.lines === 0) problems.push(`${d.item.url} (${d.item.type}) holds no resource`);
        if (d.exchangeId && d.validation.lines === 0) evidence.push(d.exchangeId);
      }
      const counted = output.filter((item) => typeof item.count === 'number').length;
      if (!files.length && !counted)
        return skip('no output file was downloaded and no output item carries count', evidence);
      return problems.length
        ? warn(problems.slice(0, 4).join('; ') + more(problems, 4), evidence)
        : pass(`${Math.max(files.length, counted)} output file(s), none without data`, evidence);
    },
  }),
  completed({
    id: 'MANIFEST-OUTPUT-COUNT',
    title: "an output item's count, when present, is the number of resources in its file",
    description:
      'Where an output item carries count, it is a JSON integer, not negative, equal to the number of resources (lines) in its file as the run downloaded it. Judged on every completed export; skipped where no item carries count (BCDA sends none).',
    absent: 'no output item carries count',
    refs: [],
    faults: ['manifest-count-wrong'],
    check(run) {
      const evidence = manifestEvidence(run);
      const counted = rawItems(run.manifest?.output).filter((item) => 'count' in item);
      if (!counted.length) return skip('no output item carries count', evidence);
      const lines = new Map(completeDownloads(run, 'output').map((d) => [d.item.url, d]));
      const problems: string[] = [];
      let compared = 0;
      for (const item of counted) {
        const count = item.count;
        const name = `${String(item.type)} item ${String(item.url)}`;
        if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
          problems.push(`${name}: count is ${JSON.stringify(count)}, not a non-negative integer`);
          continue;
        }
        const file = typeof item.url === 'string' ? lines.get(item.url) : undefined;
        if (!file) continue;
        compared += 1;
        if (file.validation.lines !== count) {
          problems.push(`${name}: count ${count}, but the file holds ${file.validation.lines} line(s)`);
          if (file.exchangeId) evidence.push(file.exchangeId);
        }
      }
      if (problems.length) return fail(problems.slice(0, 4).join('; ') + more(problems, 4), evidence);
      return pass(`${counted.length} count(s), integers; ${compared} equal to their file's lines`, evidence);
    },
  }),
  completed({
    id: 'MANIFEST-EXTENSION-OBJECT',
    title: "the manifest's extension, when present, is a JSON object",
    description:
      'Where a completed manifest carries extension, it is a JSON object (not an array, a string or null). Judged on every completed export; skipped where no manifest carries extension (BCDA sends none).',
    absent: 'no manifest carries extension',
    refs: [],
    faults: ['manifest-extension-not-object'],
    check(run) {
      const evidence = manifestEvidence(run);
      const manifest = run.manifest ?? {};
      if (!('extension' in manifest)) return skip('no extension', evidence);
      const value = manifest.extension;
      const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
      return isObject
        ? pass(`extension is an object (${Object.keys(value).length} key(s))`, evidence)
        : fail(
            `extension is ${Array.isArray(value) ? 'an array' : JSON.stringify(value)?.slice(0, 80)}, not an object`,
            evidence,
          );
    },
  }),
  partialFailureCheck(),
  {
    id: 'STATUS-TYPE-FILTER',
    title: 'an export with _type=Patient returns only Patient files',
    description:
      'With _type, the output is filtered to the named types: _type=Patient yields only Patient output items, and their lines are Patients.',
    level: 'MUST',
    area: 'status',
    profiles: ['bcda', 'bulk-data-ig'],
    refs: [],
    operations: STATUS_OPS,
    faults: ['content-ignores-type', 'ig-type-ignored'],
    async run(ctx) {
      // After the shared export: a server that refuses a second job in flight (429) sees none.
      await ctx.mainExport().catch(() => undefined);
      const run = await ctx.filteredExport('type-patient', {
        endpoint: 'patient',
        query: { _type: 'Patient' },
      });
      if (!run.final || !run.manifest)
        return skip(`the _type=Patient export did not complete: ${run.problem ?? 'unknown'}`);
      const items = manifestItems(run.manifest.output);
      const others = items.filter((i) => i.type !== 'Patient');
      const lineTypes = run.downloads.flatMap((d) =>
        Object.keys(d.validation?.countsByType ?? {}).filter((t) => d.kind === 'output' && t !== 'Patient'),
      );
      const problem = joinProblems([
        items.length === 0 ? 'no Patient output at all' : undefined,
        others.length ? `output lists ${[...new Set(others.map((o) => o.type))].join(', ')}` : undefined,
        lineTypes.length ? `files hold ${[...new Set(lineTypes)].join(', ')} lines` : undefined,
      ]);
      const evidence = [
        run.final.exchange.id,
        ...run.downloads.map((d) => d.exchangeId ?? '').filter(Boolean),
      ].slice(0, 10);
      return verdict(problem, `${items.length} Patient file(s) only`, evidence);
    },
  },
  {
    id: 'STATUS-INVALID-JOB-ID',
    title: 'a job id that is not a number is rejected',
    description:
      "GET /jobs/abc answers 400 with an OperationOutcome (code structure). SHOULD: the real server's answer; the documents say nothing of malformed job ids.",
    level: 'SHOULD',
    area: 'status',
    profiles: ['bcda'],
    refs: ['behavior §2.3'],
    operations: STATUS_OPS,
    faults: ['status-bad-job-id-500'],
    async run(ctx) {
      const res = await ctx.target.call(ctx.op('getJobStatus'), {
        label: 'status of job "abc"',
        path: { jobId: 'abc' },
      });
      const problem = joinProblems(errorAnswerProblems(res, 400, { code: 'structure' }));
      return verdict(problem, '400 for a non-numeric job id', [res.exchange.id]);
    },
  },
  {
    id: 'STATUS-FAILED-ERROR',
    title: 'a failed job answers 500 with an OperationOutcome',
    description:
      'The status of a job that failed is an error, not a job still running: BCDA answers 500 with an OperationOutcome (code exception, "Service encountered numerous errors. Job failed to complete."), as application/fhir+json; the generic profile accepts any 4XX/5XX with an OperationOutcome. The job is failed through the mock control endpoints, or on v1 by asking for Observation, which BCDA accepts and then fails.',
    level: 'MUST',
    area: 'status',
    profiles: ['bcda', 'bulk-data-ig'],
    refs: ['behavior §2.3', 'behavior §3'],
    operations: STATUS_OPS,
    faults: ['status-failed-202', 'ig-failed-job-in-progress'],
    async run(ctx) {
      if (!ctx.control && (ctx.generic || ctx.version !== 'v1'))
        return skip(
          ctx.generic
            ? 'no way to make a job fail: the run cannot set the state of this server’s jobs'
            : 'no way to make a job fail: the target has no mock control, and only v1 fails Observation exports',
        );
      const started = await startOwnJob(ctx, {
        endpoint: 'patient',
        query: { _type: ctx.control ? 'Patient' : 'Observation' },
        label: 'kick-off of a job that is to fail',
      });
      if (isOutcome(started)) return started;
      const id = started.id;
      let res;
      if (ctx.control && id) {
        await ctx.control.forceJobState(id, 'Failed');
        ctx.keep(started.jobUrl); // a failed job cannot be cancelled: no DELETE at cleanup
        res = await ctx.target.get(started.jobUrl, {
          label: 'status of the failed job',
          operationId: ctx.op('getJobStatus'),
        });
      } else {
        const polled = await ctx.poll(started.jobUrl, 'poll the Observation job until it fails');
        if (!polled.final) return skip(polled.stopped ?? 'the job did not finish within the budget');
        ctx.keep(started.jobUrl); // it ended: nothing to cancel at cleanup
        res = polled.final;
      }
      const evidence = [started.res.exchange.id, res.exchange.id];
      const bcda = ctx.config.profile === 'bcda';
      const problem = joinProblems([
        bcda
          ? statusProblem(res, 500)
          : res.status >= 400 && res.status < 600
            ? undefined
            : `status ${res.status}, expected 4XX or 5XX`,
        ...(res.status >= 400
          ? operationOutcomeProblems(res, { contentType: true, ...(bcda ? { code: 'exception' } : {}) })
          : []),
      ]);
      return verdict(problem, `${res.status} with an OperationOutcome`, evidence);
    },
  },
  {
    id: 'STATUS-UNKNOWN-JOB',
    title: 'an unknown job answers 404 with an OperationOutcome',
    description:
      "GET /jobs/0 (no such job) answers 404 Not Found with an OperationOutcome (code not-found). Under the bulk-data-ig profile the URL is a real job's status URL (the shared export's Content-Location) with its id swapped for one no job has, and any issue code will do.",
    level: 'MUST',
    area: 'status',
    profiles: ['bcda', 'bulk-data-ig'],
    refs: ['behavior §2.3'],
    operations: STATUS_OPS,
    faults: ['status-unknown-job-200', 'ig-status-error-json'],
    async run(ctx) {
      const res = ctx.generic
        ? await unknownJobRequest(ctx, 'GET', 'status of a job that does not exist')
        : await ctx.target.call(ctx.op('getJobStatus'), { label: 'status of job 0', path: { jobId: 0 } });
      if (typeof res === 'string') return skip(res);
      const want = ctx.generic ? { contentType: true } : { code: 'not-found', contentType: true };
      const problem = joinProblems(errorAnswerProblems(res, 404, want));
      return verdict(problem, '404 with an OperationOutcome', [res.exchange.id]);
    },
  },
];

/* ------------------------------------------------------------ expiry (late) */

/** How far the expiry check moves the target's clock: past the documented 24 hours. */
const EXPIRY_JUMP_SECONDS = 25 * 3600;

/** How long after completion the files must still download: an hour short of the documented 24. */
const STILL_THERE_SECONDS = 23 * 3600;

/**
 * Why a clock-moving check cannot run on this target (no way to move its clock, or only a fixed
 * --token, which would be expired on the moved clock), or undefined when it can.
 */
function cannotMoveClock(ctx: CheckContext, hours: number): string | undefined {
  if (!ctx.control)
    return 'the target offers no way to move its clock (only the embedded mock, or a mock started with --control, does)';
  // Tokens age with the target's clock: hours on, only a token fetched then is valid there.
  if (ctx.config.token)
    return `the run has only a fixed --token, which would be expired on the target’s clock ${hours} hours on; give client credentials to run this check`;
  return undefined;
}

const stillThereCheck: CheckDefinition = {
  id: 'STATUS-FILES-KEPT-23H',
  title: "a finished job's files still download 23 hours after it completed",
  description:
    "Files stay downloadable for 24 hours after the job completes: the target's clock is moved to 23 hours after the shared export's completion (counted from the status answer that first returned its manifest), a fresh token is fetched on the moved clock, and one output file is downloaded again: expected 200 with the same number of bytes as the first time. Needs a target whose clock can be moved (the embedded mock, or a mock started with --control) and client credentials; the clock is put back afterwards.",
  level: 'MUST',
  area: 'status',
  phase: 'late',
  profiles: ['bcda'],
  refs: ['behavior §2.7'],
  operations: ['downloadFile'],
  faults: ['download-expires-early'],
  async run(ctx) {
    const cannot = cannotMoveClock(ctx, 23);
    if (cannot) return skip(cannot);
    const control = ctx.control!;
    const main = await ctx.mainExport();
    const file = main.downloads.find((d) => d.kind === 'output' && d.status === 200 && !d.error);
    if (!main.final || !main.manifest || !file)
      return skip(`the shared export did not complete with a file downloaded: ${main.problem ?? 'no file'}`);
    // Nothing of the run may be in flight while the clock is most of a day ahead.
    await ctx.settled();
    const sinceCompletion = (Date.now() - Date.parse(main.final.exchange.startedAt)) / 1000;
    const jump = STILL_THERE_SECONDS - sinceCompletion;
    if (!(jump > 0)) return skip('the shared export completed more than 23 hours ago');
    await control.advanceClock(jump);
    try {
      ctx.invalidateToken();
      const res = await ctx.target.get(file.item.url, {
        label: 'download 23 hours after the job completed',
        operationId: 'downloadFile',
      });
      const evidence = [
        main.final.exchange.id,
        ...(file.exchangeId ? [file.exchangeId] : []),
        res.exchange.id,
      ];
      const sameSize = res.bodyCut || res.body.length === file.bytes;
      const problem = joinProblems([
        statusProblem(res, 200),
        res.status === 200 && !sameSize
          ? `${res.body.length} bytes, where the first download had ${file.bytes}`
          : undefined,
      ]);
      return verdict(problem, `200, ${res.body.length} bytes, 23 hours after completion`, evidence);
    } finally {
      // Put the shared clock back, and drop the token minted ahead of it.
      await control.rewindClock(jump);
      ctx.invalidateToken();
    }
  },
};

/** How far before and after the stated Expires instant the files are asked for. */
const EXPIRES_MARGIN_SECONDS = 5 * 60;

/** The furthest ahead an Expires may lie for the check to move the clock there. */
const MAX_EXPIRES_AHEAD_MS = 30 * 24 * 3600 * 1000;

/**
 * The shared export's completed answer, one of its downloaded output files, the Expires instant
 * that answer states and how many seconds of it are left by the target's clock; or why a check
 * that moves the clock to that instant cannot run. Waits for the run's other work to settle:
 * nothing may be in flight while the clock is near the files' end.
 */
async function statedExpiry(
  ctx: CheckContext,
): Promise<
  | { file: DownloadRecord; final: HttpResponse; expiry: ExpiryReading; leftSeconds: number }
  | { skip: CheckOutcome }
> {
  const main = await ctx.mainExport();
  const file = main.downloads.find((d) => d.kind === 'output' && d.status === 200 && !d.error);
  if (!main.final || !main.manifest || !file)
    return {
      skip: skip(`the shared export did not complete with a file downloaded: ${main.problem ?? 'no file'}`),
    };
  const final = main.final;
  const expiry = expiryOf(final);
  if (typeof expiry === 'string') return { skip: skip(expiry, [final.exchange.id]) };
  if (expiry.lifetimeMs > MAX_EXPIRES_AHEAD_MS)
    return {
      skip: skip(
        `Expires lies ${Math.round(expiry.lifetimeMs / 3_600_000)} hours ahead: too far to move the clock`,
        [final.exchange.id],
      ),
    };
  await ctx.settled();
  const sinceAnswer = Date.now() - Date.parse(final.exchange.startedAt);
  return { file, final, expiry, leftSeconds: (expiry.lifetimeMs - sinceAnswer) / 1000 };
}

const untilExpiresCheck: CheckDefinition = {
  id: 'STATUS-FILES-UNTIL-EXPIRES',
  title: 'files download until the Expires instant the status answer names, and not after',
  description:
    "The Expires header of a completed answer says when the listed files stop being available: the target's clock is moved to 5 minutes before that instant (its distance read as Expires minus the answer's Date, by the target's own clock; the real server's Go time string is read too), a fresh token is fetched, and one output file of the shared export must download (200); then to 5 minutes after it, where the file must be gone (404 or 410). Skips when the answer has no Expires it can read. Needs a target whose clock can be moved (the embedded mock, or a mock started with --control) and client credentials; the clock is put back afterwards.",
  level: 'SHOULD',
  area: 'status',
  phase: 'late',
  profiles: ['bcda', 'bulk-data-ig'],
  refs: ['behavior §2.3', 'behavior §2.7'],
  operations: ['downloadFile'],
  faults: ['files-expire-early', 'expired-files-still-served', 'ig-expired-files-still-served'],
  async run(ctx) {
    const cannot = cannotMoveClock(ctx, 24);
    if (cannot) return skip(cannot);
    const control = ctx.control!;
    const stated = await statedExpiry(ctx);
    if ('skip' in stated) return stated.skip;
    const { file, final, expiry, leftSeconds } = stated;
    const before = leftSeconds - EXPIRES_MARGIN_SECONDS;
    if (!(before > 0))
      return skip(`Expires is less than ${EXPIRES_MARGIN_SECONDS / 60} minutes ahead (or past)`, [
        final.exchange.id,
      ]);
    let moved = 0;
    const moveAndDownload = async (seconds: number, label: string) => {
      await control.advanceClock(seconds);
      moved += seconds;
      ctx.invalidateToken();
      return ctx.target.get(file.item.url, { label, operationId: 'downloadFile' });
    };
    try {
      const early = await moveAndDownload(before, 'download 5 minutes before the stated Expires');
      const late = await moveAndDownload(
        2 * EXPIRES_MARGIN_SECONDS,
        'download 5 minutes after the stated Expires',
      );
      const evidence = [final.exchange.id, early.exchange.id, late.exchange.id];
      const clock = expiry.fromDateHeader ? '' : ' (no Date header: read by our clock)';
      const problem = joinProblems([
        early.status === 200
          ? undefined
          : `5 minutes before Expires the file answered ${early.status}, expected 200`,
        late.status === 404 || late.status === 410
          ? undefined
          : `5 minutes after Expires the file answered ${late.status}, expected 404 or 410`,
      ]);
      return verdict(
        problem && `${problem}${clock}`,
        `the file downloads 5 minutes before Expires (${final.headers.expires ?? ''}) and answers ${late.status} 5 minutes after${clock}`,
        evidence,
      );
    } finally {
      // Put the shared clock back, and drop the token minted ahead of it.
      if (moved > 0) await control.rewindClock(moved);
      ctx.invalidateToken();
    }
  },
};

/** The pace the mid-transfer check asks for: a sandbox file of some 80 KB then takes seconds. */
const PACE_BYTES = 4096;
const PACE_DELAY_MS = 40;

const keptMidTransferCheck: CheckDefinition = {
  id: 'STATUS-FILE-KEPT-MID-DOWNLOAD',
  title: 'a file being downloaded when its Expires instant passes still arrives whole',
  description:
    "A file a client is in the middle of downloading should not be deleted under it, even when its expiry passes during the transfer. The target is asked to send downloads slowly (mock control: a few KB at a time), one output file of the shared export is fetched plain, and as soon as its first bytes arrive the target's clock is moved past the Expires instant of the completed answer (read against its Date header). The rest of the file must arrive, as many bytes as the first download gave. Skips when the clock moved only after the transfer ended (it cannot tell then), without clock and pacing control, or with only a fixed --token; the clock and the pace are put back afterwards.",
  level: 'SHOULD',
  area: 'status',
  phase: 'late',
  profiles: ['bcda', 'bulk-data-ig'],
  refs: [],
  operations: ['downloadFile'],
  faults: ['download-cut-at-expiry'],
  async run(ctx) {
    const cannot = cannotMoveClock(ctx, 24);
    if (cannot) return skip(cannot);
    const control = ctx.control!;
    if (!control.setDownloadPace) return skip('the target offers no way to slow its downloads down');
    const stated = await statedExpiry(ctx);
    if ('skip' in stated) return stated.skip;
    const { file, final, leftSeconds } = stated;
    const jump = Math.ceil(leftSeconds) + EXPIRES_MARGIN_SECONDS;
    if (!(jump > EXPIRES_MARGIN_SECONDS)) return skip('Expires has passed already', [final.exchange.id]);
    let moved = 0;
    await control.setDownloadPace(PACE_BYTES, PACE_DELAY_MS);
    try {
      const res = await ctx.target.http.open({
        method: 'GET',
        url: file.item.url,
        label: 'paced download while the clock passes Expires',
        operationId: 'downloadFile',
        headers: {
          'accept-encoding': 'identity',
          authorization: await ctx.target.authorization(file.sentToken ? 'token' : 'none'),
        },
      });
      const evidence = [final.exchange.id, res.exchange.id];
      if (res.status !== 200) {
        res.stop(`status ${res.status}`);
        return skip(`the paced download answered ${res.status} before the clock moved`, evidence);
      }
      let bytes = 0;
      let movedAtBytes: number | undefined;
      let moving: Promise<void> | undefined;
      res.body.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        moving ??= control.advanceClock(jump).then(() => {
          moved = jump;
          movedAtBytes = bytes;
        });
      });
      const ended = await res.finished.then(
        () => undefined,
        (err: Error) => err.message,
      );
      await moving;
      if (movedAtBytes === undefined || (!ended && movedAtBytes >= bytes))
        return skip(
          `the transfer ended (${bytes} bytes) before the clock had moved past Expires: it cannot tell`,
          evidence,
        );
      if (ended)
        return fail(
          `the transfer was cut after ${bytes} of ${file.bytes} bytes once the clock passed Expires (${final.headers.expires ?? ''}): ${ended}`,
          evidence,
        );
      return verdict(
        bytes === file.bytes
          ? undefined
          : `the file arrived with ${bytes} bytes, the first download gave ${file.bytes}`,
        `the whole file (${bytes} bytes) arrived although Expires passed after its first ${movedAtBytes} bytes`,
        evidence,
      );
    } finally {
      if (moved > 0) await control.rewindClock(moved);
      await control.setDownloadPace(0, 0);
      ctx.invalidateToken();
    }
  },
};

const expiryCheck: CheckDefinition = {
  id: 'STATUS-EXPIRED-AFTER-24H',
  title: 'a finished job and its files are gone 24 hours later',
  description:
    "Files expire 24 hours after the job finishes: past that, the status URL no longer serves the manifest (404 or 410 with an OperationOutcome) and downloads answer 404/410. A file read 23 hours after completion (not judged) must still be gone at 25: the day runs from completion, not from the last download. Needs a target whose clock can be moved (the embedded mock, or a mock started with --control) and client credentials: the check asks for a fresh token on the moved clock, where a fixed --token has expired. The clock is put back afterwards, so a shared mock's other clients keep their tokens.",
  level: 'MUST',
  area: 'status',
  phase: 'late',
  profiles: ['bcda'],
  refs: ['behavior §2.3', 'behavior §2.7'],
  operations: [...versioned('getJobStatus'), 'downloadFile'],
  faults: ['status-expired-200', 'download-available-after-expiry'],
  async run(ctx) {
    const cannot = cannotMoveClock(ctx, 25);
    if (cannot) return skip(cannot);
    const control = ctx.control!;
    const main = await ctx.mainExport();
    const file = main.downloads.find((d) => d.status === 200);
    if (!main.jobUrl || !main.manifest || !file)
      return skip(`the shared export did not complete: ${main.problem ?? 'no file'}`);
    const jobUrl = main.jobUrl;
    // Nothing of the run may be in flight while the clock is a day ahead.
    await ctx.settled();
    // First read the file late in its day: the 24 hours run from completion, not from the last read.
    await control.advanceClock(STILL_THERE_SECONDS);
    let moved = STILL_THERE_SECONDS;
    try {
      ctx.invalidateToken();
      const read = await ctx.target.get(file.item.url, {
        label: "download 23 hours later (a read must not extend the files' life)",
        operationId: 'downloadFile',
      });
      await control.advanceClock(EXPIRY_JUMP_SECONDS - STILL_THERE_SECONDS);
      moved = EXPIRY_JUMP_SECONDS;
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
      const evidence = [read.exchange.id, status.exchange.id, data.exchange.id];
      if (problem)
        return fail(
          read.status === 200 && data.status === 200
            ? `${problem} (read at 23 hours, the file was still served at 25)`
            : problem,
          evidence,
        );
      const note = `status ${status.status}, download ${data.status}`;
      if (head !== status) {
        return warn(`${note}; the status body holds two JSON documents`, evidence, {
          knownDeviation: 'the real BCDA server writes two OperationOutcomes for an archived or expired job',
        });
      }
      return pass(note, evidence);
    } finally {
      // The clock may be shared (a mock other clients use): put it back, and drop the token
      // minted 25 hours ahead so the rest of the run asks for one on the restored clock.
      await control.rewindClock(moved);
      ctx.invalidateToken();
    }
  },
};

/**
 * Every Retry-After the run received (202 status answers, 429s, 503s), read as a client reads it.
 * Judged from the record at the end: the run itself never waits on a value it cannot read.
 */
const retryAfterFormCheck: CheckDefinition = {
  id: 'STATUS-RETRY-AFTER-FORM',
  title: 'every Retry-After is a delay in seconds or an HTTP-date',
  description:
    'Each Retry-After header of every answer the run received is delay-seconds or an HTTP-date (RFC 9110 §10.2.3), and a delay a client can wait: a number of seconds as large as a Unix timestamp (an epoch where a delay belongs) or any other value is reported, and the run falls back to its own polling pace instead of waiting on it. Skips when no answer carried Retry-After. SHOULD: the IG recommends Retry-After (bulkdata@125) without wording its form as a requirement.',
  level: 'SHOULD',
  area: 'status',
  phase: 'final',
  profiles: ['bcda', 'bulk-data-ig'],
  refs: ['RFC 9110 §10.2.3'],
  operations: STATUS_OPS,
  faults: ['status-retry-after-epoch', 'ig-retry-after-epoch'],
  async run(ctx) {
    // Every export the run started has polled by now (each waits to its end or its deadline).
    await ctx.followedExports();
    const carrying = ctx.log.all().flatMap((e) => {
      const value = e.response?.headers['retry-after'];
      return value === undefined ? [] : [{ id: e.id, value, reading: readRetryAfter(value) }];
    });
    if (!carrying.length) return skip('no answer of the run carried Retry-After');
    const bad = carrying.filter((c) => c.reading.form === 'malformed');
    const first = bad[0]?.reading;
    return first && first.form === 'malformed'
      ? fail(
          `${bad.length} of ${carrying.length} Retry-After values cannot be waited on: ${first.reason}`,
          bad.slice(0, 10).map((c) => c.id),
        )
      : pass(
          `all ${carrying.length} Retry-After values are delay-seconds or HTTP-dates`,
          carrying.slice(0, 10).map((c) => c.id),
        );
  },
};

export const statusChecks: CheckDefinition[] = [
  ...jobStatusChecks,
  retryAfterFormCheck,
  stillThereCheck,
  untilExpiresCheck,
  keptMidTransferCheck,
  expiryCheck,
];

/*
 * Manifest rules of the IG's optional features on a generic server (bulk-data-ig): the request of
 * a POST kick-off, and the deleted files of a `_since` export. Each skips when the server does not
 * support the feature (refuses POST, lists no deleted).
 */
// The IG feature checks' helpers (imports are hoisted: kept here, by the checks that use them).

const postRequestCheck: CheckDefinition = {
  id: 'MANIFEST-POST-REQUEST-URL',
  title: "a POST kick-off's manifest request is the URL without parameters",
  description:
    "For an export started by POST with a Parameters body, the completed manifest's request is the kick-off URL itself, with no parameters appended. Skips when the server refuses POST kick-offs (optional in the IG).",
  level: 'MUST',
  area: 'status',
  profiles: ['bulk-data-ig'],
  refs: [],
  operations: [],
  faults: ['ig-post-request-with-params'],
  async run(ctx) {
    const post = await postExport(ctx);
    if (isSkip(post)) return skip(post.skip, post.evidence);
    const request = post.run.manifest.request;
    const url = post.run.kickoffUrl;
    if (typeof request !== 'string')
      return fail(`the manifest's request is ${JSON.stringify(request)}, not a URL`, post.evidence);
    return verdict(
      joinProblems([
        request.includes('?') ? `request "${request}" carries a query string` : undefined,
        !request.includes('?') && !sameRequestUrl(request, url)
          ? `request "${request}" is not the kick-off URL ${url}`
          : undefined,
      ]),
      `request is the kick-off URL ${request}`,
      post.evidence,
    );
  },
};

const deletedCheck: CheckDefinition = {
  id: 'MANIFEST-DELETED',
  title: 'deleted lists transaction Bundles of DELETEs, none of them also in output',
  description:
    "An export with a _since inside the base export's data: when its manifest has deleted, it is an array of items with type and an absolute url, each file's lines are transaction Bundles with one or more entries whose request has a url and the method DELETE, and no resource named there is also in the output files; in every other export the run completed so far, deleted, when present, is an array too (null or an object where nothing was deleted fails). Skips when the manifest lists no deleted (optional).",
  level: 'MUST',
  area: 'status',
  profiles: ['bulk-data-ig'],
  refs: [],
  operations: [],
  faults: ['ig-deleted-wrong-method', 'ig-deleted-also-in-output'],
  async run(ctx) {
    const prepared = await sinceExport(ctx);
    // deleted, when present, is an array in every manifest (bulkdata@180), not only the one that
    // has something to list: a server may write null or an object where nothing was deleted.
    const malformed = await deletedNotArray(ctx);
    if (isSkip(prepared))
      return malformed.problems.length
        ? fail(malformed.problems.join('; '), [...malformed.evidence, ...prepared.evidence])
        : skip(prepared.skip, prepared.evidence);
    const { exported } = prepared;
    const read = await readDeleted(ctx, exported);
    if (read.kind === 'not-array')
      return fail(`${exported.label}: deleted is ${read.got}, not an array`, exported.evidence);
    if (malformed.problems.length)
      return fail(malformed.problems.join('; '), [...malformed.evidence, ...exported.evidence]);
    if (read.kind === 'absent')
      return skip(`${exported.label}: the manifest has no deleted (optional)`, exported.evidence);
    const { items, keys, problems } = read;
    const evidence = [...exported.evidence, ...read.evidence];
    if (!items.length && !problems.length)
      return skip(`${exported.label}: deleted is an empty array, nothing to read`, evidence);
    const both = keys.filter((k) => exported.resources.has(k));
    const all = [
      ...problems,
      ...(both.length
        ? [`${both.length} deleted resource(s) are also in output (${both.slice(0, 3).join(', ')})`]
        : []),
    ];
    return verdict(
      all.length
        ? `${exported.label}: ${all.slice(0, 4).join('; ')}${all.length > 4 ? ` (+${all.length - 4} more)` : ''}`
        : undefined,
      `${exported.label}: ${items.length} deleted file(s), ${keys.length} DELETE entries, none also in output`,
      evidence,
    );
  },
};

/** The completed exports of the run so far whose manifest has a deleted that is not an array. */
async function deletedNotArray(ctx: CheckContext): Promise<{ problems: string[]; evidence: string[] }> {
  const runs = (await ctx.followedExports()).filter((r) => {
    const manifest = r.manifest as Record<string, unknown> | undefined;
    return manifest !== undefined && 'deleted' in manifest && !Array.isArray(manifest['deleted']);
  });
  return {
    problems: runs.map(
      (r) =>
        `the ${r.name} export: deleted is ${JSON.stringify((r.manifest as Record<string, unknown>)['deleted'])?.slice(0, 80)}, not an array`,
    ),
    evidence: runs.flatMap((r) => (r.final ? [r.final.exchange.id] : [])).slice(0, 6),
  };
}

const deletedSinceCheck: CheckDefinition = {
  id: 'MANIFEST-DELETED-SINCE',
  title: "a _since export's deleted lists what the server's history shows deleted after _since",
  description:
    "Where the server declares the system-level export and the system history (history-system), the system-level export with _since inside the base export's data lists under deleted every resource of an exported type that [base]/_history?_since= shows deleted after _since and not changed again up to the export's transactionTime. Skips when either is not declared or the history shows no such deletion.",
  level: 'SHOULD',
  area: 'status',
  profiles: ['bulk-data-ig'],
  refs: [],
  operations: [],
  faults: ['ig-deleted-not-listed'],
  run: (ctx) => judgeDeletedSince(ctx),
};

export const statusIgChecks: CheckDefinition[] = [postRequestCheck, deletedCheck, deletedSinceCheck];
