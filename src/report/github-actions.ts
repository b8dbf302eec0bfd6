/**
 * Output for GitHub Actions (detected from GITHUB_ACTIONS=true): each check that fails the run as
 * an error annotation, each other finding as a warning, and a job summary in markdown. Every piece
 * of target text is made inert first: the runner would read a line break or `::` in it as a new
 * workflow command.
 */
import { appendFileSync } from 'node:fs';
import { failsRun, isTripped, type CheckResult, type RunReport } from '../engine/results';
import { markdownCode, markdownText } from './markdown-text';
import { terminalSafe } from './terminal-safe';

/** GitHub shows at most 10 annotations of a kind per step; the rest are in the summary and reports. */
const MAX_ANNOTATIONS = 10;
const SUMMARY_ROWS = 50;

export const inGitHubActions = (env: NodeJS.ProcessEnv = process.env): boolean =>
  env.GITHUB_ACTIONS === 'true';

/** A workflow command's message: `%`, CR and LF are the runner's own escapes. */
const escapeData = (text: string) => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
/** A property value also escapes `:` and `,`, which end it. */
const escapeProperty = (text: string) => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

function annotation(kind: 'error' | 'warning', r: CheckResult): string {
  const title = escapeProperty(terminalSafe(`${r.id} [${r.level}]`));
  const message = escapeData(terminalSafe(`${r.title}: ${r.message}`));
  return `::${kind} title=${title}::${message}\n`;
}

/** The annotations of a run: what fails it as errors, other findings (not known deviations) as warnings. */
export function annotations(report: RunReport, strict: boolean): string {
  const errors = report.results.filter((r) => failsRun(r, strict));
  const warnings = report.results.filter((r) => !failsRun(r, strict) && isTripped(r));
  return [
    ...errors.slice(0, MAX_ANNOTATIONS).map((r) => annotation('error', r)),
    ...warnings.slice(0, MAX_ANNOTATIONS).map((r) => annotation('warning', r)),
  ].join('');
}

/** The job summary: verdict, counts, and the checks that failed the run, then other findings. */
export function jobSummary(report: RunReport, strict: boolean): string {
  const c = report.summary.counts;
  const failing = report.results.filter((r) => failsRun(r, strict));
  const findings = report.results.filter((r) => !failsRun(r, strict) && isTripped(r));
  const rows = (title: string, list: CheckResult[]) =>
    list.length
      ? [
          `#### ${title} (${list.length})`,
          '',
          '| check | level | suite | message |',
          '|---|---|---|---|',
          ...list
            .slice(0, SUMMARY_ROWS)
            .map((r) => `| ${markdownCode(r.id)} | ${r.level} | ${r.area} | ${markdownText(r.message)} |`),
          ...(list.length > SUMMARY_ROWS
            ? [`| … | | | ${list.length - SUMMARY_ROWS} more in the reports |`]
            : []),
          '',
        ]
      : [];
  return [
    `### bcda-conformance: ${failing.length ? '❌' : '✅'} ${report.summary.verdict}${strict ? ' (--strict)' : ''}`,
    '',
    `${markdownText(report.run.target)} · ${report.run.apiVersion} · ${report.run.profile} · ${report.summary.total} checks`,
    '',
    '| pass | fail | warn | skip | error |',
    '|---|---|---|---|---|',
    `| ${c.pass} | ${c.fail} | ${c.warn} | ${c.skip} | ${c.error} |`,
    '',
    ...rows(strict ? 'Failed the run' : 'Failed the run (MUST)', failing),
    ...rows('Other findings (do not fail the run)', findings),
  ].join('\n');
}

/** Writes the annotations to `out` and the summary to $GITHUB_STEP_SUMMARY when it is set. */
export function reportToGitHub(
  report: RunReport,
  strict: boolean,
  out: { write(text: string): unknown } = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): void {
  out.write(annotations(report, strict));
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  try {
    appendFileSync(file, `${jobSummary(report, strict)}\n`);
  } catch (err) {
    out.write(
      `bcda-conformance: cannot write the job summary: ${(err as NodeJS.ErrnoException).code ?? 'error'}\n`,
    );
  }
}
