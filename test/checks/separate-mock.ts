/**
 * For tests that run one check against a separately started mock with control, as a user would
 * point the tool at one: start mocks (closed after each test), get a token from one, run a check.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type RawSettings } from '../../src/config/config';
import type { CheckResult } from '../../src/engine/results';
import { runConformance } from '../../src/run/run-conformance';
import { BUILT_IN_CREDENTIALS } from '../../src/mock/credentials';
import { startMock, type MockServer } from '../../src/mock';

/** The sandbox organization every built-in mock has. */
export const MAIN = BUILT_IN_CREDENTIALS.find((c) => c.cmsId === 'A9994')!;
export const MAIN_CREDENTIALS = { clientId: MAIN.clientId, clientSecret: MAIN.clientSecret };

const mocks: MockServer[] = [];
afterEach(async () => {
  await Promise.all(mocks.splice(0).map((m) => m.close()));
});

export async function mockWith(faults: string[] = [], control = true): Promise<MockServer> {
  const mock = await startMock({ control, quiet: true, faults });
  mocks.push(mock);
  return mock;
}

/** A token from the mock's own token endpoint, as a user would pass with --token. */
export async function tokenFrom(mock: MockServer): Promise<string> {
  const res = await fetch(`${mock.url}/auth/token`, {
    method: 'POST',
    headers: {
      accept: 'application/json',
      authorization: `Basic ${Buffer.from(`${MAIN.clientId}:${MAIN.clientSecret}`).toString('base64')}`,
    },
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Runs only check `id` against `mock` with `auth`, and returns its result. */
export async function runCheck(
  mock: MockServer,
  id: string,
  auth: RawSettings = MAIN_CREDENTIALS,
): Promise<CheckResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'separate-mock-'));
  const config = loadConfig(
    { ...auth, target: mock.url, grep: id, outDir: path.join(dir, 'reports'), timeoutSeconds: 45 },
    {},
    dir,
  );
  const { report } = await runConformance(config);
  const result = report.results.find((r) => r.id === id);
  if (!result) throw new Error(`${id} did not run`);
  return result;
}

/** How far the mock's clock is ahead of real time (it follows wall time, shifted by advances). */
export const lead = (mock: MockServer) => mock.clock.nowMs() - Date.now();
