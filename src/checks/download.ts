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
  warn,
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
  REPEATED_TYPES,
  repeatedTypesFor,
  groupAllExport,
  indexedExports,
  isNoData,
  otherClientPatients,
  outputFormatExport,
  patientExport,
  recentSinceExport,
  repeatedTypeExport,
  runoutExport,
  sinceExport,
  typeExport,
  unfilteredExport,
  type IndexedExport,
  type NoData,
} from './kit/data-exports';
import {
  judgeCompartment,
  judgeDefaultTypes,
  judgeFrom2014,
  judgeFullHistory,
  judgeOwnEnrollees,
  type HistoryPair,
} from './kit/data-scope';
import {
  judgeEachOnce,
  judgeEmptyOutput,
  judgeRefusedEmptyExport,
  judgeNotAfterTransactionTime,
  judgeOutputFormat,
  judgeSnapshotComplete,
} from './kit/data-snapshot';
import { overEveryExport } from './kit/every-export';
import {
  judgeGroupSinceExisting,
  judgeGroupSinceNew,
  judgeRunoutDates,
  judgeRunoutEnrollees,
  judgeSameEnrollees,
  judgeSince,
  judgeTypes,
} from './kit/data-rules';
import { RefusedRequest } from '../http/client';
import { baseExport, isSkip, ofType, type IgExport } from './kit/ig-exports';
import { judgeOrganized, organizedExport } from './kit/ig-organized';
import {
  ALWAYS_KEPT,
  elementsExport,
  patientParamExport,
  provenanceExport,
  relevantProvenance,
  sinceExport as igSinceExport,
  typeFilterExport,
  unmatched,
  type ElementsChoice,
  type ProvenanceValue,
} from './kit/ig-features';
import { mandatoryElements } from './kit/ig-mandatory';
import { judgeDefaultProvenance } from './kit/ig-default-provenance';
import type { ResourceSummary } from './kit/ig-resources';

const OPS: OperationId[] = ['downloadFile'];

/** What DOWNLOAD-GZIP sends on its second fetch: a list naming gzip, as curl --compressed does. */
const LISTED_ENCODINGS = 'deflate, gzip';

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

/**
 * `fileUrl` with its file name swapped for the name of a file of the run's _type=Patient export (a
 * job of its own), or why there is none to try.
 */
async function otherJobsFileUrl(
  ctx: CheckContext,
  fileUrl: string,
  ownUrls: readonly string[],
): Promise<string | { why: string }> {
  const other = await ctx.filteredExport('type-patient', {
    endpoint: 'patient',
    query: { _type: 'Patient' },
  });
  const otherUrl = other.manifest ? manifestItems(other.manifest.output)[0]?.url : undefined;
  if (!otherUrl)
    return { why: `no other job's file to try (the _type=Patient export: ${other.problem ?? 'no output'})` };
  const folder = (u: string) => u.replace(/[^/]+$/, '');
  if (folder(otherUrl) === folder(fileUrl))
    return {
      why: "the two exports' files share one folder, so another job's file name cannot be told apart",
    };
  const name = (u: string) => u.match(/[^/]+$/)?.[0] ?? '';
  // Names such as Patient-1.ndjson may recur in every job: then the name is one of this job's too.
  if (ownUrls.some((u) => name(u) === name(otherUrl)))
    return { why: "the other job's file names are also this job's, so none is foreign to it" };
  return folder(fileUrl) + name(otherUrl);
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

function dataCheck(c: DataCase & { phase?: 'late' }): CheckDefinition {
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
    ...(c.phase ? { phase: c.phase } : {}),
    ...(c.makesExports ? { makesExports: c.makesExports } : {}),
    run: (ctx) => c.judge(ctx),
  };
}

const skipFor = (none: NoData): CheckOutcome => skip(none.skip, none.evidence);

/**
 * Every export the data checks indexed (the unfiltered Group and Patient exports at least), each
 * judged by `rule`, folded into one outcome that names the exports breaking it. Run late, when the
 * other data checks' exports have ended.
 */
async function overIndexedExports(
  ctx: CheckContext,
  rule: (e: IndexedExport) => CheckOutcome,
): Promise<CheckOutcome> {
  const first = await Promise.all([unfilteredExport(ctx), patientExport(ctx)]);
  const all = await indexedExports(ctx);
  if (!all.length) {
    const none = first.find(isNoData);
    return none ? skipFor(none) : skip('the run indexed no export');
  }
  return overEveryExport(
    all.map((e) => ({ run: e.run, outcome: rule(e) })),
    'the run indexed no export',
  );
}

/** What the real server does with a repeated `_type`: it reads the first value only (behavior §3). */
function repeatedTypeVerdict(ctx: CheckContext, verdict: CheckOutcome, got: IndexedExport): CheckOutcome {
  if (verdict.outcome !== 'fail' || ctx.config.profile !== 'bcda') return verdict;
  const listed = new Set(manifestItems(got.run.manifest?.output).map((i) => i.type));
  const seen = new Set([...listed, ...got.index.types()]);
  const firstOnly = seen.size === 1 && seen.has(REPEATED_TYPES[0]);
  return firstOnly
    ? warn(verdict.message, verdict.evidence, {
        knownDeviation: `the real BCDA server reads only the first value of a repeated parameter (${REPEATED_TYPES[0]} here)`,
      })
    : verdict;
}

/** The checks of what the data holds: _since, _type, Group/all versus Patient, Group/runout. */
const dataChecks: CheckDefinition[] = [
  dataCheck({
    id: 'DOWNLOAD-SINCE-HONOURED',
    title: 'Patient/$export with _since holds only resources updated after it',
    description:
      "The _since is taken from inside the range of meta.lastUpdated values the unfiltered export returned (about its median, a second after one of them), so an ignored _since would bring back resources updated at or before it, and so would one read a little early (its -05:00 offset dropped, its time of day cut off). With _since, Patient/$export filters every enrollee's data, newly attributed ones included: no resource may have meta.lastUpdated at or before it, and every resource the unfiltered Patient/$export holds updated after it comes back. Skips when the unfiltered data has no spread of lastUpdated values.",
    profiles: ['bcda', 'bulk-data-ig'],
    refs: [],
    faults: ['content-ignores-since', 'patient-since-new-enrollees-unfiltered', 'ig-since-ignored'],
    async judge(ctx) {
      const got = await sinceExport(ctx, 'patient');
      if (isNoData(got)) return skipFor(got);
      const whole = await patientExport(ctx);
      return judgeSince(got.filtered, got.chosen.since, isNoData(whole) ? undefined : whole);
    },
  }),
  dataCheck({
    id: 'DOWNLOAD-GROUP-SINCE-EXISTING',
    title: "Group/$export with _since filters the existing enrollees' data",
    description:
      "With a _since from inside the unfiltered data's lastUpdated range, Group/<group>/$export returns, for existing enrollees, only resources updated after it; only newly attributed enrollees get their older data. Fails when every enrollee that has data at or before _since gets it back (the _since was applied to no one), when a resource of the unfiltered export updated after _since does not come back (the filter read another timestamp), and, where BCDA's documents define both cohorts (bcda profile), when an enrollee gets part of its older data back (neither existing nor newly attributed). Skips with fewer than five such enrollees, or when the data has no spread.",
    profiles: ['bcda', 'bulk-data-ig'],
    refs: [],
    faults: ['content-ignores-since', 'group-since-ignored-for-existing'],
    async judge(ctx) {
      const got = await sinceExport(ctx, 'group');
      return isNoData(got)
        ? skipFor(got)
        : judgeGroupSinceExisting(
            got.chosen.unfiltered,
            got.filtered,
            got.chosen.since,
            ctx.config.profile === 'bcda',
          );
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
      faults: [
        'content-ignores-type',
        'type-filter-leaks-other-types',
        'type-filter-drops-requested-type',
        'ig-type-ignored',
      ],
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
  ...wholeExportChecks(),
];

/** The checks of what an export holds as a whole: whose data, how far back, each resource once, a snapshot. */
function wholeExportChecks(): CheckDefinition[] {
  return [
    dataCheck({
      id: 'DOWNLOAD-OWN-ENROLLEES',
      title: "an export holds the requesting organization's enrollees, not another's",
      description:
        "The second client (another organization) exports Group/<group>?_type=Patient; its Patients are compared with those of the shared export. Data comes only for the enrollees attributed to the organization that asks, so the two sets cannot be the same (they may overlap: who is attributed where is not visible from outside), and the shared export holds nothing about an enrollee that the other organization's export has and its own Patients do not. Skips without a second client, or when either export holds no Patient.",
      refs: [],
      faults: ['export-ignores-organization'],
      async judge(ctx) {
        const theirs = await otherClientPatients(ctx);
        if (isNoData(theirs)) return skipFor(theirs);
        const mine = await unfilteredExport(ctx);
        return isNoData(mine) ? skipFor(mine) : judgeOwnEnrollees(mine, theirs);
      },
    }),
    ...(
      [
        ['DOWNLOAD-GROUP-FROM-2014', 'Group', (ctx: CheckContext) => unfilteredExport(ctx)],
        ['DOWNLOAD-PATIENT-FROM-2014', 'Patient', (ctx: CheckContext) => patientExport(ctx)],
      ] as const
    ).map(([id, endpoint, exported]) =>
      dataCheck({
        id,
        title: `an unfiltered ${endpoint} export holds no claim served before 2014`,
        description: `Without _since, the /${endpoint} endpoint returns data as far back as 2014 and no earlier: no ExplanationOfBenefit or Claim of the unfiltered ${endpoint === 'Group' ? 'shared Group' : 'Patient/$export'} export has a billable period or item service date before 2014-01-01. Skips when the export holds no claim with a service date.`,
        refs: [],
        faults: ['export-claims-before-2014'],
        async judge(ctx) {
          const got = await exported(ctx);
          return isNoData(got) ? skipFor(got) : judgeFrom2014(got);
        },
      }),
    ),
    dataCheck({
      id: 'DOWNLOAD-FULL-HISTORY',
      title: 'an export without _since holds the full history',
      description:
        "Without _since, the export is the full record, older resources included. Patient/$export with no parameter must hold resources updated at or before the _since the data checks take from the shared export's lastUpdated range, and every resource the Patient _since export returned; the shared Group export must hold every resource the Group _since export returned (newly attributed enrollees' history included). Resources modified after the unfiltered export's transactionTime are left out of the comparison. Skips when the data has no spread of lastUpdated values.",
      refs: [],
      faults: ['export-without-since-recent-only'],
      async judge(ctx) {
        const pairs: HistoryPair[] = [];
        const patient = await patientExport(ctx);
        if (isNoData(patient)) return skipFor(patient);
        for (const endpoint of ['patient', 'group'] as const) {
          const got = await sinceExport(ctx, endpoint);
          if (isNoData(got)) return skipFor(got);
          pairs.push({
            unfiltered: endpoint === 'patient' ? patient : got.chosen.unfiltered,
            filtered: got.filtered,
            since: got.chosen.since,
            olderExpected: endpoint === 'patient',
          });
        }
        return judgeFullHistory(pairs);
      },
    }),
    dataCheck({
      id: 'DOWNLOAD-PATIENT-DEFAULT-TYPES',
      title: 'Patient/$export without _type returns Patient, Coverage and ExplanationOfBenefit',
      description:
        'Patient/$export with no parameter is run to completion: its manifest lists, and its files hold, Patient, Coverage and ExplanationOfBenefit resources (under the bulk-data-ig profile: the Patient resources themselves). Skips when the export returns no data at all.',
      profiles: ['bcda', 'bulk-data-ig'],
      refs: [],
      faults: ['export-default-omits-coverage', 'patient-export-omits-patients'],
      async judge(ctx) {
        const got = await patientExport(ctx);
        if (isNoData(got)) return skipFor(got);
        const required =
          ctx.config.profile === 'bcda' ? ['Patient', 'Coverage', 'ExplanationOfBenefit'] : ['Patient'];
        return judgeDefaultTypes(got, required);
      },
    }),
    dataCheck({
      id: 'DOWNLOAD-PATIENT-COMPARTMENT',
      title: 'Patient/$export returns the compartments of its Patients',
      description:
        "In the unfiltered Patient/$export, every resource other than a Patient points at a Patient of the same export (Coverage.beneficiary, ExplanationOfBenefit.patient, Claim.patient or its contained Patient's MBI): the Patient compartment decides what a Patient-level export returns. The FHIR reference rule judges the lines it validates; this judges every line. SHOULD: the IG's word. Skips when the export holds no Patient.",
      level: 'SHOULD',
      profiles: ['bcda', 'bulk-data-ig'],
      refs: [],
      faults: ['content-broken-references'],
      async judge(ctx) {
        const got = await patientExport(ctx);
        return isNoData(got) ? skipFor(got) : judgeCompartment(got);
      },
    }),
    dataCheck({
      id: 'DOWNLOAD-TYPE-REPEATED',
      title: 'a repeated _type is read as one comma-separated list',
      description: `Patient/$export?${REPEATED_TYPES.map((t) => `_type=${t}`).join('&')} is run to completion: a parameter given twice counts as the comma-separated list of its values, so both types come back and no other; refusing it (4XX) while the same types as one comma-separated _type are accepted fails. BCDA reads only the first value (behavior §3): under the bcda profile that is reported as a known deviation. Under the bulk-data-ig profile the second type is the first other type the unfiltered data holds. Skips when the unfiltered export lacks data of either type.`,
      profiles: ['bcda', 'bulk-data-ig'],
      refs: ['behavior §3'],
      faults: ['kickoff-repeated-param-last-wins'],
      async judge(ctx) {
        const unfiltered = await unfilteredExport(ctx);
        if (isNoData(unfiltered)) return skipFor(unfiltered);
        const has = unfiltered.index.types();
        const types = repeatedTypesFor(ctx, has);
        const lacking = types.filter((t) => !has.has(t));
        if (lacking.length)
          return skip(
            `${unfiltered.label} has no ${lacking.join(', ')} data, so whether each repeated value was read cannot be told`,
            unfiltered.evidence,
          );
        const got = await repeatedTypeExport(ctx, types);
        if (isNoData(got)) return (await refusedRepeat(ctx, got, types)) ?? skipFor(got);
        return repeatedTypeVerdict(ctx, judgeTypes(unfiltered, got, types), got);
      },
    }),
    dataCheck({
      id: 'DOWNLOAD-OUTPUT-FORMAT',
      title: 'an export with _outputFormat=application/fhir+ndjson serves NDJSON files',
      description:
        "Group/<group>?_outputFormat=application/fhir+ndjson is run to completion: its files come in the format asked for, each served as application/fhir+ndjson with one JSON resource per line. SHOULD: the IG's word. Skips when no file downloaded.",
      level: 'SHOULD',
      profiles: ['bcda', 'bulk-data-ig'],
      refs: [],
      faults: ['output-format-served-as-json'],
      async judge(ctx) {
        const got = await outputFormatExport(ctx);
        return isNoData(got) ? skipFor(got) : judgeOutputFormat(got);
      },
    }),
    dataCheck({
      id: 'DOWNLOAD-EACH-RESOURCE-ONCE',
      title: 'no resource appears twice in an export',
      description:
        'An export holds the latest version of each resource only: across the output files of every export the data checks read whole (the shared export and the unfiltered Patient/$export at least), no resource type and id comes twice. Skips when no export returned a resource.',
      profiles: ['bcda', 'bulk-data-ig'],
      refs: [],
      faults: ['export-duplicate-resource'],
      phase: 'late',
      judge: (ctx) => overIndexedExports(ctx, judgeEachOnce),
    }),
    dataCheck({
      id: 'DOWNLOAD-NOT-AFTER-TRANSACTION-TIME',
      title: "no exported resource was modified after the manifest's transactionTime",
      description:
        "In every export the data checks read whole, no resource has a meta.lastUpdated later than its manifest's transactionTime: the export is a snapshot as of that instant. SHOULD: the IG's word. Skips when no resource carries a lastUpdated.",
      level: 'SHOULD',
      profiles: ['bcda', 'bulk-data-ig'],
      refs: [],
      faults: ['export-updated-after-transaction-time'],
      phase: 'late',
      judge: (ctx) => overIndexedExports(ctx, judgeNotAfterTransactionTime),
    }),
    dataCheck({
      id: 'DOWNLOAD-SNAPSHOT-COMPLETE',
      title: 'an export holds everything modified up to its transactionTime',
      description:
        "The shared export's request is made a second time (with _outputFormat=application/fhir+ndjson, which changes nothing in the data). Every resource of the second export modified at or before the first export's transactionTime existed then and matched, so the first export must hold it. Skips when the second export holds no such resource.",
      profiles: ['bcda', 'bulk-data-ig'],
      refs: [],
      faults: ['export-snapshot-drops-resources'],
      async judge(ctx) {
        const first = await unfilteredExport(ctx);
        if (isNoData(first)) return skipFor(first);
        const second = await outputFormatExport(ctx);
        return isNoData(second) ? skipFor(second) : judgeSnapshotComplete(first, second);
      },
    }),
    dataCheck({
      id: 'DOWNLOAD-EMPTY-OUTPUT',
      title: 'an export that finds nothing answers output []',
      description:
        "Group/all with _since at the shared export's transactionTime (a past instant by the target's clock, written with a -05:00 offset) is run to completion. On a target whose data did not change since, it finds nothing, and its manifest's output must be an empty array, not null or absent; a kick-off refused with a 4XX (other than 401, 403 or 429) fails too: the request differs from the shared export, which the server ran, only by a valid _since, so an export that would find nothing is not refused. SHOULD: the IG's word. Skips when the export found something.",
      level: 'SHOULD',
      profiles: ['bcda', 'bulk-data-ig'],
      refs: [],
      faults: ['manifest-empty-output-null'],
      makesExports: ['empty-output'],
      async judge(ctx) {
        const got = await recentSinceExport(ctx);
        if (!isNoData(got)) return judgeEmptyOutput(got.filtered, got.since);
        return judgeRefusedEmptyExport(got) ?? skipFor(got);
      },
    }),
  ];
}

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
  {
    id: 'DOWNLOAD-CONTENT-TYPE',
    title: 'files are served as application/fhir+ndjson',
    description:
      'Each file answer has Content-Type application/fhir+ndjson: the data and error files of every export the run downloaded, not only the shared one (a server may serve the files of one kind, or of one export, otherwise).',
    level: 'MUST',
    area: 'download',
    phase: 'late',
    profiles: ['bcda', 'bulk-data-ig'],
    refs: ['behavior §2.7'],
    operations: OPS,
    faults: ['download-wrong-content-type', 'ig-download-wrong-content-type'],
    judgesExports: ['with-error-files'],
    async run(ctx) {
      const runs = await ctx.followedExports();
      const main = runs.find((r) => r.name === 'main');
      if (!main?.manifest) return skip(`the shared export did not complete: ${main?.problem ?? 'unknown'}`);
      const downloads = runs.flatMap((r) => r.downloads);
      if (!downloads.length) return skip('the manifests list no files');
      const ok = downloads.filter((d) => d.status === 200);
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
  },
  onFiles({
    id: 'DOWNLOAD-GZIP',
    title: 'files come gzip-compressed when the client accepts gzip',
    description:
      'With Accept-Encoding: gzip, each file answer has Content-Encoding: gzip and a body that decompresses to NDJSON. One file is fetched again with "deflate, gzip": Accept-Encoding is a list (RFC 9110 §12.5.3), many clients send several codings, and BCDA compresses whenever gzip is named.',
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['behavior §2.7', 'RFC 9110 §12.5.3'],
    faults: ['download-gzip-unlabelled', 'download-bad-gzip'],
    async check(run, ctx) {
      const ok = run.downloads.filter((d) => d.status === 200);
      const notGzip = (d: DownloadRecord): string | undefined =>
        d.error ??
        (/\bgzip\b/i.test(d.contentEncoding ?? '')
          ? undefined
          : `Content-Encoding "${d.contentEncoding ?? '(none)'}"`);
      const problems = ok.flatMap((d) => {
        const problem = notGzip(d);
        return problem ? [`${shortName(d.item.url)}: ${problem}`] : [];
      });
      const first = ok.find((d) => d.kind === 'output');
      const listed = first
        ? await ctx.redownload(first, {
            sendToken: first.sentToken,
            acceptGzip: true,
            acceptEncoding: LISTED_ENCODINGS,
          })
        : undefined;
      const listedProblem =
        listed && (listed.status === 200 ? notGzip(listed) : `status ${listed.status ?? '(none)'}`);
      if (listed && listedProblem)
        problems.push(
          `${shortName(listed.item.url)} with Accept-Encoding "${LISTED_ENCODINGS}": ${listedProblem}`,
        );
      const judged = listed ? [...ok, listed] : ok;
      return problems.length
        ? fail(summarize(problems, judged.length), evidence(judged))
        : pass(
            `${ok.length} file(s) served gzip${listed ? `, and again with Accept-Encoding "${LISTED_ENCODINGS}"` : ''}`,
            evidence(judged),
          );
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
    faults: ['download-no-token-required', 'ig-download-no-token-required'],
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
    title: "a file name that is not one of the job's files is refused",
    description:
      "GET /data/<job>/..%2F..%2Fetc%2Fpasswd must not serve anything: 400 or 404. Nor may the job's folder serve a file of another job: the name of a file of the run's _type=Patient export, asked for under the shared export's job, is refused with 400 or 404 too (left out when that export did not complete, or when its files sit in the same folder as the shared export's, where the job is not part of the URL, or when the shared export has a file of that name itself).",
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
      const traversal = joinProblems([
        statusProblem(res, [400, 404]),
        leaked ? 'the body looks like /etc/passwd' : undefined,
      ]);
      const evidence = [res.exchange.id];
      if (traversal) return verdict(traversal, '', evidence);
      const own = run.manifest
        ? [...manifestItems(run.manifest.output), ...manifestItems(run.manifest.error)]
        : [];
      const foreign = await otherJobsFileUrl(
        ctx,
        first.item.url,
        own.map((i) => i.url),
      );
      if (typeof foreign !== 'string') return pass(`refused with ${res.status}; ${foreign.why}`, evidence);
      const other = await ctx.target.get(foreign, {
        label: "download of another job's file name under this job",
        operationId: 'downloadFile',
      });
      evidence.push(other.exchange.id);
      const served = statusProblem(other, [400, 404]);
      return verdict(
        served && `another job's file name under this job: ${served}`,
        `refused with ${res.status}; another job's file name under this job refused with ${other.status}`,
        evidence,
      );
    },
  }),
  {
    id: 'EXPORT-PARTIALLY-ADJUDICATED',
    title: "an entitled organization's default export includes valid Claim and ClaimResponse files",
    description:
      'On v2, the default Group/all export of an organization entitled to partially adjudicated claims lists Claim and ClaimResponse files beside the adjudicated types; each downloads and holds only valid resources of its type (FHIR R4 schema and the BCDA profile rules), and the files of each type hold some: a type listed with nothing in its files serves no data.',
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
        ...CLAIM_TYPES.map((t) => claimsServedNone(claims, t)),
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

/*
 * The IG's optional features, judged on the data a generic server exports (bulk-data-ig): the
 * `patient` parameter, `_elements`, `_typeFilter`, `includeAssociatedData` and attachments. Each
 * compares an export with the feature's parameters to the base export of the same level, and skips
 * when the server refuses the feature or its data cannot tell a honoured parameter from an ignored one.
 */
// The IG feature checks' helpers (imports are hoisted: kept here, by the checks that use them).

const few = (items: readonly string[], n = 3): string =>
  items.length > n ? `${items.slice(0, n).join(', ')} (+${items.length - n} more)` : items.join(', ');

const patientParamCheck: CheckDefinition = {
  id: 'DOWNLOAD-PATIENT-PARAM',
  title: "an export with the patient parameter holds no other patient's data",
  description:
    "POST [base]/Patient/$export (or the Group level) with a Parameters body naming one patient of the base export (the one with the most data, among several) completes, and no exported resource belongs to another patient's compartment: no other Patient, nothing that points only to other patients. Skips when the server refuses the patient parameter or POST.",
  level: 'MUST',
  area: 'download',
  profiles: ['bulk-data-ig'],
  refs: [],
  operations: [],
  faults: ['ig-patient-param-ignored'],
  async run(ctx) {
    const prepared = await patientParamExport(ctx);
    if (isSkip(prepared)) return skip(prepared.skip, prepared.evidence);
    const { base, patient, exported } = prepared;
    const ev = [...exported.evidence, ...base.evidence.slice(0, 2)];
    // A Provenance points to patients through the resources it targets.
    const owners = (r: ResourceSummary): string[] =>
      r.patients.length
        ? r.patients
        : (r.targets ?? []).flatMap(
            (t) => (exported.resources.get(t) ?? base.resources.get(t))?.patients ?? [],
          );
    const all = [...exported.resources.values()];
    const strangers = all.filter((r) => {
      const o = owners(r);
      return o.length > 0 && !o.includes(patient);
    });
    if (strangers.length)
      return fail(
        `${exported.label}: ${strangers.length} of ${all.length} resources belong to other patients (${few(strangers.map((r) => `${r.key} → Patient/${owners(r)[0]}`))})`,
        ev,
      );
    const own = all.filter((r) => owners(r).includes(patient));
    if (!own.length)
      return skip(`${exported.label} returned nothing of Patient/${patient}, so it shows nothing`, ev);
    if (exported.incomplete) return skip(`${exported.label} was not read whole: ${exported.incomplete}`, ev);
    return pass(
      `${exported.label}: ${own.length} resources of Patient/${patient}, none of the other patients ${base.label} holds`,
      ev,
    );
  },
};

/** The elements a resource of `type` may keep under the chosen `_elements`. */
function keptElements(choice: Pick<ElementsChoice, 'typed' | 'untyped'>, type: string): Set<string> {
  return new Set([
    ...ALWAYS_KEPT,
    ...mandatoryElements(type),
    ...(type === choice.typed.type ? [choice.typed.element] : []),
    ...(choice.untyped ? [choice.untyped.element] : []),
  ]);
}

/** Resources the `_elements` export trimmed: their base copy has an element they lack. */
function trimmed(base: IgExport, exported: IgExport): ResourceSummary[] {
  return [...exported.resources.values()].filter((r) => {
    const whole = base.resources.get(r.key);
    return whole !== undefined && whole.elements.some((e) => !r.elements.includes(e));
  });
}

/**
 * A repeated _type refused (4XX) by a server that accepts the same types as one comma-separated
 * value: it treats the repeat as an error, not as the list it is (bulkdata@32). Undefined when the
 * repeat was not refused so, or the comma form is refused too (the server's _type support is
 * another check's matter).
 */
async function refusedRepeat(
  ctx: CheckContext,
  got: NoData,
  types: readonly string[],
): Promise<CheckOutcome | undefined> {
  const refused = got.run?.kickoff?.status;
  if (refused === undefined || refused < 400 || refused >= 500) return undefined;
  const { res } = await ctx.kickoffAndCancel({
    endpoint: 'patient',
    query: { _type: types.join(',') },
    label: 'the repeated types as one comma-separated _type',
  });
  if (res.status !== 202) return undefined;
  return fail(
    `Patient/$export?${types.map((t) => `_type=${t}`).join('&')} was refused (${refused}) while _type=${types.join(',')} is accepted: a repeated parameter is one comma-separated list`,
    [...got.evidence, res.exchange.id],
  );
}

const elementsCheck: CheckDefinition = {
  id: 'DOWNLOAD-ELEMENTS',
  title: '_elements keeps only the listed and the mandatory elements',
  description:
    "An export with _type=A,B and _elements=A.x,y (x and y optional elements the base export's A and B resources hold, y named without a type) returns A resources with only x, y, id, meta and their mandatory elements, B resources with y and their mandatory ones; each keeps the listed and mandatory elements its base copy has. Skips when the server refuses _elements.",
  level: 'SHOULD',
  area: 'download',
  profiles: ['bulk-data-ig'],
  refs: [],
  operations: [],
  faults: ['ig-elements-ignored'],
  async run(ctx) {
    const prepared = await elementsExport(ctx);
    if (isSkip(prepared)) return skip(prepared.skip, prepared.evidence);
    const { base, exported } = prepared;
    const ev = [...exported.evidence, ...base.evidence.slice(0, 2)];
    const problems: string[] = [];
    const judged = [...exported.resources.values()];
    if (!judged.length) return skip(`${exported.label} returned no resource to judge`, ev);
    for (const r of judged) {
      const kept = keptElements(prepared, r.type);
      const extra = r.elements.filter((e) => !kept.has(e.replace(/^_/, '')));
      const whole = base.resources.get(r.key);
      // Of what may be kept, id and the listed and mandatory elements must be.
      const wanted = [...kept].filter(
        (e) => (e === 'id' || !ALWAYS_KEPT.has(e)) && whole?.elements.includes(e),
      );
      const lost = wanted.filter((e) => !r.elements.includes(e) && !r.elements.includes(`_${e}`));
      if (extra.length) problems.push(`${r.key} keeps ${few(extra)}`);
      if (lost.length) problems.push(`${r.key} lacks ${few(lost)}`);
    }
    if (problems.length)
      return fail(
        `${exported.label}: ${problems.length} problem(s) in ${judged.length} resources: ${few(problems)}`,
        ev,
      );
    return pass(
      `${exported.label}: all ${judged.length} resources hold only the listed, mandatory, id and meta elements, none of them lost`,
      ev,
    );
  },
};

const elementsSubsettedCheck: CheckDefinition = {
  id: 'DOWNLOAD-ELEMENTS-SUBSETTED',
  title: 'resources trimmed by _elements carry the SUBSETTED tag',
  description:
    'In the _elements export, every resource that lacks an element its base copy has carries meta.tag SUBSETTED (http://terminology.hl7.org/CodeSystem/v3-ObservationValue), so nobody takes it for the whole resource. Skips when nothing was trimmed or the server refuses _elements.',
  level: 'SHOULD',
  area: 'download',
  profiles: ['bulk-data-ig'],
  refs: [],
  operations: [],
  faults: ['ig-elements-no-subsetted-tag'],
  async run(ctx) {
    const prepared = await elementsExport(ctx);
    if (isSkip(prepared)) return skip(prepared.skip, prepared.evidence);
    const { base, exported } = prepared;
    const ev = [...exported.evidence, ...base.evidence.slice(0, 2)];
    const cut = trimmed(base, exported);
    if (!cut.length) return skip(`${exported.label} trimmed no resource, so there is nothing to tag`, ev);
    const untagged = cut.filter((r) => !r.subsetted);
    return verdict(
      untagged.length
        ? `${untagged.length} of ${cut.length} trimmed resources carry no SUBSETTED tag (${few(untagged.map((r) => r.key))})`
        : undefined,
      `all ${cut.length} trimmed resources carry the SUBSETTED tag`,
      ev,
    );
  },
};

const typeFilterCheck: CheckDefinition = {
  id: 'DOWNLOAD-TYPEFILTER',
  title: '_typeFilter exports only the resources its query matches',
  description:
    "An export with _type=T&_typeFilter=T?param=value, the value one that some but not all of the base export's T resources hold (Observation or Condition code, category, status, gender…), returns only T resources holding it. A filter applied to none of them fails where the server declares _typeFilter (its OperationDefinition or the CapabilityStatement's searchParam), and is left to KICKOFF-TYPEFILTER-IGNORED otherwise. Skips when the server refuses _typeFilter or that query.",
  level: 'MUST',
  area: 'download',
  profiles: ['bulk-data-ig'],
  refs: [],
  operations: [],
  faults: ['ig-typefilter-ignored'],
  async run(ctx) {
    const prepared = await typeFilterExport(ctx, 'typefilter', 1);
    if (isSkip(prepared)) return skip(prepared.skip, prepared.evidence);
    const { base, choice, declared, exported } = prepared;
    const { type, param } = choice.parameter;
    const value = choice.values[0]!;
    const ev = [...exported.evidence, ...base.evidence.slice(0, 2)];
    const got = ofType(exported, type);
    if (!got.length) return skip(`${exported.label} returned no ${type}, so it shows nothing`, ev);
    const { returned, ignored } = unmatched(base, exported, choice, [value]);
    if (returned.length && ignored && !declared)
      return skip(
        `${exported.label} applied no filter (every ${type} came back), as a server without _typeFilter support would; it does not declare _typeFilter, so whether it should have filtered is unknown`,
        ev,
      );
    return verdict(
      returned.length
        ? `${exported.label}: ${returned.length} of ${got.length} ${type} do not match ${param}=${value} (${few(returned.map((r) => r.key))})`
        : undefined,
      `${exported.label}: all ${got.length} ${type} match (${ofType(base, type).length - got.length} of ${base.label}'s left out)`,
      ev,
    );
  },
};

/** The newest Provenance of a target (several when they share the newest `recorded`). */
function newest(list: ResourceSummary[]): ResourceSummary[] {
  const top = Math.max(...list.map((p) => p.recorded ?? -Infinity));
  return list.filter((p) => (p.recorded ?? -Infinity) === top);
}

const latestProvenanceCheck: CheckDefinition = {
  id: 'DOWNLOAD-LATEST-PROVENANCE',
  title: 'includeAssociatedData=LatestProvenanceResources adds only the newest Provenance',
  description:
    'An export with includeAssociatedData=LatestProvenanceResources holds, for each exported resource that Provenance of the base export target, the newest of them (by recorded), and no other Provenance. Needs a resource with several Provenance; skips when the server refuses the value.',
  level: 'MUST',
  area: 'download',
  profiles: ['bulk-data-ig'],
  refs: [],
  operations: [],
  faults: ['ig-latest-provenance-all'],
  async run(ctx) {
    const prepared = await provenanceExport(ctx, 'LatestProvenanceResources');
    if (isSkip(prepared)) return skip(prepared.skip, prepared.evidence);
    const { base, byTarget, exported } = prepared;
    const ev = [...exported.evidence, ...base.evidence.slice(0, 2)];
    const targets = [...exported.resources.values()].filter(
      (r) => r.type !== 'Provenance' && byTarget.has(r.key),
    );
    if (!targets.some((t) => newest(byTarget.get(t.key)!).length < byTarget.get(t.key)!.length))
      return skip(
        `no resource of ${exported.label} has Provenance of different ages in ${base.label}, so the latest cannot be told from all`,
        ev,
      );
    const latest = new Set(targets.flatMap((t) => newest(byTarget.get(t.key)!).map((p) => p.key)));
    const missing = targets.filter(
      (t) => !newest(byTarget.get(t.key)!).some((p) => exported.resources.has(p.key)),
    );
    const extra = ofType(exported, 'Provenance').filter((p) => !latest.has(p.key));
    const problem = joinProblems([
      extra.length
        ? `${extra.length} exported Provenance are not the newest of any exported resource (${few(extra.map((p) => p.key))})`
        : undefined,
      missing.length && !exported.incomplete
        ? `${missing.length} resources came without their newest Provenance (${few(missing.map((t) => t.key))})`
        : undefined,
    ]);
    if (problem) return fail(`${exported.label}: ${problem}`, ev);
    if (exported.incomplete) return skip(`${exported.label} was not read whole: ${exported.incomplete}`, ev);
    return pass(
      `${exported.label}: the newest Provenance of each of ${targets.length} resources, and no other`,
      ev,
    );
  },
};

/** Every Provenance targeting an exported resource is there (Relevant, or Relevant winning a conflict). */
async function judgeRelevant(ctx: CheckContext, value: ProvenanceValue): Promise<CheckOutcome> {
  const prepared = await provenanceExport(ctx, value);
  if (isSkip(prepared)) return skip(prepared.skip, prepared.evidence);
  const { base, byTarget, exported } = prepared;
  const ev = [...exported.evidence, ...base.evidence.slice(0, 2)];
  const { relevant, missing } = relevantProvenance(byTarget, exported);
  if (!relevant.size) return skip(`no resource of ${exported.label} has a Provenance in ${base.label}`, ev);
  if (missing.length && !exported.incomplete)
    return fail(
      `${exported.label}: ${missing.length} of the ${relevant.size} Provenance targeting its resources are missing (${few(missing)})`,
      ev,
    );
  if (exported.incomplete) return skip(`${exported.label} was not read whole: ${exported.incomplete}`, ev);
  return pass(`${exported.label}: all ${relevant.size} Provenance targeting its resources`, ev);
}

const relevantProvenanceCheck: CheckDefinition = {
  id: 'DOWNLOAD-RELEVANT-PROVENANCE',
  title: 'includeAssociatedData=RelevantProvenanceResources adds every Provenance of the data',
  description:
    'An export with includeAssociatedData=RelevantProvenanceResources (and _type naming the types Provenance target) holds every Provenance of the base export that targets one of its exported resources. Skips when the server refuses the value or the data has no Provenance.',
  level: 'MUST',
  area: 'download',
  profiles: ['bulk-data-ig'],
  refs: [],
  operations: [],
  faults: ['ig-relevant-provenance-missing'],
  run: (ctx) => judgeRelevant(ctx, 'RelevantProvenanceResources'),
};

const conflictingProvenanceCheck: CheckDefinition = {
  id: 'DOWNLOAD-PROVENANCE-CONFLICT',
  title: 'conflicting includeAssociatedData values export the most data',
  description:
    'An export with includeAssociatedData=LatestProvenanceResources,RelevantProvenanceResources (values that conflict) applies the least restrictive: it holds every Provenance of the base export that targets one of its exported resources, as RelevantProvenanceResources alone would. Skips when the server refuses the values or the data has no Provenance.',
  level: 'MUST',
  area: 'download',
  profiles: ['bulk-data-ig'],
  refs: [],
  operations: [],
  faults: ['ig-relevant-provenance-missing'],
  run: (ctx) => judgeRelevant(ctx, 'LatestProvenanceResources,RelevantProvenanceResources'),
};

const systemSinceCheck: CheckDefinition = {
  id: 'DOWNLOAD-SYSTEM-SINCE',
  title: 'the system-level export honours _since',
  description:
    "Where the system-level export is declared, [base]/$export with _since inside the base export's meta.lastUpdated range (and _outputFormat=application/fhir+ndjson) completes, and every exported resource with a meta.lastUpdated was updated after it.",
  level: 'MUST',
  area: 'download',
  profiles: ['bulk-data-ig'],
  refs: [],
  operations: [],
  faults: ['ig-since-ignored'],
  async run(ctx) {
    const prepared = await igSinceExport(ctx, true);
    if (isSkip(prepared)) return skip(prepared.skip, prepared.evidence);
    const { exported, since } = prepared;
    const dated = [...exported.resources.values()].filter((r) => r.lastUpdated !== undefined);
    if (!dated.length)
      return skip(`${exported.label} returned no resource with a meta.lastUpdated`, exported.evidence);
    const stale = dated.filter((r) => r.lastUpdated! <= since);
    if (stale.length)
      return fail(
        `${exported.label}: ${stale.length} of ${dated.length} resources were updated at or before _since (${few(stale.map((r) => `${r.key} ${new Date(r.lastUpdated!).toISOString()}`))})`,
        exported.evidence,
      );
    if (exported.incomplete)
      return skip(`${exported.label} was not read whole: ${exported.incomplete}`, exported.evidence);
    return pass(
      `${exported.label}: all ${dated.length} dated resources updated after _since`,
      exported.evidence,
    );
  },
};

/** The media type of a Content-Type header, lowercased, without parameters. */
const mediaTypeOf = (header: string | string[] | undefined): string =>
  (Array.isArray(header) ? (header[0] ?? '') : (header ?? '')).split(';')[0]!.trim().toLowerCase();

/** A MIME type, type/subtype with optional parameters (RFC 6838 names). */
const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*\s*(;.*)?$/i;

/** Attachment URLs fetched at most. */
const MAX_ATTACHMENTS = 5;

const attachmentsCheck: CheckDefinition = {
  id: 'DOWNLOAD-ATTACHMENTS',
  title: "attachment URLs are absolute and answer with the export's access rule",
  description:
    "Each Attachment.url of the base export's resources (a few) is an absolute URL that answers 200 with the attachment's content: with the access token alone (no other credential) when the manifest says requiresAccessToken true, without any token when false. An answer that is a FHIR resource (application/fhir+json, such as the Binary holding the content) where the attachment's contentType is no FHIR JSON is not the content. Nor is an HTML page (text/html: a sign-in or error page) where the attachment's contentType is no HTML. Skips when the data holds no attachment with a url.",
  level: 'MUST',
  area: 'download',
  profiles: ['bulk-data-ig'],
  refs: [],
  operations: [],
  faults: ['ig-attachment-url-broken'],
  async run(ctx) {
    const base = await baseExport(ctx);
    if (isSkip(base)) return skip(base.skip, base.evidence);
    const withUrl = [...base.resources.values()]
      .flatMap((r) => r.attachments)
      .filter((a) => a.url !== undefined);
    if (!withUrl.length) return skip(`${base.label} holds no Attachment with a url`, base.evidence);
    const token = base.run.manifest.requiresAccessToken === true;
    const evidence = base.evidence.slice(0, 2);
    const problems: string[] = [];
    const refused: string[] = [];
    const urls = [...new Set(withUrl.map((a) => a.url!))].slice(0, MAX_ATTACHMENTS);
    for (const url of urls) {
      const { holder, contentType } = withUrl.find((a) => a.url === url)!;
      let absolute: URL | undefined;
      try {
        absolute = new URL(url);
      } catch {
        problems.push(`${holder}: "${url.slice(0, 120)}" is not an absolute URL`);
        continue;
      }
      try {
        const res = await ctx.target.get(absolute.toString(), {
          label: `fetch an attachment ${token ? 'with the access token' : 'without a token'}`,
          auth: token ? 'token' : 'none',
        });
        evidence.push(res.exchange.id);
        const served = mediaTypeOf(res.headers['content-type']);
        if (res.status !== 200) problems.push(`${holder}: ${url} answered ${res.status}`);
        else if (served === 'application/fhir+json' && contentType && !/json/i.test(contentType))
          problems.push(
            `${holder}: ${url} answered a FHIR resource (application/fhir+json), not the ${contentType} content`,
          );
        // An HTML page (a sign-in or error page) where the attachment is no HTML is not the content either.
        else if (served === 'text/html' && contentType && !/html/i.test(contentType))
          problems.push(`${holder}: ${url} answered an HTML page, not the ${contentType} content`);
      } catch (err) {
        // The harness keeps the token from origins not allowed (--allow-origin): that is not the server's doing.
        if (err instanceof RefusedRequest) refused.push(`${url} (${err.reason})`);
        else problems.push(`${holder}: ${url} could not be fetched (${(err as Error).message})`);
      }
    }
    if (!problems.length && refused.length === urls.length)
      return skip(`no attachment URL was fetched: ${few(refused)}`, evidence);
    return verdict(
      problems.length ? few(problems) : undefined,
      `${urls.length - refused.length} attachment URL(s) answered 200 ${token ? 'with the access token alone' : 'without a token'}${refused.length ? `; ${refused.length} not fetched (${few(refused, 1)})` : ''}`,
      evidence,
    );
  },
};

const attachmentsDescribedCheck: CheckDefinition = {
  id: 'DOWNLOAD-ATTACHMENTS-DESCRIBED',
  title: 'exported attachments carry a contentType and data or a url',
  description:
    "Every Attachment in the base export's resources has its contentType, a MIME type (type/subtype), and either data or a url. Skips when the data holds no attachment.",
  level: 'SHOULD',
  area: 'download',
  profiles: ['bulk-data-ig'],
  refs: [],
  operations: [],
  faults: ['ig-attachment-no-content-type'],
  async run(ctx) {
    const base = await baseExport(ctx);
    if (isSkip(base)) return skip(base.skip, base.evidence);
    const all = [...base.resources.values()].flatMap((r) => r.attachments);
    if (!all.length) return skip(`${base.label} holds no Attachment`, base.evidence);
    const untyped = all.filter((a) => !a.contentType);
    // contentType is a MIME type (type/subtype): a file extension or a bare word tells a client nothing it can use.
    const mistyped = all.filter((a) => a.contentType && !MIME_TYPE.test(a.contentType));
    const empty = all.filter((a) => !a.hasData && !a.url);
    return verdict(
      joinProblems([
        untyped.length
          ? `${untyped.length} of ${all.length} attachments have no contentType (${few(untyped.map((a) => a.holder))})`
          : undefined,
        empty.length
          ? `${empty.length} of ${all.length} attachments have neither data nor url (${few(empty.map((a) => a.holder))})`
          : undefined,
        mistyped.length
          ? `${mistyped.length} of ${all.length} attachments have a contentType that is no MIME type (${few(mistyped.map((a) => `${a.holder} "${a.contentType!.slice(0, 40)}"`))})`
          : undefined,
      ]),
      `all ${all.length} attachments have a contentType and data or a url`,
      base.evidence,
    );
  },
};

/*
 * STU3's organizeOutputBy, judged where a server declares it: an export organised by patient is
 * made of patient blocks, each headed by a Parameters header, and its manifest says so.
 */
const organizedByPatientCheck: CheckDefinition = {
  id: 'DOWNLOAD-ORGANIZED-BY-PATIENT',
  title: 'organizeOutputBy=Patient returns blocks of one patient each, headed by a header',
  description:
    "Where an export level's own OperationDefinition (or searchParam) declares organizeOutputBy (IG STU3), GET [level]/$export?organizeOutputBy=Patient completes with a manifest whose outputOrganizedBy is Patient and whose output items carry no type, and whose files are blocks: a Parameters header whose header parameter references one Patient, then that Patient first (when exported) and resources that reference it, none referencing only other patients. A patient's resources sit in one block, continued in another file only at that file's start where continuesInFile links the two. Skips when no level declares organizeOutputBy, the server refuses it, or fewer than two patients have resources besides their Patient.",
  level: 'MUST',
  area: 'download',
  profiles: ['bulk-data-ig'],
  refs: [],
  operations: [],
  faults: ['ig-organize-output-ignored', 'ig-organize-output-mixed'],
  async run(ctx) {
    const exported = await organizedExport(ctx);
    if (isSkip(exported)) return skip(exported.skip, exported.evidence);
    const { problems, blocks, withData } = judgeOrganized(exported.manifest, exported.files);
    const ev = exported.evidence;
    if (problems.length)
      return fail(`${exported.label}: ${problems.length} problem(s): ${few(problems)}`, ev);
    if (exported.incomplete) return skip(`${exported.label} was not read whole: ${exported.incomplete}`, ev);
    if (withData.size < 2)
      return skip(
        `${exported.label}: fewer than two patients have resources besides their Patient (${withData.size}), so blocks cannot be told apart`,
        ev,
      );
    return pass(
      `${exported.label}: ${blocks} block(s) in ${exported.files.length} file(s), each holding one patient's resources headed by its header; outputOrganizedBy Patient, untyped output items`,
      ev,
    );
  },
};

const defaultProvenancePatientCheck: CheckDefinition = {
  id: 'DOWNLOAD-PROVENANCE-DEFAULT-PATIENT',
  title: 'a Patient-level export without includeAssociatedData holds the Provenance of its data',
  description:
    "Where the server declares the Patient-level export and a Provenance search, GET [base]/Patient/$export with no parameter holds every Provenance the search returns (there at the export's transactionTime) whose target is one of the exported resources, whether or not the server supports includeAssociatedData. Skips when either is not declared, or no available Provenance targets the exported data.",
  level: 'MUST',
  area: 'download',
  profiles: ['bulk-data-ig'],
  refs: [],
  operations: [],
  faults: ['ig-provenance-default-latest', 'ig-provenance-unsupported-omitted'],
  run: (ctx) => judgeDefaultProvenance(ctx, 'patient'),
};

const defaultProvenanceSystemCheck: CheckDefinition = {
  id: 'DOWNLOAD-PROVENANCE-DEFAULT-SYSTEM',
  title: 'a system-level export without includeAssociatedData holds every available Provenance',
  description:
    "Where the server declares the system-level export and a Provenance search, GET [base]/$export with no parameter holds every Provenance the search returns (there at the export's transactionTime), whether or not the server supports includeAssociatedData. Skips when either is not declared or the search finds no Provenance.",
  level: 'MUST',
  area: 'download',
  profiles: ['bulk-data-ig'],
  refs: [],
  operations: [],
  faults: ['ig-system-export-provenance-missing', 'ig-provenance-unsupported-omitted'],
  run: (ctx) => judgeDefaultProvenance(ctx, 'system'),
};

export const downloadIgChecks: CheckDefinition[] = [
  patientParamCheck,
  elementsCheck,
  elementsSubsettedCheck,
  typeFilterCheck,
  latestProvenanceCheck,
  relevantProvenanceCheck,
  conflictingProvenanceCheck,
  defaultProvenancePatientCheck,
  defaultProvenanceSystemCheck,
  systemSinceCheck,
  attachmentsCheck,
  attachmentsDescribedCheck,
  organizedByPatientCheck,
];

/**
 * Listed files of a claim type that were all fetched whole, yet hold not one resource: the type
 * is named but no partially adjudicated data is served. Undefined when a file holds some, or when
 * one was not read whole (its lines are not known).
 */
function claimsServedNone(claims: readonly DownloadRecord[], type: string): string | undefined {
  const files = claims.filter((d) => d.item.type === type);
  const readWhole = files.every((d) => d.status === 200 && !d.error && d.validation !== undefined);
  if (!files.length || !readWhole) return undefined;
  return files.some((d) => (d.validation?.lines ?? 0) > 0)
    ? undefined
    : `the ${files.length} ${type} file(s) listed hold no resource`;
}
