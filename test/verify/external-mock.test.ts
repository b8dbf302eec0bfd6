/**
 * The built command line against a separately started mock (not the embedded one): clean it
 * passes; with a fault it exits 1 naming the check. --strict also fails on SHOULD-level checks,
 * and a mock started with control endpoints lets the job-state checks run.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BUILT_IN_CREDENTIALS } from '../../src/mock/credentials';
import { startMock, type MockServer } from '../../src/mock';
import { ensureBuiltCli, runCli } from '../cli/built-cli';

const creds = (cmsId: string) => BUILT_IN_CREDENTIALS.find((c) => c.cmsId === cmsId)!;

async function runAgainst(faults: string[], extra: string[]) {
  // As fast as the embedded mock: a job of the normal speed (2 s) made each whole run 40 s.
  const mock: MockServer = await startMock({ control: true, quiet: true, faults, jobSpeed: 4 });
  try {
    const dir = mkdtempSync(path.join(tmpdir(), 'external-mock-'));
    const main = creds('A9994');
    const other = creds('A9990');
    return await runCli(
      [
        'run',
        '--target',
        mock.url,
        '--client-id',
        main.clientId,
        '--client-secret',
        main.clientSecret,
        '--other-client-id',
        other.clientId,
        '--other-client-secret',
        other.clientSecret,
        '--out',
        path.join(dir, 'reports'),
        ...extra,
      ],
      dir,
    );
  } finally {
    await mock.close();
  }
}

describe('run against a separately started mock', () => {
  beforeAll(() => ensureBuiltCli(), 120_000);

  it('exits 0 on the clean mock, using its control endpoints', async () => {
    const res = await runAgainst([], ['--suite', 'jobs', 'status']);
    expect(res.stderr).not.toMatch(/\n\s+at /);
    expect(res.code).toBe(0);
    expect(res.stdout + res.stderr).toMatch(/mock control endpoints/);
  }, 60_000);

  it('exits 1 naming the MUST-level check a fault breaks, including one that needs job-state control', async () => {
    const kickoff = await runAgainst(['kickoff-relative-content-location'], ['--suite', 'kickoff']);
    expect(kickoff.code).toBe(1);
    expect(kickoff.stdout).toMatch(/KICKOFF-[A-Z]+-ACCEPTED/);
    const states = await runAgainst(['jobs-wrong-task-status'], ['--suite', 'jobs']);
    expect(states.code).toBe(1);
    expect(states.stdout).toContain('JOBS-ALL-STATES');
  }, 90_000);

  it('exits 0 for a SHOULD-level fault unless --strict is given', async () => {
    const lenient = await runAgainst(['status-no-expires'], ['--suite', 'status']);
    expect(lenient.code).toBe(0);
    const strict = await runAgainst(['status-no-expires'], ['--suite', 'status', '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/--strict: \d+ check\(s\) failed or warned: .*STATUS-EXPIRES/);
  }, 90_000);
});
