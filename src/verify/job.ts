/** Runs one verify job: the selected suites against a fresh embedded mock with at most one fault. */
import { loadConfig } from '../config/config';
import { runConformance } from '../run/run-conformance';
import { EMBEDDED_JOB_SPEED } from '../run/embedded-speed';
import type { Level, Outcome } from '../core/vocabulary';
import type { VerifyJob } from './plan';
import { isTripped } from '../engine/results';
import type { MockServer } from '../mock';
import { SANDBOX_CREDENTIAL } from '../mock/credentials';

export interface JobCheckResult {
  id: string;
  level: Level;
  outcome: Outcome;
  message: string;
  knownDeviation?: string;
}

export interface JobResult {
  key: string;
  durationMs: number;
  results: JobCheckResult[];
  /** Why the run itself could not be made (the mock did not start, the target was unreachable). */
  problem?: string;
}

/** Budget of one job's polling and downloads: a fault that stalls a job costs this much at most. */
export const JOB_TIMEOUT_SECONDS = 45;

export async function runVerifyJob(job: VerifyJob): Promise<JobResult> {
  const t0 = Date.now();
  let bcdaMock: MockServer | undefined;
  try {
    // The generic profile's embedded target is the generic mock: the BCDA mock is started here.
    if (job.bcdaMock)
      // Loaded here: the mock's modules and the run's import each other's leaves at load time.
      bcdaMock = await (
        await import('../mock')
      ).startMock({
        control: true,
        quiet: true,
        faults: job.fault ? [job.fault] : [],
        ...(job.quirks ? { quirks: true } : {}),
        jobSpeed: EMBEDDED_JOB_SPEED,
      });
    const sandbox = bcdaMock?.credentials.find((c) => c.cmsId === SANDBOX_CREDENTIAL.cmsId);
    const config = loadConfig(
      {
        apiVersion: job.version,
        profile: job.profile,
        ...(job.suites ? { suites: job.suites } : {}),
        ...(bcdaMock && sandbox
          ? {
              target: `${bcdaMock.url}/api/${job.version}`,
              group: 'all',
              clientId: sandbox.clientId,
              clientSecret: sandbox.clientSecret,
            }
          : {
              mockFaults: job.fault ? [job.fault] : [],
              ...(job.quirks ? { mockQuirks: true } : {}),
            }),
        timeoutSeconds: JOB_TIMEOUT_SECONDS,
        outDir: 'reports',
      },
      {},
      // No config file: the job's settings are the whole configuration.
      '/nonexistent-verify-cwd',
    );
    const { report, unreachable } = await runConformance(config, {
      ...(job.checks ? { onlyChecks: new Set(job.checks) } : {}),
      ...(bcdaMock ? { targetHasControl: true } : {}),
    });
    const results = report.results.map((r) => ({
      id: r.id,
      level: r.level,
      outcome: r.outcome,
      message: r.message,
      ...(r.knownDeviation ? { knownDeviation: r.knownDeviation } : {}),
    }));
    return {
      key: job.key,
      durationMs: Date.now() - t0,
      results,
      ...(unreachable ? { problem: `unreachable: ${unreachable}` } : {}),
    };
  } catch (err) {
    return { key: job.key, durationMs: Date.now() - t0, results: [], problem: (err as Error).message };
  } finally {
    await bcdaMock?.close().catch(() => undefined);
  }
}

/** Errors are the tool's or the transport's trouble, not detection: see isTripped. */
export { isTripped };
