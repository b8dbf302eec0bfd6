/**
 * The conformance suites as jest files, one per area, against the target configured by the
 * environment (BCDA_TARGET, BCDA_CLIENT_ID, … — see `run --help`) or the embedded mock.
 *
 * The catalog runs once per jest run, in the suites project's global setup, for every area whose
 * suite file the run selected; each suite file then reads its area's results from the file that
 * run wrote, so the shared export is fetched once however many suites run. A suite file run without
 * that setup runs its own area. A MUST or SHOULD check that fails, or any check that errors, fails
 * its test; skips and warnings pass with their message printed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { selectChecks } from '../checks/catalog';
import { AREAS, type Area } from '../core/vocabulary';
import { loadConfig, type RunConfig } from '../config/config';
import type { CheckResult } from '../engine/results';
import { runConformance } from '../run/run-conformance';

/** Where the global setup leaves the results for the suite files (a path in the environment). */
const RESULTS_ENV = 'BCDA_SUITES_RESULTS_FILE';

interface SuiteResults {
  unreachable?: string;
  results: CheckResult[];
}

/** The suite file of an area, relative to the repository root. */
export const suiteFile = (area: Area): string => path.join('suites', `${area}.suite.ts`);

function suiteConfig(areas: readonly Area[]): RunConfig {
  return loadConfig({ suites: [...areas], outDir: 'reports' }, process.env);
}

async function runAreas(areas: readonly Area[]): Promise<SuiteResults> {
  const outcome = await runConformance(suiteConfig(areas));
  return {
    ...(outcome.unreachable ? { unreachable: outcome.unreachable } : {}),
    results: outcome.report.results,
  };
}

/** What of jest's global config the setup reads: which test files the run selected. */
interface JestRunSelection {
  rootDir: string;
  testPathPatterns?: { toExecutor?(options: { rootDir: string }): { isMatch(absPath: string): boolean } };
}

/**
 * The suites project's global setup: runs the catalog once for the areas whose suite files this
 * jest run selected (all of them when no path pattern narrows the run, or when BCDA_SUITES does).
 */
export async function runSuitesOnce(globalConfig: JestRunSelection): Promise<void> {
  const root = globalConfig.rootDir;
  const executor = globalConfig.testPathPatterns?.toExecutor?.({ rootDir: root });
  const selected = AREAS.filter((a) => executor?.isMatch(path.join(root, suiteFile(a))) ?? true);
  // BCDA_SUITES, when set, narrows the run further (loadConfig validates it).
  const fromEnv = loadConfig({ outDir: 'reports' }, process.env).suites;
  const areas = selected.filter((a) => fromEnv.includes(a));
  if (!areas.length) return;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bcda-suites-'));
  const file = path.join(dir, 'results.json');
  writeFileSync(file, JSON.stringify(await runAreas(areas)));
  process.env[RESULTS_ENV] = file;
}

/** The suites project's global teardown: removes the results file. */
export function removeSuiteResults(): void {
  const file = process.env[RESULTS_ENV];
  if (file) rmSync(path.dirname(file), { recursive: true, force: true });
  delete process.env[RESULTS_ENV];
}

function sharedResults(area: Area): SuiteResults | undefined {
  const file = process.env[RESULTS_ENV];
  if (!file) return undefined;
  const shared = JSON.parse(readFileSync(file, 'utf8')) as SuiteResults;
  // The global setup ran other areas only (BCDA_SUITES or a path pattern it read differently).
  return shared.results.some((r) => r.area === area) ? shared : undefined;
}

export function defineConformanceSuite(area: Area): void {
  const config = suiteConfig([area]);
  const checks = selectChecks({ profile: config.profile, version: config.apiVersion, areas: [area] });
  const results = new Map<string, CheckResult>();
  let unreachable: string | undefined;

  describe(`${area} (${config.target ?? 'embedded mock'}, ${config.apiVersion}, ${config.profile})`, () => {
    beforeAll(
      async () => {
        const run = sharedResults(area) ?? (await runAreas([area]));
        unreachable = run.unreachable;
        for (const r of run.results) if (r.area === area) results.set(r.id, r);
      },
      (config.timeoutSeconds + 60) * 1000,
    );

    test.each(checks.map((c) => [`${c.id} [${c.level}] ${c.title}`, c.id] as const))('%s', (_name, id) => {
      if (unreachable) throw new Error(`the target cannot be reached: ${unreachable}`);
      const r = results.get(id);
      if (!r) throw new Error(`check ${id} did not run`);
      if (r.outcome === 'error' || (r.outcome === 'fail' && r.level !== 'MAY')) {
        throw new Error(
          `${r.outcome.toUpperCase()}: ${r.message}${r.expected ? `\nexpected: ${r.expected}\nactual:   ${r.actual ?? ''}` : ''}`,
        );
      }
      expect(['pass', 'warn', 'skip', 'fail']).toContain(r.outcome);
    });
  });
}
