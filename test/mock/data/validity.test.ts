/**
 * Every generated resource type, in every API version, passes the project's FHIR R4 validator
 * (src/fhir: official R4 schema, tightened) and the BCDA profile rules.
 */
import { Readable } from 'node:stream';
import { checkExportReferences, getResourceValidator, validateNdjson } from '../../../src/fhir';
import { fileLines, planExport } from '../../../src/mock/data';
import type { ExportSpec } from '../../../src/mock/data/types';
import { ACOS, spec, validateExport } from './helpers';

const ALL_TYPES: ExportSpec['types'] = [
  'Patient',
  'Coverage',
  'ExplanationOfBenefit',
  'Claim',
  'ClaimResponse',
];

jest.setTimeout(120_000);

describe.each(['v1', 'v2', 'v3'] as const)('FHIR R4 validity (%s)', (version) => {
  const s = spec({ aco: { ...ACOS.TEST001!, beneficiaries: 120 }, version, types: ALL_TYPES });
  const plan = planExport(s);

  test('every line of every file passes the R4 schema', () => {
    const { validate } = getResourceValidator();
    const failures: string[] = [];
    let checked = 0;
    for (const file of plan) {
      for (const line of fileLines(s, file)) {
        checked++;
        if (!validate(JSON.parse(line))) {
          const e = validate.errors?.[0];
          failures.push(`${file.type} ${e?.instancePath} ${e?.message}`);
        }
      }
    }
    expect(failures.slice(0, 10)).toEqual([]);
    expect(checked).toBeGreaterThan(500);
  });

  test.each(
    plan
      .map((f) => [f.kind === 'output' ? f.type : 'error', f] as const)
      .filter((x, i, a) => a.findIndex((y) => y[0] === x[0]) === i),
  )('%s file passes the streaming NDJSON validator with BCDA rules', async (_label, file) => {
    const text = [...fileLines(s, file)].join('\n') + '\n';
    const summary = await validateNdjson(Readable.from([Buffer.from(text)]), {
      file: file.name,
      kind: file.kind,
      expectedType: file.type,
      apiVersion: version,
      sandbox: true,
    });
    expect(summary.lines).toBeGreaterThan(0);
    expect(summary.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(summary.invalidLines).toBe(0);
  });

  test('the whole export: no errors, no warnings, and every referenced Patient is in the export', async () => {
    const summaries = await validateExport(s);
    const issues = summaries.flatMap((x) => x.issues);
    expect(issues).toEqual([]);
    expect(checkExportReferences(summaries)).toEqual([]);
  });
});
