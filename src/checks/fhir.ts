/**
 * FHIR content checks: one per rule of the validator (src/fhir/rules.ts), judged from the issues
 * carrying that rule's code in the files of every export the run followed; and one per kind of
 * resource the server answers with directly (the CapabilityStatement, error OperationOutcomes, the
 * job list's Bundle of Tasks), judged on every such answer the run recorded. Each check is complete
 * here: its id, texts, level, refs, and the mock faults that must trip it (feeds `npm run verify`).
 */
import { RULE, type RuleId, type ValidationIssue, validateResource } from '../fhir';
import { type CheckContext, type CheckDefinition, type ExportRun, fail, pass, skip, warn } from './context';
import { kickoffQuery, overEveryExport } from './kit/every-export';
import { exportIssues } from './kit/export-issues';
import { versioned } from './kit/operations';
import { answersTo, everyAnswer, resourceTypeOf, type RecordedAnswer } from './kit/recorded';
import type { CheckMeta, CheckOutcome } from './types';

/** What each rule's check states about itself; area, operations and run are the same for all. */
type RuleCheckMeta = Omit<CheckMeta, 'area' | 'operations'>;

/** Every validator rule has exactly one check (the Record's keys make that a compile-time fact). */
const RULE_CHECKS: Record<RuleId, RuleCheckMeta> = {
  [RULE.parse]: {
    id: 'FHIR-NDJSON-PARSE',
    title: 'Every NDJSON line is one JSON object',
    description:
      'Each line of a downloaded file is parsed on its own. A line that is not valid JSON, or not a JSON object, ' +
      'breaks the NDJSON format every bulk client relies on. Blank lines inside a file are reported as warnings.',
    level: 'MUST',
    profiles: ['bcda', 'bulk-data-ig'],
    refs: [],
    faults: ['content-malformed-json'],
  },
  [RULE.schema]: {
    id: 'FHIR-SCHEMA',
    title: 'Every resource is valid FHIR R4',
    description:
      'Each resource is validated against the official FHIR R4 4.0.1 JSON schema, tightened with the core ' +
      'StructureDefinition rules the schema misses (1..1 elements, choice[x] exclusivity, ext-1, integer ranges, ' +
      'no empty arrays or objects) and the R4 invariants and rules listed in src/fhir/README.md (ele-1, per-1, ' +
      'ref-1, dom-2..dom-5, qty-3, pat-1, bdl-*, calendar dates, ISO 4217 currencies, reference and uri form). ' +
      'Where the HL7 reference validator only warns (whitespace around a string, an unknown meta.profile, a ' +
      "Coding display that is not the code system's), the check warns instead of failing. " +
      'Not applied to v1 exports, which carry STU3 resources.',
    level: 'MUST',
    profiles: ['bcda', 'bulk-data-ig'],
    refs: ['behavior §7.2'],
    versions: ['v2', 'v3'],
    faults: ['content-invalid-fhir'],
  },
  [RULE.fileType]: {
    id: 'FHIR-FILE-RESOURCE-TYPE',
    title: "Every line's resourceType is the file's manifest type",
    description:
      'An output file holds resources of one type only, the `type` its manifest entry names. ' +
      'Without a manifest, the first line fixes the type and every other line must match it.',
    level: 'MUST',
    profiles: ['bcda', 'bulk-data-ig'],
    refs: [],
    faults: ['content-wrong-resource-type', 'manifest-output-wrong-type'],
  },
  [RULE.errorFile]: {
    id: 'FHIR-ERROR-FILE-OPERATIONOUTCOME',
    title: 'Error files hold only OperationOutcome resources',
    description:
      'Files listed under `error` in the manifest must contain OperationOutcome resources and nothing else.',
    level: 'MUST',
    profiles: ['bcda', 'bulk-data-ig'],
    refs: ['behavior §1'],
    faults: ['content-error-file-wrong-type'],
    judgesExports: ['with-error-files'],
  },
  [RULE.profileMeta]: {
    id: 'FHIR-PROFILE-META',
    title: 'meta.profile names the CARIN Blue Button profile for the API version',
    description:
      'v2 resources claim the unversioned C4BB profile of their type (C4BB-Patient, C4BB-Coverage, one of the ' +
      'C4BB-ExplanationOfBenefit profiles); v3 resources claim a versioned one (`…|2.1.0`); v1 (STU3) resources ' +
      'claim none.',
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['behavior §7.2'],
    faults: ['content-missing-profile'],
  },
  [RULE.mbi]: {
    id: 'FHIR-ID-MBI-SYSTEM',
    title: 'Patients carry an MBI identifier',
    description:
      'Every Patient has an identifier with system `http://hl7.org/fhir/sid/us-mbi` and a value: ' +
      'the Medicare Beneficiary Identifier ACOs match beneficiaries on. At least one such value has the form of ' +
      "an MBI (11 characters in CMS's pattern, any letter taken since synthetic MBIs use S): an MBI identifier " +
      'holding another number (the bene_id, say) identifies nobody an ACO knows. Replaced MBIs are not judged.',
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['behavior §7.2'],
    faults: ['content-no-mbi'],
  },
  [RULE.beneId]: {
    id: 'FHIR-ID-BENE-ID-SYSTEM',
    title: 'Patients carry their bene_id identifier',
    description:
      'Every Patient has an identifier with system `https://bluebutton.cms.gov/resources/variables/bene_id` ' +
      "whose value is the Patient id. SHOULD: the real server's data (behavior §7.2); the documents do not list identifiers.",
    level: 'SHOULD',
    profiles: ['bcda'],
    refs: ['behavior §7.2'],
    faults: ['content-no-bene-id'],
  },
  [RULE.claimId]: {
    id: 'FHIR-ID-CLM-ID-SYSTEM',
    title: 'Claims carry their claim id identifier',
    description:
      'Every ExplanationOfBenefit has an identifier with system `https://bluebutton.cms.gov/resources/variables/clm_id` ' +
      '(Part D events: `…/variables/pde_id`).',
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['behavior §7.2'],
    faults: ['content-no-claim-id'],
  },
  [RULE.coverageId]: {
    id: 'FHIR-COVERAGE-ID',
    title: 'Coverage ids are part-<a|b|c|d>-<beneficiary>',
    description:
      'Coverage ids name the Medicare part and the beneficiary (`part-a-<bene>`), and the beneficiary matches ' +
      "Coverage.beneficiary. SHOULD: the real server's ids (behavior §7.2); the documents do not fix resource ids.",
    level: 'SHOULD',
    profiles: ['bcda'],
    refs: ['behavior §7.2'],
    faults: ['content-bad-coverage-id'],
  },
  [RULE.eobPrefix]: {
    id: 'FHIR-EOB-ID-PREFIX',
    title: 'ExplanationOfBenefit id prefix names its claim type and matches its profile',
    description:
      'EOB ids are `<claim type>-<claim id>` (carrier, dme, hha, hospice, inpatient, outpatient, pde, snf), and in ' +
      'v2/v3 the claimed C4BB EOB profile fits that claim type (e.g. pde → Pharmacy, outpatient → Outpatient-Institutional). ' +
      "SHOULD: the real server's ids (behavior §7.2); the documents do not fix resource ids.",
    level: 'SHOULD',
    profiles: ['bcda'],
    refs: ['behavior §7.2'],
    faults: ['content-bad-eob-prefix'],
  },
  [RULE.patientRef]: {
    id: 'FHIR-REF-PATIENT-FORMAT',
    title: 'Claims and coverage point at their Patient by a relative reference',
    description: 'ExplanationOfBenefit.patient and Coverage.beneficiary are `Patient/<id>` references.',
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['behavior §7.2'],
    faults: ['content-absolute-patient-reference'],
  },
  [RULE.refResolves]: {
    id: 'FHIR-REF-RESOLVES',
    title: 'Patient references resolve inside the export',
    description:
      'Every Patient an ExplanationOfBenefit, Coverage or Claim in the export refers to (and the Patient that ' +
      'any other resource names as its subject or patient: Observation, Encounter…) is present in the ' +
      "export's Patient files (checked when the export includes Patient and has no _since: with _since a claim's " +
      "Patient need not have changed). SHOULD: the real server's data (behavior §7.2); for a Group-level export " +
      "the IG makes the members' Patient compartments what is returned (bulkdata@34, @65).",
    level: 'SHOULD',
    profiles: ['bcda', 'bulk-data-ig'],
    refs: ['behavior §7.2'],
    faults: ['content-broken-references'],
  },
  [RULE.sandboxIds]: {
    id: 'FHIR-SANDBOX-NEGATIVE-IDS',
    title: 'Sandbox data uses only negative Patient ids',
    description:
      'Synthetic sandbox beneficiaries have negative ids, so they can never be mistaken for real ones; this holds ' +
      "for Patient.id, for the Patient's bene_id identifier (the same number) and for every Patient reference.",
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['behavior §7.2'],
    faults: ['content-positive-patient-ids'],
  },
  [RULE.eobContent]: {
    id: 'FHIR-EOB-CLAIM-CONTENT',
    title: 'Every ExplanationOfBenefit holds its lines, service date, provider, cost and diagnoses',
    description:
      'Each ExplanationOfBenefit of every export has item lines; a service date (billablePeriod, or an item ' +
      'servicedDate / servicedPeriod); the performing provider (on v2 a careTeam member naming one, since ' +
      'provider is the billing provider and BFD names the performing, attending or prescribing one in careTeam, ' +
      'though a Part D event whose record names no prescriber may name only its pharmacy, as provider; ' +
      'on v1 and v3 provider or a careTeam member); a cost (a total, the payment ' +
      'or an item adjudication amount; v1 also totalCost / totalBenefit); and diagnosis codes, except Part D drug ' +
      "events, which carry none. BFD's samples of all eight claim types have each of these. Where the service " +
      'was performed is not judged apart: BFD writes it in different elements per claim type. Skipped for an ' +
      'export without ExplanationOfBenefit.',
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['behavior §7.2'],
    faults: ['content-eob-no-claim-lines'],
  },
  [RULE.mbiCurrency]: {
    id: 'FHIR-PATIENT-MBI-CURRENCY',
    title: 'v2 MBIs are marked current or historic, one current at most',
    description:
      'Each v2 Patient identifier with system `http://hl7.org/fhir/sid/us-mbi` carries the Blue Button ' +
      'extension `https://bluebutton.cms.gov/resources/codesystem/identifier-currency` with code current or ' +
      "historic (BFD puts it on the identifier type's coding), and no more than one MBI is current: that is how " +
      'the Patient file shows a changed MBI beside the current one. v1 (STU3) and v3 write identifiers ' +
      'otherwise and are not judged. Skipped for an export without Patient.',
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['behavior §7.2'],
    versions: ['v2'],
    faults: ['content-mbi-no-currency'],
  },
  [RULE.demographics]: {
    id: 'FHIR-PATIENT-DEMOGRAPHICS',
    title: "Every Patient carries the beneficiary's name, birth date, gender and address",
    description:
      'Each Patient of every export has a name (a family or given name, or text), a birthDate, a gender and ' +
      "an address. BFD writes all four for every beneficiary (gender `unknown` when not known; with BCDA's " +
      '`IncludeAddressFields` an address with at least state and ZIP code), as its v1 and v2 samples show. ' +
      'Skipped for an export without Patient.',
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['behavior §7.2'],
    faults: ['content-patient-no-demographics'],
  },
  [RULE.coveragePart]: {
    id: 'FHIR-COVERAGE-PART-CLASS',
    title: 'Every Coverage names Medicare and its part in its class, as in its id',
    description:
      'Each Coverage has a class of type group with value Medicare and a class of type plan naming its part ' +
      '(Part A, Part B, Part C or Part D), which is the part its `part-<a|b|c|d>-` id names; v1 may instead ' +
      "use STU3's grouping.subGroup / subPlan, as BFD's v1 does. v3 Coverage comes from BFD's newer server " +
      'with other ids and parts and is not judged. Skipped for an export without Coverage.',
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['behavior §7.2'],
    versions: ['v1', 'v2'],
    faults: ['content-coverage-no-part-class'],
  },
  [RULE.coverageMarkers]: {
    id: 'FHIR-COVERAGE-ESRD-OASI',
    title: 'Part A Coverage marks ESRD and OASI status',
    description:
      'Each Part A Coverage carries an ESRD marker (the Blue Button extension esrd_ind, or ms_cd, the Medicare ' +
      'status whose codes say with or without ESRD) and an entitlement reason (orec or crec, whose code 0 is ' +
      'OASI). BFD writes these four on Part A only (Part B and D get ms_cd alone), as its v1 and v2 samples ' +
      "show, so Part A is judged. v3 Coverage comes from BFD's newer server with other extensions and is not " +
      'judged. Skipped for an export without Coverage.',
    level: 'MUST',
    profiles: ['bcda'],
    refs: ['behavior §7.2'],
    versions: ['v1', 'v2'],
    faults: ['content-coverage-no-esrd-oasi'],
  },
};

/**
 * The rule code of each FHIR check id: reports before 1.1.0 carried the check id as an issue's
 * `ruleId`, and `compare` reads those through this map.
 */
export const RULE_OF_FHIR_CHECK: ReadonlyMap<string, RuleId> = new Map(
  (Object.entries(RULE_CHECKS) as Array<[RuleId, RuleCheckMeta]>).map(([rule, meta]) => [meta.id, rule]),
);

/** Rules that say nothing of some exports: with _since, a claim's Patient need not be exported again. */
const APPLIES: Partial<Record<RuleId, (run: ExportRun) => boolean>> = {
  [RULE.refResolves]: (run) => !kickoffQuery(run).has('_since'),
};

/** Rules about one resource type: an export without it cannot tell, so the rule skips there. */
const RULE_TYPE: Partial<Record<RuleId, string>> = {
  [RULE.eobContent]: 'ExplanationOfBenefit',
  [RULE.mbiCurrency]: 'Patient',
  [RULE.demographics]: 'Patient',
  [RULE.coveragePart]: 'Coverage',
  [RULE.coverageMarkers]: 'Coverage',
};

const describeIssues = (list: ValidationIssue[]) =>
  list
    .slice(0, 3)
    .map((i) => `${i.file.replace(/^.*\/data\//, 'data/')}:${i.line} ${i.path} ${i.message}`)
    .join('; ') + (list.length > 3 ? ` (+${list.length - 3} more)` : '');

/** One rule's verdict on one export's files. */
async function ruleVerdict(
  ctx: CheckContext,
  rule: RuleId,
  meta: RuleCheckMeta,
  run: ExportRun,
): Promise<CheckOutcome> {
  const validated = run.downloads.filter((d) => d.validation);
  if (!validated.length) return skip(`no file was validated: ${run.problem ?? 'no downloads'}`);
  if (APPLIES[rule] && !APPLIES[rule](run)) return skip('the rule does not apply to this export');
  const type = RULE_TYPE[rule];
  const holding = type ? validated.filter((d) => (d.validation?.countsByType[type] ?? 0) > 0) : validated;
  if (type && !holding.length) return skip(`the export's files hold no ${type} to judge`);
  const issues = await ctx.once(`fhir-issues:${run.name}`, async () => exportIssues(run));
  const mine = issues.filter((i) => i.ruleId === rule);
  const lines = validated.reduce((n, d) => n + (d.validation?.validatedLines ?? 0), 0);
  const evidence = validated
    .map((d) => d.exchangeId ?? '')
    .filter(Boolean)
    .slice(0, 10);
  const errors = mine.filter((i) => i.severity === 'error');
  if (errors.length)
    return meta.level === 'MUST'
      ? fail(describeIssues(errors), evidence)
      : warn(describeIssues(errors), evidence);
  if (mine.length) return warn(describeIssues(mine), evidence);
  if (type) {
    const count = holding.reduce((n, d) => n + (d.validation?.countsByType[type] ?? 0), 0);
    return pass(`${count} ${type} resource(s) in ${holding.length} file(s) checked`, evidence);
  }
  return pass(`${lines} line(s) in ${validated.length} file(s) checked`, evidence);
}

/** The NDJSON rule checks, judged on the files of every export the run followed. */
const ruleChecks: CheckDefinition[] = (Object.entries(RULE_CHECKS) as Array<[RuleId, RuleCheckMeta]>).map(
  ([rule, meta]) => ({
    ...meta,
    area: 'fhir',
    phase: 'late',
    operations: ['downloadFile'],
    async run(ctx) {
      const runs = await ctx.followedExports();
      const verdicts = await Promise.all(
        runs.map(async (run) => ({ run, outcome: await ruleVerdict(ctx, rule, meta, run) })),
      );
      return overEveryExport(verdicts, 'the run followed no export');
    },
  }),
);

/* ------------------------------------------ the resources the server answers with */

/** One resource of one answer, to judge. */
interface Found {
  answer: RecordedAnswer;
  resource: unknown;
}

interface Judgement {
  problems: string[];
  deviation?: string;
}

interface AnswerKind extends Omit<CheckMeta, 'area'> {
  /** Makes sure the run has at least one such answer to judge (one shared request), when it can. */
  ensure?(ctx: CheckContext): Promise<unknown>;
  /** The resources of this kind among the run's answers, and the answers that could not be read. */
  find(ctx: CheckContext): { found: Found[]; unreadable: RecordedAnswer[] };
  /**
   * What breaks the rule in one resource (a sentence per problem, naming the path), and a known
   * deviation of the real server found in it, reported as such.
   */
  judge(resource: unknown, answer: RecordedAnswer): Judgement;
  /** Skip message when the run recorded no such resource. */
  none: string;
  /** What one judged resource is called in the messages. */
  noun: string;
}

/** Most problems spelled out in a message. */
const SHOWN_PROBLEMS = 4;

function answerCheck(kind: AnswerKind): CheckDefinition {
  const { ensure, find, judge, none, noun, ...meta } = kind;
  return {
    ...meta,
    area: 'fhir',
    phase: 'late',
    async run(ctx) {
      await ensure?.(ctx).catch(() => undefined);
      const { found, unreadable } = find(ctx);
      const skipped = unreadable.length
        ? `; ${unreadable.length} answer(s) not read (${unreadable[0]!.unreadable ?? 'unreadable'})`
        : '';
      if (!found.length) return skip(`${none}${skipped}`, unreadable.map((a) => a.exchange.id).slice(0, 12));
      const judged = found.map(({ answer, resource }) => ({ answer, ...judge(resource, answer) }));
      const broken = judged.flatMap(({ answer, problems }) =>
        problems.length
          ? [{ answer, text: `${answer.exchange.id} (${answer.exchange.label}): ${problems.join(', ')}` }]
          : [],
      );
      const answers = [...new Set(found.map((f) => f.answer.exchange.id))];
      const deviating = judged.filter((j) => j.deviation);
      if (!broken.length && deviating.length) {
        const first = deviating[0]!;
        return warn(
          `${deviating.length} of ${found.length} ${noun}(s): ${first.deviation!} (${first.answer.exchange.id})${skipped}`,
          [...new Set(deviating.map((j) => j.answer.exchange.id))].slice(0, 12),
          { knownDeviation: first.deviation! },
        );
      }
      if (!broken.length)
        return pass(
          `${found.length} ${noun}(s) in ${answers.length} answer(s)${skipped}`,
          answers.slice(0, 12),
        );
      const message =
        broken
          .slice(0, SHOWN_PROBLEMS)
          .map((b) => b.text)
          .join('; ') + (broken.length > SHOWN_PROBLEMS ? ` (+${broken.length - SHOWN_PROBLEMS} more)` : '');
      const evidence = [...new Set(broken.map((b) => b.answer.exchange.id))].slice(0, 12);
      return meta.level === 'MUST' ? fail(message, evidence) : warn(message, evidence);
    },
  };
}

/** The schema findings of a resource, as problem sentences. */
const schemaProblems = (resource: unknown): Judgement => ({
  problems: validateResource(resource).map((f) => `${f.path} ${f.message}`),
});

/** What BCDA's v3 writer sends as details when an error has no message (behavior §1). */
const EMPTY_DETAILS =
  "issue.details is {} (BCDA's v3 writer, for an error without a message): FHIR JSON allows no empty object";

/**
 * An OperationOutcome against the schema, the real server's one known flaw apart: an empty details
 * object is taken out before validating and reported as a known deviation.
 */
function outcomeSchemaProblems(resource: unknown): Judgement {
  const oo = resource as Record<string, unknown>;
  const issues = Array.isArray(oo.issue) ? (oo.issue as unknown[]) : [];
  const empty = (i: unknown) => {
    const d = (i as Record<string, unknown> | null)?.details;
    return Boolean(d && typeof d === 'object' && !Array.isArray(d) && !Object.keys(d).length);
  };
  if (!issues.some(empty)) return schemaProblems(resource);
  const trimmed = {
    ...oo,
    issue: issues.map((i) => {
      if (!empty(i)) return i;
      const rest = { ...(i as Record<string, unknown>) };
      delete rest.details;
      return rest;
    }),
  };
  return { ...schemaProblems(trimmed), deviation: EMPTY_DETAILS };
}

/** Every document of the given resourceType among `answers`. */
function documentsOf(answers: RecordedAnswer[], type: string): Found[] {
  return answers.flatMap((answer) =>
    answer.documents.filter((d) => resourceTypeOf(d) === type).map((resource) => ({ answer, resource })),
  );
}

/** Error answers (4XX/5XX) carrying OperationOutcomes, on every endpoint. */
function errorOutcomes(ctx: CheckContext): { found: Found[]; unreadable: RecordedAnswer[] } {
  return {
    found: documentsOf(
      everyAnswer(ctx).filter((a) => a.status >= 400),
      'OperationOutcome',
    ),
    unreadable: [],
  };
}

/** The system BCDA's v2 writer puts in issue.details.coding. */
const V2_DETAILS_SYSTEM = 'http://hl7.org/fhir/ValueSet/operation-outcome';
/** issue.code values BCDA's error helpers write (behavior §1). */
const BCDA_ISSUE_CODES = new Set(['structure', 'forbidden', 'not-found', 'exception']);

/**
 * What departs from BCDA's error body (behavior §1): application/fhir+json, one issue, severity
 * error, one of the helpers' codes, and the `details` of the writer the request path selects (v2:
 * a coding of operation-outcome with code "Request Error" whose display and text repeat
 * diagnostics; v3: details.text repeats diagnostics; other paths, the v1 writer: no details).
 */
export function bcdaOutcomeProblems(outcome: unknown, answer: RecordedAnswer): string[] {
  const oo = outcome as Record<string, unknown>;
  const problems: string[] = [];
  if (answer.mediaType !== 'application/fhir+json')
    problems.push(`served as ${JSON.stringify(answer.mediaType || '(none)')}, not application/fhir+json`);
  const issues = Array.isArray(oo.issue) ? (oo.issue as Array<Record<string, unknown>>) : [];
  if (issues.length !== 1) problems.push(`${issues.length} issues, BCDA writes one`);
  const issue = issues[0];
  if (!issue) return problems;
  if (issue.severity !== 'error') problems.push(`issue[0].severity ${JSON.stringify(issue.severity)}`);
  if (!BCDA_ISSUE_CODES.has(String(issue.code))) problems.push(`issue[0].code ${JSON.stringify(issue.code)}`);
  const diagnostics = typeof issue.diagnostics === 'string' ? issue.diagnostics : undefined;
  const details = issue.details as Record<string, unknown> | undefined;
  const path = (() => {
    try {
      return new URL(answer.exchange.request.url).pathname;
    } catch {
      return answer.exchange.request.url;
    }
  })();
  const writer = path.includes('/v3/') ? 'v3' : path.includes('/v2/') ? 'v2' : 'v1';
  if (writer === 'v2') {
    const coding = Array.isArray(details?.coding)
      ? (details.coding[0] as Record<string, unknown>)
      : undefined;
    if (!coding || coding.system !== V2_DETAILS_SYSTEM || coding.code !== 'Request Error')
      problems.push('v2 issue[0].details has no operation-outcome coding "Request Error"');
    else if (diagnostics && (coding.display !== diagnostics || details?.text !== diagnostics))
      problems.push('v2 issue[0].details display and text do not repeat diagnostics');
  } else if (writer === 'v3') {
    // With a message, details.text repeats it. Without one BCDA writes details {}, which FHIR JSON
    // does not allow, so details may also be absent then (the default mock's valid form).
    if (!details && diagnostics) problems.push('v3 issue[0].details is missing');
    else if (details && diagnostics && details.text !== diagnostics)
      problems.push('v3 issue[0].details.text does not repeat diagnostics');
  } else if (details !== undefined) problems.push('issue[0].details where the v1 writer writes none');
  return problems;
}

const answerChecks: CheckDefinition[] = [
  answerCheck({
    id: 'FHIR-CAPABILITYSTATEMENT-VALID',
    title: 'the metadata is a valid FHIR R4 CapabilityStatement',
    description:
      'Every 200 answer to GET /metadata the run received is validated as a resource against the FHIR R4 4.0.1 schema (tightened as for the export files): elements R4 does not define, wrong types, closed codes, missing 1..1 elements. v1 serves STU3 and is not judged.',
    level: 'MUST',
    profiles: ['bcda', 'bulk-data-ig'],
    refs: [],
    operations: ['getMetadataV2', 'getMetadataV3'],
    versions: ['v2', 'v3'],
    faults: ['metadata-stu3-elements'],
    noun: 'CapabilityStatement',
    none: 'no metadata answer with a body was recorded',
    ensure: (ctx) =>
      ctx.once('metadata', () =>
        ctx.target.call(ctx.op('getMetadata'), { label: 'metadata without a token', auth: 'none' }),
      ),
    find(ctx) {
      const answers = answersTo(ctx, 'getMetadata').filter((a) => a.status === 200);
      return {
        found: answers.flatMap((answer) =>
          answer.documents.length ? [{ answer, resource: answer.documents[0] }] : [],
        ),
        unreadable: answers.filter((a) => a.unreadable),
      };
    },
    judge: schemaProblems,
  }),
  answerCheck({
    id: 'FHIR-OPERATIONOUTCOME-VALID',
    title: 'every error OperationOutcome is valid FHIR R4',
    description:
      'Every OperationOutcome the server answered with in a 4XX/5XX, on every endpoint (kick-off, job status, cancel, job list, attribution, files, the service endpoints), is validated against the FHIR R4 4.0.1 schema. Skipped when the run recorded none. v1 errors are STU3 and are not judged.',
    level: 'MUST',
    profiles: ['bcda', 'bulk-data-ig'],
    refs: ['behavior §1'],
    operations: [...versioned('getJobStatus'), ...versioned('cancelJob'), ...versioned('exportPatient')],
    versions: ['v2', 'v3'],
    faults: ['status-outcome-invalid-fhir'],
    noun: 'OperationOutcome',
    none: 'the run recorded no error answer with an OperationOutcome',
    find: errorOutcomes,
    judge: outcomeSchemaProblems,
  }),
  answerCheck({
    id: 'FHIR-OPERATIONOUTCOME-BCDA-SHAPE',
    title: "every error OperationOutcome has BCDA's shape for its API version",
    description:
      'Every OperationOutcome in a 4XX/5XX answer is served as application/fhir+json with one issue of severity error, one of the codes BCDA\'s helpers write (structure, forbidden, not-found, exception), and the details of the writer its path selects: v2 a coding (operation-outcome, "Request Error") whose display and text repeat diagnostics, v3 details.text, other paths none. SHOULD: the public documents show no error body; this is the real server\'s writer, which clients parse.',
    level: 'SHOULD',
    profiles: ['bcda'],
    refs: ['behavior §1'],
    operations: [...versioned('getJobStatus'), ...versioned('cancelJob'), ...versioned('exportPatient')],
    faults: ['status-outcome-no-details'],
    noun: 'OperationOutcome',
    none: 'the run recorded no error answer with an OperationOutcome',
    find: errorOutcomes,
    judge: (outcome, answer) => ({ problems: bcdaOutcomeProblems(outcome, answer) }),
  }),
  answerCheck({
    id: 'FHIR-JOBS-BUNDLE-VALID',
    title: 'every job list is a valid FHIR R4 Bundle of Tasks',
    description:
      'Every Bundle the run received from GET /jobs, whichever check asked, is validated with its Task entries against the FHIR R4 4.0.1 schema (Task.status and intent codes, executionPeriod dateTimes, identifier and input shapes). v1 is not judged.',
    level: 'MUST',
    profiles: ['bcda'],
    refs: [],
    operations: ['listJobsV2', 'listJobsV3'],
    versions: ['v2', 'v3'],
    faults: ['jobs-task-invalid-dates'],
    noun: 'Bundle',
    none: 'the run recorded no job-list Bundle',
    find(ctx) {
      const answers = answersTo(ctx, 'listJobs');
      return {
        found: documentsOf(answers, 'Bundle'),
        unreadable: answers.filter((a) => a.status === 200 && a.unreadable),
      };
    },
    judge: schemaProblems,
  }),
];

export const fhirChecks: CheckDefinition[] = [...ruleChecks, ...answerChecks];
