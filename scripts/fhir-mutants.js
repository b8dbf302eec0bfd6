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
  out.CapabilityStatement = capabilityStatement({
    version: 'v2',
    base: 'http://localhost/api/v2',
    now: new Date('2026-06-01T12:00:00Z'),
  });
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
const EXT = 'http://example.org/fhir/StructureDefinition/test';
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
  ['qty3-code-without-system', 'qty-3', 'ExplanationOfBenefit', QTY3, 'error', 'ExplanationOfBenefit.supportingInfo[0].valueQuantity.system', set('supportingInfo[0].valueQuantity', { value: 5, code: 'mg' })],
  ['qty3-control-ucum', 'qty-3', 'ExplanationOfBenefit', QTY3, 'valid', '', set('supportingInfo[0].valueQuantity', { value: 5, system: 'http://unitsofmeasure.org', code: 'mg' })],
  ['pat1-contact-without-details', 'pat-1', 'Patient', PAT1, 'error', 'Patient.contact[0]', set('contact', [{ gender: 'female' }])],
  ['pat1-control-contact-name', 'pat-1', 'Patient', PAT1, 'valid', '', set('contact', [{ name: { family: 'NITZSCHE' } }])],
  ['inv1-task-modified-before-authored', 'resource', 'Task', INV1, 'error', 'Task.lastModified', all(set('authoredOn', '2026-06-01T12:00:00Z'), set('lastModified', '2026-06-01T11:00:00Z'))],
  ['inv1-control-task-modified-after-authored', 'resource', 'Task', INV1, 'valid', '', all(set('authoredOn', '2026-06-01T12:00:00Z'), set('lastModified', '2026-06-01T12:05:00Z'))],
  // data types inside the resources
  ['cpt2-telecom-without-system', 'datatype', 'Patient', CPT2, 'error', 'Patient.telecom[0].system', set('telecom', [{ value: '555-0100' }])],
  ['cpt2-control-telecom-phone', 'datatype', 'Patient', CPT2, 'valid', '', set('telecom', [{ system: 'phone', value: '555-0100' }])],
  ['att1-photo-without-content-type', 'datatype', 'Patient', ATT1, 'error', 'Patient.photo[0].contentType', set('photo', [{ data: 'aGVsbG8=' }])],
  ['rat1-numerator-only', 'datatype', 'Patient', RAT1, 'error', 'Patient.extension[4].valueRatio', set('extension[4]', { url: EXT, valueRatio: { numerator: { value: 1 } } })],
  ['rng2-low-above-high', 'datatype', 'Patient', RNG2, 'error', 'Patient.extension[4].valueRange', set('extension[4]', { url: EXT, valueRange: { low: { value: 5 }, high: { value: 1 } } })],
  ['rng2-control-other-units', 'datatype', 'Patient', RNG2, 'valid', '', set('extension[4]', { url: EXT, valueRange: { low: { value: 5, unit: 'g' }, high: { value: 1, unit: 'kg' } } })],
  // CapabilityStatement (the mock's /metadata)
  ['cpb1-no-rest', 'resource', 'CapabilityStatement', CPB('cpb-1', 'rest.exists() or messaging.exists() or document.exists()'), 'error', 'CapabilityStatement', del('rest')],
  ['cpb14-instance-without-implementation', 'resource', 'CapabilityStatement', CPB('cpb-14', "(kind != 'instance') or implementation.exists()"), 'error', 'CapabilityStatement.implementation', del('implementation')],
  ['cpb15-capability-with-implementation', 'resource', 'CapabilityStatement', CPB('cpb-15', "(kind != 'capability') or (implementation.exists().not() and software.exists())"), 'error', 'CapabilityStatement.implementation', set('kind', 'capability')],
  ['cpb9-rest-mode-twice', 'resource', 'CapabilityStatement', CPB('cpb-9', 'rest.select(mode).isDistinct()'), 'error', 'CapabilityStatement.rest[1].mode', (r) => r.rest.push({ mode: 'server' })],
  ['cpb12-resource-type-twice', 'resource', 'CapabilityStatement', CPB('cpb-12', 'resource.select(type).isDistinct()'), 'error', 'CapabilityStatement.rest[0].resource[1].type', set('rest[0].resource', [{ type: 'Patient' }, { type: 'Patient' }])],
  ['cpb-control-metadata', 'resource', 'CapabilityStatement', CPB('cpb-1', 'the mock statement as served'), 'valid', '', () => {}],
  // Bundle
  ['bdl1-total-on-collection', 'bundle', 'Bundle', BDL('bdl-1', "total.empty() or (type = 'searchset') or (type = 'history')"), 'error', 'Bundle.total', set('type', 'collection')],
  ['bdl2-search-on-collection', 'bundle', 'Bundle', BDL('bdl-2', "entry.search.empty() or (type = 'searchset')"), 'error', 'Bundle.entry[0].search', all(set('type', 'collection'), del('total'), set('entry[0].search', { mode: 'match' }))],
  ['bdl3-batch-without-request', 'bundle', 'Bundle', BDL('bdl-3', 'entry.request mandatory for batch/transaction/history'), 'error', 'Bundle.entry[0].request', all(set('type', 'batch'), del('total'))],
  ['bdl5-entry-without-resource', 'bundle', 'Bundle', BDL('bdl-5', 'resource.exists() or request.exists() or response.exists()'), 'error', 'Bundle.entry[1]', set('entry[1]', { fullUrl: 'urn:uuid:6f1c6a3e-7a52-4a34-9c39-2a9d6f3c1b10' })],
  ['bdl7-duplicate-full-url', 'bundle', 'Bundle', BDL('bdl-7', 'fullUrl (with versionId) unique unless history'), 'error', 'Bundle.entry[1].fullUrl', all(set('entry[0].fullUrl', 'http://localhost/api/v2/jobs/9'), set('entry[1]', { fullUrl: 'http://localhost/api/v2/jobs/9', resource: { resourceType: 'Task', status: 'completed', intent: 'order' } }))],
  ['bdl8-versioned-full-url', 'bundle', 'Bundle', BDL('bdl-8', "fullUrl.contains('/_history/').not()"), 'error', 'Bundle.entry[0].fullUrl', set('entry[0].fullUrl', 'http://localhost/fhir/Task/9/_history/1')],
  ['bdl9-document-without-identifier', 'bundle', 'Bundle', BDL('bdl-9', "type = 'document' implies (identifier.system.exists() and identifier.value.exists())"), 'error', 'Bundle.identifier', all(set('type', 'document'), del('total'))],
  ['bdl12-message-without-header', 'bundle', 'Bundle', BDL('bdl-12', "type = 'message' implies entry.first().resource.is(MessageHeader)"), 'error', 'Bundle.entry', all(set('type', 'message'), del('total'))],
  ['bdl-control-searchset-full-urls', 'bundle', 'Bundle', BDL('bdl-7', 'distinct fullUrls'), 'valid', '', all(set('entry[0].fullUrl', 'http://localhost/api/v2/jobs/9'), set('entry[1]', { fullUrl: 'http://localhost/api/v2/jobs/10', resource: { resourceType: 'Task', status: 'completed', intent: 'order' } }))],
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
