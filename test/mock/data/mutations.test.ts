import { Readable } from 'node:stream';
import { RULE, checkExportReferences, getResourceValidator, validateNdjson } from '../../../src/fhir';
import { MISSING_PATIENT_ID, fileLines, planExport } from '../../../src/mock/data';
import type { ContentMutation, ExportSpec, PlannedFile } from '../../../src/mock/data/types';
import { ACOS, spec, validateExport, type Json } from './helpers';

const ALL_TYPES: ExportSpec['types'] = [
  'Patient',
  'Coverage',
  'ExplanationOfBenefit',
  'Claim',
  'ClaimResponse',
];

jest.setTimeout(60_000);

function withMutation(
  mutation: ContentMutation,
  version: ExportSpec['version'] = 'v2',
): { s: ExportSpec; outputs: PlannedFile[]; clean: ExportSpec } {
  const clean = spec({ aco: ACOS.TEST001!, types: ALL_TYPES, version });
  const s = { ...clean, mutations: [mutation] };
  return { s, clean, outputs: planExport(s).filter((f) => f.kind === 'output') };
}

describe('content mutations', () => {
  test('the plan does not change with mutations', () => {
    const { s, clean } = withMutation('invalid-resource');
    expect(planExport(s)).toEqual(planExport(clean));
  });

  test('invalid-resource: the first line of each data file fails the R4 schema, the rest pass', () => {
    const { s, outputs } = withMutation('invalid-resource');
    const { validate } = getResourceValidator();
    for (const file of outputs) {
      const lines = [...fileLines(s, file)].map((l) => JSON.parse(l) as unknown);
      expect(validate(lines[0])).toBe(false);
      expect(lines.slice(1).every((r) => validate(r))).toBe(true);
    }
  });

  test('wrong-resource-type: each data file holds one resource of another type', () => {
    const { s, clean, outputs } = withMutation('wrong-resource-type');
    for (const file of outputs) {
      const types = [...fileLines(s, file)].map((l) => (JSON.parse(l) as Json).resourceType);
      expect(types.filter((t) => t !== file.type)).toHaveLength(1);
      expect(types.length).toBe([...fileLines(clean, file)].length + 1);
    }
  });

  test('broken-reference: EOB.patient and Coverage.beneficiary name a Patient that is not in the export', async () => {
    const { s, outputs } = withMutation('broken-reference');
    const patients = new Set<string>();
    for (const f of outputs.filter((o) => o.type === 'Patient'))
      for (const l of fileLines(s, f)) patients.add((JSON.parse(l) as Json).id!);
    expect(patients.has(MISSING_PATIENT_ID)).toBe(false);
    for (const file of outputs.filter((o) => o.type === 'ExplanationOfBenefit' || o.type === 'Coverage')) {
      const first = JSON.parse([...fileLines(s, file)][0]!) as Json;
      const target = (file.type === 'Coverage' ? first.beneficiary : first.patient) as { reference: string };
      expect(target.reference).toBe(`Patient/${MISSING_PATIENT_ID}`);
    }
    // The project's cross-file check sees it; the clean export passes it (validity.test.ts).
    const issues = checkExportReferences(await validateExport(s));
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]!.message).toContain(MISSING_PATIENT_ID);
  });

  test('missing-profile: v2 drops meta.profile on the first line; v1 gets a profile it should not have', () => {
    for (const version of ['v2', 'v1'] as const) {
      const { s, outputs } = withMutation('missing-profile', version);
      const file = outputs.find((f) => f.type === 'Patient')!;
      const [first, second] = [...fileLines(s, file)].map(
        (l) => JSON.parse(l) as { meta: { profile?: string[] } },
      );
      if (version === 'v2') {
        expect(first!.meta.profile).toBeUndefined();
        expect(second!.meta.profile).toBeDefined();
      } else {
        expect(first!.meta.profile).toHaveLength(1);
        expect(second!.meta.profile).toBeUndefined();
      }
    }
  });

  test('malformed-json: the first line of each data file does not parse, and the validator says so', async () => {
    const { s, outputs } = withMutation('malformed-json');
    const file = outputs.find((f) => f.type === 'Patient')!;
    const lines = [...fileLines(s, file)];
    expect(() => JSON.parse(lines[0]!)).toThrow();
    expect(() => JSON.parse(lines[1]!)).not.toThrow();
    const summary = await validateNdjson(Readable.from([Buffer.from(lines.join('\n') + '\n')]), {
      file: file.name,
      kind: 'output',
      expectedType: 'Patient',
      apiVersion: 'v2',
    });
    expect(summary.invalidLines).toBe(1);
    expect(summary.firstFailingLine).toBe(1);
  });

  // The seed 002 content faults: on the first line of each file of their type, only their own rule
  // speaks, the line stays valid R4, and the other lines are untouched.
  test.each([
    ['eob-no-claim-lines', 'ExplanationOfBenefit', RULE.eobContent],
    ['mbi-no-currency', 'Patient', RULE.mbiCurrency],
    ['patient-no-demographics', 'Patient', RULE.demographics],
    ['coverage-no-part-class', 'Coverage', RULE.coveragePart],
    ['coverage-no-esrd-oasi', 'Coverage', RULE.coverageMarkers],
  ] as const)('%s: the first %s of each file breaks %s and nothing else', async (mutation, type, rule) => {
    const { s, clean, outputs } = withMutation(mutation);
    const { validate } = getResourceValidator();
    const files = outputs.filter((f) => f.type === type);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const lines = [...fileLines(s, file)];
      expect(validate(JSON.parse(lines[0]!))).toBe(true);
      expect(lines.slice(1)).toEqual([...fileLines(clean, file)].slice(1));
      const summary = await validateNdjson(Readable.from([Buffer.from(lines.join('\n') + '\n')]), {
        file: file.name,
        kind: 'output',
        expectedType: type,
        apiVersion: 'v2',
        sandbox: true,
      });
      expect(new Set(summary.issues.map((i) => `${i.ruleId} line ${i.line}`))).toEqual(
        new Set([`${rule} line 1`]),
      );
    }
  });

  test('error files are not mutated', () => {
    const { s, clean } = withMutation('malformed-json');
    const errorFile = planExport(s).find((f) => f.kind === 'error')!;
    expect([...fileLines(s, errorFile)]).toEqual([...fileLines(clean, errorFile)]);
  });
});
