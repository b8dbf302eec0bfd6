/**
 * Runs the real engine against a hostile target the way the CLI does (config → runConformance →
 * writeReports → summary) and checks what must hold for every hostile run: all three reports
 * written, report.json valid against its schema, junit.xml
 * well-formed XML, index.html free of live target markup. An unhandled rejection fails the test
 * by itself (jest reports it against the running test; a listener here would not see it, jest
 * gives tests their own `process` object); the CLI tests catch one as a stack trace on stderr.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { loadConfig, type RawSettings } from '../../src/config/config';
import type { CheckResult, RunReport } from '../../src/engine/results';
import { runConformance, type RunOutcome } from '../../src/run/run-conformance';
import { consoleHooks, printSummary } from '../../src/report/console';
import { writeReports, type WrittenReports } from '../../src/report/write';

const schema = JSON.parse(
  readFileSync(path.join(__dirname, '../../spec/report.schema.json'), 'utf8'),
) as Record<string, unknown>;
const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);
const validateReport = ajv.compile(schema);

/** Throwaway credentials for hostile targets (never real ones). */
export const CLIENT = { clientId: 'hostile-client-id', clientSecret: 'hostile-client-secret-do-not-leak' };

export interface HostileRun {
  outcome: RunOutcome;
  report: RunReport;
  files: WrittenReports;
  sizes: { json: number; junit: number; html: number };
  consoleText: string;
  html: string;
  junit: string;
  /** Resident set size growth over the run (bytes; the test process holds the server too). */
  rssGrowth: number;
}

/** Settings every hostile run uses unless the test says otherwise: short budgets. */
const FAST: RawSettings = { timeoutSeconds: 5, requestTimeoutSeconds: 1, maxKickoffs: 5 };

export async function hostileRun(target: string, settings: RawSettings = {}): Promise<HostileRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hostile-'));
  const config = loadConfig(
    { ...CLIENT, ...FAST, ...settings, target, outDir: path.join(dir, 'reports') },
    {},
    dir,
  );
  const sink = { text: '', isTTY: false, write: (t: string) => ((sink.text += t), true) };
  const rss0 = process.memoryUsage().rss;
  const outcome: RunOutcome = await runConformance(config, consoleHooks(sink, { live: false }));
  // Late socket errors of the run surface now, inside the test, if there are any.
  await new Promise((r) => setTimeout(r, 50));
  const rssGrowth = process.memoryUsage().rss - rss0;
  const files = writeReports(outcome.report, config.outDir);
  printSummary(outcome.report, Object.values(files), sink);
  const report = JSON.parse(readFileSync(files.json, 'utf8')) as RunReport;
  return {
    outcome,
    report,
    files,
    sizes: {
      json: statSync(files.json).size,
      junit: statSync(files.junit).size,
      html: statSync(files.html).size,
    },
    consoleText: sink.text,
    html: readFileSync(files.html, 'utf8'),
    junit: readFileSync(files.junit, 'utf8'),
    rssGrowth,
  };
}

/** Schema errors of report.json (empty when valid). */
export function schemaErrors(report: RunReport): unknown[] {
  validateReport(report);
  return validateReport.errors ?? [];
}

/** Characters XML 1.0 does not allow, not even escaped. */
// eslint-disable-next-line no-control-regex
const XML_ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/**
 * Problems that make `xml` not well-formed (empty when fine). Enough for the JUnit writer's output:
 * elements, attributes, text and entity references; no CDATA, comments or DTDs.
 */
export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  if (XML_ILLEGAL.test(xml)) problems.push('an illegal control character');
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  const token = /<\/?([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  for (const m of body.matchAll(token)) {
    if (m[5]) {
      problems.push(`a stray "<" at ${m.index}`);
      break;
    }
    const text = m[4] ?? m[2] ?? '';
    const badAmp = /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.exec(text);
    if (badAmp) problems.push(`an unescaped "&" at ${(m.index ?? 0) + badAmp.index}`);
    if (m[4] !== undefined) continue;
    const name = m[1] ?? '';
    if (m[0].startsWith('</')) {
      if (stack.pop() !== name) problems.push(`a mismatched </${name}> at ${m.index}`);
    } else if (!m[3]) stack.push(name);
  }
  if (stack.length) problems.push(`unclosed elements: ${stack.join(', ')}`);
  return problems.slice(0, 5);
}

/** The HTML report shows target text escaped: no markup from the target, exactly two script elements. */
export function htmlProblems(page: string): string[] {
  const problems: string[] = [];
  if ((page.match(/<script\b/gi) ?? []).length !== 2) problems.push('not exactly two <script> elements');
  if (/<script>alert|<img src=x/i.test(page)) problems.push('live target markup');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000\u001b]/.test(page)) problems.push('raw NUL or ESC characters');
  return problems;
}

export function results(run: HostileRun, ids?: string | RegExp): CheckResult[] {
  return run.report.results.filter((r) =>
    ids === undefined ? true : typeof ids === 'string' ? r.id === ids : ids.test(r.id),
  );
}

/** Everything every hostile run must satisfy; returned as data so a failure names what broke. */
export function invariants(run: HostileRun): Record<string, unknown> {
  return {
    schema: schemaErrors(run.report).slice(0, 3),
    junit: xmlProblems(run.junit),
    html: htmlProblems(run.html),
    testcases: (run.junit.match(/<testcase /g) ?? []).length === run.report.results.length,
    checksRan: run.report.results.length > 0,
  };
}

export const OK_INVARIANTS = {
  schema: [],
  junit: [],
  html: [],
  testcases: true,
  checksRan: true,
};
