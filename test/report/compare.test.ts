import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { CheckResult, RunReport } from '../../src/engine/results';
import {
  compareReports,
  issueFingerprint,
  renderCompareHtml,
  renderMarkdown,
  renderText,
} from '../../src/report/compare';
import { runCompare } from '../../src/report/compare-command';
import { hostileReport, PWN } from './fixture';

function sink(): Writable & { text: string } {
  const w = new Writable({
    write(chunk, _enc, cb) {
      w.text += String(chunk);
      cb();
    },
  }) as Writable & { text: string };
  w.text = '';
  return w;
}

function withOutcomes(base: RunReport, outcomes: Record<string, CheckResult['outcome']>): RunReport {
  return {
    ...base,
    results: base.results.map((r) => (outcomes[r.id] ? { ...r, outcome: outcomes[r.id]! } : r)),
  };
}

describe('compareReports', () => {
  const base = hostileReport();

  test('classifies regressed, improved, no longer checked, changed, appeared and disappeared checks', () => {
    const before = withOutcomes(base, {
      'KICKOFF-PATIENT-PREFER-MISSING': 'pass',
      'STATUS-X-PROGRESS': 'warn',
      'KICKOFF-PATIENT-ACCEPT-MISSING': 'fail',
      'METADATA-PUBLIC': 'skip',
    });
    const after = withOutcomes(base, {
      'KICKOFF-PATIENT-PREFER-MISSING': 'warn',
      'STATUS-X-PROGRESS': 'pass',
      'KICKOFF-PATIENT-ACCEPT-MISSING': 'skip',
      'METADATA-PUBLIC': 'pass',
    });
    after.results = after.results.filter((r) => r.id !== 'DOWNLOAD-GZIP');
    after.results.push({ ...base.results[0]!, id: 'NEW-CHECK', outcome: 'pass' });
    const c = compareReports(before, after);
    expect(c.regressed.map((x) => [x.id, x.before, x.after])).toEqual([
      ['KICKOFF-PATIENT-PREFER-MISSING', 'pass', 'warn'],
    ]);
    expect(c.improved.map((x) => x.id)).toEqual(['STATUS-X-PROGRESS']);
    expect(c.lostCoverage.map((x) => [x.id, x.before, x.after])).toEqual([
      ['KICKOFF-PATIENT-ACCEPT-MISSING', 'fail', 'skip'],
    ]);
    expect(c.changed.map((x) => [x.id, x.before, x.after])).toEqual([['METADATA-PUBLIC', 'skip', 'pass']]);
    expect(c.appeared.map((x) => x.id)).toEqual(['NEW-CHECK']);
    expect(c.disappeared.map((x) => x.id)).toEqual(['DOWNLOAD-GZIP']);
    expect(c.hasRegressions).toBe(true);
  });

  test('a MUST check that passed and now skips is a regression of coverage; a SHOULD one is only listed', () => {
    const must = compareReports(
      withOutcomes(base, { 'KICKOFF-PATIENT-PREFER-MISSING': 'pass' }),
      withOutcomes(base, { 'KICKOFF-PATIENT-PREFER-MISSING': 'skip' }),
    );
    expect(must.lostCoverage.map((x) => x.id)).toEqual(['KICKOFF-PATIENT-PREFER-MISSING']);
    expect(must.regressed).toEqual([]);
    expect(must.hasRegressions).toBe(true);
    expect(renderText(must)).toMatch(
      /NO LONGER CHECKED \(1\):\n {2}KICKOFF-PATIENT-PREFER-MISSING \[MUST kickoff\] pass → skip/,
    );
    expect(renderMarkdown(must)).toContain('#### No longer checked (1)');

    const should = compareReports(
      withOutcomes(base, { 'STATUS-X-PROGRESS': 'pass' }),
      withOutcomes(base, { 'STATUS-X-PROGRESS': 'skip' }),
    );
    expect(should.lostCoverage.map((x) => x.id)).toEqual(['STATUS-X-PROGRESS']);
    expect(should.hasRegressions).toBe(false);
  });

  test('identical reports: nothing to report', () => {
    const c = compareReports(base, base);
    expect(c.hasRegressions).toBe(false);
    expect(
      [c.regressed, c.improved, c.appeared, c.disappeared, c.newIssues].every((l) => l.length === 0),
    ).toBe(true);
  });

  test('validation issues match by fingerprint, ignoring line numbers, indexes and ids', () => {
    expect(
      issueFingerprint({
        ruleId: 'R',
        path: 'EOB.item[3].seq',
        message: 'value 17 for id 9f1c2d3e-0000-4000-8000-000000000001 is bad',
      }),
    ).toBe(
      issueFingerprint({
        ruleId: 'R',
        path: 'EOB.item[0].seq',
        message: 'value 4 for id 00000000-1111-4222-8333-444444444444 is bad',
      }),
    );
    const file = base.validation[0]!;
    const moved = {
      ...base,
      validation: [{ ...file, issues: file.issues.map((i) => ({ ...i, line: 99 })) }],
    };
    expect(compareReports(base, moved).newIssues).toEqual([]);
    const extra = {
      ...base,
      validation: [
        {
          ...file,
          issues: [
            ...file.issues,
            { ...file.issues[0]!, ruleId: 'BCDA-PATIENT-ID-NEGATIVE', message: 'id must be negative' },
          ],
        },
      ],
    };
    const c = compareReports(base, extra);
    expect(c.newIssues.map((i) => i.ruleId)).toEqual(['BCDA-PATIENT-ID-NEGATIVE']);
    expect(c.hasRegressions).toBe(true);
  });

  test('text, markdown and html name the regressed check; markdown and html escape target text', () => {
    const after = withOutcomes(base, { 'AUTH-TOKEN-SUCCESS': 'fail' });
    after.results = after.results.map((r) =>
      r.id === 'AUTH-TOKEN-SUCCESS' ? { ...r, message: `broken | ${PWN}` } : r,
    );
    const c = compareReports(base, after);
    expect(renderText(c)).toMatch(/REGRESSED \(1\):\n {2}AUTH-TOKEN-SUCCESS \[MUST auth\] pass → fail/);
    const md = renderMarkdown(c);
    expect(md).toContain('`AUTH-TOKEN-SUCCESS`');
    expect(md).toContain('broken \\| &lt;script&gt;');
    expect(md).not.toContain('<script>');
    const page = renderCompareHtml(c);
    expect(page).toContain('AUTH-TOKEN-SUCCESS');
    expect(page).not.toContain('<script>');
  });
});

describe('compare command', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'compare-'));
  const write = (name: string, data: unknown) => {
    const file = path.join(dir, name);
    writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data));
    return file;
  };
  const base = write('base.json', hostileReport());

  test('exit 0 without regression, 1 with, and the regressed check is named', () => {
    const out = sink();
    expect(runCompare(base, base, 'text', out, sink())).toBe(0);
    const worse = write(
      'worse.json',
      withOutcomes(hostileReport(), { 'KICKOFF-PATIENT-PREFER-MISSING': 'fail' }),
    );
    const out2 = sink();
    expect(runCompare(base, worse, 'markdown', out2, sink())).toBe(1);
    expect(out2.text).toContain('KICKOFF-PATIENT-PREFER-MISSING');
  });

  test.each([
    ['a missing file', path.join(dir, 'nope.json'), /nope\.json: no such file/],
    ['a directory', dir, /is a directory/],
    ['text that is not JSON', 'notjson', /not valid JSON/],
    ['JSON that is not a report', 'array', /not a bcda-conformance report/],
    ['another schema major version', 'v2', /schema 2\.0\.0 is not supported/],
    ['a result without an outcome', 'badresult', /results\[0\] has no id or no valid outcome/],
  ])('exit 2 with a clear message for %s', (_name, which, message) => {
    const files: Record<string, string> = {
      notjson: write('notjson.json', '{"schemaVersion": '),
      array: write('array.json', []),
      v2: write('v2.json', { ...hostileReport(), schemaVersion: '2.0.0' }),
      badresult: write('badresult.json', { ...hostileReport(), results: [{ id: 'X' }] }),
    };
    const err = sink();
    expect(runCompare(base, files[which] ?? which, 'text', sink(), err)).toBe(2);
    expect(err.text).toMatch(message);
    expect(err.text).not.toMatch(/\n\s+at /);
  });

  test('an unknown format is a usage error', () => {
    const err = sink();
    expect(runCompare(base, base, 'pdf', sink(), err)).toBe(2);
    expect(err.text).toContain('--format must be one of text, markdown, html, json');
  });

  test('--format json gives the whole comparison, with the files compared', () => {
    const worse = write(
      'worse-json.json',
      withOutcomes(hostileReport(), { 'KICKOFF-PATIENT-PREFER-MISSING': 'skip' }),
    );
    const out = sink();
    expect(runCompare(base, worse, 'json', out, sink())).toBe(1);
    const parsed = JSON.parse(out.text) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      baseline: { file: base },
      current: { file: worse },
      hasRegressions: true,
      lostCoverage: [{ id: 'KICKOFF-PATIENT-PREFER-MISSING', before: 'pass', after: 'skip', level: 'MUST' }],
    });
  });

  test('the HTML links both reports and their pages', () => {
    const out = sink();
    runCompare(base, base, 'html', out, sink());
    expect(out.text).toContain(`href="${encodeURI(base)}"`);
    expect(out.text).toContain(`href="${encodeURI(path.join(dir, 'index.html'))}"`);
  });
});

describe('reports before 1.1.0', () => {
  it('match validation issues by rule whether a report names it by check id or by rule code', () => {
    const issue = { ruleId: 'FHIR-SCHEMA', path: 'Patient.gender', message: 'must be one of: male, female' };
    expect(issueFingerprint(issue)).toBe(issueFingerprint({ ...issue, ruleId: 'schema' }));
    expect(issueFingerprint({ ...issue, ruleId: 'FHIR-NDJSON-PARSE' })).toBe(
      issueFingerprint({ ...issue, ruleId: 'ndjson-parse' }),
    );
  });
});
