/**
 * The checks of the server's own tokens against a mock with control: a token it issued expires
 * (AUTH-OWN-TOKEN-EXPIRES), its access_token has no whitespace (AUTH-TOKEN-NO-WHITESPACE), a
 * newer token downloads an older job's files (AUTH-DOWNLOAD-NEW-TOKEN) and a running job outlives
 * the token that started it (AUTH-JOB-OUTLIVES-TOKEN). Each skips where it cannot tell (no clock
 * control, a fixed --token), passes on the clean mock and fails under the fault written for it;
 * the clock is where it was when the run ends. AUTH-TOKEN-SUCCESS also sends the token it was
 * issued to the API at once.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type RawSettings } from '../../src/config/config';
import type { CheckResult } from '../../src/engine/results';
import { startIgMock, type IgMockOptions, type IgMockServer } from '../../src/mock/ig';
import { igContextOf } from '../../src/mock/ig/app';
import { runConformance } from '../../src/run/run-conformance';
import { lead, mockWith, runCheck, tokenFrom } from './separate-mock';

jest.setTimeout(60_000);

const outcome = (r: CheckResult) => ({ outcome: r.outcome, message: r.message });

describe('AUTH-OWN-TOKEN-EXPIRES', () => {
  const ID = 'AUTH-OWN-TOKEN-EXPIRES';

  test('without clock control: skipped saying why', async () => {
    const result = await runCheck(await mockWith([], false), ID);
    expect(outcome(result)).toEqual({ outcome: 'skip', message: expect.stringMatching(/move its clock/) });
  });

  test('clean: a fresh token accepted, still 19 minutes on, refused 21 minutes on; the clock is put back', async () => {
    const mock = await mockWith();
    const before = lead(mock);
    const result = await runCheck(mock, ID);
    expect(outcome(result)).toEqual({
      outcome: 'pass',
      message: expect.stringMatching(/and 19 minutes on, refused with 401 .* by the job status too$/),
    });
    // attribution_status now, 19 and 21 minutes on; the shared export's status 21 minutes on.
    expect(result.evidence).toHaveLength(4);
    expect(Math.abs(lead(mock) - before)).toBeLessThan(60_000);
  });

  test('with a fixed --token the server issued: judged the same way', async () => {
    const mock = await mockWith();
    const result = await runCheck(mock, ID, { token: await tokenFrom(mock) });
    expect(result.outcome).toBe('pass');
  });

  test('a token that is refused already: skipped, nothing to tell', async () => {
    const mock = await mockWith();
    const token = await tokenFrom(mock);
    mock.clock.advance(1300);
    const result = await runCheck(mock, ID, { token });
    expect(outcome(result)).toEqual({
      outcome: 'skip',
      message: expect.stringMatching(/not accepted even now/),
    });
  });

  test('an expiry judged at the kick-off only: fails on the job status 21 minutes on', async () => {
    const mock = await mockWith(['auth-expiry-checked-at-kickoff-only']);
    const result = await runCheck(mock, ID);
    expect(outcome(result)).toEqual({
      outcome: 'fail',
      message: expect.stringMatching(/^21 minutes on, the same token on the job status: status 200/),
    });
  });

  test('tokens that end before the 20 minutes they are issued for: fails at 19 minutes', async () => {
    const mock = await mockWith(['auth-token-expires-early']);
    const before = lead(mock);
    const result = await runCheck(mock, ID);
    expect(outcome(result)).toEqual({
      outcome: 'fail',
      message: '19 minutes on, within the 20 minutes it was issued for, the token answered 401',
    });
    expect(Math.abs(lead(mock) - before)).toBeLessThan(60_000);
  });

  test('tokens that never expire: fails', async () => {
    const mock = await mockWith(['auth-token-never-expires']);
    const before = lead(mock);
    const result = await runCheck(mock, ID);
    expect(outcome(result)).toEqual({
      outcome: 'fail',
      message: expect.stringMatching(/status 200, expected 401/),
    });
    expect(Math.abs(lead(mock) - before)).toBeLessThan(60_000);
  });
});

describe('AUTH-TOKEN-NO-WHITESPACE', () => {
  const ID = 'AUTH-TOKEN-NO-WHITESPACE';

  test('with a fixed --token: skipped (the token endpoint is not used)', async () => {
    const mock = await mockWith();
    expect((await runCheck(mock, ID, { token: await tokenFrom(mock) })).outcome).toBe('skip');
  });

  test('clean: passes', async () => {
    expect((await runCheck(await mockWith(), ID)).outcome).toBe('pass');
  });

  test('a trailing space: fails, naming where without showing the token', async () => {
    const result = await runCheck(await mockWith(['auth-token-whitespace']), ID);
    expect(outcome(result)).toEqual({
      outcome: 'fail',
      message: expect.stringMatching(/^the access_token holds a space at character (\d+) of \1$/),
    });
  });
});

describe('AUTH-DOWNLOAD-NEW-TOKEN', () => {
  const ID = 'AUTH-DOWNLOAD-NEW-TOKEN';

  test('with a fixed --token: skipped (no newer token to get)', async () => {
    const mock = await mockWith();
    const result = await runCheck(mock, ID, { token: await tokenFrom(mock) });
    expect(outcome(result)).toEqual({ outcome: 'skip', message: expect.stringMatching(/fixed --token/) });
  });

  test('clean: a new token downloads the file', async () => {
    expect((await runCheck(await mockWith(), ID)).outcome).toBe('pass');
  });

  test('files tied to tokens older than the job: fails', async () => {
    const result = await runCheck(await mockWith(['download-refuses-new-token']), ID);
    expect(outcome(result)).toEqual({ outcome: 'fail', message: expect.stringMatching(/answered 401/) });
  });
});

describe('AUTH-JOB-OUTLIVES-TOKEN', () => {
  const ID = 'AUTH-JOB-OUTLIVES-TOKEN';

  test('without clock control: skipped', async () => {
    expect((await runCheck(await mockWith([], false), ID)).outcome).toBe('skip');
  });

  test('with a fixed --token: skipped', async () => {
    const mock = await mockWith();
    const result = await runCheck(mock, ID, { token: await tokenFrom(mock) });
    expect(outcome(result)).toEqual({ outcome: 'skip', message: expect.stringMatching(/fixed --token/) });
  });

  test('tokens that never expire: skipped, the expiry cannot be shown to spare the job', async () => {
    const result = await runCheck(await mockWith(['auth-token-never-expires']), ID);
    expect(outcome(result)).toEqual({ outcome: 'skip', message: expect.stringMatching(/has not expired/) });
  });

  test('clean: the job still runs; the clock is put back and the job cancelled', async () => {
    const mock = await mockWith();
    const before = lead(mock);
    const result = await runCheck(mock, ID);
    expect(outcome(result)).toEqual({ outcome: 'pass', message: expect.stringMatching(/answers 202/) });
    expect(Math.abs(lead(mock) - before)).toBeLessThan(60_000);
    const state = (await (await fetch(`${mock.url}/__mock/state`)).json()) as { jobs: { status: string }[] };
    expect(state.jobs.map((j) => j.status)).toContain('Cancelled');
    expect(state.jobs.map((j) => j.status)).not.toContain('In Progress');
    expect(state.jobs.map((j) => j.status)).not.toContain('Pending');
    expect(result.message).toMatch(/held In Progress and held Pending alike$/);
  });

  test('a job interrupted by its token’s expiry: fails', async () => {
    const result = await runCheck(await mockWith(['job-interrupted-by-token-expiry']), ID);
    expect(outcome(result)).toEqual({ outcome: 'fail', message: expect.stringMatching(/answers 500/) });
  });

  test('a queued job dropped at its token’s expiry, a running one spared: fails on the queued one', async () => {
    const result = await runCheck(await mockWith(['job-queued-dropped-on-token-expiry']), ID);
    expect(outcome(result)).toEqual({
      outcome: 'fail',
      message: expect.stringMatching(/the job held Pending answers 500/),
    });
  });
});

describe('AUTH-TOKEN-SUCCESS', () => {
  const ID = 'AUTH-TOKEN-SUCCESS';

  test('clean: the token issued is taken by attribution_status', async () => {
    const result = await runCheck(await mockWith(), ID);
    expect(outcome(result)).toEqual({ outcome: 'pass', message: expect.stringMatching(/the API accepts$/) });
  });

  test('a token expired when issued: fails, though its answer looks right', async () => {
    const result = await runCheck(await mockWith(['auth-token-issued-expired']), ID);
    expect(outcome(result)).toEqual({
      outcome: 'fail',
      message: expect.stringMatching(/^the token it issued is refused: attribution_status answered 401/),
    });
  });
});

describe('AUTH-OWN-TOKEN-EXPIRES under bulk-data-ig (the generic mock)', () => {
  const ID = 'AUTH-OWN-TOKEN-EXPIRES';
  const SMART: RawSettings = {
    smartClientId: 'bulk-ig-full-client',
    smartKey: path.join(__dirname, '..', '..', 'fixtures/smart/bulk-ig-full-client.es384.private.jwk.json'),
  };

  async function runGeneric(mock: IgMockServer): Promise<CheckResult> {
    const dir = mkdtempSync(path.join(tmpdir(), 'aged-token-'));
    const config = loadConfig(
      { ...SMART, profile: 'bulk-data-ig', target: mock.fhirBase, outDir: path.join(dir, 'reports') },
      {},
      dir,
    );
    const { report } = await runConformance(config, { onlyChecks: new Set([ID]) });
    const result = report.results.find((r) => r.id === ID);
    if (!result) throw new Error(`${ID} did not run`);
    return result;
  }

  const igMock = (faults: string[] = [], control = true) =>
    startIgMock({ quiet: true, control, jobSpeed: 20, faults: faults as IgMockOptions['faults'] });

  test.each([
    [
      'clean: refused past expires_in by the status URL, a file and a kick-off',
      [],
      'pass',
      /a kick-off once 420 s/,
    ],
    [
      'tokens that never expire: every aged request fails',
      ['ig-token-never-expires'],
      'fail',
      /a kick-off, 420 s on: status 202/,
    ],
    [
      'expiry checked at the kick-off only: the status URL and the file fail',
      ['ig-token-expiry-kickoff-only'],
      'fail',
      /^the shared export's status, 420 s on: status 200/,
    ],
  ])('%s', async (_name, faults, want, message) => {
    const mock = await igMock(faults);
    try {
      const clock = igContextOf(mock.app).clock;
      const before = clock.nowMs() - Date.now();
      const result = await runGeneric(mock);
      expect(outcome(result)).toEqual({ outcome: want, message: expect.stringMatching(message) });
      // The clock is put back (within the run's own seconds).
      expect(Math.abs(clock.nowMs() - Date.now() - before)).toBeLessThan(60_000);
    } finally {
      await mock.close();
    }
  });

  test('without clock control: skipped saying why', async () => {
    const mock = await igMock([], false);
    try {
      expect(outcome(await runGeneric(mock))).toEqual({
        outcome: 'skip',
        message: expect.stringMatching(/move its clock/),
      });
    } finally {
      await mock.close();
    }
  });
});
