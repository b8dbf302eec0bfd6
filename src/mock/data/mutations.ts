/**
 * Content faults (ExportSpec.mutations), each applied to the first data line of every data file
 * so a detector knows where to look and every file shows the fault.
 */
import {
  BB_VARIABLES,
  BENE_ID_SYSTEM,
  CLM_ID_SYSTEM,
  CURRENCY_EXTENSION,
  MBI_SYSTEM,
  PDE_ID_SYSTEM,
} from './fhir-parts';
import { C4BB_BASE } from './profiles';
import type { ContentMutation, ExportResourceType } from './types';

/** Every Money amount (an object with a numeric value and a currency) written as a JSON string: "12.50". */
function moneyValuesAsStrings(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) moneyValuesAsStrings(item);
    return;
  }
  const object = asObject(node);
  if (!object) return;
  if (typeof object['value'] === 'number' && typeof object['currency'] === 'string')
    object['value'] = object['value'].toFixed(2);
  for (const value of Object.values(object)) moneyValuesAsStrings(value);
}

/** The Blue Button 1.0 (STU3) profiles, by type, that v1 data was written to before CARIN Blue Button. */
const BLUE_BUTTON_STU3: Readonly<Partial<Record<ExportResourceType, string>>> = {
  Patient: 'bluebutton-patient',
  Coverage: 'bluebutton-coverage',
  ExplanationOfBenefit: 'bluebutton-carrier-claim',
};

/** Each C4BB profile claimed replaced by the Blue Button STU3 profile of the type (resources that claim none are left). */
function blueButtonStu3Profile(resource: Json, type: ExportResourceType): void {
  const meta = asObject(resource['meta']);
  const stu3 = BLUE_BUTTON_STU3[type];
  if (!meta || !stu3 || !Array.isArray(meta['profile'])) return;
  meta['profile'] = meta['profile'].map((p: unknown) =>
    typeof p === 'string' && p.startsWith(C4BB_BASE)
      ? `https://bluebutton.cms.gov/assets/ig/StructureDefinition/${stu3}`
      : p,
  );
}

/** A Patient id no generated beneficiary has: generated ids never start with `-0`. */
export const MISSING_PATIENT_ID = '-00000000000000';

type Json = Record<string, unknown>;

function asObject(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

/** Changes the resource in place for the object-level mutations. */
export function mutateResource(
  resource: Json,
  type: ExportResourceType,
  mutations: ReadonlySet<ContentMutation>,
): void {
  if (mutations.has('invalid-resource')) {
    // Codes outside required bindings: the R4 schema's enums reject both.
    if (type === 'Patient') resource['gender'] = 'M';
    else resource['status'] = 'bogus';
  }
  if (mutations.has('money-value-string') && type === 'ExplanationOfBenefit') moneyValuesAsStrings(resource);
  if (mutations.has('broken-reference')) breakReference(resource, type);
  if (mutations.has('no-mbi') && type === 'Patient') dropIdentifiers(resource, MBI_SYSTEM);
  if (mutations.has('no-bene-id') && type === 'Patient') dropIdentifiers(resource, BENE_ID_SYSTEM);
  if (mutations.has('no-claim-id') && type === 'ExplanationOfBenefit')
    dropIdentifiers(resource, ...CLAIM_ID_SYSTEMS);
  if (mutations.has('bad-coverage-id') && type === 'Coverage' && typeof resource['id'] === 'string') {
    resource['id'] = resource['id'].replace(/^part-/, 'plan-');
  }
  if (
    mutations.has('bad-eob-prefix') &&
    type === 'ExplanationOfBenefit' &&
    typeof resource['id'] === 'string'
  ) {
    resource['id'] = resource['id'].replace(/^[a-z]+-/, 'claim-');
  }
  if (mutations.has('bene-id-unsigned') && type === 'Patient') unsignedBeneId(resource);
  if (mutations.has('coverage-id-other-bene') && type === 'Coverage' && typeof resource['id'] === 'string') {
    // Another beneficiary: the id's last digit moved on by one.
    resource['id'] = resource['id'].replace(/(\d)$/, (d) => String((Number(d) + 1) % 10));
  }
  if (
    mutations.has('eob-prefix-wrong-type') &&
    type === 'ExplanationOfBenefit' &&
    typeof resource['id'] === 'string'
  ) {
    const id = resource['id'];
    resource['id'] = id.startsWith('pde-') ? id.replace(/^pde-/, 'carrier-') : id.replace(/^[a-z]+-/, 'pde-');
  }
  if (mutations.has('absolute-patient-reference')) absolutePatientReference(resource, type);
  if (mutations.has('versioned-patient-reference')) versionedPatientReference(resource, type);
  if (mutations.has('positive-patient-id') && type === 'Patient' && typeof resource['id'] === 'string') {
    resource['id'] = resource['id'].replace(/^-/, '');
  }
  if (mutations.has('eob-no-claim-lines') && type === 'ExplanationOfBenefit') {
    for (const key of ['item', 'diagnosis', 'total', 'payment']) delete resource[key];
  }
  if (mutations.has('mbi-no-currency') && type === 'Patient') dropMbiCurrency(resource);
  if (mutations.has('patient-no-demographics') && type === 'Patient') {
    delete resource['birthDate'];
    delete resource['address'];
  }
  if (mutations.has('coverage-no-part-class') && type === 'Coverage') delete resource['class'];
  if (mutations.has('coverage-no-esrd-oasi') && type === 'Coverage' && Array.isArray(resource['extension'])) {
    resource['extension'] = resource['extension'].filter(
      (e) => !ESRD_OASI_VARIABLES.has(String(asObject(e)?.['url'] ?? '')),
    );
  }
  if (mutations.has('bluebutton-stu3-profile')) blueButtonStu3Profile(resource, type);
  if (mutations.has('missing-profile')) {
    const meta = asObject(resource['meta']) ?? {};
    if (Array.isArray(meta['profile']) && meta['profile'].length > 0) delete meta['profile'];
    // Where no profile is expected (v1, Claim/ClaimResponse) a wrong one is as much a fault.
    else meta['profile'] = [C4BB_BASE + (type === 'Coverage' ? 'C4BB-Patient' : 'C4BB-Coverage')];
    resource['meta'] = meta;
  }
}

const CLAIM_ID_SYSTEMS = [CLM_ID_SYSTEM, PDE_ID_SYSTEM];

/** The extensions that mark ESRD (ms_cd, esrd_ind) and OASI (orec, crec) on a Coverage. */
const ESRD_OASI_VARIABLES: ReadonlySet<string> = new Set(
  ['ms_cd', 'esrd_ind', 'orec', 'crec'].map((v) => BB_VARIABLES + v),
);

/** Takes the identifier-currency extension off every MBI (on the identifier and its type codings). */
function dropMbiCurrency(resource: Json): void {
  const strip = (element: Json | undefined): void => {
    const list = element?.['extension'];
    if (!element || !Array.isArray(list)) return;
    const rest = list.filter((e) => asObject(e)?.['url'] !== CURRENCY_EXTENSION);
    if (rest.length > 0) element['extension'] = rest;
    else delete element['extension'];
  };
  for (const id of Array.isArray(resource['identifier']) ? resource['identifier'] : []) {
    const identifier = asObject(id);
    if (identifier?.['system'] !== MBI_SYSTEM) continue;
    strip(identifier);
    const codings = asObject(identifier['type'])?.['coding'];
    for (const c of Array.isArray(codings) ? codings : []) strip(asObject(c));
  }
}

/** Moves a claim's service dates (billablePeriod, each item's servicedDate or servicedPeriod) to `day`. */
export function datedOn(resource: Json, day: string): void {
  if (asObject(resource['billablePeriod'])) resource['billablePeriod'] = { start: day, end: day };
  const items = resource['item'];
  if (!Array.isArray(items)) return;
  for (const item of items) {
    const it = asObject(item);
    if (!it) continue;
    if ('servicedDate' in it) it['servicedDate'] = day;
    if (asObject(it['servicedPeriod'])) it['servicedPeriod'] = { start: day, end: day };
  }
}

/**
 * A claim whose service runs over the new year: billablePeriod (and each item's servicedPeriod)
 * from 20 December of `year - 1` to 5 January of `year`; an item's servicedDate stays in December.
 */
export function spansNewYear(resource: Json, year: number): void {
  const start = `${year - 1}-12-20`;
  const end = `${year}-01-05`;
  if (asObject(resource['billablePeriod'])) resource['billablePeriod'] = { start, end };
  const items = resource['item'];
  if (!Array.isArray(items)) return;
  for (const item of items) {
    const it = asObject(item);
    if (!it) continue;
    if ('servicedDate' in it) it['servicedDate'] = start;
    if (asObject(it['servicedPeriod'])) it['servicedPeriod'] = { start, end };
  }
}

/**
 * The mutations applied to every line rather than the first of each file: pde-clm-id (the Part D
 * events may all come after a file's first claim).
 */
export function mutateEveryLine(
  resource: Json,
  type: ExportResourceType,
  mutations: ReadonlySet<ContentMutation>,
): void {
  if (!mutations.has('pde-clm-id') || type !== 'ExplanationOfBenefit') return;
  if (typeof resource['id'] !== 'string' || !resource['id'].startsWith('pde-')) return;
  for (const i of Array.isArray(resource['identifier']) ? resource['identifier'] : []) {
    const identifier = asObject(i);
    if (identifier?.['system'] === PDE_ID_SYSTEM) identifier['system'] = CLM_ID_SYSTEM;
  }
}

/** The bene_id identifier's value as the id without its sign (synthetic ids are negative). */
function unsignedBeneId(resource: Json): void {
  const list = resource['identifier'];
  if (!Array.isArray(list) || typeof resource['id'] !== 'string') return;
  const unsigned = resource['id'].startsWith('-') ? resource['id'].slice(1) : `${resource['id']}0`;
  for (const i of list) {
    const identifier = asObject(i);
    if (identifier?.['system'] === BENE_ID_SYSTEM) identifier['value'] = unsigned;
  }
}

function dropIdentifiers(resource: Json, ...systems: string[]): void {
  const list = resource['identifier'];
  if (!Array.isArray(list)) return;
  resource['identifier'] = list.filter((i) => !systems.includes(String(asObject(i)?.['system'] ?? '')));
}

function absolutePatientReference(resource: Json, type: ExportResourceType): void {
  const key = type === 'Coverage' ? 'beneficiary' : type === 'ExplanationOfBenefit' ? 'patient' : undefined;
  const ref = key ? asObject(resource[key]) : undefined;
  if (key && ref && typeof ref['reference'] === 'string') {
    resource[key] = { ...ref, reference: `https://bcda.example.org/api/v2/${ref['reference']}` };
  }
}

function versionedPatientReference(resource: Json, type: ExportResourceType): void {
  const key = type === 'Coverage' ? 'beneficiary' : type === 'ExplanationOfBenefit' ? 'patient' : undefined;
  const ref = key ? asObject(resource[key]) : undefined;
  if (key && ref && typeof ref['reference'] === 'string')
    resource[key] = { ...ref, reference: `${ref['reference']}/_history/1` };
}

/** `error-file-wrong-type`: a resource that is not an OperationOutcome, slipped into an error file. */
export const ERROR_FILE_STRAY_LINE = JSON.stringify({
  resourceType: 'Basic',
  id: 'stray-line',
  code: { text: 'not an OperationOutcome' },
});

function breakReference(resource: Json, type: ExportResourceType): void {
  const missing = { reference: `Patient/${MISSING_PATIENT_ID}` };
  switch (type) {
    case 'ExplanationOfBenefit':
    case 'Claim':
      resource['patient'] = missing;
      break;
    case 'Coverage':
      resource['beneficiary'] = missing;
      break;
    case 'ClaimResponse':
      resource['patient'] = missing;
      resource['request'] = { reference: 'Claim/f-000000000000' };
      break;
    case 'Patient':
      resource['link'] = [{ other: missing, type: 'seealso' }];
      break;
    default:
      break;
  }
}

/** `malformed-json`: the line is cut short, so it no longer parses. */
export function truncateLine(line: string): string {
  return line.slice(0, Math.max(1, Math.floor(line.length / 2)));
}
