/**
 * Reports of a real run against the embedded mock: report.json is valid against its schema,
 * junit.xml and index.html agree with it; and `compare` of a clean run against a faulty one
 * exits 1 naming the regressed check.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { RunReport } from '../../src/engine/results';
import { runCompare } from '../../src/report/compare-command';
import { REPORT_SCHEMA_VERSION, failsRun } from '../../src/engine/results';
import { runAndWrite, type TestRun } from './run-helpers';

jest.setTimeout(120_000);

const schema = JSON.parse(
  readFileSync(path.join(__dirname, '../../spec/report.schema.json'), 'utf8'),
) as Record<string, unknown>;
const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);
const validate = ajv.compile(schema);

const attr = (tag: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(tag)?.[1];

describe('reports of a full embedded-mock run', () => {
  let run: TestRun;
  let report: RunReport;
  beforeAll(async () => {
    run = await runAndWrite({}, 'report-full-');
    report = JSON.parse(readFileSync(run.files.json, 'utf8')) as RunReport;
  });

  test('report.json is valid against spec/report.schema.json', () => {
    const ok = validate(report);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(report.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    expect(schema.$id).toBe(`urn:bcda-conformance:report-schema:${REPORT_SCHEMA_VERSION}`);
    expect(report.results.length).toBeGreaterThan(50);
  });

  test('the schema rejects a report that drifted', () => {
    expect(validate({ ...report, results: [{ ...report.results[0], outcome: 'maybe' }] })).toBe(false);
    expect(validate({ ...report, extra: 1 })).toBe(false);
  });

  test('every evidence id names a recorded exchange', () => {
    const ids = new Set(report.exchanges.map((x) => x.id));
    const missing = report.results.flatMap((r) =>
      r.evidence.filter((e) => !ids.has(e)).map((e) => `${r.id}:${e}`),
    );
    expect(missing).toEqual([]);
  });

  test('junit.xml has one testcase per check and counts that match report.json', () => {
    const xml = readFileSync(run.files.junit, 'utf8');
    const root = /<testsuites [^>]*>/.exec(xml)?.[0] ?? '';
    // Failures are what fails the run (this run is not --strict); other findings pass with a note.
    const failing = report.results.filter((r) => failsRun(r, false));
    const c = {
      fail: failing.filter((r) => r.outcome === 'fail').length,
      error: failing.filter((r) => r.outcome === 'error').length,
      skip: report.results.filter(
        (r) => r.outcome === 'skip' || (r.outcome === 'error' && !failsRun(r, false)),
      ).length,
    };
    expect(Number(attr(root, 'tests'))).toBe(report.summary.total);
    expect(Number(attr(root, 'failures'))).toBe(c.fail);
    expect(Number(attr(root, 'errors'))).toBe(c.error);
    expect(Number(attr(root, 'skipped'))).toBe(c.skip);
    const cases = xml.match(/<testcase /g) ?? [];
    expect(cases).toHaveLength(report.results.length);
    const suites = [...xml.matchAll(/<testsuite [^>]*>/g)].map((m) => m[0]);
    const sum = (name: string) => suites.reduce((n, s) => n + Number(attr(s, name)), 0);
    expect(sum('tests')).toBe(report.summary.total);
    expect(sum('failures')).toBe(c.fail);
    expect(sum('errors')).toBe(c.error);
    expect(sum('skipped')).toBe(c.skip);
    expect((xml.match(/<failure /g) ?? []).length).toBe(c.fail);
    for (const r of report.results) expect(xml).toContain(`name="${r.id} `);
  });

  test('index.html shows every check and the same counts', () => {
    const page = readFileSync(run.files.html, 'utf8');
    for (const r of report.results) expect(page).toContain(`>${r.id}</td>`);
    expect((page.match(/<tr\s+class="check"/g) ?? []).length).toBe(report.results.length);
    expect(page).toContain(report.summary.verdict.toUpperCase());
    const counts = [...page.matchAll(/data-outcome="(\w+)"[^>]*>\s*<b>(\d+)<\/b>/g)].map((m) => [
      m[1],
      Number(m[2]),
    ]);
    expect(Object.fromEntries(counts)).toEqual(report.summary.counts);
    expect((page.match(/<svg\s+class="timeline"/g) ?? []).length).toBe(report.exports.length);
  });

  test('the console printed a line per check and the summary', () => {
    expect(run.consoleText).not.toContain('\x1b');
    expect(run.consoleText).not.toContain('\r');
    for (const r of report.results) expect(run.consoleText).toContain(` ${r.id}: `);
    expect(run.consoleText).toContain(`wrote ${run.files.json}`);
  });
});

describe('compare of a clean run with a faulty run', () => {
  test('exits 1 and names the regressed check', async () => {
    const clean = await runAndWrite({ suites: ['kickoff'] }, 'report-clean-');
    const faulty = await runAndWrite(
      { suites: ['kickoff'], mockFaults: ['kickoff-accepts-missing-accept'] },
      'report-fault-',
    );
    const out = {
      text: '',
      write: (t: string) => ((out.text += t), true),
    } as unknown as NodeJS.WritableStream & { text: string };
    const err = {
      text: '',
      write: (t: string) => ((err.text += t), true),
    } as unknown as NodeJS.WritableStream & { text: string };
    expect(runCompare(clean.files.json, faulty.files.json, 'text', out, err)).toBe(1);
    expect(out.text).toMatch(/REGRESSED \(\d+\):/);
    expect(out.text).toContain('KICKOFF-PATIENT-ACCEPT-MISSING [MUST kickoff] pass → fail');
    expect(err.text).toBe('');
  });
});
