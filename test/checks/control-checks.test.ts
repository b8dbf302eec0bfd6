/**
 * The wave-2 checks that need the target's clock, job states or failures, run against a mock with
 * control (where the rule holds, and under the fault that breaks it) and against one without
 * (where they skip, or judge only what they still can).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type RawSettings } from '../../src/config/config';
import type { CheckResult } from '../../src/engine/results';
import { runConformance } from '../../src/run/run-conformance';
import { BUILT_IN_CREDENTIALS } from '../../src/mock/credentials';
import { startMock, type MockServer } from '../../src/mock';

jest.setTimeout(90_000);

const main = BUILT_IN_CREDENTIALS.find((c) => c.cmsId === 'A9994')!;

let controlled: MockServer;
let plain: MockServer;
beforeAll(async () => {
  // Faster jobs: the checks here wait for the shared export, not for its pace.
  controlled = await startMock({ control: true, quiet: true, jobSpeed: 4 });
  plain = await startMock({ quiet: true, jobSpeed: 4 });
});
afterEach(() => {
  controlled.setFaults([]);
  plain.setFaults([]);
});
afterAll(async () => {
  await controlled.close();
  await plain.close();
});

async function run(mock: MockServer, check: string, extra: RawSettings = {}): Promise<CheckResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'control-checks-'));
  const config = loadConfig(
    {
      // Judged by the generic profile, the BCDA mock is a FHIR server whose base is /api/v2.
      target: extra.profile === 'bulk-data-ig' ? `${mock.url}/api/v2` : mock.url,
      group: 'all',
      clientId: main.clientId,
      clientSecret: main.clientSecret,
      grep: check,
      outDir: path.join(dir, 'reports'),
      timeoutSeconds: 60,
      ...extra,
    },
    {},
    dir,
  );
  const { report } = await runConformance(config);
  const result = report.results.find((r) => r.id === check);
  if (!result) throw new Error(`${check} did not run`);
  return result;
}

const seen = (r: CheckResult) => ({ outcome: r.outcome, message: r.message });

describe('STATUS-FILES-KEPT-23H', () => {
  const lead = (mock: MockServer) => mock.clock.nowMs() - Date.now();

  test('passes 23 hours after completion, and puts the clock back', async () => {
    const before = lead(controlled);
    expect(seen(await run(controlled, 'STATUS-FILES-KEPT-23H'))).toEqual({
      outcome: 'pass',
      message: expect.stringMatching(/^200, \d+ bytes, 23 hours after completion$/) as unknown,
    });
    expect(Math.abs(lead(controlled) - before)).toBeLessThan(60_000);
  });

  test('fails when the files are gone before 24 hours', async () => {
    controlled.setFaults(['download-expires-early']);
    expect((await run(controlled, 'STATUS-FILES-KEPT-23H')).outcome).toBe('fail');
  });

  test('skips on a target whose clock cannot be moved', async () => {
    expect(seen(await run(plain, 'STATUS-FILES-KEPT-23H'))).toEqual({
      outcome: 'skip',
      message: expect.stringContaining('no way to move its clock') as unknown,
    });
  });
});

describe('JOBS-FILTER-ARCHIVED', () => {
  test('passes: an archived, then expired job is listed under that state only', async () => {
    expect(seen(await run(controlled, 'JOBS-FILTER-ARCHIVED'))).toEqual({
      outcome: 'pass',
      message: expect.stringContaining('is listed under Archived, then Expired, and only there') as unknown,
    });
  });

  test('fails a filter that matches by Task.status, with or without control', async () => {
    controlled.setFaults(['jobs-status-filter-by-task-status']);
    plain.setFaults(['jobs-status-filter-by-task-status']);
    const withControl = await run(controlled, 'JOBS-FILTER-ARCHIVED');
    expect(withControl.outcome).toBe('fail');
    expect(withControl.message).toContain('_status=Archived lists job');
    expect((await run(plain, 'JOBS-FILTER-ARCHIVED')).outcome).toBe('fail');
  });

  test('without control, judges the completed job alone and says what it could not see', async () => {
    expect(seen(await run(plain, 'JOBS-FILTER-ARCHIVED'))).toEqual({
      outcome: 'pass',
      message: expect.stringContaining('no mock control') as unknown,
    });
  });
});

describe('MANIFEST-PARTIAL-FAILURE', () => {
  test('passes on the mock, whose every export misses a beneficiary BFD cannot find', async () => {
    expect(seen(await run(controlled, 'MANIFEST-PARTIAL-FAILURE'))).toEqual({
      outcome: 'pass',
      message: expect.stringMatching(/could not be exported; 200 with \d+ error file\(s\) naming/) as unknown,
    });
  });

  test.each(['status-partial-failure-500', 'manifest-error-array-empty', 'manifest-error-file-missing'])(
    'fails under %s',
    async (fault) => {
      controlled.setFaults([fault]);
      expect((await run(controlled, 'MANIFEST-PARTIAL-FAILURE')).outcome).toBe('fail');
    },
  );

  test('skips without control', async () => {
    expect((await run(plain, 'MANIFEST-PARTIAL-FAILURE')).outcome).toBe('skip');
  });
});

describe('RATELIMIT-POLLING-TOO-OFTEN (bulk-data-ig)', () => {
  const ig = { profile: 'bulk-data-ig' } as RawSettings;

  test('passes when the limit set through control answers 429 with Retry-After', async () => {
    expect(seen(await run(controlled, 'RATELIMIT-POLLING-TOO-OFTEN', ig))).toEqual({
      outcome: 'pass',
      message: expect.stringMatching(/answered 429 with Retry-After: \d+$/) as unknown,
    });
    // Switched off again after the burst.
    const state = (await (await fetch(`${controlled.url}/__mock/state`)).json()) as {
      pollRateLimit: { limit: number };
    };
    expect(state.pollRateLimit.limit).toBe(0);
  });

  test('warns when the server never throttles, or throttles without Retry-After', async () => {
    expect((await run(plain, 'RATELIMIT-POLLING-TOO-OFTEN', ig)).outcome).toBe('warn');
    controlled.setFaults(['poll-rate-limit-no-retry-after']);
    const out = await run(controlled, 'RATELIMIT-POLLING-TOO-OFTEN', ig);
    expect(seen(out)).toEqual({ outcome: 'warn', message: expect.stringContaining('missing') as unknown });
  });
});
