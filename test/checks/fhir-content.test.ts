/**
 * The seed 002 content checks (what a claim, a Patient and a Coverage hold) as the run judges them:
 * on the files of every export followed, passing on BFD's samples, failing on a broken resource,
 * and skipping an export that holds no resource of the rule's type.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import type { ExportRun } from '../../src/checks/context';
import { fhirChecks } from '../../src/checks/fhir';
import type { ApiVersion } from '../../src/core/vocabulary';
import { validateNdjson } from '../../src/fhir';
import { fakeContext } from './fake-context';

type Json = Record<string, unknown>;

const SAMPLES: Json[] = fs
  .readFileSync(path.join(__dirname, '..', 'fhir', 'bfd-v2-samples.ndjson'), 'utf8')
  .replaceAll('"IGNORED_FIELD"', '"2024-01-02T03:04:05.000+00:00"')
  .trimEnd()
  .split('\n')
  .map((l) => JSON.parse(l) as Json);

const ofType = (type: string) => SAMPLES.filter((r) => r.resourceType === type);

/** An export whose files (one per type) hold `resources`, validated as the download flow does. */
async function exportOf(resources: Json[], version: ApiVersion = 'v2', name = 'main'): Promise<ExportRun> {
  const types = [...new Set(resources.map((r) => String(r.resourceType)))];
  const downloads = await Promise.all(
    types.map(async (type, i) => {
      const url = `http://t/data/1/${type}.ndjson`;
      const text = resources
        .filter((r) => r.resourceType === type)
        .map((r) => JSON.stringify(r) + '\n')
        .join('');
      const validation = await validateNdjson(Readable.from([Buffer.from(text)]), {
        file: url,
        kind: 'output',
        expectedType: type,
        apiVersion: version,
      });
      return {
        item: { type, url },
        kind: 'output' as const,
        exchangeId: `d${i}`,
        status: 200,
        wireBytes: text.length,
        bytes: text.length,
        sentToken: true,
        acceptedGzip: false,
        validation,
      };
    }),
  );
  return { name, kickoffUrl: `http://t/api/${version}/Group/all/$export`, polls: [], downloads };
}

async function outcomeOf(id: string, runs: ExportRun[], version: ApiVersion = 'v2') {
  const check = fhirChecks.find((c) => c.id === id);
  if (!check) throw new Error(`no check ${id}`);
  return check.run(fakeContext({ version, exports: runs }).ctx);
}

/** A deep copy with `change` applied. */
function changed(resource: Json, change: (r: Json) => void): Json {
  const copy = structuredClone(resource);
  change(copy);
  return copy;
}

const patient = ofType('Patient')[0]!;
const coverage = ofType('Coverage')[0]!;
const claims = ofType('ExplanationOfBenefit');

const CASES: Array<{ id: string; type: string; broken: Json }> = [
  {
    id: 'FHIR-EOB-CLAIM-CONTENT',
    type: 'ExplanationOfBenefit',
    broken: changed(claims[0]!, (r) => delete r.diagnosis),
  },
  {
    id: 'FHIR-PATIENT-MBI-CURRENCY',
    type: 'Patient',
    broken: changed(patient, (r) => {
      for (const i of r.identifier as Json[])
        for (const c of (i.type as Json).coding as Json[]) delete c.extension;
    }),
  },
  {
    id: 'FHIR-PATIENT-DEMOGRAPHICS',
    type: 'Patient',
    broken: changed(patient, (r) => delete r.address),
  },
  {
    id: 'FHIR-COVERAGE-PART-CLASS',
    type: 'Coverage',
    broken: changed(coverage, (r) => delete r.class),
  },
  {
    id: 'FHIR-COVERAGE-ESRD-OASI',
    type: 'Coverage',
    broken: changed(coverage, (r) => {
      r.extension = (r.extension as Json[]).filter((e) => !/ms_cd|esrd_ind/.test(String(e.url)));
    }),
  },
];

describe.each(CASES)('$id', ({ id, type, broken }) => {
  it("passes on BFD's samples", async () => {
    const outcome = await outcomeOf(id, [await exportOf(SAMPLES)]);
    expect([outcome.outcome, outcome.message]).toEqual([
      'pass',
      expect.stringContaining(`${type} resource(s) in 1 file(s) checked`),
    ]);
  });

  it('fails on a resource that breaks it, naming the export', async () => {
    const others = SAMPLES.filter((r) => r.resourceType !== type);
    const runs = [
      await exportOf(SAMPLES),
      await exportOf([...others, broken, ...SAMPLES.filter((r) => r.resourceType === type)], 'v2', 'typed'),
    ];
    const outcome = await outcomeOf(id, runs);
    expect(outcome.outcome).toBe('fail');
    expect(outcome.message).toContain('typed');
    expect(outcome.message).toContain(':1 ');
  });

  it(`skips an export without ${type}`, async () => {
    const outcome = await outcomeOf(id, [await exportOf(SAMPLES.filter((r) => r.resourceType !== type))]);
    expect([outcome.outcome, outcome.message]).toEqual(['skip', expect.stringContaining(`no ${type}`)]);
  });
});

describe('versions', () => {
  it('the MBI currency is a v2 rule, the Coverage rules v1 and v2, the others every version', () => {
    const versions = (id: string) => fhirChecks.find((c) => c.id === id)?.versions;
    expect(versions('FHIR-PATIENT-MBI-CURRENCY')).toEqual(['v2']);
    expect(versions('FHIR-COVERAGE-PART-CLASS')).toEqual(['v1', 'v2']);
    expect(versions('FHIR-COVERAGE-ESRD-OASI')).toEqual(['v1', 'v2']);
    expect(versions('FHIR-EOB-CLAIM-CONTENT')).toBeUndefined();
    expect(versions('FHIR-PATIENT-DEMOGRAPHICS')).toBeUndefined();
  });

  it('a v1 export with STU3 Coverage grouping passes', async () => {
    const stu3 = changed(coverage, (r) => {
      delete r.class;
      delete r.meta;
      r.grouping = { subGroup: 'Medicare', subPlan: 'Part A' };
    });
    const outcome = await outcomeOf('FHIR-COVERAGE-PART-CLASS', [await exportOf([stu3], 'v1')], 'v1');
    expect(outcome.outcome).toBe('pass');
  });
});
