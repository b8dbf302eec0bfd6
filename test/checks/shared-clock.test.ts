/**
 * A check that moves the target's clock (STATUS-EXPIRED-AFTER-24H) against a separately started
 * mock with --control, which other clients may share: with only a fixed --token it skips, since
 * that token would be expired on the moved clock; with credentials it runs on a fresh token; and
 * either way the mock's clock is where it was when the run ends.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type RawSettings } from '../../src/config/config';
import type { CheckResult } from '../../src/engine/results';
import { runConformance } from '../../src/run/run-conformance';
import { BUILT_IN_CREDENTIALS } from '../../src/mock/credentials';
import { startMock, type MockServer } from '../../src/mock';

jest.setTimeout(60_000);

const CHECK = 'STATUS-EXPIRED-AFTER-24H';
const main = BUILT_IN_CREDENTIALS.find((c) => c.cmsId === 'A9994')!;

const mocks: MockServer[] = [];
afterEach(async () => {
  await Promise.all(mocks.splice(0).map((m) => m.close()));
});

async function mockWith(faults: string[] = []): Promise<MockServer> {
  const mock = await startMock({ control: true, quiet: true, faults });
  mocks.push(mock);
  return mock;
}

/** A token from the mock's own token endpoint, as a user would pass with --token. */
async function tokenFrom(mock: MockServer): Promise<string> {
  const res = await fetch(`${mock.url}/auth/token`, {
    method: 'POST',
    headers: {
      accept: 'application/json',
      authorization: `Basic ${Buffer.from(`${main.clientId}:${main.clientSecret}`).toString('base64')}`,
    },
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

async function runCheck(mock: MockServer, auth: RawSettings): Promise<CheckResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'shared-clock-'));
  const config = loadConfig(
    { ...auth, target: mock.url, grep: CHECK, outDir: path.join(dir, 'reports'), timeoutSeconds: 45 },
    {},
    dir,
  );
  const { report } = await runConformance(config);
  const result = report.results.find((r) => r.id === CHECK);
  if (!result) throw new Error(`${CHECK} did not run`);
  return result;
}

/** How far the mock's clock is ahead of real time (it follows wall time, shifted by advances). */
const lead = (mock: MockServer) => mock.clock.nowMs() - Date.now();

describe(`${CHECK} against a shared mock with control`, () => {
  test('with only a fixed --token: skipped saying why, and the clock is left where it was', async () => {
    const mock = await mockWith();
    const before = lead(mock);
    const result = await runCheck(mock, { token: await tokenFrom(mock) });
    expect({ outcome: result.outcome, message: result.message }).toEqual({
      outcome: 'skip',
      message: expect.stringMatching(/fixed --token/) as unknown,
    });
    expect(Math.abs(lead(mock) - before)).toBeLessThan(60_000);
  });

  test('with client credentials: passes on a fresh token, and the clock is put back', async () => {
    const mock = await mockWith();
    const before = lead(mock);
    const result = await runCheck(mock, { clientId: main.clientId, clientSecret: main.clientSecret });
    expect({ outcome: result.outcome, message: result.message }).toEqual({
      outcome: 'pass',
      message: expect.stringMatching(/^status 4\d\d, download 4\d\d/) as unknown,
    });
    expect(Math.abs(lead(mock) - before)).toBeLessThan(60_000);
  });

  test.each(['status-expired-200', 'download-available-after-expiry'])(
    'the fault %s still trips it, and the clock is put back',
    async (fault) => {
      const mock = await mockWith([fault]);
      const before = lead(mock);
      const result = await runCheck(mock, { clientId: main.clientId, clientSecret: main.clientSecret });
      expect(result.outcome).toBe('fail');
      expect(Math.abs(lead(mock) - before)).toBeLessThan(60_000);
    },
  );
});
