/**
 * The run waits as a 429 tells it: when the shared export's kick-off is refused because an earlier
 * job of the same organization is still running, it sleeps for Retry-After and asks again.
 */
import { loadConfig } from '../../src/config/config';
import { runConformance } from '../../src/run/run-conformance';
import { startMock, type MockServer } from '../../src/mock';

describe('kick-off refused with 429', () => {
  let mock: MockServer;
  beforeAll(async () => {
    // The sandbox ACO made rate-limited; its earlier job takes about 2 s to finish.
    mock = await startMock({ extraAcos: [{ cmsId: 'A9994', rateLimited: true }] });
  });
  afterAll(() => mock.close());

  it('waits for Retry-After and kicks off again; the shared export then completes', async () => {
    const main = mock.credentials.find((c) => c.cmsId === 'A9994')!;
    const basic = Buffer.from(`${main.clientId}:${main.clientSecret}`).toString('base64');
    const token = (await (
      await fetch(`${mock.url}/auth/token`, { method: 'POST', headers: { authorization: `Basic ${basic}` } })
    ).json()) as { access_token: string };
    const earlier = await fetch(`${mock.url}/api/v2/Group/all/$export`, {
      headers: {
        authorization: `Bearer ${token.access_token}`,
        accept: 'application/fhir+json',
        prefer: 'respond-async',
      },
    });
    expect(earlier.status).toBe(202);

    const waits: number[] = [];
    const config = loadConfig(
      {
        target: mock.url,
        clientId: main.clientId,
        clientSecret: main.clientSecret,
        suites: ['status'],
        outDir: 'reports',
      },
      {},
      '/nonexistent-rate-limit-cwd',
    );
    const { report } = await runConformance(config, {
      onProgress: (e) => {
        if (e.kind === 'wait') waits.push(e.ms);
      },
    });
    const kickoffs = report.exchanges.filter((x) => x.label === 'kick-off of the shared export');
    expect(kickoffs[0]?.response?.status).toBe(429);
    expect(kickoffs.at(-1)?.response?.status).toBe(202);
    expect(waits.length).toBe(kickoffs.length - 1);
    expect(waits.every((ms) => ms >= 1000)).toBe(true);
    // Each retry came only after the wait Retry-After asked for.
    for (let i = 1; i < kickoffs.length; i++) {
      const gap = Date.parse(kickoffs[i]!.startedAt) - Date.parse(kickoffs[i - 1]!.startedAt);
      expect(gap).toBeGreaterThanOrEqual(1000);
    }
    expect(report.results.find((r) => r.id === 'STATUS-COMPLETE-200')?.outcome).toBe('pass');
  }, 60_000);
});
