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

/** Blue Button variables: the CCW fields BFD writes as extensions (ms_cd, orec, esrd_ind…). */
const BB_VARIABLES = 'https://bluebutton.cms.gov/resources/variables/';
/** The extension by which BFD marks each MBI current or historic (a replaced MBI). */
export const IDENTIFIER_CURRENCY = 'https://bluebutton.cms.gov/resources/codesystem/identifier-currency';

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

/**
 * The form of a Medicare Beneficiary Identifier (CMS's MBI format): digit 1-9, letter, letter or
 * digit, digit, letter, letter or digit, digit, letter, letter, digit, digit. Real MBIs leave out
 * S, L, O, I, B and Z; synthetic ones use S (1S00E00AA00) and BFD's sample B, so any letter is taken.
 */
const MBI_FORM = /^[1-9][A-Z][A-Z0-9][0-9][A-Z][A-Z0-9][0-9][A-Z]{2}[0-9]{2}$/;

function checkPatient(res: Json, ctx: ProfileContext, report: Report): void {
  const mbis = identifierValues(res, SYSTEM.mbi);
  if (!mbis) report(RULE.mbi, 'Patient.identifier', `must include an identifier with system ${SYSTEM.mbi}`);
  else if (!mbis.some((v) => v.length > 0))
    report(RULE.mbi, 'Patient.identifier', 'the MBI identifier has no value');
  else if (!mbis.some((v) => MBI_FORM.test(v)))
    report(
      RULE.mbi,
      'Patient.identifier',
      `no MBI identifier holds a Medicare Beneficiary Identifier (11 characters in CMS's pattern): ${mbis.map((v) => JSON.stringify(v)).join(', ')}`,
    );
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
  // The bene_id identifier is the beneficiary's number too: a real one beside a negative id leaks it.
  if (typeof res.id !== 'string' || /^-\d+$/.test(res.id))
    for (const beneId of identifierValues(res, SYSTEM.beneId) ?? [])
      if (beneId) checkSandboxId(beneId, 'Patient.identifier', ctx, report);
  checkDemographics(res, report);
  // v2 only: the v1 (STU3) and v3 servers write identifiers their own way.
  if (ctx.apiVersion === 'v2') checkMbiCurrency(res, report);
}

const nonEmptyString = (v: unknown): boolean => typeof v === 'string' && v.length > 0;

/** A HumanName that names someone: a family name, a given name or a text. */
function namesSomeone(name: unknown): boolean {
  if (!isObject(name)) return false;
  return nonEmptyString(name.family) || nonEmptyString(name.text) || asArray(name.given).some(nonEmptyString);
}

/**
 * The demographics seed 002 lists for the Patient file. BFD writes all four for every beneficiary
 * (v1 and v2: gender `unknown` when not known, an address with at least state and ZIP code).
 */
function checkDemographics(res: Json, report: Report): void {
  if (!asArray(res.name).some(namesSomeone))
    report(RULE.demographics, 'Patient.name', 'the beneficiary has no name');
  if (!nonEmptyString(res.birthDate)) report(RULE.demographics, 'Patient.birthDate', 'is missing');
  if (!nonEmptyString(res.gender)) report(RULE.demographics, 'Patient.gender', 'is missing');
  if (!asArray(res.address).some(isObject)) report(RULE.demographics, 'Patient.address', 'is missing');
}

/** The code of an identifier-currency extension among `extensions` ('' when it has none). */
function currencyIn(extensions: unknown): string | undefined {
  for (const e of asArray(extensions)) {
    if (!isObject(e) || e.url !== IDENTIFIER_CURRENCY) continue;
    const coding = e.valueCoding;
    return isObject(coding) && typeof coding.code === 'string' ? coding.code : '';
  }
  return undefined;
}

/** Whether an MBI is marked current or historic: BFD marks the type's coding, the identifier itself is accepted too. */
function currencyOf(identifier: Json): string | undefined {
  const own = currencyIn(identifier.extension);
  if (own !== undefined) return own;
  const type = identifier.type;
  if (!isObject(type)) return undefined;
  for (const c of asArray(type.coding)) {
    const code = isObject(c) ? currencyIn(c.extension) : undefined;
    if (code !== undefined) return code;
  }
  return undefined;
}

/** Every MBI says whether it is current or historic, and no more than one is current. */
function checkMbiCurrency(res: Json, report: Report): void {
  let current = 0;
  let unmarked = 0;
  for (const id of asArray(res.identifier)) {
    if (!isObject(id) || id.system !== SYSTEM.mbi) continue;
    const code = currencyOf(id);
    if (code === 'current') current++;
    else if (code !== 'historic') unmarked++;
  }
  if (unmarked > 0)
    report(
      RULE.mbiCurrency,
      'Patient.identifier',
      `${unmarked} MBI identifier(s) not marked current or historic (extension ${IDENTIFIER_CURRENCY})`,
    );
  if (current > 1)
    report(
      RULE.mbiCurrency,
      'Patient.identifier',
      `${current} MBI identifiers are marked current; one at most is`,
    );
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
  // v3 is served from BFD's new (IDR) server, whose Coverage ids, parts and extensions differ.
  if (ctx.apiVersion !== 'v3') {
    const stu3 = ctx.apiVersion !== 'v2';
    const grouping = coverageGrouping(res, stu3);
    checkCoveragePart(res, grouping, stu3, report);
    checkCoverageMarkers(grouping.part ?? idPart(res.id), res, report);
  }
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

type Part = 'a' | 'b' | 'c' | 'd';

/** The part letter of `Part A` … `Part D` (any case), or undefined. */
function partNamed(value: unknown): Part | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^part ([abcd])$/i.exec(value.trim());
  return m ? (m[1]!.toLowerCase() as Part) : undefined;
}

/** The values of the R4 Coverage.class entries whose type is `kind` (group, plan…). */
function classValues(res: Json, kind: string): unknown[] {
  const out: unknown[] = [];
  for (const c of asArray(res.class)) {
    if (!isObject(c) || !isObject(c.type)) continue;
    if (asArray(c.type.coding).some((k) => isObject(k) && k.code === kind)) out.push(c.value);
  }
  return out;
}

/**
 * What a Coverage's grouping says: the group (BFD: `Medicare`) and the Medicare part. R4 has
 * `class` entries of type group and plan; STU3 (v1) has `grouping.subGroup` / `subPlan`, which
 * BFD's v1 writes, so those count where the resources may be STU3.
 */
function coverageGrouping(res: Json, stu3: boolean): { medicare: boolean; part?: Part } {
  const groups = classValues(res, 'group');
  const plans = classValues(res, 'plan');
  if (stu3 && isObject(res.grouping)) {
    const g = res.grouping;
    groups.push(g.subGroup, g.group);
    plans.push(g.subPlan, g.plan);
  }
  const part = plans.map(partNamed).find((p) => p !== undefined);
  const medicare = groups.some((v) => typeof v === 'string' && v.trim().toLowerCase() === 'medicare');
  return part === undefined ? { medicare } : { medicare, part };
}

/** The part letter of a `part-<a|b|c|d>-…` Coverage id. */
function idPart(id: unknown): Part | undefined {
  return typeof id === 'string' ? (/^part-([abcd])-/.exec(id)?.[1] as Part | undefined) : undefined;
}

/**
 * The Medicare part, named in the grouping as BFD writes it (group Medicare, plan Part A-D) and
 * agreeing with the id's part letter.
 */
function checkCoveragePart(
  res: Json,
  grouping: { medicare: boolean; part?: Part },
  stu3: boolean,
  report: Report,
): void {
  const where = stu3 ? 'class (or STU3 grouping)' : 'class';
  if (!grouping.medicare)
    report(RULE.coveragePart, 'Coverage.class', `no ${where} of type group naming Medicare`);
  if (grouping.part === undefined) {
    report(
      RULE.coveragePart,
      'Coverage.class',
      `no ${where} of type plan naming the Medicare part (Part A, B, C or D)`,
    );
    return;
  }
  const fromId = idPart(res.id);
  if (fromId !== undefined && fromId !== grouping.part)
    report(
      RULE.coveragePart,
      'Coverage.class',
      `names Part ${grouping.part.toUpperCase()} while the id names part ${fromId}`,
    );
}

/** The coded value of the Blue Button variable extension `variable`, or undefined. */
function variableCode(res: Json, variable: string): string | undefined {
  const url = BB_VARIABLES + variable;
  for (const e of asArray(res.extension)) {
    if (!isObject(e) || e.url !== url) continue;
    const coding = e.valueCoding;
    if (isObject(coding) && nonEmptyString(coding.code)) return coding.code as string;
  }
  return undefined;
}

/**
 * Part A carries the ESRD and OASI markers: BFD writes the ESRD indicator (esrd_ind) and the
 * Medicare status (ms_cd, whose codes tell ESRD) and the original and current entitlement reasons
 * (orec / crec, code 0 = OASI) on Part A; Part B and D get ms_cd alone, so Part A is judged.
 */
function checkCoverageMarkers(part: Part | undefined, res: Json, report: Report): void {
  if (part !== 'a') return;
  if (variableCode(res, 'esrd_ind') === undefined && variableCode(res, 'ms_cd') === undefined)
    report(
      RULE.coverageMarkers,
      'Coverage.extension',
      `Part A coverage has no ESRD marker (${BB_VARIABLES}esrd_ind or ms_cd)`,
    );
  if (variableCode(res, 'orec') === undefined && variableCode(res, 'crec') === undefined)
    report(
      RULE.coverageMarkers,
      'Coverage.extension',
      `Part A coverage has no entitlement reason marking OASI (${BB_VARIABLES}orec or crec)`,
    );
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
  checkEobContent(res, prefix, ctx.apiVersion, report);
  const wanted = prefix === 'pde' ? SYSTEM.pdeId : SYSTEM.clmId;
  if (!hasIdentifier(res, wanted))
    report(
      RULE.claimId,
      'ExplanationOfBenefit.identifier',
      `must include an identifier with system ${wanted}`,
    );
}

const hasPeriod = (p: unknown): boolean => isObject(p) && (nonEmptyString(p.start) || nonEmptyString(p.end));
const isMoney = (m: unknown): boolean => isObject(m) && typeof m.value === 'number';

/** A Part D event: a `pde-` id, or a PDE / pharmacy claim type. */
function isPartDEvent(res: Json, prefix: string | undefined): boolean {
  if (prefix === 'pde') return true;
  const type = res.type;
  return (
    isObject(type) &&
    asArray(type.coding).some((c) => isObject(c) && (c.code === 'PDE' || c.code === 'pharmacy'))
  );
}

/** Whether the claim states an amount: a total, the payment, or an item's adjudication. */
function statesCost(res: Json, items: unknown[], stu3: boolean): boolean {
  if (asArray(res.total).some((t) => isObject(t) && isMoney(t.amount))) return true;
  if (isObject(res.payment) && isMoney(res.payment.amount)) return true;
  if (stu3 && (isMoney(res.totalCost) || isMoney(res.totalBenefit))) return true;
  return items.some(
    (i) => isObject(i) && asArray(i.adjudication).some((a) => isObject(a) && isMoney(a.amount)),
  );
}

/**
 * What seed 002 says a claim holds: its lines, when the service was performed (the billable
 * period or a line's serviced date), the performing provider, the cost, and diagnosis codes (Part D
 * drug events have none). On v2 the performing provider is a care team member: provider is the
 * billing one, and BFD's v2 samples of all eight claim types name the performing, attending or
 * prescribing provider in careTeam (a Part D event may name only its pharmacy, as provider); elsewhere
 * provider or a care team member will do. STU3 (v1)
 * names are accepted where the resources may be STU3: totalCost / totalBenefit, the organization.
 */
function checkEobContent(
  res: Json,
  prefix: string | undefined,
  apiVersion: ProfileContext['apiVersion'],
  report: Report,
): void {
  const stu3 = apiVersion !== 'v2' && apiVersion !== 'v3';
  const items = asArray(res.item).filter(isObject);
  if (!items.length) report(RULE.eobContent, 'ExplanationOfBenefit.item', 'the claim has no item lines');
  if (
    !hasPeriod(res.billablePeriod) &&
    !items.some((i) => nonEmptyString(i.servicedDate) || hasPeriod(i.servicedPeriod))
  )
    report(
      RULE.eobContent,
      'ExplanationOfBenefit.billablePeriod',
      'no service date: neither billablePeriod nor an item servicedDate or servicedPeriod',
    );
  const careTeam = asArray(res.careTeam).some((m) => isObject(m) && isObject(m.provider));
  // A drug event's performer is the dispensing pharmacy, its provider; BFD adds the prescriber to
  // careTeam only when the event record names one.
  if (apiVersion === 'v2' && !careTeam && !(isPartDEvent(res, prefix) && isObject(res.provider)))
    report(
      RULE.eobContent,
      'ExplanationOfBenefit.careTeam',
      'no performing provider: no careTeam member names one (provider is the billing provider)',
    );
  else if (!isObject(res.provider) && !careTeam && !(stu3 && isObject(res.organization)))
    report(
      RULE.eobContent,
      'ExplanationOfBenefit.provider',
      'no provider: neither provider nor a careTeam member',
    );
  if (!statesCost(res, items, stu3))
    report(
      RULE.eobContent,
      'ExplanationOfBenefit.total',
      'no cost: no total, payment or item adjudication amount',
    );
  if (!isPartDEvent(res, prefix) && !asArray(res.diagnosis).some(isObject))
    report(RULE.eobContent, 'ExplanationOfBenefit.diagnosis', 'the claim has no diagnosis codes');
}

/** Runs the BCDA rules that apply to `res` (whose resourceType is `type`). */
export function checkProfileRules(res: Json, type: string, ctx: ProfileContext, report: Report): void {
  if (type !== 'OperationOutcome') checkMetaProfile(res, type, ctx, report);
  if (type === 'Patient') checkPatient(res, ctx, report);
  else if (type === 'Coverage') checkCoverage(res, ctx, report);
  else if (type === 'ExplanationOfBenefit') checkEob(res, ctx, report);
}

/**
 * Patient ids a resource points at (for the cross-file check): BCDA's claims and coverage, and any
 * other type's subject or patient when that names a Patient (Observation, Encounter, Condition…).
 */
export function referencedPatientIds(res: Json, type: string): string | undefined {
  if (type === 'ExplanationOfBenefit' || type === 'Claim' || type === 'ClaimResponse')
    return patientRefId(res.patient);
  if (type === 'Coverage') return patientRefId(res.beneficiary);
  if (type === 'Patient') return undefined;
  return patientRefId(res.subject) ?? patientRefId(res.patient);
}
