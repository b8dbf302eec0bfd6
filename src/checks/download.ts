/**
 * Downloads of the shared export's files (seed 001 §Download the data, bulkdata@201–216,
 * behavior §2.7): status, media type, gzip on request, the token rule, and content filters; and
 * the Claim and ClaimResponse files of an organization entitled to partially adjudicated claims.
 */
import { randomUUID } from 'node:crypto';
import {
  type CheckContext,
  type CheckDefinition,
  type ExportRun,
  fail,
  pass,
  skip,
  verdict,
} from './context';
import type { TargetClient } from '../http/target';
import type { DownloadRecord } from '../flows/download';
import { manifestItems } from '../flows/manifest';
import { exportIssues } from './kit/export-issues';
import { joinProblems, statusProblem } from './kit/expect';
import { CLAIM_TYPES, NO_ENTITLED_CLIENT } from './kit/partially-adjudicated';
import type { OperationId } from '../core/operations';
import type { CheckCaseMeta, CheckOutcome } from './types';
import { versioned } from './kit/operations';
import {
  groupAllExport,
  isNoData,
  runoutExport,
  sinceExport,
  typeExport,
  type NoData,
} from './kit/data-exports';
import {
  judgeGroupSinceExisting,
  judgeGroupSinceNew,
  judgeRunoutDates,
  judgeRunoutEnrollees,
  judgeSameEnrollees,
  judgeSince,
  judgeTypes,
} from './kit/data-rules';

const OPS: OperationId[] = ['downloadFile'];

function evidence(records: DownloadRecord[]): string[] {
  return records
    .map((r) => r.exchangeId)
    .filter((id): id is string => Boolean(id))
    .slice(0, 20);
}

function summarize(problems: string[], total: number): string {
  const shown = problems.slice(0, 4).join('; ');
  return problems.length > 4 ? `${shown} (+${problems.length - 4} more of ${total} files)` : shown;
}

interface FilesCase extends CheckCaseMeta {
  check(run: ExportRun, ctx: CheckContext): Promise<CheckOutcome> | CheckOutcome;
}

function onFiles(c: FilesCase): CheckDefinition {
  return {
    id: c.id,
    title: c.title,
    description: c.description,
    level: c.level ?? 'MUST',
    area: 'download',
    profiles: c.profiles ?? ['bcda', 'bulk-data-ig'],
    refs: c.refs,
    operations: OPS,
    faults: c.faults,
    async run(ctx) {
      const run = await ctx.mainExport();
      if (!run.manifest) return skip(`the shared export did not complete: ${run.problem ?? 'unknown'}`);
      if (!run.downloads.length) return skip('the manifest lists no files');
      return c.check(run, ctx);
    },
  };
}

/** The entitled client's default Group/all export, downloaded and validated once per run. */
function claimsExport(ctx: CheckContext, client: TargetClient): Promise<ExportRun> {
  return ctx.filteredExport('partially adjudicated', { endpoint: 'group', group: 'all', client });
}

/** A data check: what it compares comes from the target's own exports (kit/data-exports.ts). */
interface DataCase extends CheckCaseMeta {
  judge(ctx: CheckContext): Promise<CheckOutcome>;
}

const DATA_OPS: OperationId[] = [
  ...versioned('exportPatient'),
  ...versioned('exportGroup'),
  ...versioned('getJobStatus'),
  'downloadFile',
];

function dataCheck(c: DataCase): CheckDefinition {
  return {
    id: c.id,
    title: c.title,
    description: c.description,
    level: c.level ?? 'MUST',
    area: 'download',
    profiles: c.profiles ?? ['bcda'],
    refs: c.refs,
    operations: DATA_OPS,
    faults: c.faults,
    ...(c.versions ? { versions: c.versions } : {}),
    run: (ctx) => c.judge(ctx),
  };
}

const skipFor = (none: NoData): CheckOutcome => skip(none.skip, none.evidence);

/** The checks of what the data holds: _since, _type, Group/all versus Patient, Group/runout. */
const dataChecks: CheckDefinition[] = [
  dataCheck({
    id: 'DOWNLOAD-SINCE-HONOURED',
    title: 'Patient/$export with _since holds only resources updated after it',
    description:
      "The _since is taken from inside the range of meta.lastUpdated values the unfiltered export returned (about its median), so an ignored _since would bring back resources updated at or before it. With _since, Patient/$export filters every enrollee's data, newly attributed ones included: no resource may have meta.lastUpdated at or before it. Skips when the unfiltered data has no spread of lastUpdated values.",
    profiles: ['bcda', 'bulk-data-ig'],
    refs: [],
    faults: ['content-ignores-since', 'patient-since-new-enrollees-unfiltered'],
    async judge(ctx) {
      const got = await sinceExport(ctx, 'patient');
      return isNoData(got) ? skipFor(got) : judgeSince(got.filtered, got.chosen.since);
    },
  }),
  dataCheck({
    id: 'DOWNLOAD-GROUP-SINCE-EXISTING',
    title: "Group/$export with _since filters the existing enrollees' data",
    description:
      "With a _since from inside the unfiltered data's lastUpdated range, Group/<group>/$export returns, for existing enrollees, only resources updated after it; only newly attributed enrollees get their older data. Fails when every enrollee that has data at or before _since gets it back (the _since was applied to no one). Skips with fewer than five such enrollees, or when the data has no spread.",
    profiles: ['bcda', 'bulk-data-ig'],
    refs: [],
    faults: ['content-ignores-since', 'group-since-ignored-for-existing'],
    async judge(ctx) {
      const got = await sinceExport(ctx, 'group');
      return isNoData(got)
        ? skipFor(got)
        : judgeGroupSinceExisting(got.chosen.unfiltered, got.filtered, got.chosen.since);
    },
  }),
  dataCheck({
    id: 'DOWNLOAD-GROUP-SINCE-NEW-ENROLLEES',
    title: 'Group/all/$export with _since returns the full history of newly attributed enrollees',
    description:
      "With the same _since (from inside the data's lastUpdated range), Group/all must return everything Patient/$export returns (both filter existing enrollees), and each enrollee it returns older data for (newly attributed) with every resource the unfiltered export holds for them. Skips when no enrollee comes back with data from before _since: the export then shows no newly attributed enrollee to judge.",
    refs: [],
    faults: ['group-since-drops-new-enrollees'],
    async judge(ctx) {
      const current = await groupAllExport(ctx);
      if (isNoData(current)) return skipFor(current);
      const group = await sinceExport(ctx, 'group');
      if (isNoData(group)) return skipFor(group);
      const patient = await sinceExport(ctx, 'patient');
      if (isNoData(patient)) return skipFor(patient);
      return judgeGroupSinceNew(current, patient.filtered, group.filtered, group.chosen.since);
    },
  }),
  dataCheck({
    id: 'DOWNLOAD-PATIENT-SAME-ENROLLEES',
    title: 'Patient/$export covers the same enrollees as Group/all',
    description:
      "Both endpoints return data for every enrollee currently attributed. With a _since from inside the data's lastUpdated range, Patient/$export must hold every resource of the unfiltered Group/all export updated after it, and no enrollee Group/all does not have. Skips when either export was not read whole.",
    refs: [],
    faults: ['patient-omits-new-enrollees'],
    async judge(ctx) {
      const current = await groupAllExport(ctx);
      if (isNoData(current)) return skipFor(current);
      const patient = await sinceExport(ctx, 'patient');
      if (isNoData(patient)) return skipFor(patient);
      return judgeSameEnrollees(current, patient.filtered, patient.chosen.since);
    },
  }),
  ...(
    [
      ['DOWNLOAD-TYPE-PATIENT', 'patient', 'Patient/$export'],
      ['DOWNLOAD-TYPE-GROUP', 'group', 'Group/$export'],
    ] as const
  ).map(([id, endpoint, name]) =>
    dataCheck({
      id,
      title: `${name} with _type returns exactly the requested types`,
      description: `${name} is asked for every resource type the unfiltered export has but one. The manifest may list, and the files may hold, only the requested types, and each requested type the unfiltered export has data for must come back. Skips when the unfiltered export has a single type.`,
      profiles: ['bcda', 'bulk-data-ig'],
      refs: [],
      faults: ['content-ignores-type', 'type-filter-leaks-other-types', 'type-filter-drops-requested-type'],
      async judge(ctx) {
        const got = await typeExport(ctx, endpoint);
        return isNoData(got)
          ? skipFor(got)
          : judgeTypes(got.selection.unfiltered, got.filtered, got.selection.requested);
      },
    }),
  ),
  dataCheck({
    id: 'DOWNLOAD-RUNOUT-SERVICE-DATES',
    title: 'Group/runout claims have service dates no later than 31 December of the previous year',
    description:
      "Group/runout/$export is run to completion; every ExplanationOfBenefit and Claim in it has its billable period and item service dates on or before 31 December of the year before the export's transactionTime. Skips when the runout export returns no claim.",
    refs: [],
    faults: ['runout-includes-current-year'],
    async judge(ctx) {
      const runout = await runoutExport(ctx);
      return isNoData(runout) ? skipFor(runout) : judgeRunoutDates(runout);
    },
  }),
  dataCheck({
    id: 'DOWNLOAD-RUNOUT-NOT-CURRENT',
    title: 'Group/runout enrollees are not among the currently attributed',
    description:
      'Group/runout returns enrollees attributed during the previous year but not the current one, so none of its enrollees may appear in the unfiltered Group/all export. Skips when the runout export has no enrollee or Group/all was not read whole.',
    refs: [],
    faults: ['runout-includes-current-enrollees'],
    async judge(ctx) {
      const current = await groupAllExport(ctx);
      if (isNoData(current)) return skipFor(current);
      const runout = await runoutExport(ctx);
      return isNoData(runout) ? skipFor(runout) : judgeRunoutEnrollees(current, runout);
    },
  }),
];

export const downloadChecks: CheckDefinition[] = [
  onFiles({
    id: 'DOWNLOAD-OK',
    title: 'every file in the manifest downloads with 200',
    description:
      'GET on each output and error url (with the token when requiresAccessToken is true) answers 200 and delivers the whole body.',
    refs: [],
    faults: ['manifest-dead-url', 'download-truncated'],
    check(run) {
      // The harness downloads at most a bounded number of files per export; say so when it stopped short.
      const listed = manifestItems(run.manifest?.output).length + manifestItems(run.manifest?.error).length;
      const problems = run.downloads
        .filter((d) => (d.status !== 200 || d.error) && !d.refused)
        .map((d) => `${shortName(d.item.url)}: ${d.error ?? `status ${d.status}`}`);
      // Files the harness would not fetch are no verdict on the target: alone they make an error.
      const refused = run.downloads.filter((d) => d.refused);
      const notFetched = refused.map((d) => `${shortName(d.item.url)}: ${d.error ?? 'not fetched'}`);
      if (refused.length && !problems.length) {
        return {
          outcome: 'error',
          message: summarize(notFetched, run.downloads.length),
          evidence: evidence(refused),
        };
      }
      return problems.length
        ? fail(
            summarize([...problems, ...notFetched], run.downloads.length),
            evidence(run.downloads.filter((d) => d.status !== 200 || d.error)),
          )
        : pass(
            `${run.downloads.length}${listed > run.downloads.length ? ` of the ${listed} listed` : ''} file(s), ${formatBytes(run.downloads.reduce((n, d) => n + d.bytes, 0))}`,
            evidence(run.downloads),
          );
    },
  }),
  onFiles({
    id: 'DOWNLOAD-CONTENT-TYPE',
    title: 'files are served as application/fhir+ndjson',
    description: 'Each file answer has Content-Type application/fhir+ndjson.',
    refs: ['behavior §2.7'],
    faults: ['download-wrong-content-type'],
    check(run) {
      const ok = run.downloads.filter((d) => d.status === 200);
      const bad = ok.filter(
        (d) => (d.contentType ?? '').split(';')[0]!.trim().toLowerCase() !== 'application/fhir+ndjson',
      );
      return bad.length
        ? fail(
            summarize(
              bad.map((d) => `${shortName(d.item.url)}: "${d.contentType ?? '(none)'}"`),
              ok.length,
            ),
            evidence(bad),
          )
        : pass(`${ok.length} file(s) with application/fhir+ndjson`, evidence(ok));
    },
  }),
  onFiles({
    id: 'DOWNLOAD-GZIP',
    title: 'files come gzip-compressed when the client accepts gzip',
    description:
      'With Accept-Encoding: gzip, each file answer has Content-Encoding: gzip and a body that decompresses to NDJSON.',
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['behavior §2.7'],
    faults: ['download-gzip-unlabelled', 'download-bad-gzip'],
    check(run) {
      const ok = run.downloads.filter((d) => d.status === 200);
      const problems = ok
        .filter((d) => !/\bgzip\b/i.test(d.contentEncoding ?? '') || d.error)
        .map(
          (d) =>
            `${shortName(d.item.url)}: ${d.error ?? `Content-Encoding "${d.contentEncoding ?? '(none)'}"`}`,
        );
      return problems.length
        ? fail(summarize(problems, ok.length), evidence(ok))
        : pass(`${ok.length} file(s) served gzip`, evidence(ok));
    },
  }),
  onFiles({
    id: 'DOWNLOAD-PLAIN',
    title: 'files come uncompressed when the client does not ask for gzip',
    description: 'Without Accept-Encoding, a file is served as plain NDJSON (no Content-Encoding: gzip).',
    refs: ['behavior §2.7'],
    faults: ['download-gzip-unrequested'],
    async check(run, ctx) {
      const first = run.downloads.find((d) => d.status === 200 && d.kind === 'output');
      if (!first) return skip('no file downloaded successfully');
      const again = await ctx.redownload(first, { sendToken: first.sentToken, acceptGzip: false });
      const problem = joinProblems([
        again.status === 200 ? undefined : `status ${again.status}`,
        /gzip/i.test(again.contentEncoding ?? '')
          ? `Content-Encoding "${again.contentEncoding}" although gzip was not accepted`
          : undefined,
        again.error,
        again.validation && again.validation.lines === 0 ? 'empty body' : undefined,
      ]);
      return problem
        ? fail(problem, evidence([again]))
        : pass(`plain NDJSON, ${formatBytes(again.bytes)}`, evidence([again]));
    },
  }),
  onFiles({
    id: 'DOWNLOAD-REQUIRES-TOKEN',
    title: 'files are refused without the token when requiresAccessToken is true',
    description:
      'When the manifest says requiresAccessToken: true, a download without Authorization is refused with 401.',
    refs: ['behavior §2.7'],
    faults: ['download-no-token-required'],
    async check(run, ctx) {
      if (run.manifest?.requiresAccessToken !== true) return skip('requiresAccessToken is not true');
      const first = run.downloads.find((d) => d.status === 200);
      if (!first) return skip('no file downloaded successfully');
      const again = await ctx.redownload(first, { sendToken: false, acceptGzip: false });
      const problem =
        again.status === 401 ? undefined : `status ${again.status ?? again.error}, expected 401`;
      return problem ? fail(problem, evidence([again])) : pass('401 without a token', evidence([again]));
    },
  }),
  onFiles({
    id: 'DOWNLOAD-UNKNOWN-FILE',
    title: 'an unknown file name answers 404',
    description:
      "GET /data/<this job>/<a random uuid>.ndjson answers 404: file names can't be guessed into data.",
    refs: ['behavior §2.7'],
    faults: ['download-any-file-name'],
    async check(run, ctx) {
      const first = run.downloads[0]!;
      const url = first.item.url.replace(/[^/]+$/, `${randomUUID()}.ndjson`);
      const res = await ctx.target.get(url, {
        label: 'download of a file name that does not exist',
        operationId: 'downloadFile',
      });
      const problem = statusProblem(res, 404);
      return verdict(problem, '404 for an unknown file', [res.exchange.id]);
    },
  }),
  onFiles({
    id: 'DOWNLOAD-PATH-TRAVERSAL',
    title: 'a file name climbing out of the job folder is refused',
    description: 'GET /data/<job>/..%2F..%2Fetc%2Fpasswd must not serve anything: 400 or 404.',
    refs: ['behavior §2.7'],
    faults: ['download-any-file-name'],
    async check(run, ctx) {
      const first = run.downloads[0]!;
      const url = first.item.url.replace(/[^/]+$/, '..%2F..%2F..%2Fetc%2Fpasswd');
      const res = await ctx.target.get(url, {
        label: 'download with a path-traversal file name',
        operationId: 'downloadFile',
      });
      const leaked = /root:.*:0:0:/.test(res.text());
      const problem = joinProblems([
        statusProblem(res, [400, 404]),
        leaked ? 'the body looks like /etc/passwd' : undefined,
      ]);
      return verdict(problem, `refused with ${res.status}`, [res.exchange.id]);
    },
  }),
  {
    id: 'EXPORT-PARTIALLY-ADJUDICATED',
    title: "an entitled organization's default export includes valid Claim and ClaimResponse files",
    description:
      'On v2, the default Group/all export of an organization entitled to partially adjudicated claims lists Claim and ClaimResponse files beside the adjudicated types; each downloads and holds only valid resources of its type (FHIR R4 schema and the BCDA profile rules).',
    level: 'MUST',
    area: 'download',
    versions: ['v2'],
    profiles: ['bcda'],
    refs: ['behavior §2.2'],
    operations: ['exportGroupV2', 'getJobStatusV2', 'downloadFile'],
    faults: ['partially-adjudicated-omitted', 'content-invalid-fhir'],
    async run(ctx) {
      const client = ctx.partiallyAdjudicatedClient;
      if (!client) return skip(NO_ENTITLED_CLIENT);
      const run = await claimsExport(ctx, client);
      const evidence = [run.kickoff?.exchange.id, run.final?.exchange.id].filter((x): x is string => !!x);
      if (!run.manifest)
        return skip(`the export did not complete: ${run.problem ?? 'no manifest'}`, evidence);
      const listed = new Set(manifestItems(run.manifest.output).map((i) => i.type));
      const claims = run.downloads.filter(
        (d) => d.kind === 'output' && CLAIM_TYPES.some((t) => t === d.item.type),
      );
      evidence.push(...claims.flatMap((d) => (d.exchangeId ? [d.exchangeId] : [])).slice(0, 8));
      const files = new Set(claims.map((d) => d.item.url));
      const issues = exportIssues(run).filter((i) => i.severity === 'error' && files.has(i.file));
      const problem = joinProblems([
        ...CLAIM_TYPES.map((t) => (listed.has(t) ? undefined : `no ${t} file in the manifest`)),
        ...claims.map((d) =>
          d.status === 200 && !d.error ? undefined : `${d.item.type} file answered ${d.error ?? d.status}`,
        ),
        issues.length
          ? `${issues.length} validation error(s), first: ${issues[0]!.path} ${issues[0]!.message}`
          : undefined,
      ]);
      if (problem) return fail(problem, evidence);
      const lines = claims.reduce((n, d) => n + (d.validation?.validatedLines ?? 0), 0);
      return pass(`${claims.length} Claim/ClaimResponse file(s), ${lines} valid line(s)`, evidence);
    },
  },
  ...dataChecks,
];

function shortName(url: string): string {
  return url.replace(/^.*\/data\//, 'data/');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
