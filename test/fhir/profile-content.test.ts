/**
 * The content rules from seed 002 (what a claim, a Patient and a Coverage hold), on BFD's own
 * resources and on cases of their own.
 *
 * bfd-v2-samples.ndjson: BFD's v2 endpoint responses for a Patient, a Part A Coverage and one
 * ExplanationOfBenefit of each claim type (CMSgov/beneficiary-fhir-data,
 * apps/bfd-server/bfd-server-war/src/test/resources/endpoint-responses/v2/, commit 62b2d2e8;
 * a U.S. government work in the public domain), one per line with keys sorted as BCDA re-serializes
 * them. Their `meta.lastUpdated` and `created` hold BFD's test placeholder `IGNORED_FIELD`, replaced
 * here by an instant before validating.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import { RULE, validateNdjson } from '../../src/fhir';
import { IDENTIFIER_CURRENCY, checkProfileRules, type ProfileContext } from '../../src/fhir/profile-rules';
import type { ApiVersion } from '../../src/core/vocabulary';

type Json = Record<string, unknown>;

const CONTENT_RULES = [
  RULE.eobContent,
  RULE.mbiCurrency,
  RULE.demographics,
  RULE.coveragePart,
  RULE.coverageMarkers,
] as const;

const SAMPLES = fs
  .readFileSync(path.join(__dirname, 'bfd-v2-samples.ndjson'), 'utf8')
  .replaceAll('"IGNORED_FIELD"', '"2024-01-02T03:04:05.000+00:00"')
  .trimEnd()
  .split('\n');

/**
 * BFD's carrier and HHA samples give their principal diagnosis type (ex-diagnosistype#principal)
 * the display `principal`, where R4 and the other claim types have `Principal Diagnosis`: the HL7
 * validator warns of a wrong display there, and so does ours (a warning, not an error).
 */
const WRONG_DISPLAY = ['carrier-9991831999', 'hha-2925555555'];

const sample = (type: string, idPrefix = ''): Json => {
  const line = SAMPLES.map((l) => JSON.parse(l) as Json).find(
    (r) => r.resourceType === type && String(r.id).startsWith(idPrefix),
  );
  if (!line) throw new Error(`no ${type} ${idPrefix} sample`);
  return line;
};

/** A deep copy to change. */
const copy = <T>(value: T): T => structuredClone(value);

function issues(res: Json, ctx: ProfileContext = { apiVersion: 'v2' }): string[] {
  const out: string[] = [];
  checkProfileRules(res, String(res.resourceType), ctx, (ruleId, p) => {
    if ((CONTENT_RULES as readonly string[]).includes(ruleId)) out.push(`${ruleId} ${p}`);
  });
  return out;
}

describe("BFD's v2 samples raise no issue", () => {
  it('holds the ten samples: Patient, Coverage and the eight claim types', () => {
    expect(SAMPLES.map((l) => (JSON.parse(l) as Json).id)).toEqual([
      '567834',
      'part-a-567834',
      'carrier-9991831999',
      'dme-2188888888',
      'hha-2925555555',
      'hospice-9992223422',
      'inpatient-333333222222',
      'outpatient-1234567890',
      'pde-89',
      'snf-777777777',
    ]);
  });

  it.each(['v1', 'v2'] as const)('under every rule of the validator, as %s data', async (apiVersion) => {
    // Each sample in a file of its own type, as an export has them.
    for (const line of SAMPLES) {
      const resource = JSON.parse(line) as Json;
      const type = String(resource.resourceType);
      const summary = await validateNdjson(Readable.from([Buffer.from(line + '\n')]), {
        file: type,
        kind: 'output',
        expectedType: type,
        apiVersion,
      });
      // v1 expects no C4BB profile (these are v2 resources): that rule aside, nothing but the
      // display warning the HL7 validator gives too (below), where the R4 schema applies.
      const expected =
        apiVersion === 'v2' && WRONG_DISPLAY.includes(String(resource.id))
          ? [
              {
                severity: 'warning',
                ruleId: RULE.schema,
                path: 'ExplanationOfBenefit.diagnosis[0].type[0].coding[0].display',
              },
            ]
          : [];
      expect(
        summary.issues
          .filter((i) => i.ruleId !== RULE.profileMeta)
          .map(({ severity, ruleId, path }) => ({ severity, ruleId, path })),
      ).toEqual(expected);
      expect(summary.validatedLines).toBe(1);
    }
  });

  it('under the content rules as v3 data too', () => {
    for (const line of SAMPLES) expect(issues(JSON.parse(line) as Json, { apiVersion: 'v3' })).toEqual([]);
  });
});

/** STU3 resources shaped as BFD's v1 writes them (bcda-app shared_files/synthetic_beneficiary_data). */
const V1_PATIENT: Json = {
  resourceType: 'Patient',
  id: '-20000000000001',
  identifier: [
    { system: 'https://bluebutton.cms.gov/resources/variables/bene_id', value: '-20000000000001' },
  ],
  name: [{ use: 'usual', family: 'Doe', given: ['Jane', 'X'] }],
  gender: 'unknown',
  birthDate: '2000-06-01',
  address: [{ district: '999', state: '47', postalCode: '99999' }],
};
const v1Coverage = (part: 'A' | 'B' | 'D', variables: Record<string, string>): Json => ({
  resourceType: 'Coverage',
  id: `part-${part.toLowerCase()}--20000000000001`,
  extension: Object.entries(variables).map(([v, code]) => ({
    url: `https://bluebutton.cms.gov/resources/variables/${v}`,
    valueCoding: { system: `https://bluebutton.cms.gov/resources/variables/${v}`, code },
  })),
  status: 'active',
  type: { coding: [{ system: 'Medicare', code: `Part ${part}` }] },
  beneficiary: { reference: 'Patient/-20000000000001' },
  grouping: { subGroup: 'Medicare', subPlan: `Part ${part}` },
});
const V1_EOB: Json = {
  resourceType: 'ExplanationOfBenefit',
  id: 'carrier--10000000000001',
  patient: { reference: 'Patient/-20000000000001' },
  billablePeriod: { start: '2017-01-01', end: '2017-01-01' },
  careTeam: [{ sequence: 1, provider: { identifier: { value: '1234567890' } } }],
  diagnosis: [{ sequence: 1, diagnosisCodeableConcept: { coding: [{ code: 'R05' }] } }],
  item: [{ sequence: 1, servicedDate: '2017-01-01' }],
  totalCost: { value: 120.5 },
};

describe('v1 (STU3) shapes are accepted', () => {
  const v1: ProfileContext = { apiVersion: 'v1' };
  it('Patient, Coverage with grouping, EOB with totalCost', () => {
    expect(issues(V1_PATIENT, v1)).toEqual([]);
    expect(issues(v1Coverage('A', { ms_cd: '10', orec: '0', crec: '0', esrd_ind: '0' }), v1)).toEqual([]);
    expect(issues(v1Coverage('B', { ms_cd: '10' }), v1)).toEqual([]);
    expect(issues(v1Coverage('D', { ms_cd: '10' }), v1)).toEqual([]);
    expect(issues(V1_EOB, v1)).toEqual([]);
  });

  it('but not as v2 data, where R4 has no grouping or totalCost', () => {
    expect(issues(v1Coverage('B', { ms_cd: '10' }))).toEqual([
      `${RULE.coveragePart} Coverage.class`,
      `${RULE.coveragePart} Coverage.class`,
    ]);
    const eob = { ...copy(V1_EOB), item: [{ sequence: 1 }] };
    expect(issues(eob)).toEqual([`${RULE.eobContent} ExplanationOfBenefit.total`]);
  });
});

describe('ExplanationOfBenefit content (seed 002: lines, when, provider, cost, diagnoses)', () => {
  const carrier = sample('ExplanationOfBenefit', 'carrier-');
  const pde = sample('ExplanationOfBenefit', 'pde-');

  it.each([
    ['item', 'ExplanationOfBenefit.item'],
    ['diagnosis', 'ExplanationOfBenefit.diagnosis'],
  ])('flags a claim without %s', (key, where) => {
    const eob = copy(carrier);
    delete eob[key];
    expect(issues(eob)).toEqual([`${RULE.eobContent} ${where}`]);
  });

  it('takes a line serviced date when billablePeriod is missing, and flags a claim with neither', () => {
    const eob = copy(carrier);
    delete eob.billablePeriod;
    expect(issues(eob)).toEqual([]);
    for (const item of eob.item as Json[]) delete item.servicedPeriod;
    expect(issues(eob)).toEqual([`${RULE.eobContent} ExplanationOfBenefit.billablePeriod`]);
    (eob.item as Json[])[0]!.servicedDate = '1999-10-27';
    expect(issues(eob)).toEqual([]);
  });

  it('takes a care team member for the provider, and flags a claim with neither', () => {
    const eob = copy(carrier);
    delete eob.provider;
    expect(issues(eob)).toEqual([]);
    delete eob.careTeam;
    expect(issues(eob, { apiVersion: 'v3' })).toEqual([`${RULE.eobContent} ExplanationOfBenefit.provider`]);
  });

  it('on v2 wants the performing provider in careTeam: provider is the billing one', () => {
    // Every one of BFD's eight v2 samples names it there (performing, attending or prescribing).
    const eob = copy(carrier);
    delete eob.careTeam;
    expect(issues(eob)).toEqual([`${RULE.eobContent} ExplanationOfBenefit.careTeam`]);
    expect(issues(eob, { apiVersion: 'v3' })).toEqual([]);
    expect(issues(eob, { apiVersion: 'v1' })).toEqual([]);
  });

  it("on v2 takes the pharmacy (provider) as a drug event's performer when it names no prescriber", () => {
    const eob = copy(pde);
    delete eob.careTeam;
    expect(eob.provider).toEqual(expect.any(Object));
    expect(issues(eob)).toEqual([]);
    delete eob.provider;
    expect(issues(eob)).toEqual([`${RULE.eobContent} ExplanationOfBenefit.careTeam`]);
  });

  it('takes a total, the payment or a line amount for the cost, and flags a claim with none', () => {
    const eob = copy(carrier);
    delete eob.total;
    delete eob.payment;
    expect(issues(eob)).toEqual([]); // the lines' adjudication amounts
    for (const item of eob.item as Json[]) delete item.adjudication;
    expect(issues(eob)).toEqual([`${RULE.eobContent} ExplanationOfBenefit.total`]);
    eob.payment = { amount: { value: 1, currency: 'USD' } };
    expect(issues(eob)).toEqual([]);
  });

  it('asks no diagnosis of a Part D event, by id prefix or by claim type', () => {
    expect(pde.diagnosis).toBeUndefined();
    expect(issues(pde)).toEqual([]);
    const renamed = { ...copy(pde), id: 'claim-89' };
    expect(issues(renamed)).toEqual([]);
    const untyped = { ...renamed, type: { coding: [{ code: 'professional' }] } };
    expect(issues(untyped)).toEqual([`${RULE.eobContent} ExplanationOfBenefit.diagnosis`]);
  });

  it('is judged in every version', () => {
    const eob = copy(carrier);
    delete eob.item;
    for (const apiVersion of ['v1', 'v2', 'v3'] as const)
      expect(issues(eob, { apiVersion })).toContain(`${RULE.eobContent} ExplanationOfBenefit.item`);
  });
});

describe('Patient MBI form', () => {
  const patient = sample('Patient');
  const mbiIssues = (p: Json, apiVersion: ApiVersion = 'v2'): string[] => {
    const out: string[] = [];
    checkProfileRules(p, 'Patient', { apiVersion }, (ruleId, at) => {
      if (ruleId === RULE.mbi) out.push(at);
    });
    return out;
  };

  it("takes BFD's sample: its replaced MBIs are test numbers, its current one has the MBI form", () => {
    expect(mbiIssues(patient)).toEqual([]);
  });

  it('flags a Patient whose MBI identifiers all hold another number (its bene_id), in every version', () => {
    const p = copy(patient);
    for (const i of p.identifier as Json[])
      if (i.system === 'http://hl7.org/fhir/sid/us-mbi') i.value = '-10000000000001';
    for (const v of ['v1', 'v2', 'v3'] as const) expect(mbiIssues(p, v)).toEqual(['Patient.identifier']);
  });

  it('takes a synthetic MBI (S in second place)', () => {
    const p = copy(patient);
    for (const i of p.identifier as Json[])
      if (i.system === 'http://hl7.org/fhir/sid/us-mbi') i.value = '1S00E00AA00';
    expect(mbiIssues(p)).toEqual([]);
  });
});

describe('Patient MBI currency (v2)', () => {
  const patient = sample('Patient');
  const mbis = (p: Json) =>
    (p.identifier as Json[]).filter((i) => i.system === 'http://hl7.org/fhir/sid/us-mbi');
  const codingOf = (i: Json) => ((i.type as Json).coding as Json[])[0]!;

  it('the sample has one current and three historic MBIs', () => {
    const codes = mbis(patient).map((i) => ((codingOf(i).extension as Json[])[0]!.valueCoding as Json).code);
    expect(codes.sort()).toEqual(['current', 'historic', 'historic', 'historic']);
  });

  it('flags an MBI without the extension, or with another code', () => {
    const p = copy(patient);
    delete codingOf(mbis(p)[0]!).extension;
    expect(issues(p)).toEqual([`${RULE.mbiCurrency} Patient.identifier`]);
    const q = copy(patient);
    ((codingOf(mbis(q)[0]!).extension as Json[])[0]!.valueCoding as Json).code = 'old';
    expect(issues(q)).toEqual([`${RULE.mbiCurrency} Patient.identifier`]);
  });

  it('flags two current MBIs', () => {
    const p = copy(patient);
    for (const i of mbis(p)) ((codingOf(i).extension as Json[])[0]!.valueCoding as Json).code = 'current';
    expect(issues(p)).toEqual([`${RULE.mbiCurrency} Patient.identifier`]);
  });

  it('accepts the extension on the identifier itself', () => {
    const p = copy(patient);
    for (const i of mbis(p)) {
      i.extension = codingOf(i).extension;
      delete codingOf(i).extension;
    }
    expect(issues(p)).toEqual([]);
    expect(IDENTIFIER_CURRENCY).toBe('https://bluebutton.cms.gov/resources/codesystem/identifier-currency');
  });

  it.each(['v1', 'v3'] as const)('is not judged in %s', (apiVersion) => {
    const p = copy(patient);
    for (const i of mbis(p)) delete codingOf(i).extension;
    expect(issues(p, { apiVersion })).toEqual([]);
  });
});

describe('Patient demographics', () => {
  const patient = sample('Patient');

  it.each(['name', 'birthDate', 'gender', 'address'])(
    'flags a Patient without %s in every version',
    (key) => {
      const p = copy(patient);
      delete p[key];
      for (const apiVersion of ['v1', 'v2', 'v3'] as ApiVersion[])
        expect(issues(p, { apiVersion })).toEqual([`${RULE.demographics} Patient.${key}`]);
    },
  );

  it('wants a name that names someone', () => {
    expect(issues({ ...copy(patient), name: [{ use: 'usual' }] })).toEqual([
      `${RULE.demographics} Patient.name`,
    ]);
    expect(issues({ ...copy(patient), name: [{ text: 'JOHN DOE' }] })).toEqual([]);
    expect(issues({ ...copy(patient), name: [{ given: ['JOHN'] }] })).toEqual([]);
  });
});

describe('Coverage part and markers', () => {
  const partA = sample('Coverage');
  const classes = (c: Json) => c.class as Json[];
  const withExtensions = (c: Json, keep: (url: string) => boolean): Json => ({
    ...copy(c),
    extension: (c.extension as Json[]).filter((e) => keep(String(e.url))),
  });
  const variable = (url: string) => url.replace('https://bluebutton.cms.gov/resources/variables/', '');

  it('the sample names group Medicare and plan Part A, and carries all four markers', () => {
    expect(classes(partA).map((c) => c.value)).toEqual(['Medicare', 'Part A']);
    expect((partA.extension as Json[]).map((e) => variable(String(e.url))).slice(0, 4)).toEqual([
      'ms_cd',
      'orec',
      'crec',
      'esrd_ind',
    ]);
  });

  it('flags a Coverage without the plan class, or without the group class', () => {
    const noPlan = { ...copy(partA), class: [classes(partA)[0]] };
    expect(issues(noPlan)).toEqual([`${RULE.coveragePart} Coverage.class`]);
    const noGroup = { ...copy(partA), class: [classes(partA)[1]] };
    expect(issues(noGroup)).toEqual([`${RULE.coveragePart} Coverage.class`]);
  });

  it('flags a plan that names another part than the id', () => {
    const c = copy(partA);
    classes(c)[1]!.value = 'Part B';
    expect(issues(c)).toEqual([`${RULE.coveragePart} Coverage.class`]);
    expect(issues({ ...c, id: 'part-b-567834' })).toEqual([]);
  });

  it('takes either ESRD marker and either entitlement reason on Part A', () => {
    expect(issues(withExtensions(partA, (u) => !/esrd_ind|crec$/.test(u)))).toEqual([]);
    expect(issues(withExtensions(partA, (u) => !/ms_cd|orec$/.test(u)))).toEqual([]);
  });

  it('flags Part A without an ESRD marker, or without an entitlement reason', () => {
    expect(issues(withExtensions(partA, (u) => !/esrd_ind|ms_cd/.test(u)))).toEqual([
      `${RULE.coverageMarkers} Coverage.extension`,
    ]);
    expect(issues(withExtensions(partA, (u) => !/orec|crec/.test(u)))).toEqual([
      `${RULE.coverageMarkers} Coverage.extension`,
    ]);
  });

  it('asks no markers of Part B, C or D, where BFD writes ms_cd alone or nothing', () => {
    const bare = withExtensions(partA, () => false);
    for (const part of ['b', 'c', 'd']) {
      const c = { ...copy(bare), id: `part-${part}-567834` };
      classes(c)[1]!.value = `Part ${part.toUpperCase()}`;
      expect(issues(c)).toEqual([]);
    }
  });

  it('is not judged in v3', () => {
    const c = { ...withExtensions(partA, () => false), class: undefined };
    expect(issues(c, { apiVersion: 'v3' })).toEqual([]);
    expect(issues(c).length).toBeGreaterThan(0);
  });
});
