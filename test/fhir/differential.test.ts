/**
 * The fast boolean validator must accept exactly what the Ajv validator accepts and the
 * invariants explainer (schema/explain-invariants.ts) finds nothing in.
 */
import * as fs from 'fs';
import * as path from 'path';
import { getFastValidator, getResourceValidator } from '../../src/fhir';
import { isCleanLine } from '../../src/fhir/line-validator';
import { explainInvariants } from '../../src/fhir/schema/explain-invariants';
import { fileLines, planExport } from '../../src/mock/data';
import type { ExportSpec } from '../../src/mock/data/types';
import { CORPUS } from './corpus-helpers';

function corpusResources(): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  for (const kind of ['valid', 'invalid']) {
    for (const f of fs.readdirSync(path.join(CORPUS, kind))) {
      if (!f.endsWith('.json') || f === 'index.json') continue;
      out.push({
        name: `${kind}/${f}`,
        text: JSON.stringify(JSON.parse(fs.readFileSync(path.join(CORPUS, kind, f), 'utf8'))),
      });
    }
  }
  const mutants = JSON.parse(
    fs.readFileSync(path.join(CORPUS, '..', 'fhir-mutants', 'mutants.json'), 'utf8'),
  ) as { name: string; resource: unknown }[];
  for (const m of mutants) out.push({ name: `mutants/${m.name}`, text: JSON.stringify(m.resource) });
  return out;
}

function mockResources(): { name: string; text: string }[] {
  const spec: ExportSpec = {
    aco: { cmsId: 'TEST001', beneficiaries: 15, adjudicated: true, partiallyAdjudicated: true },
    version: 'v2',
    types: ['Patient', 'Coverage', 'ExplanationOfBenefit', 'Claim', 'ClaimResponse'],
    runout: false,
    transactionTime: new Date('2026-06-01T12:00:00Z'),
    seed: 5,
    jobId: 9,
    mutations: ['invalid-resource'],
  };
  return planExport(spec).flatMap((file) =>
    [...fileLines(spec, file)].map((text, i) => ({ name: `${file.name}:${i + 1}`, text })),
  );
}

describe('fast validator ≡ Ajv validator + invariants explainer', () => {
  const fast = getFastValidator().validate;
  const ajv = getResourceValidator().validate;

  it('agrees on the corpus and on mock data, in clean and in regexp mode', () => {
    const all = [...corpusResources(), ...mockResources()];
    expect(all.length).toBeGreaterThan(100);
    let rejected = 0;
    const disagreements: string[] = [];
    for (const { name, text } of all) {
      const value: unknown = JSON.parse(text);
      const findings = explainInvariants(value as Record<string, unknown>);
      const expected = ajv(value) && findings.every((f) => f.severity === 'warning');
      const warned = expected && findings.length > 0;
      if (!expected) rejected++;
      if (fast(value, false) !== expected) disagreements.push(`${name} (regexp mode)`);
      else if (expected && (fast.warned?.() ?? false) !== warned) disagreements.push(`${name} (warning)`);
      if (isCleanLine(text) && fast(value, true) !== expected) disagreements.push(`${name} (clean mode)`);
    }
    expect(disagreements).toEqual([]);
    expect(rejected).toBeGreaterThan(40);
  }, 60_000);

  it('treats non-objects and unknown types as invalid', () => {
    for (const v of [null, 1, 'x', [], {}, { resourceType: 'Nope' }]) expect(fast(v)).toBe(false);
  });
});
