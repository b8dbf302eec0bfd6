/**
 * The judgement of an export organised by patient (kit/ig-organized.ts), on hand-made files: the
 * STU3 blocks, a block continued in the next file (which the generic mock never does), and each
 * way of breaking the rules.
 */
import { judgeOrganized, organizedLine, type OrganizedFile } from '../../src/checks/kit/ig-organized';

const header = (patient: string) =>
  JSON.stringify({
    resourceType: 'Parameters',
    parameter: [{ name: 'header', valueReference: { reference: `Patient/${patient}` } }],
  });
const patient = (id: string) => JSON.stringify({ resourceType: 'Patient', id });
const obs = (id: string, of: string) =>
  JSON.stringify({ resourceType: 'Observation', id, subject: { reference: `Patient/${of}` } });
const practitioner = JSON.stringify({ resourceType: 'Practitioner', id: 'dr' });

const file = (url: string, lines: string[], continuesInFile?: string): OrganizedFile => ({
  url,
  ...(continuesInFile ? { continuesInFile } : {}),
  lines: lines.map((l, i) => organizedLine(l, i + 1)),
});
const MANIFEST = {
  outputOrganizedBy: 'Patient',
  output: [{ url: 'https://x/f1.ndjson' }, { url: 'https://x/f2.ndjson' }],
};

describe('judgeOrganized', () => {
  it('passes blocks headed by their patient, one continued in the next file as continuesInFile says', () => {
    const files = [
      file(
        'https://x/f1.ndjson',
        [header('a'), patient('a'), obs('1', 'a'), practitioner, header('b'), patient('b')],
        'https://x/f2.ndjson',
      ),
      file('https://x/f2.ndjson', [header('b'), obs('2', 'b'), header('c'), obs('3', 'c')]),
    ];
    const verdict = judgeOrganized(MANIFEST, files);
    expect(verdict.problems).toEqual([]);
    expect(verdict.blocks).toBe(4);
    expect([...verdict.withData].sort()).toEqual(['a', 'b', 'c']);
  });

  it('finds a typed manifest, a file without a header, a stray resource, a Patient not first, a split block', () => {
    const files = [
      file('https://x/f1.ndjson', [patient('a'), header('a'), obs('1', 'a'), patient('a'), obs('2', 'b')]),
      file('https://x/f2.ndjson', [header('b'), obs('3', 'b'), header('a'), obs('4', 'a')]),
    ];
    const problems = judgeOrganized(
      { output: [{ type: 'Patient', url: 'https://x/f1.ndjson' }] },
      files,
    ).problems;
    expect(problems).toEqual([
      `the manifest's outputOrganizedBy is absent, not "Patient"`,
      '1 of 1 output items carry a type, which a manifest organised by a resource type leaves out',
      'f1.ndjson starts with Patient/a, not a block header (a Parameters resource with a header parameter)',
      'f1.ndjson line 4: Patient/a is not the first resource of its block',
      'f1.ndjson line 5: Observation/2 in the block of Patient/a references Patient/b only',
      'Patient/a has two blocks (f1.ndjson line 2 and f2.ndjson line 3)',
    ]);
  });

  it('holds continuesInFile to a next file that opens with the same patient', () => {
    const files = [
      file('https://x/f1.ndjson', [header('a'), obs('1', 'a')], 'https://x/f2.ndjson'),
      file('https://x/f2.ndjson', [header('b'), obs('2', 'b')]),
    ];
    expect(judgeOrganized(MANIFEST, files).problems).toEqual([
      'f1.ndjson continues in f2.ndjson, which does not start with the header of Patient/a',
    ]);
  });
});
