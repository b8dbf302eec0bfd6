#!/usr/bin/env node
/**
 * Writes the FHIR mutation corpus, fixtures/fhir-mutants/mutants.json: valid resources from the
 * mock (src/mock/data, v2), each mutated to break exactly one rule of FHIR R4 (or, for the
 * controls, mutated in a way the specification allows), with the verdict the specification
 * gives (`error`, `warning` or `valid`), the rule it cites and the path the validator must name.
 * test/fhir/mutants.test.ts validates every mutant and fails on any disagreement.
 * Usage: node scripts/fhir-mutants.js [--check]   (--check: exit 1 if the file is not current)
 */
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'fixtures/fhir-mutants/mutants.json');

require('./fhir-ts-register');
const { planExport, fileLines } = require(path.join(ROOT, 'src/mock/data'));

/** The first resource of each type in a small, fixed mock export. */
function baseResources() {
  const spec = {
    aco: { cmsId: 'TEST001', beneficiaries: 3, adjudicated: true, partiallyAdjudicated: true },
    version: 'v2',
    types: ['Patient', 'Coverage', 'ExplanationOfBenefit', 'Claim', 'ClaimResponse'],
    runout: false,
    transactionTime: new Date('2026-06-01T12:00:00Z'),
    seed: 5,
    jobId: 9,
  };
  const out = {};
  for (const file of planExport(spec)) {
    if (file.kind !== 'output' || out[file.type]) continue;
    const first = fileLines(spec, file).next().value;
    out[file.type] = JSON.parse(first);
  }
  // A job as the mock's jobs list (src/mock/routes/jobs-list.ts) writes it, and its searchset.
  out.Task = {
    resourceType: 'Task',
    identifier: [{ use: 'official', system: 'http://localhost/api/v2/jobs', value: '9' }],
    status: 'completed',
    intent: 'order',
    input: [
      { type: { text: 'BULK FHIR Export' }, valueString: 'GET http://localhost/api/v2/Patient/$export' },
    ],
    executionPeriod: { start: '2026-06-01T12:00:00Z', end: '2026-06-01T12:05:00Z' },
  };
  const { capabilityStatement } = require(path.join(ROOT, 'src/mock/capability'));
  // As the mock serves it, plus a name (cpb-0 warns on a statement without one: see the mutants).
  out.CapabilityStatement = {
    ...capabilityStatement({
      version: 'v2',
      base: 'http://localhost/api/v2',
      now: new Date('2026-06-01T12:00:00Z'),
    }),
    name: 'BeneficiaryClaimsDataAPI',
  };
  out.Bundle = { resourceType: 'Bundle', type: 'searchset', total: 1, entry: [{ resource: out.Task }] };
  return out;
}

/** `a.b[0].c` → ['a', 'b', 0, 'c']. */
function steps(p) {
  return p
    .split(/\.|(?=\[)/)
    .filter(Boolean)
    .map((s) => (s.startsWith('[') ? Number(s.slice(1, -1)) : s));
}

function parentOf(obj, p) {
  const s = steps(p);
  let cur = obj;
  for (let i = 0; i < s.length - 1; i++) {
    const k = s[i];
    if (cur[k] === undefined) cur[k] = typeof s[i + 1] === 'number' ? [] : {};
    cur = cur[k];
  }
  return [cur, s[s.length - 1]];
}

const set = (p, v) => (r) => {
  const [o, k] = parentOf(r, p);
  o[k] = v;
};
const del = (p) => (r) => {
  const [o, k] = parentOf(r, p);
  delete o[k];
};
const all =
  (...fs) =>
  (r) =>
    fs.forEach((f) => f(r));

// Citations: R4 4.0.1 (hl7.org/fhir/R4). Invariant ids are those of the core StructureDefinitions.
const ELE1 = 'ele-1 (Element): hasValue() or (children().count() > id.count())';
const EXT1 = 'ext-1 (Extension): extension.exists() != value.exists()';
const PER1 = 'per-1 (Period): start <= end where both have a value';
const REF1 = 'ref-1 (Reference): a local reference #id names a contained resource';
const DOM2 = 'dom-2 (DomainResource): contained.contained.empty()';
const DOM3 =
  'dom-3 (DomainResource): every contained resource is referenced from the resource, or refers to it';
const DOM4 =
  'dom-4 (DomainResource): contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()';
const DOM5 = 'dom-5 (DomainResource): contained.meta.security.empty()';
const DATE = 'datatypes §2.24.0.1 date/dateTime/instant: a valid date of the calendar';
const EMPTY = 'json §2.6.2 / datatypes: a primitive value is never empty (uri, canonical, url included)';
const EXTURL =
  'extensibility §2.22.1: Extension.url is an absolute URL (a relative name only inside a complex extension)';
const REFWS = 'references §2.3.0.1 (Reference.reference is a URL: no whitespace)';
const WS =
  'datatypes §2.24.0.1 string: [ \\r\\n\\t\\S]+ with \\s as the HL7 reference validator (Java) reads it: ASCII whitespace only';
const QTY3 = 'qty-3 (Quantity): code.empty() or system.exists()';
const PAT1 =
  'pat-1 (Patient.contact): name.exists() or telecom.exists() or address.exists() or organization.exists()';
const INV1 =
  'inv-1 (Task): lastModified.exists().not() or authoredOn.exists().not() or lastModified >= authoredOn';
const BDL = (id, text) => `${id} (Bundle): ${text}`;
const EDGE =
  'the HL7 reference validator warns on a string value that starts or ends with whitespace (a warning, not an error)';
const CPT2 = 'cpt-2 (ContactPoint): value.empty() or system.exists()';
const ATT1 = 'att-1 (Attachment): data.empty() or contentType.exists()';
const RAT1 =
  'rat-1 (Ratio): (numerator.empty() xor denominator.exists()) and (numerator.exists() or extension.exists())';
const RNG2 = 'rng-2 (Range): low.empty() or high.empty() or (low <= high)';
const CPB = (id, text) => `${id} (CapabilityStatement): ${text}`;
// Generated from the R4 definitions' FHIRPath (scripts/fhir-fhirpath.js); cited with their expression.
const TIM = (id, text) => `${id} (Timing.repeat): ${text}`;
const AGE1 =
  'age-1 (Age): (code.exists() or value.empty()) and (system.empty() or system = %ucum) and (value.empty() or value.hasValue().not() or value > 0)';
const CNT3 =
  "cnt-3 (Count): (code.exists() or value.empty()) and (system.empty() or system = %ucum) and (code.empty() or code = '1') and (value.empty() or value.hasValue().not() or value.toString().contains('.').not())";
const DIS1 = 'dis-1 (Distance): (code.exists() or value.empty()) and (system.empty() or system = %ucum)';
const DRT1 = 'drt-1 (Duration): code.exists() implies ((system = %ucum) and value.exists())';
const SQTY1 = 'sqty-1 (SimpleQuantity, the type of EOB.item.quantity): comparator.empty()';
const ORG = (id, text) => `${id} (Organization): ${text}`;
const EXP1 = 'exp-1 (Expression): expression.exists() or reference.exists()';
const DRQ1 = 'drq-1 (DataRequirement.codeFilter): path.exists() xor searchParam.exists()';
const TRD3 =
  "trd-3 (TriggerDefinition): (type = 'named-event' implies name.exists()) and (type = 'periodic' implies timing.exists()) and (type.startsWith('data-') implies data.exists())";
const UCUM = 'http://unitsofmeasure.org';
const OBS6 = 'obs-6 (Observation): dataAbsentReason.empty() or value.empty()';
const OBS3 = 'obs-3 (Observation.referenceRange): low.exists() or high.exists() or text.exists()';
/** A contained Observation (as BFD's EOBs hold them), referenced from supportingInfo (dom-3). */
const withObservation = (extra) =>
  all(
    set('contained', [
      {
        resourceType: 'Observation',
        id: 'lab',
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '2345-7' }] },
        ...extra,
      },
    ]),
    set('supportingInfo[0].valueReference', { reference: '#lab' }),
    del('supportingInfo[0].valueQuantity'),
  );
const TRD = (id, text) => `${id} (TriggerDefinition): ${text}`;
const TXT1 =
  'txt-1 (Narrative.div): htmlChecks(): XHTML with a root div in the XHTML namespace and only the elements and attributes narrative allows (R4 narrative §2.4.0.1)';
const XHTML = (inner) => `<div xmlns="http://www.w3.org/1999/xhtml">${inner}</div>`;
const CODE =
  'terminology: a Coding whose system is a complete HL7 code system (R4 definitions) has a code of that system, whatever the binding (the reference validator: unknown code, an error)';
const DISPLAY =
  "terminology: a Coding's display is the display (or a designation) its code system gives the code (R4 datatypes, Coding.display: 'following the rules of the system'); the HL7 validator compares ignoring case, accepts designations in any language, and reports a mismatch as a warning (HAPI FhirInstanceValidator's default: IssueSeverity WARNING for a display mismatch)";
const DISPLAY_WS =
  "terminology: as above; a display that differs only in whitespace is still a wrong display (the HL7 validator's 'Wrong whitespace in Display Name'), a warning";
const OBS7 =
  'obs-7 (Observation): value.empty() or component.code.where(coding.intersect(%resource.code.coding).exists()).empty()';
const OBS7_EQUAL =
  'obs-7, with FHIRPath equality (§6.1.1): intersect keeps only codings equal as wholes, so a component coding that differs by its display is not the Observation’s code';
const PROFILE =
  'meta.profile naming a profile the validator cannot resolve: the reference validator warns that the resource was not checked against it';
const EXT = 'http://example.org/fhir/StructureDefinition/test';
/** A minimal valid R4 Composition, first resource of a document Bundle (bdl-11). */
const COMPOSITION = {
  resourceType: 'Composition',
  status: 'final',
  type: { text: 'summary' },
  date: '2026-06-01T12:00:00Z',
  author: [{ display: 'BCDA' }],
  title: 'Export summary',
};
const MONEY = 'Money.currency: required binding to Currencies (ISO 4217, upper-case alphabetic codes)';

/** [name, category, base type, rule cited, expected verdict, path the validator names, mutation]. */
// prettier-ignore
const MUTANTS = [
  // ele-1: elements with neither value nor children
  ['ele1-meta-only-id', 'ele-1', 'Patient', ELE1, 'error', 'Patient.meta', set('meta', { id: 'm1' })],
  ['ele1-coding-only-id', 'ele-1', 'Coverage', ELE1, 'error', 'Coverage.type.coding[0]', set('type.coding[0]', { id: 'c1' })],
  ['ele1-money-only-id', 'ele-1', 'ExplanationOfBenefit', ELE1, 'error', 'ExplanationOfBenefit.total[0].amount', set('total[0].amount', { id: 'a1' })],
  ['ele1-given-null', 'ele-1', 'Patient', ELE1, 'error', 'Patient.name[0].given[1]', set('name[0].given', ['DANIEL', null])],
  ['ele1-given-null-both', 'ele-1', 'Patient', ELE1, 'error', 'Patient.name[0].given[1]', all(set('name[0].given', ['DANIEL', null]), set('name[0]._given', [null, null]))],
  ['ele1-primitive-only-id', 'ele-1', 'Patient', ELE1, 'error', 'Patient._gender', all(del('gender'), set('_gender', { id: 'g1' }))],
  ['ele1-primitive-array-only-id', 'ele-1', 'Patient', ELE1, 'error', 'Patient.name[0]._given[1]', all(set('name[0].given', ['DANIEL', null]), set('name[0]._given', [null, { id: 'g2' }]))],
  ['ele1-control-given-null-with-extension', 'ele-1', 'Patient', ELE1, 'valid', '', all( set('name[0].given', ['DANIEL', null]), set('name[0]._given', [ null, { extension: [ { url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }] }]))],
  ['ele1-control-primitive-id-beside-value', 'ele-1', 'Patient', ELE1, 'valid', '', set('_birthDate', { id: 'b1' })],
  ['ele1-control-element-id-and-child', 'ele-1', 'Patient', ELE1, 'valid', '', set('meta.id', 'm1')],
  // ext-1
  ['ext1-url-only', 'ext-1', 'Patient', EXT1, 'error', 'Patient.extension[0]', set('extension[0]', { url: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-sex' })],
  ['ext1-value-and-extension', 'ext-1', 'Patient', EXT1, 'error', 'Patient.extension[0].valueCode', set('extension[0].extension', [{ url: 'http://example.org/x', valueString: 'x' }])],
  ['ext1-control-complex', 'ext-1', 'Patient', EXT1, 'valid', '', set('extension[0]', { url: 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-race', extension: [ { url: 'ombCategory', valueCoding: { system: 'urn:oid:2.16.840.1.113883.6.238', code: '2106-3' } }, { url: 'text', valueString: 'White' }] })],
  // uri, canonical, url
  ['uri-empty-profile', 'uri', 'Patient', EMPTY, 'error', 'Patient.meta.profile[0]', set('meta.profile', [''])],
  ['uri-empty-extension-url', 'uri', 'Patient', EMPTY, 'error', 'Patient.extension[0].url', set('extension[0].url', '')],
  ['uri-empty-coding-system', 'uri', 'Coverage', EMPTY, 'error', 'Coverage.type.coding[0].system', set('type.coding[0].system', '')],
  ['uri-relative-extension-url', 'uri', 'Patient', EXTURL, 'error', 'Patient.extension[1].url', set('extension[1].url', 'race')],
  ['uri-relative-modifier-extension-url', 'uri', 'Coverage', EXTURL, 'error', 'Coverage.class[0].modifierExtension[0].url', set('class[0].modifierExtension', [{ url: 'grouping', valueString: 'x' }])],
  // whitespace, read as the reference validator (Java) reads \s: ASCII only
  ['string-form-feed', 'whitespace', 'Patient', WS, 'error', 'Patient.name[0].family', set('name[0].family', 'NITZ\fSCHE')],
  ['string-leading-space', 'whitespace', 'Patient', EDGE, 'warning', 'Patient.name[0].family', set('name[0].family', ' NITZSCHE')],
  ['string-trailing-space-in-array', 'whitespace', 'Patient', EDGE, 'warning', 'Patient.name[0].given[0]', set('name[0].given[0]', 'DANIEL ')],
  ['string-trailing-newline', 'whitespace', 'ExplanationOfBenefit', EDGE, 'warning', 'ExplanationOfBenefit.facility.display', set('facility.display', 'MUELLER PHARMACY\n')],
  ['string-control-nbsp-inside', 'whitespace', 'Patient', WS, 'valid', '', set('name[0].family', 'VAN\u00a0DYKE')],
  // dates that do not exist
  ['date-feb-30', 'date', 'Patient', DATE, 'error', 'Patient.birthDate', set('birthDate', '1980-02-30')],
  ['date-apr-31', 'date', 'Coverage', DATE, 'error', 'Coverage.period.start', set('period.start', '2021-04-31')],
  ['date-feb-29-1900', 'date', 'Patient', DATE, 'error', 'Patient.birthDate', set('birthDate', '1900-02-29')],
  ['datetime-feb-29-non-leap', 'date', 'ExplanationOfBenefit', DATE, 'error', 'ExplanationOfBenefit.created', set('created', '2023-02-29T05:38:37+00:00')],
  ['instant-jun-31', 'date', 'Patient', DATE, 'error', 'Patient.meta.lastUpdated', set('meta.lastUpdated', '2026-06-31T01:21:06.559Z')],
  ['date-in-extension-value', 'date', 'Patient', DATE, 'error', 'Patient.extension[2].valueDate', set('extension[2].valueDate', '2025-11-31')],
  ['date-control-feb-29-2000', 'date', 'Patient', DATE, 'valid', '', set('birthDate', '2000-02-29')],
  ['date-control-feb-29-2024', 'date', 'ExplanationOfBenefit', DATE, 'valid', '', set('created', '2024-02-29T23:59:59-05:00')],
  // Reference.reference whitespace
  ['reference-inner-space', 'reference', 'Coverage', REFWS, 'error', 'Coverage.beneficiary.reference', set('beneficiary.reference', 'Patient/1 2')],
  ['reference-trailing-space', 'reference', 'ExplanationOfBenefit', REFWS, 'error', 'ExplanationOfBenefit.insurance[0].coverage.reference', set('insurance[0].coverage.reference', 'Coverage/part-d--66512000000001 ')],
  // Money.currency (ISO 4217)
  ['money-currency-lower-case', 'currency', 'ExplanationOfBenefit', MONEY, 'error', 'ExplanationOfBenefit.total[0].amount.currency', set('total[0].amount.currency', 'usd')],
  ['money-currency-unknown', 'currency', 'ExplanationOfBenefit', MONEY, 'error', 'ExplanationOfBenefit.total[0].amount.currency', set('total[0].amount.currency', 'XYZ')],
  ['money-control-eur', 'currency', 'ExplanationOfBenefit', MONEY, 'valid', '', set('total[0].amount.currency', 'EUR')],
  // per-1
  ['per1-billable-period', 'per-1', 'ExplanationOfBenefit', PER1, 'error', 'ExplanationOfBenefit.billablePeriod', set('billablePeriod', { start: '2023-07-25', end: '2023-07-24' })],
  ['per1-coverage-period-datetime', 'per-1', 'Coverage', PER1, 'error', 'Coverage.period', set('period', { start: '2020-01-02T10:00:00Z', end: '2020-01-02T09:00:00Z' })],
  ['per1-control-same-day', 'per-1', 'ExplanationOfBenefit', PER1, 'valid', '', set('billablePeriod', { start: '2023-07-24', end: '2023-07-24T10:00:00Z' })],
  ['per1-control-years', 'per-1', 'Coverage', PER1, 'valid', '', set('period', { start: '2020', end: '2020-06' })],
  // qty-3, pat-1, Task inv-1
  ['qty3-code-without-system', 'qty-3', 'ExplanationOfBenefit', QTY3, 'error', 'ExplanationOfBenefit.supportingInfo[0].valueQuantity', set('supportingInfo[0].valueQuantity', { value: 5, code: 'mg' })],
  ['qty3-control-ucum', 'qty-3', 'ExplanationOfBenefit', QTY3, 'valid', '', set('supportingInfo[0].valueQuantity', { value: 5, system: 'http://unitsofmeasure.org', code: 'mg' })],
  ['pat1-contact-without-details', 'pat-1', 'Patient', PAT1, 'error', 'Patient.contact[0]', set('contact', [{ gender: 'female' }])],
  ['pat1-control-contact-name', 'pat-1', 'Patient', PAT1, 'valid', '', set('contact', [{ name: { family: 'NITZSCHE' } }])],
  ['inv1-task-modified-before-authored', 'resource', 'Task', INV1, 'error', 'Task.lastModified', all(set('authoredOn', '2026-06-01T12:00:00Z'), set('lastModified', '2026-06-01T11:00:00Z'))],
  ['inv1-control-task-modified-after-authored', 'resource', 'Task', INV1, 'valid', '', all(set('authoredOn', '2026-06-01T12:00:00Z'), set('lastModified', '2026-06-01T12:05:00Z'))],
  // data types inside the resources
  ['cpt2-telecom-without-system', 'datatype', 'Patient', CPT2, 'error', 'Patient.telecom[0]', set('telecom', [{ value: '555-0100' }])],
  ['cpt2-control-telecom-phone', 'datatype', 'Patient', CPT2, 'valid', '', set('telecom', [{ system: 'phone', value: '555-0100' }])],
  ['att1-photo-without-content-type', 'datatype', 'Patient', ATT1, 'error', 'Patient.photo[0]', set('photo', [{ data: 'aGVsbG8=' }])],
  ['rat1-numerator-only', 'datatype', 'Patient', RAT1, 'error', 'Patient.extension[4].valueRatio', set('extension[4]', { url: EXT, valueRatio: { numerator: { value: 1 } } })],
  ['rng2-low-above-high', 'datatype', 'Patient', RNG2, 'error', 'Patient.extension[4].valueRange', set('extension[4]', { url: EXT, valueRange: { low: { value: 5 }, high: { value: 1 } } })],
  ['rng2-control-other-units', 'datatype', 'Patient', RNG2, 'valid', '', set('extension[4]', { url: EXT, valueRange: { low: { value: 5, unit: 'g' }, high: { value: 1, unit: 'kg' } } })],
  // CapabilityStatement (the mock's /metadata)
  ['cpb1-no-rest', 'resource', 'CapabilityStatement', CPB('cpb-1', 'rest.exists() or messaging.exists() or document.exists()'), 'error', 'CapabilityStatement', del('rest')],
  ['cpb14-instance-without-implementation', 'resource', 'CapabilityStatement', CPB('cpb-14', "(kind != 'instance') or implementation.exists()"), 'error', 'CapabilityStatement', del('implementation')],
  ['cpb15-capability-with-implementation', 'resource', 'CapabilityStatement', CPB('cpb-15', "(kind != 'capability') or (implementation.exists().not() and software.exists())"), 'error', 'CapabilityStatement', set('kind', 'capability')],
  ['cpb9-resource-type-twice', 'resource', 'CapabilityStatement', CPB('cpb-9', 'rest: resource.select(type).isDistinct()'), 'error', 'CapabilityStatement.rest[0].resource[1].type', set('rest[0].resource', [{ type: 'Patient' }, { type: 'Patient' }])],
  ['cpb9-control-rest-mode-twice', 'resource', 'CapabilityStatement', CPB('cpb-9', 'R4 limits resource types per rest, not rest modes (no R4 invariant on rest.mode)'), 'valid', '', (r) => r.rest.push({ mode: 'server' })],
  ['cpb12-search-param-twice', 'resource', 'CapabilityStatement', CPB('cpb-12', 'rest.resource: searchParam.select(name).isDistinct()'), 'error', 'CapabilityStatement.rest[0].resource[0].searchParam[1].name', set('rest[0].resource[0].searchParam', [{ name: '_since', type: 'date' }, { name: '_since', type: 'token' }])],
  ['cpb7-document-twice', 'resource', 'CapabilityStatement', CPB('cpb-7', 'document.select(profile&mode).isDistinct()'), 'error', 'CapabilityStatement.document[1]', set('document', [{ mode: 'producer', profile: 'http://example.org/fhir/StructureDefinition/doc' }, { mode: 'producer', profile: 'http://example.org/fhir/StructureDefinition/doc' }])],
  ['cpb7-control-document-modes', 'resource', 'CapabilityStatement', CPB('cpb-7', 'the same profile in two modes'), 'valid', '', set('document', [{ mode: 'producer', profile: 'http://example.org/fhir/StructureDefinition/doc' }, { mode: 'consumer', profile: 'http://example.org/fhir/StructureDefinition/doc' }])],
  ['cpb2-requirements-without-description', 'resource', 'CapabilityStatement', CPB('cpb-2', '(description.count() + software.count() + implementation.count()) > 0'), 'error', 'CapabilityStatement', all(set('kind', 'requirements'), del('software'), del('implementation'))],
  ['cpb3-capability-with-messaging-endpoint', 'resource', 'CapabilityStatement', CPB('cpb-3', "messaging.endpoint.empty() or kind = 'instance'"), 'error', 'CapabilityStatement', all(set('kind', 'capability'), del('implementation'), set('messaging', [{ endpoint: [{ protocol: { system: 'http://terminology.hl7.org/CodeSystem/message-transport', code: 'http' }, address: 'http://localhost/messages' }] }]))],
  ['cpb16-requirements-with-software', 'resource', 'CapabilityStatement', CPB('cpb-16', "(kind!='requirements') or (implementation.exists().not() and software.exists().not())"), 'error', 'CapabilityStatement', all(set('kind', 'requirements'), del('implementation'))],
  ['cpb0-metadata-without-name', 'resource', 'CapabilityStatement', CPB('cpb-0', "(warning) name.matches('[A-Z]([A-Za-z0-9_]){0,254}'): empty for a statement without a name, which the reference validator counts as failed"), 'warning', 'CapabilityStatement', del('name')],
  ['cpb0-name-without-capital', 'resource', 'CapabilityStatement', CPB('cpb-0', "(warning) name.matches('[A-Z]([A-Za-z0-9_]){0,254}')"), 'warning', 'CapabilityStatement', set('name', 'bcda api')],
  ['cpb-control-metadata', 'resource', 'CapabilityStatement', CPB('cpb-1', 'the mock statement as served, with a name'), 'valid', '', () => {}],
  // Bundle
  ['bdl1-total-on-collection', 'bundle', 'Bundle', BDL('bdl-1', "total.empty() or (type = 'searchset') or (type = 'history')"), 'error', 'Bundle', set('type', 'collection')],
  ['bdl2-search-on-collection', 'bundle', 'Bundle', BDL('bdl-2', "entry.search.empty() or (type = 'searchset')"), 'error', 'Bundle', all(set('type', 'collection'), del('total'), set('entry[0].search', { mode: 'match' }))],
  ['bdl3-batch-without-request', 'bundle', 'Bundle', BDL('bdl-3', 'entry.request mandatory for batch/transaction/history'), 'error', 'Bundle.entry[0].request', all(set('type', 'batch'), del('total'))],
  ['bdl5-entry-without-resource', 'bundle', 'Bundle', BDL('bdl-5', 'resource.exists() or request.exists() or response.exists()'), 'error', 'Bundle.entry[1]', set('entry[1]', { fullUrl: 'urn:uuid:6f1c6a3e-7a52-4a34-9c39-2a9d6f3c1b10' })],
  ['bdl7-duplicate-full-url', 'bundle', 'Bundle', BDL('bdl-7', 'fullUrl (with versionId) unique unless history'), 'error', 'Bundle.entry[1].fullUrl', all(set('entry[0].fullUrl', 'http://localhost/api/v2/jobs/9'), set('entry[1]', { fullUrl: 'http://localhost/api/v2/jobs/9', resource: { resourceType: 'Task', status: 'completed', intent: 'order' } }))],
  ['bdl8-versioned-full-url', 'bundle', 'Bundle', BDL('bdl-8', "fullUrl.contains('/_history/').not()"), 'error', 'Bundle.entry[0]', set('entry[0].fullUrl', 'http://localhost/fhir/Task/9/_history/1')],
  ['bdl9-document-without-identifier', 'bundle', 'Bundle', BDL('bdl-9', "type = 'document' implies (identifier.system.exists() and identifier.value.exists())"), 'error', 'Bundle', all(set('type', 'document'), del('total'), set('timestamp', '2026-06-01T12:00:00Z'), set('entry[0]', { fullUrl: 'urn:uuid:0b8e1c55-3f0d-4c5e-9d0c-2f4f8f6b7a10', resource: COMPOSITION }))],
  ['bdl12-message-without-header', 'bundle', 'Bundle', BDL('bdl-12', "type = 'message' implies entry.first().resource.is(MessageHeader)"), 'error', 'Bundle.entry', all(set('type', 'message'), del('total'))],
  ['bdl-control-searchset-full-urls', 'bundle', 'Bundle', BDL('bdl-7', 'distinct fullUrls'), 'valid', '', all(set('entry[0].fullUrl', 'http://localhost/api/v2/jobs/9'), set('entry[1]', { fullUrl: 'http://localhost/api/v2/jobs/10', resource: { resourceType: 'Task', status: 'completed', intent: 'order' } }))],
  ['bdl10-document-without-timestamp', 'bundle', 'Bundle', BDL('bdl-10', "type = 'document' implies (timestamp.hasValue())"), 'error', 'Bundle', all(set('type', 'document'), del('total'), set('identifier', { system: 'urn:ietf:rfc:3986', value: 'urn:uuid:5d0c2f4f-8f6b-4a10-9b8e-1c553f0d4c5e' }), set('entry[0]', { fullUrl: 'urn:uuid:0b8e1c55-3f0d-4c5e-9d0c-2f4f8f6b7a10', resource: COMPOSITION }))],
  ['bdl11-control-document', 'bundle', 'Bundle', BDL('bdl-9…bdl-11', 'a document with identifier, timestamp and a Composition first'), 'valid', '', all(set('type', 'document'), del('total'), set('timestamp', '2026-06-01T12:00:00Z'), set('identifier', { system: 'urn:ietf:rfc:3986', value: 'urn:uuid:5d0c2f4f-8f6b-4a10-9b8e-1c553f0d4c5e' }), set('entry[0]', { fullUrl: 'urn:uuid:0b8e1c55-3f0d-4c5e-9d0c-2f4f8f6b7a10', resource: COMPOSITION }))],
  // data types in Extension.value[x] and EOB items: rules generated from the R4 FHIRPath
  ['tim1-duration-without-unit', 'timing', 'Patient', TIM('tim-1', 'duration.empty() or durationUnit.exists()'), 'error', 'Patient.extension[4].valueTiming.repeat', set('extension[4]', { url: EXT, valueTiming: { repeat: { duration: 5 } } })],
  ['tim2-period-without-unit', 'timing', 'Patient', TIM('tim-2', 'period.empty() or periodUnit.exists()'), 'error', 'Patient.extension[4].valueTiming.repeat', set('extension[4]', { url: EXT, valueTiming: { repeat: { frequency: 1, period: 1 } } })],
  ['tim4-negative-duration', 'timing', 'Patient', TIM('tim-4', 'duration.exists() implies duration >= 0'), 'error', 'Patient.extension[4].valueTiming.repeat', set('extension[4]', { url: EXT, valueTiming: { repeat: { duration: -5, durationUnit: 'min' } } })],
  ['tim5-negative-period', 'timing', 'Patient', TIM('tim-5', 'period.exists() implies period >= 0'), 'error', 'Patient.extension[4].valueTiming.repeat', set('extension[4]', { url: EXT, valueTiming: { repeat: { period: -1, periodUnit: 'd' } } })],
  ['tim6-period-max-alone', 'timing', 'Patient', TIM('tim-6', 'periodMax.empty() or period.exists()'), 'error', 'Patient.extension[4].valueTiming.repeat', set('extension[4]', { url: EXT, valueTiming: { repeat: { periodMax: 2, periodUnit: 'd' } } })],
  ['tim7-duration-max-alone', 'timing', 'Patient', TIM('tim-7', 'durationMax.empty() or duration.exists()'), 'error', 'Patient.extension[4].valueTiming.repeat', set('extension[4]', { url: EXT, valueTiming: { repeat: { durationMax: 2, durationUnit: 'h' } } })],
  ['tim8-count-max-alone', 'timing', 'Patient', TIM('tim-8', 'countMax.empty() or count.exists()'), 'error', 'Patient.extension[4].valueTiming.repeat', set('extension[4]', { url: EXT, valueTiming: { repeat: { countMax: 3 } } })],
  ['tim9-offset-at-meal', 'timing', 'Patient', TIM('tim-9', "offset.empty() or (when.exists() and when.select($this in ('C' | 'CM' | 'CD' | 'CV')).allFalse())"), 'error', 'Patient.extension[4].valueTiming.repeat.offset', set('extension[4]', { url: EXT, valueTiming: { repeat: { when: ['CM'], offset: 30 } } })],
  ['tim10-time-of-day-and-when', 'timing', 'Patient', TIM('tim-10', 'timeOfDay.empty() or when.empty()'), 'error', 'Patient.extension[4].valueTiming.repeat', set('extension[4]', { url: EXT, valueTiming: { repeat: { timeOfDay: ['08:00:00'], when: ['MORN'] } } })],
  ['tim-control-schedule', 'timing', 'Patient', TIM('tim-1…tim-10', 'a daily schedule with units, an offset after waking'), 'valid', '', set('extension[4]', { url: EXT, valueTiming: { repeat: { boundsDuration: { value: 10, system: UCUM, code: 'd' }, count: 10, countMax: 12, duration: 5, durationMax: 10, durationUnit: 'min', frequency: 1, period: 1, periodMax: 2, periodUnit: 'd', when: ['WAKE'], offset: 30 } } })],
  ['age1-without-code', 'quantity', 'Patient', AGE1, 'error', 'Patient.extension[4].valueAge', set('extension[4]', { url: EXT, valueAge: { value: 42, unit: 'yr' } })],
  ['age1-negative', 'quantity', 'Patient', AGE1, 'error', 'Patient.extension[4].valueAge', set('extension[4]', { url: EXT, valueAge: { value: -1, system: UCUM, code: 'a' } })],
  ['age1-control-years', 'quantity', 'Patient', AGE1, 'valid', '', set('extension[4]', { url: EXT, valueAge: { value: 42, unit: 'yr', system: UCUM, code: 'a' } })],
  ['cnt3-fraction', 'quantity', 'Patient', CNT3, 'error', 'Patient.extension[4].valueCount', set('extension[4]', { url: EXT, valueCount: { value: 1.5, system: UCUM, code: '1' } })],
  ['cnt3-unit-not-one', 'quantity', 'Patient', CNT3, 'error', 'Patient.extension[4].valueCount', set('extension[4]', { url: EXT, valueCount: { value: 2, system: UCUM, code: 'mg' } })],
  ['cnt3-control-whole', 'quantity', 'Patient', CNT3, 'valid', '', set('extension[4]', { url: EXT, valueCount: { value: 2, system: UCUM, code: '1' } })],
  ['dis1-not-ucum', 'quantity', 'Patient', DIS1, 'error', 'Patient.extension[4].valueDistance', set('extension[4]', { url: EXT, valueDistance: { value: 5, system: 'http://example.org/units', code: 'km' } })],
  ['drt1-code-not-ucum', 'quantity', 'Patient', DRT1, 'error', 'Patient.extension[4].valueDuration', set('extension[4]', { url: EXT, valueDuration: { value: 5, system: 'http://example.org/units', code: 'min' } })],
  ['drt1-control-minutes', 'quantity', 'Patient', DRT1, 'valid', '', set('extension[4]', { url: EXT, valueDuration: { value: 5, system: UCUM, code: 'min' } })],
  ['sqty1-item-quantity-comparator', 'quantity', 'ExplanationOfBenefit', SQTY1, 'error', 'ExplanationOfBenefit.item[0].quantity', set('item[0].quantity.comparator', '<')],
  ['sqty1-control-quantity-comparator', 'quantity', 'Patient', 'Quantity (not SimpleQuantity) allows a comparator', 'valid', '', set('extension[4]', { url: EXT, valueQuantity: { value: 5, comparator: '<', system: UCUM, code: 'mg' } })],
  ['exp1-expression-empty', 'datatype', 'Patient', EXP1, 'error', 'Patient.extension[4].valueExpression', set('extension[4]', { url: EXT, valueExpression: { language: 'text/fhirpath', name: 'x' } })],
  ['drq1-path-and-search-param', 'datatype', 'Patient', DRQ1, 'error', 'Patient.extension[4].valueDataRequirement.codeFilter[0]', set('extension[4]', { url: EXT, valueDataRequirement: { type: 'Patient', codeFilter: [{ path: 'code', searchParam: 'code' }] } })],
  ['trd3-named-event-without-name', 'datatype', 'Patient', TRD3, 'error', 'Patient.extension[4].valueTriggerDefinition', set('extension[4]', { url: EXT, valueTriggerDefinition: { type: 'named-event' } })],
  ['trd1-data-and-timing', 'datatype', 'Patient', TRD('trd-1', 'data.empty() or timing.empty()'), 'error', 'Patient.extension[4].valueTriggerDefinition', set('extension[4]', { url: EXT, valueTriggerDefinition: { type: 'data-changed', timingDate: '2026-06-01', data: [{ type: 'Patient' }] } })],
  ['trd2-condition-without-data', 'datatype', 'Patient', TRD('trd-2', 'condition.exists() implies data.exists()'), 'error', 'Patient.extension[4].valueTriggerDefinition', set('extension[4]', { url: EXT, valueTriggerDefinition: { type: 'named-event', name: 'admission', condition: { language: 'text/fhirpath', expression: 'true' } } })],
  ['drq2-date-filter-without-path', 'datatype', 'Patient', 'drq-2 (DataRequirement.dateFilter): path.exists() xor searchParam.exists()', 'error', 'Patient.extension[4].valueDataRequirement.dateFilter[0]', set('extension[4]', { url: EXT, valueDataRequirement: { type: 'Patient', dateFilter: [{ valueDateTime: '2026-01-01' }] } })],
  ['obs6-value-and-absent-reason', 'contained', 'ExplanationOfBenefit', OBS6, 'error', 'ExplanationOfBenefit.contained[0]', withObservation({ valueQuantity: { value: 1.2, system: UCUM, code: 'mg/dL' }, dataAbsentReason: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: 'unknown' }] } })],
  ['obs3-reference-range-empty', 'contained', 'ExplanationOfBenefit', OBS3, 'error', 'ExplanationOfBenefit.contained[0].referenceRange[0]', withObservation({ valueQuantity: { value: 1.2, system: UCUM, code: 'mg/dL' }, referenceRange: [{ type: { text: 'normal' } }] })],
  ['obs-control-contained-lab', 'contained', 'ExplanationOfBenefit', OBS3, 'valid', '', withObservation({ valueQuantity: { value: 1.2, system: UCUM, code: 'mg/dL' }, referenceRange: [{ low: { value: 0.6, system: UCUM, code: 'mg/dL' }, high: { value: 1.3, system: UCUM, code: 'mg/dL' } }] })],
  ['obs7-component-repeats-code', 'contained', 'ExplanationOfBenefit', OBS7, 'error', 'ExplanationOfBenefit.contained[0].component[0].code', withObservation({ valueQuantity: { value: 1.2, system: UCUM, code: 'mg/dL' }, component: [{ code: { coding: [{ system: 'http://loinc.org', code: '2345-7' }] }, valueQuantity: { value: 1.2, system: UCUM, code: 'mg/dL' } }] })],
  ['obs7-second-coding-repeats-code', 'contained', 'ExplanationOfBenefit', OBS7, 'error', 'ExplanationOfBenefit.contained[0].component[1].code', withObservation({ valueString: 'high', component: [{ code: { text: 'glucose, other' }, valueString: 'x' }, { code: { coding: [{ system: 'http://example.org/labs', code: 'glu' }, { system: 'http://loinc.org', code: '2345-7' }] }, valueString: 'high' }] })],
  ['obs7-control-other-component-code', 'contained', 'ExplanationOfBenefit', OBS7, 'valid', '', withObservation({ valueQuantity: { value: 1.2, system: UCUM, code: 'mg/dL' }, component: [{ code: { coding: [{ system: 'http://loinc.org', code: '2339-0' }] }, valueQuantity: { value: 98, system: UCUM, code: 'mg/dL' } }] })],
  ['obs7-control-value-in-component-only', 'contained', 'ExplanationOfBenefit', OBS7, 'valid', '', withObservation({ component: [{ code: { coding: [{ system: 'http://loinc.org', code: '2345-7' }] }, valueQuantity: { value: 1.2, system: UCUM, code: 'mg/dL' } }] })],
  ['obs7-control-coding-differs-by-display', 'contained', 'ExplanationOfBenefit', OBS7_EQUAL, 'valid', '', withObservation({ valueQuantity: { value: 1.2, system: UCUM, code: 'mg/dL' }, component: [{ code: { coding: [{ system: 'http://loinc.org', code: '2345-7', display: 'Glucose' }] }, valueQuantity: { value: 1.2, system: UCUM, code: 'mg/dL' } }] })],
  ['trd-control-named-event', 'datatype', 'Patient', TRD3, 'valid', '', set('extension[4]', { url: EXT, valueTriggerDefinition: { type: 'named-event', name: 'admission' } })],
  ['org1-contained-without-name-or-identifier', 'contained', 'Claim', ORG('org-1', '(identifier.count() + name.count()) > 0'), 'error', 'Claim.contained[1]', all(del('contained[1].identifier'), set('contained[1].active', true))],
  ['org3-contained-home-telecom', 'contained', 'Claim', ORG('org-3', "Organization.telecom: where(use = 'home').empty()"), 'error', 'Claim.contained[1].telecom[0]', set('contained[1].telecom', [{ system: 'phone', value: '555-0100', use: 'home' }])],
  ['org-control-work-telecom', 'contained', 'Claim', ORG('org-3', 'a work telephone'), 'valid', '', set('contained[1].telecom', [{ system: 'phone', value: '555-0100', use: 'work' }])],
  // the narrative's XHTML
  ['txt1-script', 'narrative', 'Patient', TXT1, 'error', 'Patient.text.div', set('text', { status: 'generated', div: XHTML('<script>alert(1)</script>') })],
  ['txt1-event-attribute', 'narrative', 'Patient', TXT1, 'error', 'Patient.text.div', set('text', { status: 'generated', div: XHTML('<p onclick="go()">DANIEL</p>') })],
  ['txt1-no-namespace', 'narrative', 'Patient', TXT1, 'error', 'Patient.text.div', set('text', { status: 'generated', div: '<div><p>DANIEL</p></div>' })],
  ['txt1-not-well-formed', 'narrative', 'Patient', TXT1, 'error', 'Patient.text.div', set('text', { status: 'generated', div: XHTML('<p>DANIEL<br></p>') })],
  ['txt1-root-not-div', 'narrative', 'Patient', TXT1, 'error', 'Patient.text.div', set('text', { status: 'generated', div: '<p xmlns="http://www.w3.org/1999/xhtml">DANIEL</p>' })],
  ['txt1-control-narrative', 'narrative', 'Patient', TXT1, 'valid', '', set('text', { status: 'generated', div: XHTML('<p class="x">DANIEL <b>NITZSCHE</b> &amp; <a href="http://example.org/p">more</a>&#160;&nbsp;</p><br/><table><tr><td colspan="2">1</td></tr></table><!-- note -->') })],
  // codes of complete HL7 code systems, whatever the binding
  ['code-adjudication-category-unknown', 'codes', 'ExplanationOfBenefit', CODE, 'error', 'ExplanationOfBenefit.item[0].adjudication[0].category.coding[0].code', set('item[0].adjudication[0].category.coding[0].code', 'paid')],
  ['code-subscriber-relationship-unknown', 'codes', 'Coverage', CODE, 'error', 'Coverage.relationship.coding[0].code', set('relationship.coding[0].code', 'myself')],
  ['code-act-code-lower-case', 'codes', 'Coverage', CODE, 'error', 'Coverage.type.coding[0].code', set('type.coding[0].code', 'subsidiz')],
  ['code-fhir-gender-in-coding', 'codes', 'Patient', CODE, 'error', 'Patient.extension[4].valueCoding.code', set('extension[4]', { url: EXT, valueCoding: { system: 'http://hl7.org/fhir/administrative-gender', code: 'M' } })],
  ['code-control-fhir-gender', 'codes', 'Patient', CODE, 'valid', '', set('extension[4]', { url: EXT, valueCoding: { system: 'http://hl7.org/fhir/administrative-gender', code: 'male' } })],
  ['code-control-other-system', 'codes', 'Patient', CODE, 'valid', '', set('extension[4]', { url: EXT, valueCoding: { system: 'http://example.org/fhir/CodeSystem/gender', code: 'M' } })],
  ['code-control-hierarchy', 'codes', 'Coverage', CODE, 'valid', '', set('type.coding[0].code', 'MCPOL')],
  // displays of codes of complete HL7 code systems: a warning where the reference validator warns
  ['display-wrong-relationship', 'display', 'Coverage', DISPLAY, 'warning', 'Coverage.relationship.coding[0].display', set('relationship.coding[0].display', 'Spouse')],
  ['display-another-codes-adjudication', 'display', 'ExplanationOfBenefit', DISPLAY, 'warning', 'ExplanationOfBenefit.item[0].adjudication[0].category.coding[0].display', set('item[0].adjudication[0].category.coding[0].display', 'Submitted Amount')],
  ['display-wrong-in-extension-coding', 'display', 'Patient', DISPLAY, 'warning', 'Patient.extension[4].valueCoding.display', set('extension[4]', { url: EXT, valueCoding: { system: 'http://hl7.org/fhir/administrative-gender', code: 'male', display: 'Female' } })],
  ['display-inner-whitespace', 'display', 'Patient', DISPLAY_WS, 'warning', 'Patient.identifier[1].type.coding[0].display', set('identifier[1].type.coding[0].display', 'Member  Number')],
  ['display-control-case', 'display', 'Patient', DISPLAY, 'valid', '', set('identifier[0].type.coding[0].display', "PATIENT'S MEDICARE NUMBER")],
  ['display-control-designation', 'display', 'Patient', DISPLAY, 'valid', '', set('identifier[1].type.coding[0].display', 'Lidnummer')],
  ['display-control-other-system', 'display', 'Patient', DISPLAY, 'valid', '', set('extension[4]', { url: EXT, valueCoding: { system: 'http://example.org/fhir/CodeSystem/gender', code: 'male', display: 'Female' } })],
  ['display-control-code-system-display', 'display', 'Coverage', DISPLAY, 'valid', '', set('type.coding[0].display', 'subsidized health program')],
  // meta.profile
  ['profile-unknown-guide', 'profile', 'Patient', PROFILE, 'warning', 'Patient.meta.profile[1]', set('meta.profile[1]', 'http://example.org/fhir/StructureDefinition/my-patient')],
  ['profile-unknown-core-name', 'profile', 'Patient', PROFILE, 'warning', 'Patient.meta.profile[1]', set('meta.profile[1]', 'http://hl7.org/fhir/StructureDefinition/patient-bcda')],
  ['profile-control-core', 'profile', 'Patient', PROFILE, 'valid', '', set('meta.profile[1]', 'http://hl7.org/fhir/StructureDefinition/Patient')],
  ['profile-control-core-profile-versioned', 'profile', 'Patient', PROFILE, 'valid', '', set('meta.profile[1]', 'http://hl7.org/fhir/StructureDefinition/vitalsigns|4.0.1')],
  ['profile-control-us-core', 'profile', 'Patient', PROFILE, 'valid', '', set('meta.profile[1]', 'http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient|3.1.1')],
  // contained resources and local references
  ['ref1-local-reference-unresolved', 'contained', 'Claim', REF1, 'error', 'Claim.provider.reference', set('provider.reference', '#nobody')],
  ['ref1-local-reference-without-contained', 'contained', 'Coverage', REF1, 'error', 'Coverage.beneficiary.reference', set('beneficiary.reference', '#patient')],
  ['dom3-contained-unreferenced', 'contained', 'Claim', DOM3, 'error', 'Claim.contained[2]', set('contained[2]', { resourceType: 'Organization', id: 'unused', name: 'Unused' })],
  ['dom3-contained-without-id', 'contained', 'Claim', DOM3, 'error', 'Claim.contained[2]', set('contained[2]', { resourceType: 'Organization', name: 'No id' })],
  ['dom2-contained-contains', 'contained', 'ClaimResponse', DOM2, 'error', 'ClaimResponse.contained[0].contained', set('contained[0].contained', [{ resourceType: 'Organization', id: 'o2', name: 'Nested' }])],
  ['dom4-contained-version-id', 'contained', 'ClaimResponse', DOM4, 'error', 'ClaimResponse.contained[0].meta.versionId', set('contained[0].meta', { versionId: '1' })],
  ['dom4-contained-last-updated', 'contained', 'Claim', DOM4, 'error', 'Claim.contained[1].meta.lastUpdated', set('contained[1].meta', { lastUpdated: '2026-04-15T14:03:51.577Z' })],
  ['dom5-contained-security', 'contained', 'ClaimResponse', DOM5, 'error', 'ClaimResponse.contained[0].meta.security', set('contained[0].meta', { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }] })],
  ['dom3-control-refers-to-container', 'contained', 'ClaimResponse', DOM3, 'valid', '', set('contained[1]', { resourceType: 'Organization', id: 'o3', name: 'Back', partOf: { reference: '#' } })],
  ['dom3-control-second-local-reference', 'contained', 'Claim', DOM3, 'valid', '', all( set('contained[2]', { resourceType: 'Organization', id: 'payer', name: 'Payer' }), set('insurance[0].coverage', { reference: '#payer' }))],
];

function build() {
  const bases = baseResources();
  return MUTANTS.map(([name, category, type, rule, expect, at, mutate]) => {
    const resource = structuredClone(bases[type]);
    if (!resource) throw new Error(`no ${type} in the mock export`);
    mutate(resource);
    return { name, category, rule, expect, path: at, resource };
  });
}

const mutants = build();
if (process.argv.includes('--check')) {
  // Compared as data, so that formatting the file (prettier) does not make it stale.
  const current = fs.existsSync(OUT) ? JSON.stringify(JSON.parse(fs.readFileSync(OUT, 'utf8'))) : '';
  if (current !== JSON.stringify(mutants)) {
    console.error(`${path.relative(ROOT, OUT)} is not current: run node scripts/fhir-mutants.js`);
    process.exit(1);
  }
  process.exit(0);
}
fs.mkdirSync(path.dirname(OUT), { recursive: true });
fs.writeFileSync(OUT, JSON.stringify(mutants, null, 2) + '\n');
console.log(`fhir: wrote ${mutants.length} mutants to ${path.relative(ROOT, OUT)}`);
