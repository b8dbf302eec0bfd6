/**
 * Hand-coded BCDA / CARIN Blue Button (C4BB) rules. C4BB StructureDefinitions are not
 * available offline, so the rules BCDA data is known to follow (behavior §7.2) are coded here.
 * Each function reads an already-parsed resource and reports through `report`.
 */
import type { ApiVersion } from '../core/vocabulary';
import { RULE, type RuleId } from './rules';
import type { IssueSeverity } from './types';

export type Report = (ruleId: RuleId, path: string, message: string, severity?: IssueSeverity) => void;

export interface ProfileContext {
  apiVersion?: ApiVersion;
  sandbox?: boolean;
}

type Json = Record<string, unknown>;

export const C4BB = 'http://hl7.org/fhir/us/carin-bb/StructureDefinition/';
export const SYSTEM = {
  mbi: 'http://hl7.org/fhir/sid/us-mbi',
  beneId: 'https://bluebutton.cms.gov/resources/variables/bene_id',
  clmId: 'https://bluebutton.cms.gov/resources/variables/clm_id',
  pdeId: 'https://bluebutton.cms.gov/resources/variables/pde_id',
} as const;

const EOB_PROFILE = {
  professional: 'C4BB-ExplanationOfBenefit-Professional-NonClinician',
  inpatient: 'C4BB-ExplanationOfBenefit-Inpatient-Institutional',
  outpatient: 'C4BB-ExplanationOfBenefit-Outpatient-Institutional',
  pharmacy: 'C4BB-ExplanationOfBenefit-Pharmacy',
} as const;

/**
 * Profiles each EOB id prefix may claim. BFD's own samples tag DME as Inpatient-Institutional
 * and HHA as Professional-NonClinician, and HHA is an outpatient institutional claim in
 * nature (the mock uses that), so those alternatives are accepted.
 */
export const EOB_PREFIX_PROFILES: Readonly<Record<string, readonly string[]>> = {
  carrier: [EOB_PROFILE.professional],
  dme: [EOB_PROFILE.professional, EOB_PROFILE.inpatient],
  hha: [EOB_PROFILE.professional, EOB_PROFILE.inpatient, EOB_PROFILE.outpatient],
  hospice: [EOB_PROFILE.inpatient],
  inpatient: [EOB_PROFILE.inpatient],
  snf: [EOB_PROFILE.inpatient],
  outpatient: [EOB_PROFILE.outpatient],
  pde: [EOB_PROFILE.pharmacy],
};

const EOB_PROFILE_URL_PREFIX = `${C4BB}C4BB-ExplanationOfBenefit`;

const PROFILES_BY_TYPE: Readonly<Record<string, readonly string[]>> = {
  Patient: ['C4BB-Patient'],
  Coverage: ['C4BB-Coverage'],
  ExplanationOfBenefit: Object.values(EOB_PROFILE),
};

/** Own-key lookup: resourceType comes from the data and may be `constructor` or `__proto__`. */
function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** C4BB profile names (without base URL or version) claimed in meta.profile, with their versions. */
function claimedProfiles(res: Json): { name: string; version?: string }[] {
  const meta = res.meta;
  if (!isObject(meta)) return [];
  const out: { name: string; version?: string }[] = [];
  for (const p of asArray(meta.profile)) {
    if (typeof p !== 'string' || !p.startsWith(C4BB)) continue;
    const [name = '', version] = p.slice(C4BB.length).split('|');
    out.push(version === undefined ? { name } : { name, version });
  }
  return out;
}

/** Full unversioned profile URLs per type, for the common v2 case of an exact match. */
const V2_URLS: ReadonlyMap<string, readonly string[]> = new Map(
  Object.entries(PROFILES_BY_TYPE).map(([t, names]) => [t, names.map((n) => C4BB + n)]),
);

function hasExactV2Profile(res: Json, type: string): boolean {
  // A Map lookup: an own-property test with a type name read from the data would first look
  // the name up in V8's string table, on every line.
  const urls = V2_URLS.get(type);
  const meta = res.meta;
  if (!urls || !isObject(meta) || !Array.isArray(meta.profile)) return false;
  // A few string comparisons (most end at the length) cost less than hashing the URL for a Set.
  for (const p of meta.profile) {
    if (typeof p !== 'string') continue;
    for (const url of urls) if (p === url) return true;
  }
  return false;
}

function checkMetaProfile(res: Json, type: string, ctx: ProfileContext, report: Report): void {
  if (ctx.apiVersion === 'v2' && hasExactV2Profile(res, type)) return; // hot path
  const expected = own(PROFILES_BY_TYPE, type);
  const claimed = claimedProfiles(res);
  const path = `${type}.meta.profile`;
  // C4BB profile names start with their resource type (C4BB-Patient, C4BB-ExplanationOfBenefit-…).
  const foreign = claimed.find((c) => !new RegExp(`^C4BB-${type}(-|$)`).test(c.name));
  if (foreign) {
    report(RULE.profileMeta, path, `claims ${foreign.name}, a C4BB profile of another resource type`);
    return;
  }
  if (!expected || !ctx.apiVersion) return;
  if (ctx.apiVersion === 'v1') {
    if (claimed.length)
      report(RULE.profileMeta, path, 'v1 (STU3) resources should not claim a C4BB profile', 'warning');
    return;
  }
  const matching = claimed.filter((c) => expected.includes(c.name));
  const list = expected.length === 1 ? expected[0] : `one of ${expected.join(', ')}`;
  if (!matching.length) {
    report(RULE.profileMeta, path, `must include the C4BB profile ${C4BB}${list}`);
    return;
  }
  if (ctx.apiVersion === 'v2' && !matching.some((c) => c.version === undefined)) {
    report(RULE.profileMeta, path, 'v2 resources claim the unversioned C4BB profile (no |version)');
  }
  if (
    ctx.apiVersion === 'v3' &&
    !matching.some((c) => c.version !== undefined && /^\d+\.\d+\.\d+$/.test(c.version))
  ) {
    report(RULE.profileMeta, path, 'v3 resources claim a versioned C4BB profile, e.g. …|2.1.0');
  }
}

/**
 * Values of the identifiers with `system` (undefined when there is none). Runs on every
 * line, so it allocates only when the system is present.
 */
function identifierValues(res: Json, system: string): string[] | undefined {
  const ids = res.identifier;
  if (!Array.isArray(ids)) return undefined;
  let values: string[] | undefined;
  for (const id of ids) {
    if (!isObject(id) || id.system !== system) continue;
    values ??= [];
    if (typeof id.value === 'string') values.push(id.value);
  }
  return values;
}

/** Whether an identifier has `system` (allocates nothing, unlike identifierValues). */
function hasIdentifier(res: Json, system: string): boolean {
  const ids = res.identifier;
  if (!Array.isArray(ids)) return false;
  for (const id of ids) if (isObject(id) && id.system === system) return true;
  return false;
}

/** Whether `text` from `start` on is a FHIR id, [A-Za-z0-9\-.]{1,64} (a loop: cheaper than a regexp call). */
function isFhirIdFrom(text: string, start: number): boolean {
  const n = text.length - start;
  if (n < 1 || n > 64) return false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 46))
      return false;
  }
  return true;
}

/** The id of a `Patient/<id>` literal reference, or undefined for any other form. */
export function patientRefId(ref: unknown): string | undefined {
  if (!isObject(ref)) return undefined;
  const reference = ref.reference;
  if (typeof reference !== 'string' || !reference.startsWith('Patient/') || !isFhirIdFrom(reference, 8))
    return undefined;
  return reference.slice(8);
}

function checkSandboxId(id: string, path: string, ctx: ProfileContext, report: Report): void {
  if (ctx.sandbox && !/^-\d+$/.test(id)) {
    report(RULE.sandboxIds, path, `sandbox Patient ids must be negative numbers, got a non-negative id`);
  }
}

function checkPatient(res: Json, ctx: ProfileContext, report: Report): void {
  const mbis = identifierValues(res, SYSTEM.mbi);
  if (!mbis) report(RULE.mbi, 'Patient.identifier', `must include an identifier with system ${SYSTEM.mbi}`);
  else if (!mbis.some((v) => v.length > 0))
    report(RULE.mbi, 'Patient.identifier', 'the MBI identifier has no value');
  if (ctx.apiVersion === 'v1' || ctx.apiVersion === 'v2' || ctx.apiVersion === undefined) {
    const beneIds = identifierValues(res, SYSTEM.beneId);
    if (!beneIds)
      report(
        RULE.beneId,
        'Patient.identifier',
        `should include an identifier with system ${SYSTEM.beneId}`,
        'warning',
      );
    else if (typeof res.id === 'string' && !beneIds.includes(res.id)) {
      report(
        RULE.beneId,
        'Patient.identifier',
        'the bene_id identifier value differs from Patient.id',
        'warning',
      );
    }
  }
  if (typeof res.id === 'string') checkSandboxId(res.id, 'Patient.id', ctx, report);
}

function checkPatientReference(
  type: string,
  element: string,
  ref: unknown,
  ctx: ProfileContext,
  report: Report,
): string | undefined {
  const id = patientRefId(ref);
  // The path is built only when there is something to report (this runs on every claim line).
  if (id === undefined) {
    report(RULE.patientRef, `${type}.${element}`, 'must be a relative reference Patient/<id>');
    return undefined;
  }
  if (ctx.sandbox) checkSandboxId(id, `${type}.${element}`, ctx, report);
  return id;
}

function checkCoverage(res: Json, ctx: ProfileContext, report: Report): void {
  const beneId = checkPatientReference('Coverage', 'beneficiary.reference', res.beneficiary, ctx, report);
  if (typeof res.id !== 'string') return;
  // part-<a|b|c|d>-<beneficiary id>
  const id = res.id;
  const part = id.charCodeAt(5);
  if (!(id.length > 7 && id.startsWith('part-') && part >= 97 && part <= 100 && id.charCodeAt(6) === 45))
    report(RULE.coverageId, 'Coverage.id', 'must be part-<a|b|c|d>-<beneficiary id>', 'warning');
  else if (beneId !== undefined && (id.length - 7 !== beneId.length || !id.endsWith(beneId))) {
    report(RULE.coverageId, 'Coverage.id', 'names another beneficiary than Coverage.beneficiary', 'warning');
  }
}

/** Whether `url` is the C4BB profile `name`, unversioned or with a `|version`. */
function isProfileUrl(url: string, name: string): boolean {
  const end = C4BB.length + name.length;
  return url.startsWith(name, C4BB.length) && (url.length === end || url.charCodeAt(end) === 124);
}

/** True unless meta.profile claims C4BB EOB profiles and none of them is in `allowed`. */
function claimsAllowedEobProfile(res: Json, allowed: readonly string[]): boolean {
  const meta = res.meta;
  if (!isObject(meta) || !Array.isArray(meta.profile)) return true;
  let sawEob = false;
  for (const p of meta.profile) {
    if (typeof p !== 'string' || !p.startsWith(EOB_PROFILE_URL_PREFIX)) continue;
    sawEob = true;
    for (const name of allowed) if (isProfileUrl(p, name)) return true;
  }
  return !sawEob;
}

/** EOB_PREFIX_PROFILES as a Map, for the per-line lookup of a prefix read from the data. */
const PROFILES_BY_PREFIX: ReadonlyMap<string, readonly string[]> = new Map(
  Object.entries(EOB_PREFIX_PROFILES),
);

function checkEob(res: Json, ctx: ProfileContext, report: Report): void {
  checkPatientReference('ExplanationOfBenefit', 'patient.reference', res.patient, ctx, report);
  const dash = typeof res.id === 'string' ? res.id.indexOf('-') : -1;
  const prefix =
    dash > 0 && typeof res.id === 'string' && res.id.length > dash + 1 ? res.id.slice(0, dash) : undefined;
  const allowed = prefix === undefined ? undefined : PROFILES_BY_PREFIX.get(prefix);
  if (typeof res.id === 'string' && !allowed) {
    report(
      RULE.eobPrefix,
      'ExplanationOfBenefit.id',
      `must be <claim type>-<claim id> with a claim type of ${Object.keys(EOB_PREFIX_PROFILES).join(', ')}`,
      'warning',
    );
  } else if (
    allowed &&
    (ctx.apiVersion === 'v2' || ctx.apiVersion === 'v3') &&
    !claimsAllowedEobProfile(res, allowed)
  ) {
    report(
      RULE.eobPrefix,
      'ExplanationOfBenefit.meta.profile',
      `a ${prefix} claim should claim ${allowed.join(' or ')}`,
      'warning',
    );
  }
  const wanted = prefix === 'pde' ? SYSTEM.pdeId : SYSTEM.clmId;
  if (!hasIdentifier(res, wanted))
    report(
      RULE.claimId,
      'ExplanationOfBenefit.identifier',
      `must include an identifier with system ${wanted}`,
    );
}

/** Runs the BCDA rules that apply to `res` (whose resourceType is `type`). */
export function checkProfileRules(res: Json, type: string, ctx: ProfileContext, report: Report): void {
  if (type !== 'OperationOutcome') checkMetaProfile(res, type, ctx, report);
  if (type === 'Patient') checkPatient(res, ctx, report);
  else if (type === 'Coverage') checkCoverage(res, ctx, report);
  else if (type === 'ExplanationOfBenefit') checkEob(res, ctx, report);
}

/** Patient ids a resource points at (for the cross-file check). */
export function referencedPatientIds(res: Json, type: string): string | undefined {
  if (type === 'ExplanationOfBenefit' || type === 'Claim' || type === 'ClaimResponse')
    return patientRefId(res.patient);
  if (type === 'Coverage') return patientRefId(res.beneficiary);
  return undefined;
}
