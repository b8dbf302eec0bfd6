/** `bcda-conformance run` and `bcda-conformance list`. */
import type { Command } from 'commander';
import { CATALOG, selectChecks } from '../checks/catalog';
import { ConfigError, checkSuiteNames, loadConfig, type RawSettings } from '../config/config';
import { prepareOutDir } from './out-dir';
import type { Area } from '../checks/types';

export const EXIT = { ok: 0, mustFailed: 1, usage: 2, unreachable: 3 } as const;

const collect = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
];

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description(
      'run the conformance checks against a BCDA target (default: the embedded mock) and write reports',
    )
    .option(
      '--target <url>',
      'server root URL, e.g. https://sandbox.bcda.cms.gov (env BCDA_TARGET); omit to use the embedded mock',
    )
    .option('--client-id <id>', 'client id for /auth/token (env BCDA_CLIENT_ID)')
    .option(
      '--client-secret <secret>',
      'client secret (env BCDA_CLIENT_SECRET; prefer the environment over the command line)',
    )
    .option('--token <token>', 'use this bearer token instead of client credentials (env BCDA_TOKEN)')
    .option(
      '--other-client-id <id>',
      'a second client (another ACO) for the cross-client checks (env BCDA_OTHER_CLIENT_ID)',
    )
    .option('--other-client-secret <secret>', 'its secret (env BCDA_OTHER_CLIENT_SECRET)')
    .option(
      '--rate-limited-client-id <id>',
      'a rate-limited client for the 429 checks (env BCDA_RATE_LIMITED_CLIENT_ID)',
    )
    .option('--rate-limited-client-secret <secret>', 'its secret (env BCDA_RATE_LIMITED_CLIENT_SECRET)')
    .option(
      '--outdated-client-id <id>',
      'a client whose ACO has no up-to-date attribution, for that check (env BCDA_OUTDATED_CLIENT_ID)',
    )
    .option('--outdated-client-secret <secret>', 'its secret (env BCDA_OUTDATED_CLIENT_SECRET)')
    .option(
      '--denylisted-client-id <id>',
      'a client of a denylisted ACO, for the 403 checks (env BCDA_DENYLISTED_CLIENT_ID)',
    )
    .option('--denylisted-client-secret <secret>', 'its secret (env BCDA_DENYLISTED_CLIENT_SECRET)')
    .option(
      '--unattributed-client-id <id>',
      'a client whose ACO has no attribution data, for the attribution 404 check (env BCDA_UNATTRIBUTED_CLIENT_ID)',
    )
    .option('--unattributed-client-secret <secret>', 'its secret (env BCDA_UNATTRIBUTED_CLIENT_SECRET)')
    .option(
      '--unknown-aco-client-id <id>',
      'a client whose organization the target does not know, for the 403 check (env BCDA_UNKNOWN_ACO_CLIENT_ID)',
    )
    .option('--unknown-aco-client-secret <secret>', 'its secret (env BCDA_UNKNOWN_ACO_CLIENT_SECRET)')
    .option(
      '--partially-adjudicated-client-id <id>',
      'a v2 client entitled to partially adjudicated claims, for the Claim/ClaimResponse checks (env BCDA_PARTIALLY_ADJUDICATED_CLIENT_ID)',
    )
    .option(
      '--partially-adjudicated-client-secret <secret>',
      'its secret (env BCDA_PARTIALLY_ADJUDICATED_CLIENT_SECRET)',
    )
    .option('--api-version <version>', 'v1, v2 or v3 (env BCDA_API_VERSION; default v2)')
    .option('--group <group>', 'group for the shared export: all or runout (default all)')
    .option(
      '--profile <profile>',
      'bcda (the documented BCDA contract) or bulk-data-ig (generic IG v2 rules); default bcda',
    )
    .option(
      '--suite <name...>',
      'only these suites (metadata, auth, kickoff, status, download, cancel, jobs, attribution, ratelimit, fhir)',
      collect,
    )
    .option('--grep <text>', 'only checks whose id or title contains the text')
    .option('--out <dir>', 'directory for report.json, junit.xml and index.html (default reports)')
    .option('--timeout <seconds>', 'time budget for polling and downloads in the whole run (default 300)')
    .option('--request-timeout <seconds>', 'time budget for one HTTP request (default 30)')
    .option('--max-kickoffs <n>', 'most export kick-offs the run may make (default 40)')
    .option(
      '--allow-origin <url>',
      "also send the credentials to this origin (a file server the manifest names); repeatable (env BCDA_ALLOW_ORIGINS). Without it they go only to the target's origin",
      collect,
    )
    .option('--validate-lines <n>', 'validate only the first N lines of each file (default: all)')
    .option('--strict', 'exit 1 when any check fails or warns, not only a MUST-level one (env BCDA_STRICT)')
    .option('--include-samples', 'allow resource examples in reports (off by default: reports may hold PHI)')
    .option('--mock-fault <name...>', 'embedded mock only: switch on these faults', collect)
    .option('--mock-quirks', "embedded mock only: reproduce the real server's documented quirks")
    .option('--config <file>', 'JSON file of settings (default ./bcda-conformance.config.json if present)')
    .action(async (opts: Record<string, unknown>) => {
      const flags: RawSettings = {
        target: opts.target,
        clientId: opts.clientId,
        clientSecret: opts.clientSecret,
        token: opts.token,
        otherClientId: opts.otherClientId,
        otherClientSecret: opts.otherClientSecret,
        rateLimitedClientId: opts.rateLimitedClientId,
        rateLimitedClientSecret: opts.rateLimitedClientSecret,
        outdatedClientId: opts.outdatedClientId,
        outdatedClientSecret: opts.outdatedClientSecret,
        denylistedClientId: opts.denylistedClientId,
        denylistedClientSecret: opts.denylistedClientSecret,
        unattributedClientId: opts.unattributedClientId,
        unattributedClientSecret: opts.unattributedClientSecret,
        unknownAcoClientId: opts.unknownAcoClientId,
        unknownAcoClientSecret: opts.unknownAcoClientSecret,
        partiallyAdjudicatedClientId: opts.partiallyAdjudicatedClientId,
        partiallyAdjudicatedClientSecret: opts.partiallyAdjudicatedClientSecret,
        apiVersion: opts.apiVersion,
        group: opts.group,
        profile: opts.profile,
        suites: opts.suite,
        grep: opts.grep,
        outDir: opts.out,
        timeoutSeconds: opts.timeout,
        requestTimeoutSeconds: opts.requestTimeout,
        maxKickoffs: opts.maxKickoffs,
        maxFiles: opts.maxFiles,
        validateLines: opts.validateLines,
        includeSamples: opts.includeSamples ? true : undefined,
        strict: opts.strict ? true : undefined,
        mockFaults: opts.mockFault,
        mockQuirks: opts.mockQuirks ? true : undefined,
        allowOrigins: opts.allowOrigin,
        config: opts.config,
      };
      let config;
      try {
        config = loadConfig(flags);
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
      const { runConformance } = await import('../engine/runner');
      const { consoleHooks, printSummary } = await import('../report/console');
      const { ReportWriteError, writeReports } = await import('../report/write');
      let outcome;
      try {
        outcome = await runConformance(config, consoleHooks());
      } catch (err) {
        // Bad mock settings (e.g. an unknown fault name) surface here.
        process.stderr.write(`bcda-conformance: ${(err as Error).message}\n`);
        process.exitCode = EXIT.usage;
        return;
      }
      let files: string[] = [];
      try {
        files = Object.values(writeReports(outcome.report, config.outDir));
      } catch (err) {
        if (err instanceof ReportWriteError) {
          process.stderr.write(`bcda-conformance: ${err.message}\n`);
          process.exitCode = EXIT.usage;
          return;
        }
        throw err;
      }
      printSummary(outcome.report, files);
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
    .action((opts: { json?: boolean; profile?: string; suite?: string[] }) => {
      if (opts.profile && opts.profile !== 'bcda' && opts.profile !== 'bulk-data-ig') {
        process.stderr.write(`bcda-conformance: --profile must be bcda or bulk-data-ig\n`);
        process.exitCode = EXIT.usage;
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
        const data = checks.map(({ run: _run, ...meta }) => meta);
        process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
        return;
      }
      for (const c of checks) {
        process.stdout.write(`${c.id.padEnd(44)} ${c.level.padEnd(6)} ${c.area.padEnd(11)} ${c.title}\n`);
      }
      process.stdout.write(`\n${checks.length} of ${CATALOG.length} checks\n`);
    });
}
