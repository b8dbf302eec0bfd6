/**
 * Export kick-off: Patient, Group/all and Group/runout (seed 001 §Start a job, seed 000 §/Group,
 * behavior §0.2, §2.2, §3), and Claim/ClaimResponse for an organization entitled to partially
 * adjudicated claims (v2, seed 000 §/Group). Accepted kick-offs are cancelled at once, so the run leaves no work
 * behind on the target; each counts against --max-kickoffs.
 */
import {
  type CheckContext,
  type CheckDefinition,
  type ExportEndpoint,
  type ExportLevel,
  type KickoffSpec,
  KickoffBudgetExceeded,
  fail,
  pass,
  skip,
  verdict,
  NotApplicable,
} from './context';
import type { HttpResponse } from '../http/client';
import type { ExportRun } from '../flows/export';
import {
  isNoData,
  outputFormatExport,
  patientExport,
  recentSinceExport,
  runoutExport,
  sinceExport,
  typeExport,
  typeRequest,
  type IndexedExport,
  type NoData,
} from './kit/data-exports';
import { resourceTypeOf } from './kit/recorded';
import { listJobs, tasksOf, type TaskView } from './kit/job-list';
import { declaredResourceTypes } from './kit/capability';
import { manifestItems } from '../flows/manifest';
import { joinProblems, operationOutcomeProblems, statusProblem, type OutcomeExpectation } from './kit/expect';
import { CLAIM_TYPES, NO_ENTITLED_CLIENT } from './kit/partially-adjudicated';
import type { OperationId } from '../core/operations';
import type { ApiVersion, Profile } from '../core/vocabulary';
import type { CheckCaseMeta, CheckOutcome } from './types';
import { firstDeclaredLevel, parameterSupport, requireLevel } from './kit/ig-capability';
import {
  answerWords,
  atLevel,
  baseExport,
  igExport,
  isSkip,
  ofType,
  type IgExport,
  type IgSkip,
} from './kit/ig-exports';
import {
  UNKNOWN_PARAMETER,
  OTHER_UNKNOWN_PARAMETER,
  lenientExport,
  linesNaming,
  patientKickoff,
  patientParamExport,
  postExport,
  provenanceExport,
  relevantProvenance,
  sinceExport as igSinceExport,
  SYSTEM_FORMAT,
  typeFilterExport,
  unmatched,
} from './kit/ig-features';
import { matchesToken, referenceKey } from './kit/ig-resources';

const EXPORT_OPS: OperationId[] = (['V1', 'V2', 'V3'] as const).flatMap((v) => [
  `exportPatient${v}` as const,
  `exportGroup${v}` as const,
]);

/** A kick-off endpoint and the ids of its five header checks (see headerChecks). */
interface Endpoint {
  name: string;
  spec: Pick<KickoffSpec, 'endpoint' | 'group'>;
  /** An export the run makes anyway with this plain kick-off (see AcceptCase.shared). */
  shared: (ctx: CheckContext) => Promise<SharedKickoff | undefined>;
  ids: {
    accepted: string;
    acceptMissing: string;
    acceptWrong: string;
    preferMissing: string;
    preferWrong: string;
  };
}

const ENDPOINTS: Endpoint[] = [
  {
    name: 'Patient/$export',
    spec: { endpoint: 'patient' },
    shared: async (ctx) => sharedKickoff(await patientExport(ctx)),
    ids: {
      accepted: 'KICKOFF-PATIENT-ACCEPTED',
      acceptMissing: 'KICKOFF-PATIENT-ACCEPT-MISSING',
      acceptWrong: 'KICKOFF-PATIENT-ACCEPT-WRONG',
      preferMissing: 'KICKOFF-PATIENT-PREFER-MISSING',
      preferWrong: 'KICKOFF-PATIENT-PREFER-WRONG',
    },
  },
  {
    name: 'Group/all/$export',
    spec: { endpoint: 'group', group: 'all' },
    // The shared export is this very request when the run's group is all.
    shared: async (ctx) =>
      ctx.config.group === 'all' ? { run: await ctx.mainExport(), evidence: [] } : undefined,
    ids: {
      accepted: 'KICKOFF-GROUP-ALL-ACCEPTED',
      acceptMissing: 'KICKOFF-GROUP-ALL-ACCEPT-MISSING',
      acceptWrong: 'KICKOFF-GROUP-ALL-ACCEPT-WRONG',
      preferMissing: 'KICKOFF-GROUP-ALL-PREFER-MISSING',
      preferWrong: 'KICKOFF-GROUP-ALL-PREFER-WRONG',
    },
  },
  {
    name: 'Group/runout/$export',
    spec: { endpoint: 'group', group: 'runout' },
    shared: async (ctx) => sharedKickoff(await runoutExport(ctx)),
    ids: {
      accepted: 'KICKOFF-GROUP-RUNOUT-ACCEPTED',
      acceptMissing: 'KICKOFF-GROUP-RUNOUT-ACCEPT-MISSING',
      acceptWrong: 'KICKOFF-GROUP-RUNOUT-ACCEPT-WRONG',
      preferMissing: 'KICKOFF-GROUP-RUNOUT-PREFER-MISSING',
      preferWrong: 'KICKOFF-GROUP-RUNOUT-PREFER-WRONG',
    },
  },
];

function acceptedProblems(ctx: CheckContext, res: HttpResponse): string | undefined {
  const problems = [statusProblem(res, 202)];
  if (res.status === 202) {
    const location = res.headers['content-location'];
    if (!location) problems.push('no Content-Location header');
    else {
      let url: URL | undefined;
      try {
        url = new URL(location);
      } catch {
        problems.push(`Content-Location "${location}" is not an absolute URL`);
      }
      if (
        url &&
        ctx.config.profile === 'bcda' &&
        !new RegExp(`/api/${ctx.version}/jobs/\\d+$`).test(url.pathname)
      ) {
        problems.push(`Content-Location "${location}" is not /api/${ctx.version}/jobs/<id>`);
      }
      // BCDA's status URL is <base>/api/...: on the host the client called, under its base path (an
      // internal host or port sends the client nowhere). The scheme is the TLS checks' to judge.
      const base = new URL(ctx.target.baseUrl);
      const basePath = base.pathname.replace(/\/+$/, '');
      if (
        url &&
        ctx.config.profile === 'bcda' &&
        (url.host !== base.host || !url.pathname.startsWith(`${basePath}/api/`))
      ) {
        problems.push(`Content-Location "${location}" is not on the target ${base.host}${basePath}`);
      }
    }
  }
  return joinProblems(problems);
}

/**
 * An accepted kick-off starts a job: the first request to its Content-Location (the run's first
 * poll, or the cancel) finds one. A 404 there means the status URL leads to no job; any other answer
 * (running, done, cancelled, busy) says nothing against it.
 */
function noJobProblem(first: { status: number; exchangeId: string } | undefined): string | undefined {
  return first?.status === 404
    ? `its Content-Location leads to no job: ${first.exchangeId} answered 404 there`
    : undefined;
}

interface AcceptCase extends CheckCaseMeta {
  /** The kick-off to send (several: each must be accepted), or why there is none (a skip). */
  spec: (ctx: CheckContext) => Omit<KickoffSpec, 'label'> | Omit<KickoffSpec, 'label'>[] | string;
  /**
   * An export the run makes anyway with this very request: its kick-off answer is judged instead of
   * sending one more (--max-kickoffs). Undefined when the run makes no such export.
   */
  shared?: (ctx: CheckContext) => Promise<SharedKickoff | undefined>;
  /** Kick-offs sent besides the shared one (or the spec's): other forms the rule covers, each accepted too. */
  also?: (ctx: CheckContext) => Omit<KickoffSpec, 'label'>[];
}

/** The kick-off a shared export of the run began with: the run follows it to the end for the data checks. */
interface SharedKickoff {
  run?: ExportRun;
  /** Why there is no kick-off answer to judge. */
  skip?: string;
  evidence: string[];
}

/** A data export's kick-off; undefined when the export was never started (nothing to share). */
const sharedKickoff = (got: IndexedExport | NoData): SharedKickoff | undefined =>
  !isNoData(got) ? got : got.run ? { run: got.run, skip: got.skip, evidence: got.evidence } : undefined;

/** The data checks' `_type` export of an endpoint, when it asks for exactly `types` (its kick-off is shared). */
async function sharedTypeExport(
  ctx: CheckContext,
  endpoint: ExportEndpoint,
  types: string,
): Promise<SharedKickoff | undefined> {
  if (endpoint === 'group' && ctx.config.group !== 'all') return undefined;
  const selection = await typeRequest(ctx, endpoint);
  if (isNoData(selection) || selection.requested.join(',') !== types) return undefined;
  const got = await typeExport(ctx, endpoint);
  return sharedKickoff(isNoData(got) ? got : got.filtered);
}

function acceptCheck(c: AcceptCase): CheckDefinition {
  return {
    id: c.id,
    title: c.title,
    description: c.description,
    level: c.level ?? 'MUST',
    area: 'kickoff',
    profiles: c.profiles ?? ['bcda', 'bulk-data-ig'],
    refs: c.refs,
    operations: EXPORT_OPS,
    faults: c.faults,
    ...(c.versions ? { versions: c.versions } : {}),
    // Budget and transport problems become skip / error outcomes in the runner.
    async run(ctx) {
      const shared = await c.shared?.(ctx);
      const answers: HttpResponse[] = [];
      // The first answer at each kick-off's Content-Location (a status poll or the cancel), by kick-off.
      const followed = new Map<HttpResponse, { status: number; exchangeId: string }>();
      if (shared) {
        if (!shared.run?.kickoff)
          return skip(shared.skip ?? shared.run?.problem ?? 'no kick-off was sent', shared.evidence);
        answers.push(shared.run.kickoff);
        const poll = shared.run.polls[0];
        if (poll) followed.set(shared.run.kickoff, poll);
      } else {
        const spec = c.spec(ctx);
        if (typeof spec === 'string') return skip(spec);
        for (const one of Array.isArray(spec) ? spec : [spec]) {
          const { res, cancelled } = await ctx.kickoffAndCancel({ ...one, label: c.title });
          answers.push(res);
          // BCDA documents the cancel; a generic server may not offer it, and its 404 would say nothing.
          if (cancelled && ctx.config.profile === 'bcda')
            followed.set(res, { status: cancelled.status, exchangeId: cancelled.exchange.id });
        }
      }
      for (const one of c.also?.(ctx) ?? [])
        answers.push((await ctx.kickoffAndCancel({ ...one, label: c.title })).res);
      const several = answers.length > 1;
      // A job accepted and then failed was not really accepted (a followed shared export shows it).
      const final = shared?.run?.final;
      const problem = joinProblems([
        ...answers.map((res) => {
          const found = joinProblems([acceptedProblems(ctx, res), noJobProblem(followed.get(res))]);
          // The path and query name which of the kick-offs it was (the host says nothing).
          const which = res.exchange.request.url.replace(/^https?:\/\/[^/]+/, '');
          return found && several ? `${which}: ${found}` : found;
        }),
        final && final.status >= 400 ? `accepted, then the job failed: status ${final.status}` : undefined,
      ]);
      const located = answers.map((res) => res.headers['content-location']).join(', ');
      return verdict(problem, `202 with Content-Location ${located}`, [
        ...answers.map((res) => res.exchange.id),
        ...[...followed.values()].map((f) => f.exchangeId),
      ]);
    },
  };
}

/**
 * Patient/$export?_type=Patient&_outputFormat=`format`, followed to its end (bulkdata@47, @52: a
 * format accepted at kick-off must also be delivered). After the shared export: a server that
 * refuses a second job in flight (429) would see none.
 */
async function followedFormat(ctx: CheckContext, format: string): Promise<SharedKickoff> {
  await ctx.mainExport().catch(() => undefined);
  const run = await ctx.filteredExport(`output-format-${format.replace(/[^a-z]+/g, '-')}`, {
    endpoint: 'patient',
    query: { _type: 'Patient', _outputFormat: format },
  });
  const evidence = [run.kickoff?.exchange.id, run.final?.exchange.id].filter(
    (id): id is string => typeof id === 'string',
  );
  return { run, evidence };
}

type RejectSpec = Omit<KickoffSpec, 'label'>;

interface RejectCase extends CheckCaseMeta {
  status?: number;
  /** What BCDA's error body says (checked under the bcda profile). */
  outcome: OutcomeExpectation;
  /** The kick-off to refuse (several: each must be refused), or why there is none (a skip). */
  spec: (
    ctx: CheckContext,
  ) => RejectSpec | RejectSpec[] | string | Promise<RejectSpec | RejectSpec[] | string>;
  /**
   * Run first: an outcome when what the target showed already settles the check (the rule does
   * not apply, or the target contradicts itself), undefined to go on with the kick-off.
   */
  settled?: (ctx: CheckContext) => Promise<CheckOutcome | undefined>;
  /**
   * Run once every kick-off was refused as expected: a problem when the target shows otherwise
   * (e.g. the refused kick-off started a job after all), undefined when it does not; with the
   * exchanges it read.
   */
  afterRefusal?: (ctx: CheckContext) => Promise<{ problem?: string; evidence: string[] }>;
}

/** A kick-off's path in words (`Group/sub/$export`, `Patient/$export`). */
const kickoffPath = (spec: RejectSpec): string =>
  spec.endpoint === 'group'
    ? `Group/${spec.group ?? ''}/$export`
    : spec.endpoint === 'system'
      ? '$export'
      : 'Patient/$export';

/** A kick-off in words, with its _type when it names one (kick-offs of one path told apart). */
const kickoffWords = (spec: RejectSpec): string => {
  const type = spec.query?.['_type'];
  return typeof type === 'string' ? `${kickoffPath(spec)}?_type=${type}` : kickoffPath(spec);
};

/**
 * KICKOFF-TYPE-NOT-ENTITLED's first step: the organization's default export shows its entitlement.
 * Without Claim data there, the refusal of _type=Claim is judged. With it, _type=Claim must be
 * accepted: a refusal means the server delivers, unasked, data it says the organization may not
 * have (or refuses what it is entitled to); either way a statement of the documents is broken.
 */
async function claimEntitlementShown(ctx: CheckContext): Promise<CheckOutcome | undefined> {
  const run = await ctx.mainExport();
  if (!run.manifest)
    return skip(`cannot tell the organization's entitlement: ${run.problem ?? 'no manifest'}`);
  const claims = manifestItems(run.manifest.output).filter((i) =>
    (CLAIM_TYPES as readonly string[]).includes(i.type),
  );
  if (!claims.length) return undefined;
  const { res } = await ctx.kickoffAndCancel({
    ...patient({ query: { _type: 'Claim' } }),
    label: 'kick-off of _type=Claim by an organization whose default export holds Claim data',
  });
  const evidence = [run.kickoff?.exchange.id, run.final?.exchange.id, res.exchange.id].filter(
    (id): id is string => typeof id === 'string',
  );
  if (res.status === 202)
    return skip(
      'this organization receives Claim data and _type=Claim is accepted: it is entitled, so the refusal does not apply',
      evidence,
    );
  // Busy or broken is no answer about entitlement.
  if (res.status === 429 || res.status >= 500)
    return skip(`_type=Claim answered ${res.status}: the entitlement cannot be told`, evidence);
  return fail(
    `the default export delivered ${[...new Set(claims.map((i) => i.type))].join(' and ')} files, yet _type=Claim answers ${res.status}: either the organization is entitled and the refusal is wrong, or it is not and its default export hands it partially adjudicated data`,
    evidence,
  );
}

function rejectCheck(c: RejectCase): CheckDefinition {
  const status = c.status ?? 400;
  return {
    id: c.id,
    title: c.title,
    description: c.description,
    level: c.level ?? 'MUST',
    area: 'kickoff',
    profiles: c.profiles ?? ['bcda'],
    refs: c.refs,
    operations: EXPORT_OPS,
    faults: c.faults,
    ...(c.versions ? { versions: c.versions } : {}),
    async run(ctx) {
      const settled = await c.settled?.(ctx);
      if (settled) return settled;
      const spec = await c.spec(ctx);
      if (typeof spec === 'string') return skip(spec);
      const specs = Array.isArray(spec) ? spec : [spec];
      const strict = ctx.config.profile === 'bcda';
      const want: OutcomeExpectation = strict
        ? { ...c.outcome, version: ctx.version, contentType: true }
        : { contentType: true };
      const problems: Array<string | undefined> = [];
      const evidence: string[] = [];
      const statuses: number[] = [];
      for (const one of specs) {
        const { res } = await ctx.kickoffAndCancel({ ...one, label: c.title });
        evidence.push(res.exchange.id);
        statuses.push(res.status);
        // The IG asks for "an error response", not a status: any 4xx refuses.
        const refused = ctx.generic
          ? res.status >= 400 && res.status < 500
            ? undefined
            : `status ${res.status}, expected a 4xx error`
          : statusProblem(res, status);
        const found = joinProblems([
          refused,
          ...(res.status >= 400 ? operationOutcomeProblems(res, want) : []),
        ]);
        problems.push(found && specs.length > 1 ? `${kickoffWords(one)}: ${found}` : found);
      }
      if (!joinProblems(problems) && c.afterRefusal) {
        const after = await c.afterRefusal(ctx);
        evidence.push(...after.evidence);
        problems.push(after.problem);
      }
      return verdict(
        joinProblems(problems),
        `${statuses.join(', ')} with the expected OperationOutcome`,
        evidence,
      );
    },
  };
}

/**
 * R4 resource types outside the Patient compartment that few Bulk Data servers export: a kick-off
 * asking for one the server does not declare is a request for an unsupported type (bulkdata@70, @71).
 */
const SELDOM_EXPORTED = [
  'Practitioner',
  'Organization',
  'Location',
  'Endpoint',
  'HealthcareService',
  'Substance',
  'Medication',
  'Library',
  'Measure',
  'PlanDefinition',
];

const ACCEPT_MSG = 'application/fhir+json is the only supported response format';
const SINCE_FORMAT_MSG =
  'Invalid date format supplied in _since parameter.  Date must be in FHIR Instant format.';
const SINCE_NO_ATTRIBUTION_MSG =
  'failed to start job; attribution file not found for given _since parameter.';
/** Before the earliest data BCDA serves (seed 000 §/Group: "as early as 2014"), so before any attribution file. */
const BEFORE_ATTRIBUTION = '2013-01-01T00:00:00.000+00:00';

/** The kick-off a listed Task names (its first input's valueString). */
function taskRequest(task: TaskView): string | undefined {
  const input = Array.isArray(task.raw.input)
    ? (task.raw.input[0] as { valueString?: unknown } | undefined)
    : undefined;
  return typeof input?.valueString === 'string' ? input.valueString : undefined;
}

/** True when a job's kick-off (a Task's input valueString) is a Group/all export with BEFORE_ATTRIBUTION as _since. */
function namesBeforeAttribution(request: string | undefined): boolean {
  if (!request) return false;
  let text = request;
  try {
    text = decodeURIComponent(request);
  } catch {
    // A request not percent-encoded as a whole is read as it is.
  }
  return text.includes('Group/all/$export') && text.includes(BEFORE_ATTRIBUTION.slice(0, 19));
}
/** How far ahead of the server's clock the near-future _since lies: past any second-rounding of its Date. */
const NEAR_FUTURE_MS = 5 * 60_000;

/** How old an answer of the run may be for its Date to stand for the server's clock now. */
const SERVER_DATE_MAX_AGE_MS = 60_000;

/**
 * The server's clock: the Date of the run's latest answer that has one, moved on by the time since
 * (no extra request), if that answer is under a minute old; else the Date of a fresh metadata
 * answer; undefined when the server sends no Date.
 */
async function serverClock(ctx: CheckContext): Promise<number | undefined> {
  const dated = (date: string | undefined): number | undefined => {
    const ms = date === undefined ? NaN : Date.parse(date);
    return Number.isNaN(ms) ? undefined : ms;
  };
  const latest = [...ctx.log.all()]
    .reverse()
    .find(
      (x) =>
        x.response?.headers.date !== undefined &&
        Date.now() - Date.parse(x.startedAt) < SERVER_DATE_MAX_AGE_MS,
    );
  const seen = dated(latest?.response?.headers.date);
  if (latest && seen !== undefined) return seen + (Date.now() - Date.parse(latest.startedAt));
  const res = await ctx.target.call(ctx.op('getMetadata'), {
    label: "metadata, for the server's clock",
    auth: 'none',
  });
  return dated(res.headers.date);
}

const SINCE_FUTURE_MSG =
  'Invalid date format supplied in _since parameter. Date must be a date that has already passed';

function headerChecks(e: Endpoint): CheckDefinition[] {
  const refs = ['behavior §2.2'];
  return [
    acceptCheck({
      id: e.ids.accepted,
      title: `${e.name} answers 202 with an absolute Content-Location`,
      description: `A kick-off with the documented headers (Accept: application/fhir+json, Prefer: respond-async) answers 202 Accepted with Content-Location holding the absolute URL of the job status endpoint, where the job it started is found (the first request there, the run's first poll or the cancel, does not answer 404). When the run makes this plain request anyway (its shared export, its data exports), that kick-off is the one judged.`,
      refs: ['behavior §2.2'],
      faults: [
        'kickoff-200-instead-of-202',
        'kickoff-no-content-location',
        'kickoff-relative-content-location',
        ...(e.spec.group === 'runout' ? [] : (['ig-kickoff-no-content-location'] as const)),
      ],
      // Runout is BCDA's own group; a generic server's Group export uses the run's group.
      ...(e.spec.group === 'runout' ? { profiles: ['bcda'] as Profile[] } : {}),
      spec: (ctx) =>
        ctx.generic && e.spec.endpoint === 'group' ? { endpoint: 'group', group: ctx.group() } : e.spec,
      shared: async (ctx) =>
        ctx.generic && e.spec.endpoint === 'group'
          ? { run: await ctx.mainExport(), evidence: [] }
          : e.shared(ctx),
    }),
    rejectCheck({
      id: e.ids.acceptMissing,
      title: `${e.name} without Accept is rejected`,
      description:
        'BCDA requires the Accept header on kick-off: without it, 400 with an OperationOutcome (code structure, "Accept header is required").',
      refs,
      faults: ['kickoff-accepts-missing-accept', 'kickoff-error-not-operationoutcome'],
      outcome: { code: 'structure', diagnostics: 'Accept header is required' },
      spec: () => ({ ...e.spec, headers: { accept: undefined } }),
    }),
    rejectCheck({
      id: e.ids.acceptWrong,
      title: `${e.name} with Accept: application/json or */* is rejected`,
      description: `Only application/fhir+json is served: Accept: application/json gets 400 ("${ACCEPT_MSG}"), and so does the wildcard Accept: */*, which names no FHIR type (BCDA looks for application/fhir+json among the values).`,
      refs,
      faults: ['kickoff-accepts-wrong-accept', 'kickoff-error-not-operationoutcome'],
      outcome: { code: 'structure', diagnostics: ACCEPT_MSG },
      spec: () => [
        { ...e.spec, headers: { accept: 'application/json' } },
        { ...e.spec, headers: { accept: '*/*' } },
      ],
    }),
    rejectCheck({
      id: e.ids.preferMissing,
      title: `${e.name} without Prefer is rejected`,
      description:
        'BCDA requires Prefer: respond-async on kick-off: without it, 400 ("Prefer header is required").',
      refs,
      faults: ['kickoff-accepts-missing-prefer', 'kickoff-error-not-operationoutcome'],
      outcome: { code: 'structure', diagnostics: 'Prefer header is required' },
      spec: () => ({ ...e.spec, headers: { prefer: undefined } }),
    }),
    rejectCheck({
      id: e.ids.preferWrong,
      title: `${e.name} with Prefer: respond-sync is rejected`,
      description:
        'Only asynchronous responses are served: a Prefer header without respond-async gets 400 ("Only asynchronous responses are supported").',
      refs,
      faults: ['kickoff-accepts-wrong-prefer', 'kickoff-error-not-operationoutcome'],
      outcome: { code: 'structure', diagnostics: 'Only asynchronous responses are supported' },
      spec: () => ({ ...e.spec, headers: { prefer: 'respond-sync' } }),
    }),
  ];
}

const TYPES_BY_VERSION: Record<ApiVersion, string[]> = {
  v1: ['Patient', 'Coverage', 'ExplanationOfBenefit'],
  v2: ['Patient', 'Coverage', 'ExplanationOfBenefit'],
  v3: ['Patient', 'Coverage', 'ExplanationOfBenefit'],
};

const patient = (extra: Omit<KickoffSpec, 'label' | 'endpoint'>): Omit<KickoffSpec, 'label'> => ({
  endpoint: 'patient',
  ...extra,
});
const pastInstant = '2020-02-13T08:00:00.000-05:00';
/** The same kind of past instant in whole seconds, in UTC. */
const wholeSecondInstant = '2020-02-13T13:00:00Z';

const parameterChecks: CheckDefinition[] = [
  ...(
    [
      ['KICKOFF-TYPE-PATIENT', 'Patient'],
      ['KICKOFF-TYPE-COVERAGE', 'Coverage'],
      ['KICKOFF-TYPE-EXPLANATIONOFBENEFIT', 'ExplanationOfBenefit'],
    ] as const
  ).map(([id, type]) =>
    acceptCheck({
      id,
      title: `_type=${type} is accepted`,
      description: `A kick-off asking only for ${type} resources answers 202.`,
      profiles: ['bcda'],
      refs: [],
      faults: ['kickoff-rejects-valid-type'],
      spec: () => patient({ query: { _type: type } }),
    }),
  ),
  // Every two-type subset too: a server may accept lone types and the full list yet trip on the rest.
  ...(
    [
      ['KICKOFF-TYPE-PATIENT-COVERAGE', ['Patient', 'Coverage']],
      ['KICKOFF-TYPE-PATIENT-EOB', ['Patient', 'ExplanationOfBenefit']],
      ['KICKOFF-TYPE-COVERAGE-EOB', ['Coverage', 'ExplanationOfBenefit']],
    ] as const
  ).map(([id, pair]) =>
    acceptCheck({
      id,
      title: `_type=${pair.join(',')} is accepted`,
      description: `A kick-off asking for ${pair.join(' and ')} resources only answers 202. When the data checks' Patient _type export makes this very request, its kick-off is the one judged.`,
      profiles: ['bcda'],
      refs: [],
      faults: ['kickoff-rejects-valid-type'],
      spec: () => patient({ query: { _type: pair.join(',') } }),
      shared: (ctx) => sharedTypeExport(ctx, 'patient', pair.join(',')),
    }),
  ),
  acceptCheck({
    id: 'KICKOFF-TYPE-LIST',
    title: '_type with every default type, comma-separated, is accepted',
    description: 'A kick-off with _type=ExplanationOfBenefit,Patient,Coverage answers 202.',
    profiles: ['bcda'],
    refs: [],
    faults: ['kickoff-rejects-valid-type'],
    spec: (ctx) => patient({ query: { _type: TYPES_BY_VERSION[ctx.version].join(',') } }),
  }),
  rejectCheck({
    id: 'KICKOFF-TYPE-REPEATED',
    title: 'a type named twice in _type is rejected',
    description:
      '_type=Patient,Patient gets 400 ("Repeated resource type Patient"), and so does _type=Patient,Coverage,Patient: a type named twice anywhere in the list, not only twice in a row.',
    refs: ['behavior §3'],
    faults: ['kickoff-accepts-unknown-type'],
    outcome: { code: 'structure', diagnostics: 'Repeated resource type Patient' },
    spec: () => [
      patient({ query: { _type: 'Patient,Patient' } }),
      patient({ query: { _type: 'Patient,Coverage,Patient' } }),
    ],
  }),
  rejectCheck({
    id: 'KICKOFF-TYPE-UNKNOWN',
    title: 'an unsupported resource type in _type is rejected',
    description:
      "_type=Practitioner gets 400 with an OperationOutcome naming the type and the supported ones. Under the bulk-data-ig profile the type is the first of a list of R4 types outside the Patient compartment that the server's CapabilityStatement does not declare (skipped when it declares them all), asked alone and beside Patient (a server that drops the types it lacks from a list ignores them instead of refusing), and the first of them it does declare, asked alone (outside the compartment all the same); any 4xx with an OperationOutcome is a refusal.",
    profiles: ['bcda', 'bulk-data-ig'],
    level: 'SHOULD',
    refs: ['behavior §2.2'],
    faults: ['kickoff-accepts-unknown-type'],
    outcome: {
      code: 'structure',
      diagnostics: /^invalid resource type Practitioner\. Supported types \[.*\]$/,
    },
    spec: async (ctx) => {
      if (!ctx.generic) return patient({ query: { _type: 'Practitioner' } });
      const declared = await declaredResourceTypes(ctx);
      const type = SELDOM_EXPORTED.find((t) => !declared.has(t));
      // One the server holds is outside the compartment all the same (bulkdata@71).
      const held = SELDOM_EXPORTED.find((t) => declared.has(t));
      const specs = [
        // Beside a supported type too: an unsupported one must not be dropped from a list (bulkdata@70).
        ...(type
          ? [patient({ query: { _type: type } }), patient({ query: { _type: `Patient,${type}` } })]
          : []),
        ...(held ? [patient({ query: { _type: held } })] : []),
      ];
      return specs.length ? specs : 'the CapabilityStatement declares no type this check would ask for';
    },
  }),
  rejectCheck({
    id: 'KICKOFF-TYPE-CLAIM-UNSUPPORTED',
    title: '_type=Claim is rejected on v1 and v3',
    description:
      'Claim and ClaimResponse exist only on v2; elsewhere _type=Claim gets 400 ("invalid resource type Claim…"). Asked by the organization entitled to partially adjudicated claims when one is configured: for it only the version can be what refuses the type.',
    versions: ['v1', 'v3'],
    refs: ['behavior §3'],
    faults: ['kickoff-accepts-unknown-type'],
    outcome: { code: 'structure', diagnostics: /^invalid resource type Claim\. Supported types \[.*\]$/ },
    spec: (ctx) =>
      patient({
        query: { _type: 'Claim' },
        ...(ctx.partiallyAdjudicatedClient ? { client: ctx.partiallyAdjudicatedClient } : {}),
      }),
  }),
  rejectCheck({
    id: 'KICKOFF-TYPE-NOT-ENTITLED',
    title: 'Claim is refused to an organization without partially adjudicated claims',
    description:
      'On v2, Claim and ClaimResponse are for organizations entitled to partially adjudicated claims. For any other, _type=Claim gets 400 ("unauthorized resource type Claim").',
    versions: ['v2'],
    refs: ['behavior §2.2'],
    faults: ['kickoff-accepts-unknown-type'],
    outcome: { code: 'structure', diagnostics: 'unauthorized resource type Claim' },
    settled: claimEntitlementShown,
    spec: () => patient({ query: { _type: 'Claim' } }),
  }),
  acceptCheck({
    id: 'KICKOFF-SINCE-VALID',
    title: '_since with a FHIR instant is accepted',
    description: `Patient/$export with a past _since written as the documents write it (milliseconds and a zone offset) answers 202: the _since of the data checks' Patient export (taken from inside the data's lastUpdated range, with a -05:00 offset), whose kick-off is the one judged, or ${pastInstant} when the data gives none. So does ${wholeSecondInstant}: a FHIR instant's fraction of a second is optional.`,
    refs: [],
    faults: ['kickoff-rejects-valid-since'],
    spec: () => patient({ query: { _since: pastInstant } }),
    also: () => [patient({ query: { _since: wholeSecondInstant } })],
    shared: async (ctx) => {
      const got = await sinceExport(ctx, 'patient');
      return sharedKickoff(isNoData(got) ? got : got.filtered);
    },
  }),
  ...(
    [
      ['KICKOFF-SINCE-DATE-ONLY', 'a date without a time', '2020-02-13', SINCE_FORMAT_MSG],
      ['KICKOFF-SINCE-NO-TIMEZONE', 'a date-time without a zone', '2020-02-13T08:00:00', SINCE_FORMAT_MSG],
      ['KICKOFF-SINCE-GARBAGE', 'text that is not a date', '123invalid', SINCE_FORMAT_MSG],
    ] as const
  ).map(([id, what, value, message]) =>
    rejectCheck({
      id,
      title: `_since with ${what} is rejected`,
      description: `_since must be a FHIR instant (date, time and zone). _since=${value} gets 400 ("${message}") on Patient/$export and on Group/all/$export alike (a server may validate it on one route only).`,
      refs: ['behavior §3'],
      faults: ['kickoff-accepts-bad-since'],
      outcome: { code: 'structure', diagnostics: message },
      spec: () => [
        patient({ query: { _since: value } }),
        { endpoint: 'group' as const, group: 'all', query: { _since: value } },
      ],
    }),
  ),
  rejectCheck({
    id: 'KICKOFF-SINCE-FUTURE',
    title: '_since in the future is rejected',
    description: `A _since one year ahead gets 400 ("${SINCE_FUTURE_MSG}"), and so does one five minutes after the server's own clock (the Date of the run's latest answer, under a minute old, or of a metadata answer asked for it; that kick-off is left out when the server sends no Date): the date must have passed, not only its day. BCDA's own rule: the IG does not forbid a future _since.`,
    profiles: ['bcda'],
    refs: ['behavior §3'],
    faults: ['kickoff-accepts-bad-since'],
    outcome: { code: 'structure', diagnostics: SINCE_FUTURE_MSG },
    spec: async (ctx) => {
      const yearAhead = patient({ query: { _since: new Date(Date.now() + 365 * 86_400_000).toISOString() } });
      const serverNow = await serverClock(ctx);
      return serverNow === undefined
        ? yearAhead
        : [yearAhead, patient({ query: { _since: new Date(serverNow + NEAR_FUTURE_MS).toISOString() } })];
    },
  }),
  ...(
    [
      ['KICKOFF-OUTPUTFORMAT-APPLICATION-FHIR-NDJSON', 'application/fhir+ndjson'],
      ['KICKOFF-OUTPUTFORMAT-APPLICATION-NDJSON', 'application/ndjson'],
      ['KICKOFF-OUTPUTFORMAT-NDJSON', 'ndjson'],
    ] as const
  ).map(([id, format]) =>
    acceptCheck({
      id,
      title: `_outputFormat=${format} is accepted`,
      description: `Servers must accept the three NDJSON names for _outputFormat; ${format} answers 202, and its job (_type=Patient) ends in 200, not in an error.`,
      refs: ['behavior §3'],
      // The generic mock's twin refuses the two names other than application/fhir+ndjson.
      faults:
        format === 'application/fhir+ndjson'
          ? ['kickoff-rejects-valid-output-format']
          : ['kickoff-rejects-valid-output-format', 'ig-output-format-ndjson-refused'],
      spec: () => patient({ query: { _outputFormat: format } }),
      // Each name is followed to the job's end: a server may accept it and then fail the job.
      shared: (ctx: CheckContext) => followedFormat(ctx, format),
    }),
  ),
  rejectCheck({
    id: 'KICKOFF-OUTPUTFORMAT-UNSUPPORTED',
    title: '_outputFormat=application/xml or application/x-ndjson is rejected',
    description:
      'An output format other than the three NDJSON names gets 400 ("_outputFormat parameter must be one of […]"): application/xml, and application/x-ndjson, which names NDJSON too but is none of the three (the list is exact, not a match on "ndjson").',
    refs: ['behavior §3'],
    faults: ['kickoff-accepts-any-output-format'],
    outcome: { code: 'structure', diagnostics: /^_outputFormat parameter must be one of \[.*\]$/ },
    spec: () => [
      patient({ query: { _outputFormat: 'application/xml' } }),
      patient({ query: { _outputFormat: 'application/x-ndjson' } }),
    ],
  }),
  rejectCheck({
    id: 'KICKOFF-ELEMENTS-UNSUPPORTED',
    title: '_elements is rejected',
    description:
      'BCDA does not support _elements; the IG asks servers without it to answer with an error OperationOutcome. _elements=Patient.id gets 400 ("Invalid parameter: this server does not support the _elements parameter.").',
    level: 'SHOULD',
    refs: ['behavior §3'],
    faults: ['kickoff-accepts-elements'],
    outcome: {
      code: 'structure',
      diagnostics: 'Invalid parameter: this server does not support the _elements parameter.',
    },
    spec: () => patient({ query: { _elements: 'Patient.id' } }),
  }),
  rejectCheck({
    id: 'KICKOFF-QUESTION-MARK-KEY',
    title: 'a parameter name starting with "?" is rejected',
    description:
      'A doubled "?" (…$export??_since=…) makes a parameter named "?_since": 400 ("Invalid parameter: query parameters cannot start with ?").',
    level: 'SHOULD',
    refs: ['behavior §3'],
    faults: ['kickoff-accepts-question-mark-params'],
    outcome: { code: 'structure', diagnostics: 'Invalid parameter: query parameters cannot start with ?' },
    spec: () => patient({ rawQuery: `?_since=${encodeURIComponent(pastInstant)}` }),
  }),
  rejectCheck({
    id: 'KICKOFF-GROUP-ID-INVALID',
    title: 'an unknown group id is rejected',
    description:
      'Group ids are "all" and "runout" only: Group/sub/$export, and ids that merely start like a valid one (Group/all-2024, Group/runoutx), each get 400 ("Invalid group ID").',
    refs: ['behavior §2.2'],
    faults: ['kickoff-accepts-bad-group'],
    outcome: { code: 'structure', diagnostics: 'Invalid group ID' },
    spec: () => ['sub', 'all-2024', 'runoutx'].map((group) => ({ endpoint: 'group' as const, group })),
  }),
  rejectCheck({
    id: 'KICKOFF-GROUP-SINCE-BEFORE-ATTRIBUTION',
    title: 'Group/all with a _since older than every attribution file is refused with 404',
    description: `Group/all with _since sorts enrollees into existing and newly attributed by the attribution file in effect at _since; when there is none, BCDA answers 404 ("${SINCE_NO_ATTRIBUTION_MSG}"). _since=${BEFORE_ATTRIBUTION} is older than the earliest data BCDA holds (2014), so no attribution file can be older. SHOULD: BCDA's code does this with its new-enrollee rule on; the documents do not say it.`,
    level: 'SHOULD',
    status: 404,
    refs: ['behavior §2.2'],
    faults: ['group-since-no-404-before-attribution'],
    outcome: { code: 'not-found', diagnostics: SINCE_NO_ATTRIBUTION_MSG },
    spec: () => ({ endpoint: 'group', group: 'all', query: { _since: BEFORE_ATTRIBUTION } }),
    afterRefusal: async (ctx) => {
      // No other kick-off of the run names this _since: a listed job that does was started by the refused one.
      const res = await listJobs(ctx, undefined, 'list jobs after the refused Group/all kick-off');
      const tasks = res.status === 200 ? (tasksOf(res) ?? []) : [];
      const started = tasks.filter((t) => namesBeforeAttribution(taskRequest(t)));
      return {
        problem: started.length
          ? `the refused kick-off started a job all the same: the job list holds ${started.map((t) => t.id ?? '?').join(', ')} for it`
          : undefined,
        evidence: [res.exchange.id],
      };
    },
  }),
  rejectCheck({
    id: 'KICKOFF-GROUP-ID-NEW',
    title: 'the retired group id "new" is rejected',
    description:
      'Older material lists a "new" group; it no longer exists: Group/new/$export gets 400 ("Invalid group ID").',
    level: 'SHOULD',
    refs: ['behavior §0.1'],
    faults: ['kickoff-accepts-bad-group'],
    outcome: { code: 'structure', diagnostics: 'Invalid group ID' },
    spec: () => ({ endpoint: 'group', group: 'new' }),
  }),
  rejectCheck({
    id: 'KICKOFF-PARAMS-BEFORE-HEADERS',
    title: 'a bad parameter is reported before a missing header',
    description:
      'BCDA validates query parameters before headers: a kick-off with a bad _since and no Accept reports the _since problem. Clients that parse error texts rely on this order.',
    level: 'MAY',
    refs: ['behavior §0.2'],
    faults: ['kickoff-headers-before-params'],
    outcome: { code: 'structure', diagnostics: SINCE_FORMAT_MSG },
    spec: () => patient({ query: { _since: '2020-02-13' }, headers: { accept: undefined } }),
  }),
  acceptCheck({
    id: 'KICKOFF-TYPEFILTER-VALID',
    title: 'v3 _typeFilter on ExplanationOfBenefit is accepted',
    description:
      'v3 accepts _typeFilter=ExplanationOfBenefit?_tag=<System-Type>|NationalClaimsHistory and answers 202, and so it does with a tag of the other documented system, <Final-Action>|FinalAction.',
    versions: ['v3'],
    profiles: ['bcda'],
    refs: ['behavior §3'],
    faults: ['kickoff-rejects-valid-type-filter'],
    spec: () => [
      patient({
        query: {
          _typeFilter:
            'ExplanationOfBenefit?_tag=https://bluebutton.cms.gov/fhir/CodeSystem/System-Type|NationalClaimsHistory',
        },
      }),
      patient({
        query: {
          _typeFilter:
            'ExplanationOfBenefit?_tag=https://bluebutton.cms.gov/fhir/CodeSystem/Final-Action|FinalAction',
        },
      }),
    ],
  }),
  rejectCheck({
    id: 'KICKOFF-TYPEFILTER-WRONG-RESOURCE',
    title: 'v3 _typeFilter on a resource other than ExplanationOfBenefit is rejected',
    description:
      'v3 filters only ExplanationOfBenefit: _typeFilter=Patient?… gets 400 ("invalid _typeFilter Resource Type (Only EOBs valid): Patient"), and so does _typeFilter=Claim?…, though Claim is a claim too.',
    versions: ['v3'],
    refs: ['behavior §3'],
    faults: ['kickoff-accepts-bad-type-filter'],
    outcome: {
      code: 'structure',
      diagnostics: /^invalid _typeFilter Resource Type \(Only EOBs valid\): (Patient|Claim)$/,
    },
    spec: () =>
      ['Patient', 'Claim'].map((type) =>
        patient({
          query: {
            _typeFilter: `${type}?_tag=https://bluebutton.cms.gov/fhir/CodeSystem/System-Type|SharedSystem`,
          },
        }),
      ),
  }),
];

/** The documented Group kick-offs (seed 001 §Start a job, seed 003 §3, bulkdata@251). */
const groupParameterChecks: CheckDefinition[] = [
  ...(
    [
      ['KICKOFF-GROUP-TYPE-EOB-PATIENT', 'ExplanationOfBenefit,Patient'],
      ['KICKOFF-GROUP-TYPE-PATIENT', 'Patient'],
    ] as const
  ).map(([id, types]) =>
    acceptCheck({
      id,
      title: `Group/all/$export with _type=${types} is accepted`,
      description: `The documents' example kick-off Group/all/$export?_type=${types}, with the documented headers, answers 202 with an absolute Content-Location. When the data checks' Group _type export makes this very request, its kick-off is the one judged.`,
      profiles: ['bcda'],
      refs: [],
      faults: ['kickoff-rejects-valid-type'],
      spec: () => ({ endpoint: 'group', group: 'all', query: { _type: types } }),
      shared: (ctx) => sharedTypeExport(ctx, 'group', types),
    }),
  ),
  acceptCheck({
    id: 'KICKOFF-GROUP-SINCE-VALID',
    title: 'Group/all/$export with a past _since is accepted',
    description:
      "Group/all/$export with _since at the shared export's transactionTime (a past instant by the target's own clock, after its attribution files; written as the documents write it, with milliseconds and a -05:00 offset) answers 202 with an absolute Content-Location. The export is followed to the end for the empty-output check.",
    profiles: ['bcda'],
    refs: [],
    faults: ['kickoff-rejects-valid-since'],
    spec: () => 'no past instant of the target is known',
    async shared(ctx) {
      const got = await recentSinceExport(ctx);
      return isNoData(got)
        ? { ...(got.run ? { run: got.run } : {}), skip: got.skip, evidence: got.evidence }
        : got.filtered;
    },
  }),
  acceptCheck({
    id: 'KICKOFF-GROUP-OUTPUTFORMAT-APPLICATION-FHIR-NDJSON',
    title: 'Group/$export with _outputFormat=application/fhir+ndjson is accepted',
    description:
      "Group-level export supports _outputFormat: Group/<group>/$export?_outputFormat=application/fhir+ndjson answers 202 with an absolute Content-Location. The export is followed to the end for the data checks (its files' format, a second snapshot of the shared export's request).",
    refs: [],
    faults: ['kickoff-rejects-valid-output-format'],
    spec: (ctx) => ({
      endpoint: 'group',
      group: ctx.config.group,
      query: { _outputFormat: 'application/fhir+ndjson' },
    }),
    shared: async (ctx) => sharedKickoff(await outputFormatExport(ctx)),
  }),
  ...(
    [
      ['KICKOFF-GROUP-OUTPUTFORMAT-APPLICATION-NDJSON', 'application/ndjson'],
      ['KICKOFF-GROUP-OUTPUTFORMAT-NDJSON', 'ndjson'],
    ] as const
  ).map(([id, format]) =>
    acceptCheck({
      id,
      title: `Group/$export with _outputFormat=${format} is accepted`,
      description: `Group-level export supports _outputFormat, and servers accept the short NDJSON names: Group/<group>/$export?_outputFormat=${format} answers 202 with an absolute Content-Location.`,
      refs: ['behavior §3'],
      faults: ['kickoff-rejects-valid-output-format'],
      spec: (ctx) => ({ endpoint: 'group', group: ctx.config.group, query: { _outputFormat: format } }),
    }),
  ),
];

/** What a per-patient request may not answer: a job, or a 200 carrying data. */
function perPatientProblem(res: HttpResponse, what: string): string | undefined {
  if (res.status === 202) return `${what} answered 202: a job was started for one patient`;
  if (res.status !== 200) return undefined;
  const body = res.text().trim();
  const served = res.json<unknown>();
  const type = resourceTypeOf(served);
  if (type === 'OperationOutcome' || body === '') return undefined;
  return `${what} answered 200 with ${type ? `a ${type}` : 'a body'}: one patient's data is served`;
}

/** BCDA offers no request for a single patient's data (seed 000 §Endpoints). */
const perPatientCheck: CheckDefinition = {
  id: 'KICKOFF-NO-PER-PATIENT',
  title: "no request serves a single patient's data",
  description:
    'With a Patient id taken from the shared export, GET Patient/<id>/$export (with the kick-off headers) and GET Patient/<id> are sent with the token. The API has no per-patient request: neither may start a job (202) or answer 200 with data. A job started anyway is cancelled. Skips when the shared export holds no Patient.',
  level: 'MUST',
  area: 'kickoff',
  profiles: ['bcda'],
  refs: ['behavior §0.1'],
  operations: EXPORT_OPS,
  faults: ['per-patient-requests-served'],
  async run(ctx) {
    const main = await ctx.mainExport();
    const id = main.downloads.flatMap((d) => d.validation?.references.patientIds ?? [])[0];
    if (!id)
      return skip(`the shared export gave no Patient id to ask about: ${main.problem ?? 'no Patient line'}`);
    const base = ctx.target.url(ctx.op('exportPatient')).replace(/\/Patient\/\$export$/, '');
    const patient = `${base}/Patient/${encodeURIComponent(id)}`;
    const evidence: string[] = [];
    const problems: string[] = [];
    const answers: string[] = [];
    for (const [url, what, headers] of [
      [
        `${patient}/$export`,
        `GET Patient/${id}/$export`,
        { accept: 'application/fhir+json', prefer: 'respond-async' },
      ],
      [patient, `GET Patient/${id}`, { accept: 'application/fhir+json' }],
    ] as const) {
      const res = await ctx.target.get(url, { label: `per-patient request: ${what}`, headers });
      evidence.push(res.exchange.id);
      answers.push(`${what}: ${res.status}`);
      const location = res.headers['content-location'];
      if (res.status === 202 && location)
        await ctx.cancel(new URL(location, url).toString(), 'cancel a job started for one patient');
      const problem = perPatientProblem(res, what);
      if (problem) problems.push(problem);
    }
    return problems.length
      ? fail(problems.join('; '), evidence)
      : pass(`no data for one patient (${answers.join('; ')})`, evidence);
  },
};

/** BCDA starts exports with GET only; the IG's optional POST kick-off is refused (behavior §0). */
const postKickoffCheck: CheckDefinition = {
  id: 'KICKOFF-POST-405',
  title: 'a POST kick-off is refused with 405 and Allow',
  description:
    'BCDA supports only GET kick-offs. POST to Patient/$export and Group/all/$export answers 405 Method Not Allowed with an Allow header naming GET, and starts no job.',
  level: 'SHOULD',
  area: 'kickoff',
  profiles: ['bcda'],
  refs: ['behavior §0'],
  operations: EXPORT_OPS,
  faults: ['export-accepts-post'],
  async run(ctx) {
    const problems: string[] = [];
    const evidence: string[] = [];
    for (const [op, path, name] of [
      [ctx.op('exportPatient'), {}, 'Patient'],
      [ctx.op('exportGroup'), { groupId: 'all' }, 'Group/all'],
    ] as const) {
      const res = await ctx.target.http.send({
        method: 'POST',
        url: ctx.target.url(op, { path }),
        label: `POST kick-off (${name})`,
        operationId: op,
        headers: {
          authorization: await ctx.target.authorization('token'),
          accept: 'application/fhir+json',
          prefer: 'respond-async',
        },
      });
      evidence.push(res.exchange.id);
      const location = res.headers['content-location'];
      if (res.status === 202 && location)
        await ctx.cancel(location, 'cancel a job started by a POST kick-off');
      const allow = res.headers.allow ?? '';
      const problem = joinProblems([
        statusProblem(res, 405),
        res.status === 405 && !/\bGET\b/.test(allow) ? `Allow is "${allow}"` : undefined,
      ]);
      if (problem) problems.push(`${name}: ${problem}`);
    }
    return problems.length
      ? fail(problems.join('; '), evidence)
      : pass('405 with Allow: GET for both', evidence);
  },
};

/** Claim and ClaimResponse for an organization entitled to partially adjudicated claims (v2). */
const entitledClaimCheck: CheckDefinition = {
  id: 'KICKOFF-TYPE-CLAIM-ENTITLED',
  title: '_type=Claim,ClaimResponse is accepted for an entitled organization',
  description:
    'On v2, an organization entitled to partially adjudicated claims may ask for Claim and ClaimResponse: the kick-off answers 202.',
  level: 'MUST',
  area: 'kickoff',
  versions: ['v2'],
  profiles: ['bcda'],
  refs: ['behavior §3'],
  operations: ['exportPatientV2'],
  faults: ['kickoff-rejects-valid-type'],
  async run(ctx) {
    const client = ctx.partiallyAdjudicatedClient;
    if (!client) return skip(NO_ENTITLED_CLIENT);
    try {
      const { res } = await ctx.kickoffAndCancel({
        endpoint: 'patient',
        client,
        query: { _type: CLAIM_TYPES.join(',') },
        label: 'kick-off for Claim and ClaimResponse by the entitled client',
      });
      const problem = statusProblem(res, 202);
      return verdict(problem, '202', [res.exchange.id]);
    } catch (err) {
      if (err instanceof KickoffBudgetExceeded) return skip(err.message);
      throw err;
    }
  },
};

export const kickoffChecks: CheckDefinition[] = [
  ...ENDPOINTS.flatMap(headerChecks),
  ...parameterChecks,
  ...groupParameterChecks,
  postKickoffCheck,
  entitledClaimCheck,
  perPatientCheck,
];

/**
 * The IG's optional kick-off features on a generic server (bulk-data-ig): the system-level export,
 * POST with a Parameters body, `patient`, repeated `_typeFilter`, and `Prefer: handling`. Each
 * skips, with the reason, when the server does not declare or does not support the feature.
 */
// The IG feature checks' helpers (imports are hoisted: kept here, by the checks that use them).

/** Whether an export's kick-off went to the system level (`[base]/$export`). */
function isSystemKickoff(run: ExportRun): boolean {
  try {
    const path = new URL(run.kickoffUrl).pathname;
    return /\/\$export$/.test(path) && !/\/(Patient|Group\/[^/]+)\/\$export$/.test(path);
  } catch {
    return false;
  }
}

const systemExportCheck: CheckDefinition = {
  id: 'KICKOFF-SYSTEM-ACCEPTED',
  title: 'a declared system-level export is served at [base]/$export',
  description:
    'When the CapabilityStatement declares the system-level export (the IG OperationDefinition export, or one based on it), GET [base]/$export (the system-level _since export) answers 202 with an absolute Content-Location, and polling it ends with 200 and a manifest.',
  level: 'MUST',
  area: 'kickoff',
  profiles: ['bulk-data-ig'],
  refs: [],
  operations: [],
  faults: ['ig-system-export-missing'],
  async run(ctx) {
    await requireLevel(ctx, 'system');
    const since = await igSinceExport(ctx, true);
    const run = isSkip(since) ? since.run : since.exported.run;
    if (!run?.kickoff || !isSystemKickoff(run))
      return isSkip(since)
        ? skip(since.skip, since.evidence)
        : skip('the system-level kick-off was not sent', since.exported.evidence);
    const res = run.kickoff;
    const evidence = [res.exchange.id];
    const problem = acceptedProblems(ctx, res);
    if (problem || !run.jobUrl) return fail(`GET [base]/$export: ${problem ?? 'no job URL'}`, evidence);
    if (!run.final)
      return skip(`the system-level job did not end: ${run.problem ?? 'polling stopped'}`, evidence);
    evidence.push(run.final.exchange.id);
    return verdict(
      joinProblems([
        statusProblem(run.final, 200),
        run.final.status === 200 && !Array.isArray(run.manifest?.output)
          ? 'the completed job answered no manifest with an output array'
          : undefined,
      ]),
      `202 with Content-Location ${run.jobUrl}, then 200 with a manifest`,
      evidence,
    );
  },
};

/** The _outputFormat aliases the IG makes every server accept besides application/fhir+ndjson. */
const FORMAT_ALIASES = ['application/ndjson', 'ndjson'];

const systemOutputFormatCheck: CheckDefinition = {
  id: 'KICKOFF-SYSTEM-OUTPUT-FORMAT',
  title: 'the system-level export accepts every NDJSON _outputFormat',
  description:
    'Where the system-level export is declared, [base]/$export accepts _outputFormat=application/fhir+ndjson (the kick-off of the system-level _since export) and its aliases application/ndjson and ndjson (each kicked off and cancelled at once): 202 each.',
  level: 'MUST',
  area: 'kickoff',
  profiles: ['bulk-data-ig'],
  refs: [],
  operations: [],
  faults: ['ig-output-format-ndjson-refused'],
  async run(ctx) {
    await requireLevel(ctx, 'system');
    const since = await igSinceExport(ctx, true);
    const answers: Array<[string, HttpResponse]> = [];
    const first = isSkip(since) ? since.run?.kickoff : since.exported.run.kickoff;
    if (first) answers.push([SYSTEM_FORMAT, first]);
    for (const format of FORMAT_ALIASES) {
      const { res } = await ctx.kickoffAndCancel({
        endpoint: 'system',
        query: { _outputFormat: format },
        label: `system-level kick-off with _outputFormat=${format}`,
      });
      answers.push([format, res]);
    }
    const refused = answers.filter(([, res]) => res.status !== 202);
    return verdict(
      refused.length
        ? refused.map(([f, res]) => `_outputFormat=${f}: ${res.status}, expected 202`).join('; ')
        : undefined,
      `202 for _outputFormat ${answers.map(([f]) => f).join(', ')}`,
      answers.map(([, res]) => res.exchange.id),
    );
  },
};

const postParametersCheck: CheckDefinition = {
  id: 'KICKOFF-POST-PARAMETERS',
  title: 'a kick-off by POST with a Parameters body follows the async pattern',
  description:
    'POST to the first declared export level with a FHIR Parameters body (_outputFormat=application/fhir+ndjson) answers 202 with Content-Location, and the job completes with a manifest. POST is optional in the IG: a refusal skips, unless the server declares it (its own OperationDefinition lists the POST-only patient parameter).',
  level: 'MUST',
  area: 'kickoff',
  profiles: ['bulk-data-ig'],
  refs: [],
  operations: [],
  faults: ['ig-post-kickoff-refused'],
  async run(ctx) {
    const declared = await firstDeclaredLevel(ctx, ['patient', 'group', 'system']);
    const post = await postExport(ctx);
    if (!isSkip(post))
      return pass(
        `${post.label}: 202, completed with a manifest of ${post.resources.size} resources`,
        post.evidence,
      );
    const status = post.run?.kickoff?.status;
    if (
      post.run &&
      status !== undefined &&
      status >= 400 &&
      parameterSupport(declared, 'patient') === 'declared'
    )
      return fail(
        `POST was refused (${answerWords(post.run)}) although the server's OperationDefinition ${declared.definition} declares the patient parameter, which the IG defines for POST kick-offs only`,
        post.evidence,
      );
    return skip(post.skip, post.evidence);
  },
};

/** A refused kick-off's problem: not a 4XX, or a 4XX without an OperationOutcome. */
function refusalProblem(res: HttpResponse): string | undefined {
  if (res.status < 400 || res.status >= 500)
    return `status ${res.status}: the kick-off was ${res.status === 202 ? 'accepted' : 'not refused with a 4XX'}`;
  return joinProblems(operationOutcomeProblems(res));
}

/** A refusal problem of a kick-off that named `firstId` before the patient to refuse. */
const afterFirst = (firstId: string, problem: string | undefined): string | undefined =>
  problem && `naming Patient/${firstId} first: ${problem}`;

/** A POST naming a patient is accepted by this server (else the refusal checks cannot tell). */
async function patientAccepted(ctx: CheckContext): Promise<{ base: IgExport; patient: string } | IgSkip> {
  const prepared = await patientParamExport(ctx);
  if (isSkip(prepared)) return prepared;
  return { base: prepared.base, patient: prepared.patient };
}

const patientUnknownCheck: CheckDefinition = {
  id: 'KICKOFF-PATIENT-UNKNOWN',
  title: 'a patient parameter naming an unknown patient is refused with an OperationOutcome',
  description:
    'Where a POST kick-off naming a known patient is accepted, the same kick-off naming a Patient id the server does not hold answers 4XX with an OperationOutcome explaining it, instead of starting a job; so does one naming the known patient and then the unknown one (every patient named is looked at, not only the first).',
  level: 'SHOULD',
  area: 'kickoff',
  profiles: ['bulk-data-ig'],
  refs: [],
  operations: [],
  faults: ['ig-patient-unknown-accepted'],
  async run(ctx) {
    const accepted = await patientAccepted(ctx);
    if (isSkip(accepted)) return skip(accepted.skip, accepted.evidence);
    const level = accepted.base.level === 'group' ? 'group' : 'patient';
    const unknown = 'bulk-conformance-no-such-patient';
    const { res } = await patientKickoff(ctx, level, unknown, 'kick-off naming an unknown patient');
    // After a known one too: a server looking at the first patient only lets the unknown through.
    const second = await patientKickoff(
      ctx,
      level,
      [accepted.patient, unknown],
      'kick-off naming a known patient, then an unknown one',
    );
    const problem = joinProblems([
      refusalProblem(res),
      afterFirst(accepted.patient, refusalProblem(second.res)),
    ]);
    return verdict(
      problem,
      `${res.status} with an OperationOutcome for Patient/${unknown}, alone or second`,
      [res.exchange.id, second.res.exchange.id, ...accepted.base.evidence.slice(0, 1)],
    );
  },
};

/** The members of the run's group: from GET [base]/Group/{id}, else from the group's export. */
async function groupMembers(
  ctx: CheckContext,
  group: string,
): Promise<{ ids: Set<string>; evidence: string[] } | undefined> {
  const res = await ctx.target
    .get(ctx.target.http.resolve(`Group/${encodeURIComponent(group)}`), {
      label: 'read the group',
      headers: { accept: 'application/fhir+json' },
    })
    .catch(() => undefined);
  const body =
    res?.status === 200
      ? res.json<{ resourceType?: unknown; member?: Array<{ entity?: { reference?: unknown } }> }>()
      : undefined;
  if (res && body?.resourceType === 'Group') {
    const ids = (body.member ?? []).flatMap((m) => {
      const ref = m.entity?.reference;
      const key = typeof ref === 'string' ? referenceKey(ref) : undefined;
      return key?.startsWith('Patient/') ? [key.slice(8)] : [];
    });
    if (ids.length) return { ids: new Set(ids), evidence: [res.exchange.id] };
  }
  const exported = await igExport(ctx, 'group', { endpoint: 'group', group }, `GET Group/${group}/$export`);
  if (isSkip(exported)) return undefined;
  return { ids: new Set(ofType(exported, 'Patient').map((r) => r.id)), evidence: exported.evidence };
}

const patientNotInGroupCheck: CheckDefinition = {
  id: 'KICKOFF-PATIENT-NOT-IN-GROUP',
  title: 'a Group kick-off naming a patient outside the group is refused',
  description:
    'Where POST kick-offs are accepted, a POST Group kick-off naming a patient the Patient-level export holds but the group does not answers 4XX with an OperationOutcome explaining it (a server without the patient parameter refuses it the same way), whether named alone or after a member of the group.',
  level: 'SHOULD',
  area: 'kickoff',
  profiles: ['bulk-data-ig'],
  refs: [],
  operations: [],
  faults: ['ig-patient-outside-group-accepted'],
  async run(ctx) {
    await requireLevel(ctx, 'group');
    await requireLevel(ctx, 'patient');
    const group = ctx.group();
    // The base export is Patient-level whenever the server declares that level.
    const everyone = await baseExport(ctx);
    if (isSkip(everyone)) return skip(everyone.skip, everyone.evidence);
    const members = await groupMembers(ctx, group);
    if (!members)
      return skip(`the members of Group/${group} could not be read (Group read and its export failed)`);
    const outsider = ofType(everyone, 'Patient')
      .map((r) => r.id)
      .sort()
      .find((id) => !members.ids.has(id));
    if (!outsider)
      return skip(
        `every Patient of ${everyone.label} is a member of Group/${group}: nobody outside it to name`,
        members.evidence,
      );
    // A 4XX with an OperationOutcome is right whether the server reads patient at this level or not
    // (bulkdata@88): only a server refusing POST itself cannot be judged.
    const post = await postExport(ctx);
    if (isSkip(post)) return skip(post.skip, post.evidence);
    const { res } = await patientKickoff(
      ctx,
      'group',
      outsider,
      'Group kick-off naming a patient outside the group',
    );
    // After a member too: a server looking at the first patient only lets the outsider through.
    const member = [...members.ids].sort()[0];
    const second = member
      ? await patientKickoff(
          ctx,
          'group',
          [member, outsider],
          'Group kick-off naming a member, then a patient outside the group',
        )
      : undefined;
    const problem = joinProblems([
      refusalProblem(res),
      second && member ? afterFirst(member, refusalProblem(second.res)) : undefined,
    ]);
    return verdict(
      problem,
      `${res.status} with an OperationOutcome for Patient/${outsider}, not a member of Group/${group}`,
      [res.exchange.id, ...(second ? [second.res.exchange.id] : []), ...members.evidence],
    );
  },
};

const typeFilterRepeatedCheck: CheckDefinition = {
  id: 'KICKOFF-TYPEFILTER-REPEATED',
  title: 'repeated _typeFilter queries are joined by OR',
  description:
    "An export with _type=T and two _typeFilter parameters, each a query on a value the server's own data holds for some resources of T (together not all), returns resources matching either query and no other resource of T: a repeated parameter is one comma-separated value. Skips when the server refuses _typeFilter, or applies none of it without declaring _typeFilter.",
  level: 'MUST',
  area: 'kickoff',
  profiles: ['bulk-data-ig'],
  refs: [],
  operations: [],
  faults: ['ig-typefilter-repeat-keeps-last'],
  async run(ctx) {
    const prepared = await typeFilterExport(ctx, 'typefilter-repeated', 2);
    if (isSkip(prepared)) return skip(prepared.skip, prepared.evidence);
    const { base, choice, declared, exported } = prepared;
    const { param, type } = choice.parameter;
    const wanted = choice.values.slice(0, 2);
    const got = ofType(exported, type);
    const ev = [...exported.evidence, ...base.evidence.slice(0, 1)];
    const { returned, ignored } = unmatched(base, exported, choice, wanted);
    if (returned.length && ignored && !declared)
      return skip(
        `${exported.label} applied no filter (every ${type} came back) and the server does not declare _typeFilter: whether repeats are joined cannot be told`,
        ev,
      );
    const missing = wanted.filter(
      (v) =>
        !got.some((r) => matchesToken(r, param, v)) &&
        ofType(base, type).some((r) => matchesToken(r, param, v)),
    );
    const problem = joinProblems([
      returned.length
        ? `${returned.length} ${type} match neither query (${returned
            .slice(0, 3)
            .map((r) => r.key)
            .join(', ')})`
        : undefined,
      missing.length && !exported.incomplete
        ? `no ${type} with ${param}=${missing.join(' or ')} came back although ${base.label} holds some: ${missing.length === 1 ? 'only the other query was' : 'neither query was'} applied`
        : undefined,
    ]);
    if (problem) return fail(`${exported.label}: ${problem}`, ev);
    if (exported.incomplete) return skip(`${exported.label} was not read whole: ${exported.incomplete}`, ev);
    return pass(
      `${exported.label}: ${got.length} ${type}, each matching one of the two queries, both represented`,
      ev,
    );
  },
};

const typeFilterIgnoredCheck: CheckDefinition = {
  id: 'KICKOFF-TYPEFILTER-IGNORED',
  title: 'a _typeFilter the server does not apply is refused, not ignored',
  description:
    "The _typeFilter export of DOWNLOAD-TYPEFILTER (a query on a value some of the server's own resources hold and others not) is either refused with 4XX and an OperationOutcome, or applied: an export in which every resource of the type came back shows a filter silently ignored, which the IG asks a server unable to support it to refuse. A server that applies it must also refuse, under handling=strict, a query on a search parameter no server defines.",
  level: 'SHOULD',
  area: 'kickoff',
  profiles: ['bulk-data-ig'],
  bcdaDeparts:
    'BCDA ignores _typeFilter on v1 and v2 without an error (behavior §3), where the IG asks a server that does not apply it to refuse it',
  refs: [],
  operations: [],
  faults: ['ig-typefilter-ignored'],
  async run(ctx) {
    const prepared = await typeFilterExport(ctx, 'typefilter', 1);
    if (isSkip(prepared)) {
      const res = prepared.run?.kickoff;
      if (res && res.status >= 400 && res.status < 500)
        return verdict(
          refusalProblem(res),
          `refused with ${res.status} and an OperationOutcome`,
          prepared.evidence,
        );
      return skip(prepared.skip, prepared.evidence);
    }
    const { base, choice, exported } = prepared;
    const ev = [...exported.evidence, ...base.evidence.slice(0, 1)];
    const { returned, ignored } = unmatched(base, exported, choice, choice.values.slice(0, 1));
    if (returned.length && ignored)
      return fail(
        `${exported.label} was accepted and not applied: all ${returned.length} ${choice.parameter.type} of ${base.label} that do not match came back`,
        ev,
      );
    // A server that runs _typeFilter can tell a query it cannot run (bulkdata@105).
    const query = `${choice.parameter.type}?${UNKNOWN_SEARCH_PARAMETER}=x`;
    const unknown = await unhonourableProblem(
      ctx,
      base.level,
      { _type: choice.parameter.type, _typeFilter: query },
      `_typeFilter=${query} (a search parameter no server defines)`,
      ev,
    );
    if (unknown) return fail(unknown, ev);
    return pass(
      `${exported.label} was applied (DOWNLOAD-TYPEFILTER judges how well), and a query it cannot run was refused`,
      ev,
    );
  },
};

/**
 * A kick-off naming what the server cannot honour (`what`, a value or query no server defines) under
 * handling=strict, cancelled at once: undefined when refused with 4XX and an OperationOutcome, else
 * the problem. The IG asks a server unable to honour it to refuse it, not to run the export without it.
 */
async function unhonourableProblem(
  ctx: CheckContext,
  level: ExportLevel,
  query: Record<string, string>,
  what: string,
  evidence: string[],
): Promise<string | undefined> {
  const { res } = await ctx.kickoffAndCancel({
    ...atLevel(ctx, level),
    query,
    headers: { prefer: 'respond-async, handling=strict' },
    label: `kick-off with ${what}`,
  });
  evidence.push(res.exchange.id);
  if (res.status >= 400 && res.status < 500) {
    const problem = refusalProblem(res);
    return problem ? `${what} refused without an OperationOutcome (${problem})` : undefined;
  }
  return `${what} answered ${res.status} under handling=strict, not a 4XX refusal with an OperationOutcome`;
}

/** One feature's verdict for KICKOFF-UNSUPPORTED-REFUSED: a problem, fine, or not judged (why). */
type FeatureVerdict = { problem: string } | { fine: string } | { unjudged: string };

/** A feature export refused with 4XX is judged on its OperationOutcome; any other skip is not judged. */
function refusedVerdict(name: string, skipped: IgSkip): FeatureVerdict {
  const res = skipped.run?.kickoff;
  if (!res || res.status < 400 || res.status >= 500) return { unjudged: `${name}: ${skipped.skip}` };
  const problem = refusalProblem(res);
  return problem
    ? { problem: `${name} refused without an OperationOutcome (${problem})` }
    : { fine: `${name} refused with ${res.status} and an OperationOutcome` };
}

async function notApplicableAs(name: string, judge: () => Promise<FeatureVerdict>): Promise<FeatureVerdict> {
  try {
    return await judge();
  } catch (err) {
    if (err instanceof NotApplicable) return { unjudged: `${name}: ${err.message}` };
    throw err;
  }
}

const unsupportedRefusedCheck: CheckDefinition = {
  id: 'KICKOFF-UNSUPPORTED-REFUSED',
  title: 'patient and includeAssociatedData are applied or refused, never ignored',
  description:
    'The exports of DOWNLOAD-PATIENT-PARAM (patient, by POST) and DOWNLOAD-RELEVANT-PROVENANCE (includeAssociatedData=RelevantProvenanceResources) are each either refused with 4XX and an OperationOutcome, or applied: a patient export holding every patient of the base export, or an includeAssociatedData export holding none of the Provenance of its resources, shows the parameter silently ignored, which the IG asks a server unable to support it to refuse. A server that applies includeAssociatedData must also refuse, under handling=strict, a value no server defines (_bulkConformanceUnknownValue). Skips a feature whose answer cannot tell (POST refused, no Provenance in the data).',
  level: 'SHOULD',
  area: 'kickoff',
  profiles: ['bulk-data-ig'],
  refs: [],
  operations: [],
  faults: ['ig-patient-param-ignored', 'ig-relevant-provenance-missing'],
  async run(ctx) {
    const evidence: string[] = [];
    const patient = await notApplicableAs('patient', async () => {
      const post = await postExport(ctx);
      if (isSkip(post)) return { unjudged: `patient: ${post.skip}` };
      const prepared = await patientParamExport(ctx);
      evidence.push(...(isSkip(prepared) ? prepared.evidence : prepared.exported.evidence).slice(0, 2));
      if (isSkip(prepared)) return refusedVerdict('patient', prepared);
      const everyone = ofType(prepared.base, 'Patient').map((r) => r.id);
      const back = everyone.filter((id) => prepared.exported.resources.has(`Patient/${id}`));
      return back.length === everyone.length
        ? {
            problem: `${prepared.exported.label} was accepted and ignored: all ${everyone.length} Patients came back`,
          }
        : { fine: `patient applied (${back.length} of ${everyone.length} Patients came back)` };
    });
    const associated = await notApplicableAs('includeAssociatedData', async () => {
      const prepared = await provenanceExport(ctx, 'RelevantProvenanceResources');
      evidence.push(...(isSkip(prepared) ? prepared.evidence : prepared.exported.evidence).slice(0, 2));
      if (isSkip(prepared)) return refusedVerdict('includeAssociatedData', prepared);
      const { relevant, missing } = relevantProvenance(prepared.byTarget, prepared.exported);
      if (!relevant.size) return { unjudged: `includeAssociatedData: no exported resource has a Provenance` };
      if (missing.length === relevant.size)
        return {
          problem: `${prepared.exported.label} was accepted and ignored: none of the ${relevant.size} Provenance of its resources came back`,
        };
      // A server that honours the parameter can tell a value it does not support (bulkdata@93).
      const unknown = await unhonourableProblem(
        ctx,
        prepared.base.level,
        { includeAssociatedData: UNKNOWN_ASSOCIATED_DATA },
        `includeAssociatedData=${UNKNOWN_ASSOCIATED_DATA} (a value no server defines)`,
        evidence,
      );
      return unknown
        ? { problem: unknown }
        : {
            fine: `includeAssociatedData applied (${relevant.size - missing.length} of ${relevant.size} Provenance), an unknown value refused`,
          };
    });
    const verdicts = [patient, associated];
    const problems = verdicts.flatMap((v) => ('problem' in v ? [v.problem] : []));
    const fine = verdicts.flatMap((v) => ('fine' in v ? [v.fine] : []));
    const unjudged = verdicts.flatMap((v) => ('unjudged' in v ? [v.unjudged] : []));
    if (problems.length) return fail(problems.join('; '), evidence);
    if (!fine.length) return skip(unjudged.join('; '), evidence);
    return pass([...fine, ...unjudged.map((u) => `not judged: ${u}`)].join('; '), evidence);
  },
};

/** An includeAssociatedData value and a search parameter no server defines (bulkdata@93, @105). */
const UNKNOWN_ASSOCIATED_DATA = '_bulkConformanceUnknownValue';
const UNKNOWN_SEARCH_PARAMETER = '_bulkConformanceUnknownSearch';

/** The strict kick-off with UNKNOWN_PARAMETER, cancelled at once. */
function strictKickoff(ctx: CheckContext, base: IgExport) {
  return ctx.once('ig:strict-kickoff', () =>
    ctx.kickoffAndCancel({
      ...atLevel(ctx, base.level),
      query: { [UNKNOWN_PARAMETER]: 'true' },
      headers: { prefer: 'respond-async, handling=strict' },
      label: 'kick-off with an unknown parameter under handling=strict',
    }),
  );
}

const strictUnknownCheck: CheckDefinition = {
  id: 'KICKOFF-STRICT-UNKNOWN-PARAM',
  title: 'under Prefer: handling=strict an unknown parameter is refused',
  description:
    'A kick-off with a parameter no server defines and Prefer: respond-async, handling=strict answers 4XX with an OperationOutcome. Judged on servers that show they read the handling preference (under handling=lenient they name the ignored parameter in the error files); a server that ignores unknown parameters whatever the preference skips.',
  level: 'SHOULD',
  area: 'kickoff',
  profiles: ['bulk-data-ig'],
  refs: ['FHIR R4 http.html#Prefer (handling)'],
  operations: [],
  faults: ['ig-strict-ignores-unknown-param'],
  async run(ctx) {
    const base = await baseExport(ctx);
    if (isSkip(base)) return skip(base.skip, base.evidence);
    const { res } = await strictKickoff(ctx, base);
    if (res.status >= 400 && res.status < 500)
      return verdict(refusalProblem(res), `${res.status} with an OperationOutcome for ${UNKNOWN_PARAMETER}`, [
        res.exchange.id,
      ]);
    const lenient = await lenientExport(ctx);
    const named = isSkip(lenient) ? [] : linesNaming(lenient, UNKNOWN_PARAMETER);
    if (isSkip(lenient) || !named.length)
      return skip(
        `the server answered ${res.status} under handling=strict, and under handling=lenient ${isSkip(lenient) ? lenient.skip : 'named no ignored parameter'}: it ignores unknown parameters whatever the preference (it does not implement Prefer: handling)`,
        [res.exchange.id, ...(isSkip(lenient) ? lenient.evidence : lenient.evidence)],
      );
    return fail(
      `an unknown parameter under handling=strict answered ${res.status} instead of 4XX, although the server reports it as ignored under handling=lenient`,
      [res.exchange.id, ...lenient.evidence],
    );
  },
};

const lenientUnknownCheck: CheckDefinition = {
  id: 'KICKOFF-LENIENT-UNKNOWN-PARAM',
  title: 'under Prefer: handling=lenient an ignored parameter is named in the error files',
  description:
    "A kick-off with two parameters no server defines and Prefer: respond-async, handling=lenient is accepted and, once complete, the manifest's error files hold an OperationOutcome naming each of them (one naming only the first fails; messages listed under output instead of error fail). Judged on servers that show they read the handling preference (they refuse the parameter under handling=strict); a server refusing it under lenient too, or ignoring it whatever the preference, skips.",
  level: 'SHOULD',
  area: 'kickoff',
  profiles: ['bulk-data-ig'],
  refs: [],
  operations: [],
  faults: ['ig-lenient-no-error-outcome'],
  makesExports: ['with-error-files'],
  async run(ctx) {
    const base = await baseExport(ctx);
    if (isSkip(base)) return skip(base.skip, base.evidence);
    const lenient = await lenientExport(ctx);
    if (isSkip(lenient)) return skip(lenient.skip, lenient.evidence);
    const named = linesNaming(lenient, UNKNOWN_PARAMETER);
    const other = linesNaming(lenient, OTHER_UNKNOWN_PARAMETER);
    // The messages are read from every OperationOutcome file; they belong under error, not
    // output (bulkdata@194), whatever they say.
    const asOutput = manifestItems(lenient.run.manifest.output).filter((i) => i.type === 'OperationOutcome');
    if ((named.length || other.length) && asOutput.length)
      return fail(
        `${lenient.label}: its messages are listed under output (${asOutput.length} OperationOutcome item(s)), not under error`,
        lenient.evidence,
      );
    if (named.length && other.length)
      return pass(
        `${lenient.label}: completed, and its error files name both ignored parameters (${named.length} and ${other.length} OperationOutcome line(s))`,
        lenient.evidence,
      );
    if (named.length || other.length) {
      const [said, unsaid] = named.length
        ? [UNKNOWN_PARAMETER, OTHER_UNKNOWN_PARAMETER]
        : [OTHER_UNKNOWN_PARAMETER, UNKNOWN_PARAMETER];
      return fail(
        `${lenient.label}: its error files name the ignored ${said} but not ${unsaid}: one OperationOutcome for each ignored parameter`,
        lenient.evidence,
      );
    }
    const { res } = await strictKickoff(ctx, base);
    if (res.status >= 400 && res.status < 500)
      return fail(
        `${lenient.label}: completed, but no OperationOutcome of its ${lenient.errorLines.length} error line(s) names the ignored ${UNKNOWN_PARAMETER} (under handling=strict the server refuses it: ${res.status})`,
        [...lenient.evidence, res.exchange.id],
      );
    return skip(
      `the server ignores ${UNKNOWN_PARAMETER} whatever the preference (handling=strict answered ${res.status}): it does not implement Prefer: handling`,
      [...lenient.evidence, res.exchange.id],
    );
  },
};

export const kickoffIgChecks: CheckDefinition[] = [
  systemExportCheck,
  systemOutputFormatCheck,
  postParametersCheck,
  patientUnknownCheck,
  patientNotInGroupCheck,
  typeFilterRepeatedCheck,
  typeFilterIgnoredCheck,
  unsupportedRefusedCheck,
  strictUnknownCheck,
  lenientUnknownCheck,
];
