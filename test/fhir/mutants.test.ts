/**
 * The mutation corpus (fixtures/fhir-mutants/mutants.json, written by scripts/fhir-mutants.js):
 * each mock resource broken by one FHIR R4 rule, or changed in a way R4 allows (controls). The
 * validator's verdict on FHIR validity (its `schema` issues) must be the one the specification
 * gives, at the path the corpus names.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import { RULE, validateNdjson, type ValidationIssue } from '../../src/fhir';

interface Mutant {
  name: string;
  category: string;
  rule: string;
  expect: 'error' | 'warning' | 'valid';
  path: string;
  resource: { resourceType: string };
}

const ROOT = path.join(__dirname, '..', '..');
const mutants = JSON.parse(
  fs.readFileSync(path.join(ROOT, 'fixtures/fhir-mutants/mutants.json'), 'utf8'),
) as Mutant[];

async function schemaIssues(m: Mutant): Promise<ValidationIssue[]> {
  const summary = await validateNdjson(Readable.from([Buffer.from(JSON.stringify(m.resource) + '\n')]), {
    file: m.name,
    kind: 'output',
    apiVersion: 'v2',
    expectedType: m.resource.resourceType,
  });
  return summary.issues.filter((i) => i.ruleId === RULE.schema);
}

function verdict(issues: ValidationIssue[]): Mutant['expect'] {
  if (issues.some((i) => i.severity === 'error')) return 'error';
  return issues.length > 0 ? 'warning' : 'valid';
}

describe('FHIR mutation corpus', () => {
  it('is what scripts/fhir-mutants.js writes', () => {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/fhir-mutants.js'), '--check'], {
      stdio: 'pipe',
    });
  }, 60_000);

  it('covers every category of issue 18 with broken rules and controls', () => {
    const byCategory = new Map<string, Set<string>>();
    for (const m of mutants)
      byCategory.set(m.category, (byCategory.get(m.category) ?? new Set()).add(m.expect));
    const categories = ['ele-1', 'ext-1', 'uri', 'whitespace', 'date', 'reference', 'currency', 'per-1'];
    for (const c of [...categories, 'qty-3', 'pat-1', 'datatype', 'resource', 'bundle', 'contained'])
      expect(byCategory.get(c)?.has('error')).toBe(true);
    // Where the reference validator only warns (a wrong display), warnings and controls.
    expect(byCategory.get('display')).toEqual(new Set(['warning', 'valid']));
    expect(new Set(mutants.map((m) => m.name)).size).toBe(mutants.length);
  });

  it.each(mutants.map((m) => [m.name, m] as const))('%s', async (_name, m) => {
    const issues = await schemaIssues(m);
    const shown = issues.map((i) => `${i.severity} ${i.path}: ${i.message}`);
    expect({ verdict: verdict(issues), issues: shown }).toEqual(
      expect.objectContaining({ verdict: m.expect }),
    );
    if (m.expect !== 'valid') expect(issues.map((i) => i.path)).toContain(m.path);
  });
});
