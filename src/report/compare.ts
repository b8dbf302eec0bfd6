/**
 * Compares two report.json files: checks that regressed, improved, appeared or disappeared, and
 * FHIR validation issues that are new (matched by a fingerprint that ignores line numbers, ids
 * and counts). Rendered as text, markdown (fits a pull-request comment) or a small HTML page.
 */
import { readFileSync } from 'node:fs';
import type { Level, Outcome } from '../core/vocabulary';
import type { RunReport } from '../engine/results';
import type { ValidationIssue } from '../fhir';
import { describeJsonSyntaxError } from '../core/json-error';
import { html } from './html/escape';
import { RULE_OF_FHIR_CHECK } from '../checks/fhir';
import { terminalSafe } from './terminal-safe';
import { markdownCode as code, markdownText as md } from './markdown-text';

export class CompareInputError extends Error {}

/** The parts of a report the comparison reads (older and newer 1.x reports both have them). */
export type ComparableReport = Pick<RunReport, 'schemaVersion' | 'summary' | 'results' | 'validation'> & {
  run: Pick<RunReport['run'], 'target' | 'startedAt' | 'apiVersion'>;
};

export interface CheckChange {
  id: string;
  title: string;
  level: Level;
  area: string;
  before?: Outcome;
  after?: Outcome;
  /** The current message (the baseline's for a disappeared check). */
  message: string;
}

export interface IssueChange {
  fingerprint: string;
  ruleId: string;
  path: string;
  message: string;
  severity: ValidationIssue['severity'];
  /** How many times it occurs in the report that has it. */
  occurrences: number;
  /** One place it occurs: file and line. */
  example: { file: string; line: number };
}

export interface RunInfo {
  /** The report.json as it was named on the command line (links in the HTML are relative to it). */
  file?: string;
  target: string;
  startedAt: string;
  apiVersion: string;
  verdict: string;
  counts: Record<Outcome, number>;
}

export interface Comparison {
  baseline: RunInfo;
  current: RunInfo;
  regressed: CheckChange[];
  improved: CheckChange[];
  /**
   * Checks the baseline judged (pass, warn or fail) that the current run skipped: the run shows less
   * than before, often because something upstream broke (a kick-off that no longer works).
   */
  lostCoverage: CheckChange[];
  /** Other outcome changes (from skip to a verdict, or between outcomes of equal weight). */
  changed: CheckChange[];
  appeared: CheckChange[];
  disappeared: CheckChange[];
  newIssues: IssueChange[];
  resolvedIssues: IssueChange[];
  /**
   * Checks regressed, a MUST-level check lost its coverage, or new error-severity validation issues
   * appeared: exit 1.
   */
  hasRegressions: boolean;
}

const OUTCOMES: readonly Outcome[] = ['pass', 'fail', 'warn', 'skip', 'error'];
/** Badness of an outcome; skip has none (nothing was learned). */
const RANK: Record<Outcome, number | undefined> = { pass: 0, warn: 1, fail: 2, error: 2, skip: undefined };

function fail(file: string, why: string): never {
  throw new CompareInputError(`${file}: ${why}`);
}

/** Reads and checks a report.json enough to compare it; every problem is a CompareInputError. */
export function loadReport(file: string): ComparableReport {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    fail(
      file,
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory, not a report.json'
          : `cannot read (${code ?? 'unknown error'})`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // V8's message would quote the file, and a report holds target data.
    fail(file, describeJsonSyntaxError(text));
  }
  return checkShape(file, data);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function checkShape(file: string, data: unknown): ComparableReport {
  if (!isObject(data)) fail(file, 'not a bcda-conformance report (expected a JSON object)');
  const version = data.schemaVersion;
  if (typeof version !== 'string') fail(file, 'not a bcda-conformance report (no schemaVersion)');
  if (!/^1\./.test(version)) fail(file, `report schema ${version} is not supported (this tool reads 1.x)`);
  if (!isObject(data.run) || !isObject(data.summary) || !Array.isArray(data.results)) {
    fail(file, 'not a bcda-conformance report (run, summary or results missing)');
  }
  data.results.forEach((r, i) => {
    if (!isObject(r) || typeof r.id !== 'string' || !OUTCOMES.includes(r.outcome as Outcome)) {
      fail(file, `results[${i}] has no id or no valid outcome`);
    }
  });
  if (data.validation !== undefined && !Array.isArray(data.validation))
    fail(file, 'validation is not a list');
  return {
    ...(data as unknown as ComparableReport),
    validation: (data.validation as ComparableReport['validation']) ?? [],
  };
}

/** Removes what differs between runs of the same finding: numbers, ids, quoted values. */
export function normaliseText(text: string): string {
  return text
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    .replace(/https?:\/\/[^\s"')]+/g, '<url>')
    .replace(/-?\d+(\.\d+)?/g, '#')
    .replace(/\s+/g, ' ')
    .trim();
}

export function issueFingerprint(issue: Pick<ValidationIssue, 'ruleId' | 'path' | 'message'>): string {
  const path = issue.path.replace(/\[\d+\]/g, '[]');
  // A 1.0 report names the rule by its check id (FHIR-SCHEMA); 1.1 by the validator's code (schema).
  const rule = RULE_OF_FHIR_CHECK.get(issue.ruleId) ?? issue.ruleId;
  return `${rule}|${path}|${normaliseText(issue.message)}`;
}

function issueIndex(report: ComparableReport): Map<string, IssueChange> {
  const out = new Map<string, IssueChange>();
  for (const file of report.validation) {
    for (const issue of file.issues ?? []) {
      const fp = issueFingerprint(issue);
      const known = out.get(fp);
      if (known) known.occurrences += 1;
      else {
        out.set(fp, {
          fingerprint: fp,
          ruleId: issue.ruleId,
          path: issue.path,
          message: issue.message,
          severity: issue.severity,
          occurrences: 1,
          example: { file: issue.file || file.file, line: issue.line },
        });
      }
    }
  }
  return out;
}

function info(r: ComparableReport): RunInfo {
  return {
    target: r.run.target,
    startedAt: r.run.startedAt,
    apiVersion: r.run.apiVersion,
    verdict: r.summary.verdict,
    counts: r.summary.counts,
  };
}

export function compareReports(baseline: ComparableReport, current: ComparableReport): Comparison {
  const before = new Map(baseline.results.map((r) => [r.id, r]));
  const after = new Map(current.results.map((r) => [r.id, r]));
  const regressed: CheckChange[] = [];
  const improved: CheckChange[] = [];
  const changed: CheckChange[] = [];
  const lostCoverage: CheckChange[] = [];
  const appeared: CheckChange[] = [];
  for (const r of current.results) {
    const b = before.get(r.id);
    const change: CheckChange = {
      id: r.id,
      title: r.title,
      level: r.level,
      area: r.area,
      after: r.outcome,
      message: r.message,
    };
    if (!b) {
      appeared.push(change);
      continue;
    }
    if (b.outcome === r.outcome) continue;
    change.before = b.outcome;
    const rb = RANK[b.outcome];
    const ra = RANK[r.outcome];
    if (rb !== undefined && ra === undefined) lostCoverage.push(change);
    else if (rb === undefined || ra === undefined || ra === rb) changed.push(change);
    else if (ra > rb) regressed.push(change);
    else improved.push(change);
  }
  const disappeared: CheckChange[] = baseline.results
    .filter((r) => !after.has(r.id))
    .map((r) => ({
      id: r.id,
      title: r.title,
      level: r.level,
      area: r.area,
      before: r.outcome,
      message: r.message,
    }));
  const oldIssues = issueIndex(baseline);
  const curIssues = issueIndex(current);
  const newIssues = [...curIssues.values()].filter((i) => !oldIssues.has(i.fingerprint));
  const resolvedIssues = [...oldIssues.values()].filter((i) => !curIssues.has(i.fingerprint));
  return {
    baseline: info(baseline),
    current: info(current),
    regressed,
    improved,
    lostCoverage,
    changed,
    appeared,
    disappeared,
    newIssues,
    resolvedIssues,
    hasRegressions:
      regressed.length > 0 ||
      lostCoverage.some((c) => c.level === 'MUST') ||
      newIssues.some((i) => i.severity === 'error'),
  };
}

// ---- rendering ----

const arrow = (c: CheckChange) => `${c.before ?? '—'} → ${c.after ?? '—'}`;
const countsLine = (i: RunInfo) => OUTCOMES.map((o) => `${i.counts[o] ?? 0} ${o}`).join(', ');

function headline(c: Comparison): string {
  const parts = [
    `${c.regressed.length} regressed`,
    `${c.improved.length} improved`,
    `${c.lostCoverage.length} no longer checked`,
    `${c.appeared.length} appeared`,
    `${c.disappeared.length} disappeared`,
    `${c.newIssues.length} new validation issue${c.newIssues.length === 1 ? '' : 's'}`,
  ];
  return `${c.hasRegressions ? 'REGRESSION' : 'NO REGRESSION'}: ${parts.join(', ')}`;
}

export function renderText(c: Comparison): string {
  const lines: string[] = [
    `baseline: ${c.baseline.target} ${c.baseline.apiVersion} at ${c.baseline.startedAt} — ${c.baseline.verdict} (${countsLine(c.baseline)})`,
    `current:  ${c.current.target} ${c.current.apiVersion} at ${c.current.startedAt} — ${c.current.verdict} (${countsLine(c.current)})`,
    '',
  ];
  const section = (title: string, items: CheckChange[]) => {
    if (!items.length) return;
    lines.push(`${title} (${items.length}):`);
    for (const i of items) lines.push(`  ${i.id} [${i.level} ${i.area}] ${arrow(i)}: ${i.message}`);
    lines.push('');
  };
  section('REGRESSED', c.regressed);
  section('IMPROVED', c.improved);
  section('NO LONGER CHECKED', c.lostCoverage);
  section('CHANGED', c.changed);
  section('APPEARED', c.appeared);
  section('DISAPPEARED', c.disappeared);
  if (c.newIssues.length) {
    lines.push(`NEW VALIDATION ISSUES (${c.newIssues.length}):`);
    for (const i of c.newIssues) {
      lines.push(
        `  ${i.severity} ${i.ruleId} ${i.path}: ${i.message} (×${i.occurrences}; e.g. ${i.example.file} line ${i.example.line})`,
      );
    }
    lines.push('');
  }
  if (c.resolvedIssues.length)
    lines.push(`${c.resolvedIssues.length} validation issue(s) of the baseline no longer occur.`, '');
  lines.push(headline(c));
  // Each entry is one line of the layout; target text inside it cannot start or split a line.
  return `${lines.map(terminalSafe).join('\n')}\n`;
}

/** Rows per section in markdown, so a comment stays readable. */
export const MARKDOWN_ROWS = 50;

export function renderMarkdown(c: Comparison): string {
  const out: string[] = [
    `### bcda-conformance: ${c.hasRegressions ? '❌ regression' : '✅ no regression'}`,
    '',
    '| | target | verdict | pass | fail | warn | skip | error |',
    '|---|---|---|---|---|---|---|---|',
    ...(['baseline', 'current'] as const).map((k) => {
      const i = c[k];
      return `| ${k} | ${md(i.target)} ${md(i.apiVersion)} | ${md(i.verdict)} | ${OUTCOMES.map((o) => md(String(i.counts[o] ?? 0))).join(' | ')} |`;
    }),
    '',
    `**${md(headline(c))}**`,
    '',
  ];
  const section = (title: string, items: CheckChange[]) => {
    if (!items.length) return;
    out.push(
      `#### ${title} (${items.length})`,
      '',
      '| check | level | suite | outcome | message |',
      '|---|---|---|---|---|',
    );
    for (const i of items.slice(0, MARKDOWN_ROWS))
      out.push(`| ${code(i.id)} | ${md(i.level)} | ${md(i.area)} | ${arrow(i)} | ${md(i.message)} |`);
    if (items.length > MARKDOWN_ROWS) out.push(`| … | | | | ${items.length - MARKDOWN_ROWS} more |`);
    out.push('');
  };
  section('Regressed', c.regressed);
  section('Improved', c.improved);
  section('No longer checked', c.lostCoverage);
  section('Changed', c.changed);
  section('Appeared', c.appeared);
  section('Disappeared', c.disappeared);
  if (c.newIssues.length) {
    out.push(
      `#### New validation issues (${c.newIssues.length})`,
      '',
      '| severity | rule | path | message | occurrences |',
      '|---|---|---|---|---|',
    );
    for (const i of c.newIssues.slice(0, MARKDOWN_ROWS)) {
      out.push(
        `| ${md(i.severity)} | ${code(i.ruleId)} | ${code(i.path)} | ${md(i.message)} | ${i.occurrences} |`,
      );
    }
    if (c.newIssues.length > MARKDOWN_ROWS)
      out.push(`| … | | | ${c.newIssues.length - MARKDOWN_ROWS} more | |`);
    out.push('');
  }
  return `${out.map(terminalSafe).join('\n')}\n`;
}

/**
 * Links to a compared report and the HTML page beside it, as the paths were given: they resolve when
 * the comparison is saved in the directory compare ran from (CI usually uploads them together).
 */
function reportLinks(file: string) {
  const page = file.replace(/[^/\\]*$/, 'index.html');
  return html`<a href="${encodeURI(page)}">report</a> (<a href="${encodeURI(file)}">json</a>)`;
}

export function renderCompareHtml(c: Comparison): string {
  const table = (title: string, items: CheckChange[]) =>
    items.length
      ? html`<h2>${title} (${items.length})</h2>
          <table>
            <tr>
              <th>Check</th>
              <th>Level</th>
              <th>Suite</th>
              <th>Outcome</th>
              <th>Message</th>
            </tr>
            ${items.map(
              (i) =>
                html`<tr>
                  <td><code>${i.id}</code><br />${i.title}</td>
                  <td>${i.level}</td>
                  <td>${i.area}</td>
                  <td>${arrow(i)}</td>
                  <td>${i.message}</td>
                </tr>`,
            )}
          </table>`
      : '';
  const runRow = (k: 'baseline' | 'current') => {
    const i = c[k];
    return html`<tr>
      <th>${k}</th>
      <td>${i.file ? reportLinks(i.file) : ''}</td>
      <td>${i.target} ${i.apiVersion}</td>
      <td>${i.startedAt}</td>
      <td>${i.verdict}</td>
      <td>${countsLine(i)}</td>
    </tr>`;
  };
  const issues = c.newIssues.length
    ? html`<h2>New validation issues (${c.newIssues.length})</h2>
        <table>
          <tr>
            <th>Severity</th>
            <th>Rule</th>
            <th>Path</th>
            <th>Message</th>
            <th>Occurrences</th>
            <th>Example</th>
          </tr>
          ${c.newIssues.map(
            (i) =>
              html`<tr>
                <td>${i.severity}</td>
                <td><code>${i.ruleId}</code></td>
                <td><code>${i.path}</code></td>
                <td>${i.message}</td>
                <td>${i.occurrences}</td>
                <td>${i.example.file} line ${i.example.line}</td>
              </tr>`,
          )}
        </table>`
    : '';
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'" />
        <title>bcda-conformance compare: ${headline(c)}</title>
        <style>
          body {
            font:
              14px/1.45 system-ui,
              sans-serif;
            margin: 24px;
            color: #1f2328;
          }
          table {
            border-collapse: collapse;
            width: 100%;
          }
          th,
          td {
            border-bottom: 1px solid #d0d7de;
            padding: 4px 6px;
            text-align: left;
            vertical-align: top;
            overflow-wrap: anywhere;
          }
          .bad {
            color: #cf222e;
          }
          .ok {
            color: #1a7f37;
          }
        </style>
      </head>
      <body>
        <h1 class="${c.hasRegressions ? 'bad' : 'ok'}">${headline(c)}</h1>
        <table>
          ${runRow('baseline')}${runRow('current')}
        </table>
        ${table('Regressed', c.regressed)}${table('Improved', c.improved)}${table('No longer checked', c.lostCoverage)}${table('Changed', c.changed)}${table('Appeared', c.appeared)}${table('Disappeared', c.disappeared)}${issues}
      </body>
    </html> `.value;
}
