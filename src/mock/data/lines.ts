/** The NDJSON lines of one planned file, generated lazily, one beneficiary at a time. */
import {
  beneficiaryFacts,
  beneficiaryMbi,
  isErrorBeneficiary,
  type BeneficiaryFacts,
  type FactsContext,
} from './beneficiary';
import { cohortOf, population } from './attribution';
import { droppedFromSnapshot, firstResourceLines } from './export-faults';
import { toJsonLine } from './json-text';
import { mutateAnyResource } from './line-faults';
import {
  ERROR_FILE_STRAY_LINE,
  datedOn,
  mutateEveryLine,
  mutateResource,
  spansNewYear,
  truncateLine,
} from './mutations';
import { WARNINGS_FILE_NAME } from './plan';
import { buildCoverage } from './resources/coverage';
import { buildEob } from './resources/eob';
import { beneficiaryNotFoundLine, SYSTEM_TYPE_WARNING_LINE } from './resources/operation-outcome';
import { buildClaim, buildClaimResponse } from './resources/partial-claim';
import { buildPatient } from './resources/patient';
import {
  cohortFilter,
  factsContext,
  filterOf,
  patientSelected,
  selectedClaims,
  selectedCoverage,
  selectedPartialClaims,
  type Filter,
} from './selection';
import { checkExportSpec, checkPlannedFile } from './spec-check';
import type { ApiVersion } from '../../core/vocabulary';
import type { ContentMutation, ExportResourceType, ExportSpec, PlannedFile } from './types';

export interface FileLinesOptions {
  /** Sort object keys alphabetically at every level, as the real server's re-serialization does. */
  sortKeys?: boolean;
}

/** The resources of one type a beneficiary contributes, as objects (before serialization). */
export function beneficiaryResources(
  ctx: FactsContext,
  filter: Filter,
  version: ApiVersion,
  facts: BeneficiaryFacts,
  type: ExportResourceType,
): object[] {
  switch (type) {
    case 'Patient':
      return patientSelected(filter, facts) ? [buildPatient(facts, version, ctx.horizon)] : [];
    case 'Coverage':
      return selectedCoverage(filter, facts).map((c) => buildCoverage(facts, c, version, ctx.horizon));
    case 'ExplanationOfBenefit':
      return selectedClaims(filter, facts).map((c) => buildEob(facts, c, version));
    case 'Claim':
      return selectedPartialClaims(filter, facts, false).map((c) => buildClaim(facts, c, version));
    case 'ClaimResponse':
      return selectedPartialClaims(filter, facts, true).map((c) => buildClaimResponse(facts, c, version));
    default:
      return [];
  }
}

function* errorLines(spec: ExportSpec, ctx: FactsContext, file: PlannedFile): Generator<string> {
  if (file.name === WARNINGS_FILE_NAME) {
    yield SYSTEM_TYPE_WARNING_LINE;
    return;
  }
  if (spec.mutations?.includes('error-file-wrong-type')) yield ERROR_FILE_STRAY_LINE;
  const [start, end] = file.beneficiaries;
  // Only the identity is needed here, not the beneficiary's claims.
  for (let i = start; i < end; i++) {
    if (file.cohort && cohortOf(spec, i) !== file.cohort) continue;
    if (isErrorBeneficiary(ctx.seed, ctx.cmsId, i, ctx.beneficiaries)) {
      const line = beneficiaryNotFoundLine(beneficiaryMbi(ctx.seed, ctx.cmsId, i));
      yield spec.mutations?.includes('error-outcome-no-code') ? line.replace(/"code":"[^"]*",/, '') : line;
    }
  }
}

function* dataLines(
  spec: ExportSpec,
  ctx: FactsContext,
  file: PlannedFile,
  sortKeys: boolean,
): Generator<string> {
  if (file.type === 'OperationOutcome') return;
  const type = file.type;
  const filter = cohortFilter(filterOf(spec), file.cohort);
  const mutations = new Set<ContentMutation>(spec.mutations ?? []);
  const today = spec.transactionTime.toISOString().slice(0, 10);
  const [start, end] = file.beneficiaries;
  const serialize = (r: object): string => toJsonLine(r, sortKeys);
  const faulty = mutations.size > 0 || (spec.dataFaults?.length ?? 0) > 0;
  let first = true;
  let position = 0;
  let lastFacts: BeneficiaryFacts | undefined;
  for (let i = start; i < end; i++) {
    if (file.cohort && cohortOf(spec, i) !== file.cohort) continue;
    const facts = beneficiaryFacts(ctx, i);
    if (facts.error) continue;
    // Mutation partial-claims-empty: the files are planned, then filled by a query that finds nothing.
    if (mutations.has('partial-claims-empty') && (type === 'Claim' || type === 'ClaimResponse')) continue;
    const resources = beneficiaryResources(ctx, filter, spec.version, facts, type);
    for (const [ordinal, resource] of resources.entries()) {
      if (droppedFromSnapshot(spec, i, ordinal)) continue;
      lastFacts = facts;
      if (faulty) {
        mutateAnyResource(resource as Record<string, unknown>, type, mutations, position);
        mutateEveryLine(resource as Record<string, unknown>, type, mutations);
      }
      position++;
      if (!first || !faulty) {
        yield serialize(resource);
        continue;
      }
      first = false;
      mutateResource(resource as Record<string, unknown>, type, mutations);
      if (mutations.has('service-in-current-year')) datedOn(resource as Record<string, unknown>, today);
      if (mutations.has('service-spans-new-year') && type === 'ExplanationOfBenefit')
        spansNewYear(resource as Record<string, unknown>, spec.transactionTime.getUTCFullYear());
      const [line, ...more] = firstResourceLines(spec, type, resource as Record<string, unknown>, serialize);
      yield mutations.has('malformed-json') ? truncateLine(line!) : line!;
      yield* more;
      if (mutations.has('wrong-resource-type')) {
        const other = otherTypeResource(spec, ctx, facts, type);
        if (other) yield toJsonLine(other, sortKeys);
      }
    }
  }
  if (spec.claimsLeakFrom && type === 'ExplanationOfBenefit' && start === population(spec)[0])
    yield* leakedClaims(spec, spec.claimsLeakFrom, filter, serialize);
  if (mutations.has('stray-type-last-line') && lastFacts) {
    const other = otherTypeResource(spec, ctx, lastFacts, type);
    if (other) yield toJsonLine(other, sortKeys);
  }
}

/** How many of the other organization's enrollees lend their claims (export-claims-of-other-organization). */
const LEAKED_ENROLLEES = 3;

/** The claims of another organization's first enrollees, as that organization's export has them. */
function* leakedClaims(
  spec: ExportSpec,
  from: NonNullable<ExportSpec['claimsLeakFrom']>,
  filter: Filter,
  serialize: (r: object) => string,
): Generator<string> {
  const other = factsContext({ ...spec, aco: { ...spec.aco, ...from } });
  for (let i = 0; i < Math.min(LEAKED_ENROLLEES, from.beneficiaries); i++) {
    const facts = beneficiaryFacts(other, i);
    if (facts.error) continue;
    for (const claim of beneficiaryResources(other, filter, spec.version, facts, 'ExplanationOfBenefit'))
      yield serialize(claim);
  }
}

/** A resource of another type to slip into a file: the beneficiary's Patient, or its Coverage in a Patient file. */
function otherTypeResource(
  spec: ExportSpec,
  ctx: FactsContext,
  facts: BeneficiaryFacts,
  type: ExportResourceType,
): object | undefined {
  const otherType: ExportResourceType = type === 'Patient' ? 'Coverage' : 'Patient';
  const unfiltered: Filter = { sinceMs: undefined, runoutLastDay: undefined };
  return beneficiaryResources(ctx, unfiltered, spec.version, facts, otherType)[0];
}

/** Fault json-array: the whole file as one line holding a JSON array of its resources. */
function* asOneArray(lines: Iterable<string>): Generator<string> {
  yield `[${[...lines].join(',')}]`;
}

/** Fault pretty-printed: each resource as indented JSON, over several lines. */
function* prettyPrinted(lines: Iterable<string>): Generator<string> {
  for (const line of lines) yield JSON.stringify(JSON.parse(line), null, 2);
}

/** Fault double-encoded-line: the first resource serialized once more, as a JSON string. */
function* firstEncodedTwice(lines: Iterable<string>): Generator<string> {
  let first = true;
  for (const line of lines) {
    yield first ? JSON.stringify(line) : line;
    first = false;
  }
}

/** The lines of one planned file (JSON texts without the trailing newline). */
export function fileLines(
  spec: ExportSpec,
  file: PlannedFile,
  options: FileLinesOptions = {},
): Iterable<string> {
  // Checked eagerly, so a bad request fails before the server starts a response.
  checkExportSpec(spec);
  checkPlannedFile(spec, file, population(spec));
  const ctx = factsContext(spec);
  if (file.kind === 'error') return errorLines(spec, ctx, file);
  const lines = dataLines(spec, ctx, file, options.sortKeys === true);
  if (spec.mutations?.includes('pretty-printed')) return prettyPrinted(lines);
  if (spec.mutations?.includes('double-encoded-line')) return firstEncodedTwice(lines);
  return spec.mutations?.includes('json-array') ? asOneArray(lines) : lines;
}
