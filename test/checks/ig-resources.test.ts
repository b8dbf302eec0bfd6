/**
 * The pure parts of the IG feature checks: what a line tells about its resource, how a `_typeFilter`
 * is chosen so an ignored one shows, and what a level declares of its parameters.
 */
import type { ExportRun } from '../../src/checks/context';
import { parameterSupport, type LevelDeclaration } from '../../src/checks/kit/ig-capability';
import type { IgExport } from '../../src/checks/kit/ig-exports';
import { filterChoice, unmatched } from '../../src/checks/kit/ig-features';
import { mandatoryElements } from '../../src/checks/kit/ig-mandatory';
import { referenceKey, summarize, type ResourceSummary } from '../../src/checks/kit/ig-resources';

const line = (resource: Record<string, unknown>) => JSON.stringify(resource);

function exportOf(resources: Array<Record<string, unknown>>): IgExport {
  const map = new Map<string, ResourceSummary>();
  for (const r of resources) {
    const s = summarize(line(r))!;
    map.set(s.key, s);
  }
  return {
    label: 'test export',
    level: 'patient',
    run: { manifest: {} } as IgExport['run'] & ExportRun,
    resources: map,
    errorLines: [],
    evidence: [],
  };
}

const observation = (id: string, code: string) => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code }] },
  subject: { reference: 'Patient/p1' },
});

describe('summarize', () => {
  it('reads elements, SUBSETTED, patients, Provenance targets and attachments', () => {
    const doc = summarize(
      line({
        resourceType: 'DocumentReference',
        id: 'd1',
        meta: {
          tag: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' }],
        },
        subject: { reference: 'https://fhir.example/r4/Patient/p2/_history/3' },
        content: [{ attachment: { contentType: 'text/plain', url: 'https://fhir.example/r4/Binary/b1' } }],
      }),
    )!;
    expect(doc).toMatchObject({ key: 'DocumentReference/d1', subsetted: true, patients: ['p2'] });
    expect(doc.elements).toEqual(['id', 'meta', 'subject', 'content']);
    expect(doc.attachments).toEqual([
      {
        holder: 'DocumentReference/d1',
        contentType: 'text/plain',
        url: 'https://fhir.example/r4/Binary/b1',
        hasData: false,
      },
    ]);
    const prov = summarize(
      line({
        resourceType: 'Provenance',
        id: 'v1',
        target: [{ reference: 'Observation/o1' }],
        recorded: '2025-01-02T00:00:00Z',
      }),
    )!;
    expect(prov.targets).toEqual(['Observation/o1']);
    expect(prov.recorded).toBe(Date.parse('2025-01-02T00:00:00Z'));
    expect(summarize('{"resourceType":"Patient"}')).toBeUndefined();
    expect(summarize('not json')).toBeUndefined();
  });

  it('keeps references to contained resources out', () => {
    expect(referenceKey('#p1')).toBeUndefined();
    expect(referenceKey('Patient/abc')).toBe('Patient/abc');
  });
});

describe('the _typeFilter choice', () => {
  const base = exportOf([
    observation('o1', 'A'),
    observation('o2', 'A'),
    observation('o3', 'B'),
    observation('o4', 'C'),
  ]);

  it('takes the least frequent values, together leaving some resource out', () => {
    expect(filterChoice(base, 1)?.values.slice(0, 1)).toEqual(['http://loinc.org|B']);
    expect(filterChoice(base, 2)?.values.slice(0, 2)).toEqual(['http://loinc.org|B', 'http://loinc.org|C']);
    // Two values only, covering everyone: a repeated filter ignored would look applied.
    expect(filterChoice(exportOf([observation('o1', 'A'), observation('o2', 'B')]), 2)).toBeUndefined();
  });

  it('tells an ignored filter from a misapplied one', () => {
    const choice = filterChoice(base, 1)!;
    const all = unmatched(base, base, choice, ['http://loinc.org|B']);
    expect(all.ignored).toBe(true);
    const some = unmatched(base, exportOf([observation('o3', 'B'), observation('o4', 'C')]), choice, [
      'http://loinc.org|B',
    ]);
    expect({ returned: some.returned.map((r) => r.key), ignored: some.ignored }).toEqual({
      returned: ['Observation/o4'],
      ignored: false,
    });
  });
});

describe('declarations', () => {
  const level = (d: Partial<LevelDeclaration>): LevelDeclaration => ({
    level: 'patient',
    definition: 'x',
    searchParams: new Set(),
    ...d,
  });

  it('knows a parameter from an own OperationDefinition or a searchParam, else leaves it unknown', () => {
    expect(parameterSupport(level({ parameters: new Set(['patient']) }), 'patient')).toBe('declared');
    expect(parameterSupport(level({ parameters: new Set(['_type']) }), 'patient')).toBe('undeclared');
    expect(parameterSupport(level({ searchParams: new Set(['_typeFilter']) }), '_typeFilter')).toBe(
      'declared',
    );
    expect(parameterSupport(level({}), '_elements')).toBe('unknown');
  });

  it('reads the mandatory elements of R4 types', () => {
    expect([...mandatoryElements('Observation')].sort()).toEqual(['code', 'status']);
    expect(mandatoryElements('Patient').size).toBe(0);
  });
});
