/**
 * `bcda-conformance validate <file|dir ...>`: the FHIR checks of the download suites, for
 * NDJSON exports already on disk (plain or .gz).
 * Exit codes: 0 every file read and every line valid; 1 findings (invalid lines, export-level
 * errors, paths that could not be read, all reported); 2 usage errors.
 */
import type { Command } from 'commander';
import * as fs from 'fs';
import * as path from 'path';
import type { ApiVersion } from '../core/vocabulary';
import { terminalSafe, terminalSafeLines } from '../report/terminal-safe';
import {
  checkExportReferences,
  validateFiles,
  type FileValidationSummary,
  type ValidationIssue,
} from '../fhir';

export interface ValidateCliOptions {
  apiVersion?: string;
  validateLines?: string;
  maxIssues?: string;
  json?: boolean;
  sandbox?: boolean;
  workers?: string;
}

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

class InputError extends Error {}

const NDJSON_FILE = /\.ndjson(\.gz)?$/i;

function positiveInt(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min)
    throw new InputError(`${flag} must be an integer >= ${min}, got "${value}"`);
  return Number(value);
}

/** A path `validate` could not read; it makes the exit code 1 without stopping the others. */
export interface FileProblem {
  file: string;
  message: string;
}

export interface CollectedFiles {
  files: string[];
  /** Broken symbolic links and directories that could not be listed, met while walking. */
  problems: FileProblem[];
}

const errnoOf = (err: unknown): string => (err as NodeJS.ErrnoException)?.code ?? 'unknown error';

/**
 * Files named on the command line, with directories expanded (recursively) to their NDJSON files.
 * Symbolic links are followed; a dangling one, a loop, or a directory that cannot be listed is a
 * problem to report, not a reason to stop. A path named on the command line that does not exist,
 * or is not an NDJSON file or a directory, is a usage error (InputError).
 */
export function collectNdjsonFiles(inputs: string[]): CollectedFiles {
  const files: string[] = [];
  const problems: FileProblem[] = [];
  /** Real paths of the directories being walked, to tell a link back to one of them. */
  const walking = new Set<string>();
  const walkDir = (dir: string): void => {
    let real: string;
    let entries: fs.Dirent[];
    try {
      real = fs.realpathSync(dir);
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      problems.push({ file: dir, message: `cannot list the directory (${errnoOf(err)})` });
      return;
    }
    if (walking.has(real)) {
      problems.push({ file: dir, message: 'symbolic link loop: it leads back to a directory above it' });
      return;
    }
    walking.add(real);
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isSymbolicLink()) followLink(full);
      else if (entry.isDirectory()) walkDir(full);
      else if (entry.isFile() && NDJSON_FILE.test(entry.name)) files.push(full);
    }
    walking.delete(real);
  };
  const followLink = (link: string): void => {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(link);
    } catch (err) {
      const code = errnoOf(err);
      const message =
        code === 'ELOOP'
          ? 'symbolic link loop'
          : code === 'ENOENT'
            ? 'dangling symbolic link: what it points to does not exist'
            : `cannot follow the symbolic link (${code})`;
      problems.push({ file: link, message });
      return;
    }
    if (stat.isDirectory()) walkDir(link);
    else if (stat.isFile() && NDJSON_FILE.test(link)) files.push(link);
  };
  for (const input of inputs) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(input);
    } catch (err) {
      const code = errnoOf(err);
      throw new InputError(
        code === 'ENOENT' ? `no such file or directory: ${input}` : `cannot read ${input} (${code})`,
      );
    }
    if (stat.isDirectory()) walkDir(input);
    else if (stat.isFile()) {
      // A report.json or a CSV named by mistake would only give one parse error per line.
      if (!NDJSON_FILE.test(input))
        throw new InputError(
          `not an NDJSON file: ${input} (expected a .ndjson or .ndjson.gz file, or a directory)`,
        );
      files.push(input);
    } else throw new InputError(`not a file or directory: ${input}`);
  }
  if (!files.length && !problems.length)
    throw new InputError(`no .ndjson or .ndjson.gz files found in ${inputs.join(', ')}`);
  return { files, problems };
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** Lines of a table; cells hold file names and types from the data, so each is made terminal-safe. */
function table(rows: string[][]): string[] {
  const safe = rows.map((r) => r.map(terminalSafe));
  const widths = safe[0]?.map((_, i) => Math.max(...safe.map((r) => (r[i] ?? '').length))) ?? [];
  return safe.map((r) =>
    r
      .map((c, i) => pad(c, widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

function formatReport(
  summaries: FileValidationSummary[],
  exportIssues: ValidationIssue[],
  problems: FileProblem[],
): string {
  const rows = [['file', 'kind', 'types', 'lines', 'validated', 'invalid', 'first failing', 'issues']];
  for (const s of summaries) {
    rows.push([
      s.file,
      s.kind,
      Object.entries(s.countsByType)
        .map(([t, n]) => `${t}:${n}`)
        .join(' ') || '-',
      String(s.lines),
      String(s.validatedLines),
      String(s.invalidLines),
      s.firstFailingLine === undefined ? '-' : String(s.firstFailingLine),
      String(s.issues.length + s.issuesDropped),
    ]);
  }
  const out = table(rows);
  const grouped = new Map<string, { issue: ValidationIssue; count: number }>();
  for (const issue of summaries.flatMap((s) => s.issues)) {
    const key = `${issue.ruleId}\u0000${issue.path}\u0000${issue.message}`;
    const g = grouped.get(key);
    if (g) g.count++;
    else grouped.set(key, { issue, count: 1 });
  }
  const top = [...grouped.values()].sort((a, b) => b.count - a.count).slice(0, 10);
  if (top.length) {
    out.push('', 'Top messages:');
    for (const { issue, count } of top) {
      out.push(
        `  ${count}x ${issue.severity} ${issue.ruleId} ${issue.path}: ${issue.message} (first: ${issue.file}:${issue.line})`,
      );
    }
  }
  if (exportIssues.length) {
    out.push('', 'Across files:');
    for (const i of exportIssues) out.push(`  ${i.severity} ${i.ruleId} ${i.file}: ${i.message}`);
  }
  if (problems.length) {
    out.push('', `Could not be read (${problems.length}):`);
    for (const p of problems) out.push(`  ${p.file}: ${p.message}`);
  }
  const lines = summaries.reduce((a, s) => a + s.lines, 0);
  const invalid = summaries.reduce((a, s) => a + s.invalidLines, 0);
  const unread = problems.length ? ` ${problems.length} path(s) could not be read.` : '';
  out.push('', `${summaries.length} file(s), ${lines} line(s), ${invalid} invalid.${unread}`);
  // One entry per line: messages quote the data (types, ids), which must not start or split a line.
  return out.map(terminalSafe).join('\n');
}

/** Runs the command; returns the exit code instead of exiting, so tests can call it. */
export async function runValidate(inputs: string[], opts: ValidateCliOptions, io: CliIo): Promise<number> {
  try {
    if (!inputs.length) throw new InputError('give at least one NDJSON file or directory');
    const apiVersion = (opts.apiVersion ?? 'v2') as ApiVersion;
    if (!['v1', 'v2', 'v3'].includes(apiVersion))
      throw new InputError(`--api-version must be v1, v2 or v3, got "${opts.apiVersion}"`);
    const validateLines = positiveInt(opts.validateLines, '--validate-lines', 1);
    const maxIssues = positiveInt(opts.maxIssues, '--max-issues', 0);
    const workers = positiveInt(opts.workers, '--workers', 0);
    const { files, problems } = collectNdjsonFiles(inputs);
    const summaries = await validateFiles(files, {
      apiVersion,
      sandbox: opts.sandbox === true,
      ...(validateLines !== undefined ? { validateLines } : {}),
      ...(maxIssues !== undefined ? { maxIssuesPerFile: maxIssues } : {}),
      ...(workers !== undefined ? { workers } : {}),
    });
    // Files read in part (a read error, gzip cut short) keep their results and are problems too.
    const fileErrors = [
      ...problems,
      ...summaries.flatMap((s) => (s.error === undefined ? [] : [{ file: s.file, message: s.error }])),
    ];
    const exportIssues = checkExportReferences(summaries);
    const failed =
      summaries.some((s) => s.invalidLines > 0) ||
      exportIssues.some((i) => i.severity === 'error') ||
      fileErrors.length > 0;
    // JSON.stringify leaves DEL, C1, bidi controls and U+2028 raw; their \u escapes keep the values.
    if (opts.json)
      io.out(
        terminalSafeLines(
          JSON.stringify({ valid: !failed, files: summaries, exportIssues, fileErrors }, null, 2),
        ),
      );
    else io.out(formatReport(summaries, exportIssues, fileErrors));
    return failed ? 1 : 0;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    io.err(`bcda-conformance validate: ${terminalSafe(message)}`);
    return 2;
  }
}

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .summary('Validate NDJSON export files (plain or .gz) against FHIR R4 and the BCDA profile rules')
    .description(
      'Validate NDJSON export files (plain or .gz) against FHIR R4 and the BCDA profile rules.\n' +
        'Directories are searched recursively (symbolic links followed). A file that cannot be read, a\n' +
        'broken link or a .gz cut short is reported and the other files are still validated.\n\n' +
        'Exit codes:\n' +
        '  0  every file read and every line valid\n' +
        '  1  findings: invalid lines, errors across files, or paths that could not be read\n' +
        '  2  usage error: a bad option, a named path that does not exist, no NDJSON files found',
    )
    .argument('[paths...]', 'NDJSON files or directories holding them')
    .option('--api-version <version>', 'BCDA API version the files come from (v1, v2, v3)', 'v2')
    .option('--validate-lines <n>', 'validate only the first N lines of each file (default: all)')
    .option('--max-issues <n>', 'issues kept per file (default 100)')
    .option('--workers <n>', 'worker threads that validate (default: one per core; 0 = the main thread only)')
    .option('--sandbox', 'sandbox data: Patient ids must be negative')
    .option('--json', 'print the summaries as JSON')
    .action(async (paths: string[], opts: ValidateCliOptions) => {
      process.exitCode = await runValidate(paths, opts, {
        out: (t) => process.stdout.write(t + '\n'),
        err: (t) => process.stderr.write(t + '\n'),
      });
    });
}
