/**
 * Runs one area of the catalog as a jest suite: one test per check, against the target configured
 * by the environment (BCDA_TARGET, BCDA_CLIENT_ID, … — see `run --help`), or the embedded mock.
 * A MUST or SHOULD check that fails, or any check that errors, fails its test; skips and warnings
 * pass with their message printed.
 */
import { selectChecks } from '../checks/catalog';
import type { Area } from '../checks/types';
import { loadConfig } from '../config/config';
import { runConformance } from './runner';
import type { CheckResult } from './results';

export function defineConformanceSuite(area: Area): void {
  const config = loadConfig({ suites: [area], outDir: 'reports' }, process.env);
  const checks = selectChecks({ profile: config.profile, version: config.apiVersion, areas: [area] });
  const results = new Map<string, CheckResult>();
  let unreachable: string | undefined;

  describe(`${area} (${config.target ?? 'embedded mock'}, ${config.apiVersion}, ${config.profile})`, () => {
    beforeAll(
      async () => {
        const outcome = await runConformance(config);
        unreachable = outcome.unreachable;
        for (const r of outcome.report.results) results.set(r.id, r);
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
