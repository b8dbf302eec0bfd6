/**
 * The requirements table (spec/requirements/*.yaml) is complete and agrees with the catalog: every
 * file reads, every check and fault it names exists, every check verifies at least one requirement,
 * and every testable requirement has a check (or an `uncovered` reason, whose number may only fall).
 */
import { existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CATALOG } from '../../src/checks/catalog';
import { isFaultName } from '../../src/core/faults';
import { loadRequirements, RequirementsError, type RequirementsTable } from '../../src/requirements/table';

const ROOT = path.join(__dirname, '../..');
const IG_NOTES = path.join(ROOT, '../shared/reference/bulk-data-ig-v2.md');

/**
 * Testable requirements that no check verifies yet, each with its `uncovered` reason (listed in
 * docs/requirements.md). Lower this as checks arrive; it may never rise.
 */
const UNCOVERED_CEILING = 0;

let table: RequirementsTable;
beforeAll(() => {
  table = loadRequirements(ROOT);
});

describe('spec/requirements', () => {
  test('has a file for each source: the four seed documents, the IG (v2, and its STU3 rows), SMART Backend Services, BCDA behaviour', () => {
    expect(table.sources.map((s) => s.source).sort()).toEqual(
      [
        'behavior',
        'bulkdata',
        'bulkdata-stu3',
        'contract',
        'seed-000',
        'seed-001',
        'seed-002',
        'seed-003',
        'smart-backend',
      ].sort(),
    );
  });

  test('every check it names is in the catalog', () => {
    const known = new Set(CATALOG.map((c) => c.id));
    const unknown = table.requirements.flatMap((r) =>
      r.checks.filter((c) => !known.has(c)).map((c) => `${r.id}: ${c}`),
    );
    expect(unknown).toEqual([]);
  });

  test('every supersededBy names a requirement of the table', () => {
    const dangling = table.requirements.filter((r) => r.supersededBy && !table.byId.has(r.supersededBy));
    expect(dangling.map((r) => `${r.id} → ${r.supersededBy}`)).toEqual([]);
  });

  test('every fault it names is in the fault catalog', () => {
    const unknown = table.requirements.flatMap((r) =>
      r.faults.filter((f) => !isFaultName(f)).map((f) => `${r.id}: ${f}`),
    );
    expect(unknown).toEqual([]);
  });

  test('every check verifies at least one requirement', () => {
    const orphans = CATALOG.filter((c) => !table.byCheck.has(c.id)).map((c) => c.id);
    expect(orphans).toEqual([]);
  });

  test('every testable requirement has a check or says what check is missing', () => {
    const silent = table.requirements.filter(
      (r) => r.testable && !r.supersededBy && r.checks.length === 0 && !r.uncovered,
    );
    expect(silent.map((r) => r.id)).toEqual([]);
  });

  test(`at most ${UNCOVERED_CEILING} testable requirements are still without a check`, () => {
    const open = table.requirements.filter((r) => r.testable && !r.supersededBy && r.checks.length === 0);
    expect(open.length).toBeLessThanOrEqual(UNCOVERED_CEILING);
  });

  test('a requirement with checks is not marked uncovered, an untestable one names no check', () => {
    expect(table.requirements.filter((r) => r.checks.length && r.uncovered).map((r) => r.id)).toEqual([]);
    expect(table.requirements.filter((r) => !r.testable && r.checks.length).map((r) => r.id)).toEqual([]);
  });

  test('a row says why it has no independent fault only while it has none', () => {
    // Independent: a fault of the row that none of the row's checks names (written from its text).
    const named = new Set(CATALOG.flatMap((c) => c.faults.map((f) => `${c.id} ${f}`)));
    const independent = (r: RequirementsTable['requirements'][number]) =>
      r.faults.some((f) => !r.checks.some((c) => named.has(`${c} ${f}`)));
    expect(table.requirements.filter((r) => r.noIndependentFault && independent(r)).map((r) => r.id)).toEqual(
      [],
    );
    expect(
      table.requirements.filter((r) => r.noIndependentFault && !r.checks.length).map((r) => r.id),
    ).toEqual([]);
  });

  test('a MUST-level check verifies at least one requirement of MUST or SHALL strength', () => {
    const strong = new Set(['MUST', 'MUST NOT', 'SHALL', 'SHALL NOT']);
    const weak = CATALOG.filter(
      (c) =>
        c.level === 'MUST' &&
        (table.byCheck.get(c.id) ?? []).every((id) => !strong.has(table.byId.get(id)!.level)),
    ).map((c) => `${c.id} → ${(table.byCheck.get(c.id) ?? []).join(', ')}`);
    expect(weak).toEqual([]);
  });

  test('a SHOULD or MAY check verifies at least one requirement the documents word SHOULD or MAY', () => {
    // A documented MUST is checked at MUST; a check that only warns names the SHOULD it rests on
    // (often the real server's behaviour, where the documents are silent).
    const strong = new Set(['MUST', 'MUST NOT', 'SHALL', 'SHALL NOT']);
    const weak = CATALOG.filter(
      (c) =>
        c.level !== 'MUST' &&
        (table.byCheck.get(c.id) ?? []).every((id) => strong.has(table.byId.get(id)!.level)),
    ).map((c) => `${c.id} (${c.level}) → ${(table.byCheck.get(c.id) ?? []).join(', ')}`);
    expect(weak).toEqual([]);
  });

  const igNotes = existsSync(IG_NOTES) ? test : test.skip;
  igNotes('holds every server row of the IG notes (Appendix A), and no other bulkdata@ id', () => {
    const text = readFileSync(IG_NOTES, 'utf8');
    const appendix = text.slice(text.indexOf('## Appendix A'));
    const rows = [...appendix.matchAll(/^\| (\d+) \| ([A-Z ]+) \|/gm)].map((m) => `bulkdata@${m[1]}`);
    const ours = table.requirements.filter((r) => r.source === 'bulkdata').map((r) => r.id);
    expect(ours.sort()).toEqual(rows.sort());
  });
});

describe('loadRequirements', () => {
  function tableWith(text: string): string {
    const root = mkdtempSync(path.join(os.tmpdir(), 'reqs-'));
    mkdirSync(path.join(root, 'spec', 'requirements'), { recursive: true });
    copyFileSync(
      path.join(ROOT, 'spec/requirements.schema.json'),
      path.join(root, 'spec/requirements.schema.json'),
    );
    writeFileSync(path.join(root, 'spec/requirements/seed-009.yaml'), text);
    return root;
  }
  const row = (extra: string) =>
    `source: seed-009\ntitle: t\ndocument: d\nrequirements:\n  - id: BCDA-009-01\n    section: S\n    statement: the server answers 200\n    level: MUST\n    subject: server\n${extra}`;

  test('reads a good file and indexes checks to requirements', () => {
    const t = loadRequirements(tableWith(row('    testable: true\n    checks: [A-B]\n')));
    expect(t.byCheck.get('A-B')).toEqual(['BCDA-009-01']);
    expect(t.requirements[0]).toMatchObject({ source: 'seed-009', faults: [] });
  });

  test.each([
    [
      'an unknown level',
      row('    testable: true\n').replace('level: MUST', 'level: OUGHT'),
      /BCDA-009-01 \(requirements\[0\]\.level\) must be one of MUST/,
    ],
    ['an untestable row without why', row('    testable: false\n'), /BCDA-009-01.*why/],
    ['an unknown key', row('    testable: true\n    cheks: [A]\n'), /unknown key "cheks"/],
    ['broken YAML', 'source: [', /not valid YAML/],
  ])('refuses %s with one line naming the file', (_name, text, message) => {
    let error: unknown;
    try {
      loadRequirements(tableWith(text));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RequirementsError);
    expect((error as Error).message).toMatch(/^spec\/requirements\/seed-009\.yaml: |^BCDA-009-01: /);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });
});
