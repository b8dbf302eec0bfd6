/** `bcda-conformance run` and `bcda-conformance list`. */
import type { Command } from 'commander';
import { CATALOG, selectChecks, sourceFileOf } from '../checks/catalog';
import { ConfigError, checkSuiteNames, loadConfig, type RunConfig } from '../config/config';
import { AREAS } from '../core/vocabulary';
import { nearlyContaining } from '../core/did-you-mean';
import { addSettingOptions, collect, settingsFromOptions } from './settings-options';
import { prepareOutDir } from './out-dir';
import type { Area, Profile } from '../core/vocabulary';
import { requirementsTable, type RequirementsTable } from '../requirements/table';
import { formatRequirementsList, requirementsOfProfile } from './requirements-list';

import { EXIT } from './exit-codes';

export { EXIT };

/**
 * A selection of no check would pass vacuously, so a typo in --grep or --suite must not turn CI
 * green: it is a usage error that names the closest check ids.
 */
function refuseEmptySelection(config: RunConfig): void {
  const selected = selectChecks({
    profile: config.profile,
    version: config.apiVersion,
    areas: config.suites,
    ...(config.grep !== undefined ? { grep: config.grep } : {}),
  });
  if (selected.length) return;
  const scope = `--profile ${config.profile}, --api-version ${config.apiVersion}${config.suites.length < AREAS.length ? `, --suite ${config.suites.join(',')}` : ''}`;
  const close = config.grep
    ? nearlyContaining(
        config.grep,
        CATALOG.map((c) => c.id),
      )
    : [];
  throw new ConfigError(
    `no check matches${config.grep ? ` --grep "${config.grep}"` : ''} (${scope}), so nothing would be tested${close.length ? `; closest check ids: ${close.join(', ')}` : ''}`,
  );
}

export function registerRunCommand(program: Command): void {
  const run = program
    .command('run')
    .description(
      'run the conformance checks against a BCDA target (default: the embedded mock) and write reports',
    );
  run.addHelpText(
    'after',
    `
Exit codes:
  ${EXIT.ok}  no MUST-level check failed
  ${EXIT.mustFailed}  a MUST-level check failed or errored (with --strict: any check failed or warned)
  ${EXIT.usage}  usage or configuration error (the message names the setting), or the target refused the credentials
  ${EXIT.unreachable}  the target cannot be reached, or does not look like a FHIR Bulk Data server

Before any check runs against --target, a pre-flight asks for its metadata and a token, and stops
with one line and exit ${EXIT.usage} or ${EXIT.unreachable} when that fails. The token is not asked for when only auth and
metadata checks are selected, nor the metadata judged when only metadata checks are (they test
these very things); --skip-preflight runs the checks anyway.`,
  );
  addSettingOptions(run).action(async (opts: Record<string, unknown>) => {
    const flags = settingsFromOptions(opts);
    let config;
    try {
      config = loadConfig(flags);
      refuseEmptySelection(config);
      prepareOutDir(config.outDir);
    } catch (err) {
      if (err instanceof ConfigError) {
        process.stderr.write(`bcda-conformance: ${err.message}\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      throw err;
    }
    // Loaded here, not at the top: the engine and the embedded mock are slow to load, and a
    // usage error or another command should not wait for them.
    const { runConformance } = await import('../run/run-conformance');
    const { consoleHooks, printSummary } = await import('../report/console');
    const { ReportWriteError, writeReports } = await import('../report/write');
    let outcome;
    try {
      outcome = await runConformance(
        config,
        consoleHooks(process.stderr, {
          verbosity: config.quiet ? 'quiet' : config.verbose ? 'verbose' : 'normal',
        }),
      );
    } catch (err) {
      // Bad mock settings (e.g. an unknown fault name) surface here.
      process.stderr.write(`bcda-conformance: ${(err as Error).message}\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    let files: string[] = [];
    try {
      files = Object.values(writeReports(outcome.report, config.outDir, { strict: config.strict }));
    } catch (err) {
      if (err instanceof ReportWriteError) {
        process.stderr.write(`bcda-conformance: ${err.message}\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      throw err;
    }
    if (outcome.stopped) {
      // One line instead of a summary and a line per check: none of them ran. The reports are
      // written all the same (every check an error naming the reason), so CI artifacts are current.
      const { kind, message } = outcome.stopped;
      const hint = kind === 'unreachable' ? '' : '; no check was run (--skip-preflight runs them anyway)';
      process.stderr.write(`bcda-conformance: ${message}${hint}\n`);
      process.exitCode = kind === 'credentials' ? EXIT.usage : EXIT.unreachable;
      return;
    }
    printSummary(outcome.report, files);
    const { inGitHubActions, reportToGitHub } = await import('../report/github-actions');
    if (inGitHubActions()) reportToGitHub(outcome.report, config.strict);
    if (outcome.unreachable) {
      process.stderr.write(`bcda-conformance: the target cannot be reached: ${outcome.unreachable}\n`);
      process.exitCode = EXIT.unreachable;
    } else {
      const { strictFailures } = await import('../engine/results');
      const strict = config.strict ? strictFailures(outcome.report.results) : [];
      if (strict.length)
        process.stderr.write(
          `bcda-conformance: --strict: ${strict.length} check(s) failed or warned: ${strict.join(', ')}\n`,
        );
      process.exitCode =
        outcome.report.summary.mustFailures.length || strict.length ? EXIT.mustFailed : EXIT.ok;
    }
  });

  program
    .command('list')
    .description('print the check catalog')
    .option('--json', 'as JSON')
    .option('--profile <profile>', 'only checks of this profile (bcda or bulk-data-ig)')
    .option('--suite <name...>', 'only these suites', collect)
    .option(
      '--requirements',
      'print the requirements table (spec/requirements/) and the checks that verify each row',
    )
    .action((opts: { json?: boolean; profile?: string; suite?: string[]; requirements?: boolean }) => {
      if (opts.profile && opts.profile !== 'bcda' && opts.profile !== 'bulk-data-ig') {
        process.stderr.write(`bcda-conformance: --profile must be bcda or bulk-data-ig\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      if (opts.requirements) {
        let table: RequirementsTable;
        try {
          table = requirementsTable();
        } catch (err) {
          process.stderr.write(`bcda-conformance: ${(err as Error).message}\n`);
          process.exitCode = EXIT.usage;
          return;
        }
        const rows = requirementsOfProfile(table, opts.profile as Profile | undefined);
        process.stdout.write(
          opts.json
            ? `${JSON.stringify(rows, null, 2)}\n`
            : formatRequirementsList(rows, table.requirements.length),
        );
        return;
      }
      let areas: Area[] | undefined;
      try {
        areas = opts.suite ? checkSuiteNames(opts.suite) : undefined;
      } catch (err) {
        process.stderr.write(`bcda-conformance: ${(err as Error).message}\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      const checks = selectChecks({
        ...(opts.profile ? { profile: opts.profile as 'bcda' | 'bulk-data-ig' } : {}),
        ...(areas ? { areas } : {}),
      });
      if (opts.json) {
        const data = checks.map(({ run: _run, ...meta }) => ({ ...meta, source: sourceFileOf(meta) }));
        process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
        return;
      }
      for (const c of checks) {
        process.stdout.write(`${c.id.padEnd(44)} ${c.level.padEnd(6)} ${c.area.padEnd(11)} ${c.title}\n`);
      }
      process.stdout.write(`\n${checks.length} of ${CATALOG.length} checks\n`);
    });
}
