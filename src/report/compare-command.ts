/** `bcda-conformance compare BASELINE.json CURRENT.json`: exit 0 no regression, 1 regression, 2 bad input. */
import type { Command } from 'commander';
import {
  CompareInputError,
  compareReports,
  loadReport,
  renderCompareHtml,
  renderMarkdown,
  renderText,
} from './compare';
import { terminalSafe } from './terminal-safe';

export const COMPARE_EXIT = { ok: 0, regressed: 1, badInput: 2 } as const;

const FORMATS = ['text', 'markdown', 'html', 'json'] as const;
type Format = (typeof FORMATS)[number];

/** Runs a comparison and writes it to `out`; returns the exit code. */
export function runCompare(
  baselineFile: string,
  currentFile: string,
  format: string,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): number {
  if (!(FORMATS as readonly string[]).includes(format)) {
    err.write(`bcda-conformance compare: --format must be one of ${FORMATS.join(', ')} (got "${format}")\n`);
    return COMPARE_EXIT.badInput;
  }
  let comparison;
  try {
    comparison = compareReports(loadReport(baselineFile), loadReport(currentFile));
    comparison.baseline.file = baselineFile;
    comparison.current.file = currentFile;
  } catch (e) {
    if (e instanceof CompareInputError) {
      // The message may quote the file (its schemaVersion, say).
      err.write(`bcda-conformance compare: ${terminalSafe(e.message)}\n`);
      return COMPARE_EXIT.badInput;
    }
    throw e;
  }
  const render: Record<Format, typeof renderText> = {
    text: renderText,
    markdown: renderMarkdown,
    html: renderCompareHtml,
    // JSON escapes every control character, so target text cannot break a log line here either.
    json: (c) => `${JSON.stringify(c, null, 2)}\n`,
  };
  out.write(render[format as Format](comparison));
  return comparison.hasRegressions ? COMPARE_EXIT.regressed : COMPARE_EXIT.ok;
}

export function registerCompareCommand(program: Command): void {
  program
    .command('compare')
    .description(
      'compare two report.json files: checks that regressed (e.g. pass → fail or warn), improved, are no longer checked (judged before, skipped now), appeared or disappeared, and new FHIR validation issues; exits 1 when a check regressed, a MUST check is no longer checked or a new error-level validation issue appeared, 2 for unreadable input',
    )
    .argument('<baseline>', 'the earlier report.json')
    .argument('<current>', 'the report.json to judge')
    .option('--format <format>', 'text, markdown (fits a pull-request comment), html or json', 'text')
    .action((baseline: string, current: string, opts: { format: string }) => {
      process.exitCode = runCompare(baseline, current, opts.format);
    });
}
