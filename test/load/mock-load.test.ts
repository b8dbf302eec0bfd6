/**
 * 100 concurrent clients against one mock, each a full export flow (token, kick-off, polls,
 * every file, /jobs), with duplicate kick-offs on the rate-limited ACO. Checks: no lost or mixed
 * jobs, exactly the expected 429s, files byte-identical to a replay on a fresh mock with the same
 * seed, and bounded memory. No timing assertions: speed is in bench/mock-load.bench.ts.
 */
import { startMock, type MockServer } from '../../src/mock';
import {
  checkLoad,
  planFlows,
  replayFlows,
  runLoad,
  SMALL_MIX,
  type LoadResult,
  type LoadTarget,
} from '../../bench/load-driver';

jest.setTimeout(120_000);

const SEED = 7;
const CLOCK_START = '2026-06-15T12:00:00Z';
const CLIENTS = 100;
const RATE_LIMITED = 8;
/** RSS growth bound of this process (mock and clients together) over its warmed-up level. */
const RSS_GROWTH_BOUND_MB = 200;

async function freshMock(
  seed = SEED,
  faults: string[] = [],
): Promise<{ server: MockServer; target: LoadTarget }> {
  const server = await startMock({
    seed,
    faults,
    quiet: true,
    clock: { start: CLOCK_START, frozen: true },
    tokenLifetimeSeconds: 86400,
  });
  return { server, target: { url: server.url, advanceClock: async (s) => server.clock.advance(s) } };
}

describe('the mock under 100 concurrent export flows', () => {
  const plans = planFlows(CLIENTS, RATE_LIMITED, SMALL_MIX);
  let result: LoadResult;
  let replay: Map<string, Map<string, string>>;
  let baselineRss = 0;
  let peakRss = 0;

  beforeAll(async () => {
    // Reference hashes first (this also warms up the generator and the HTTP stack).
    const fresh = await freshMock();
    try {
      replay = await replayFlows(fresh.target, plans);
    } finally {
      await fresh.server.close();
    }
    const { server, target } = await freshMock();
    baselineRss = process.memoryUsage.rss();
    peakRss = baselineRss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 25);
    try {
      result = await runLoad(target, plans);
    } finally {
      clearInterval(sampler);
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
      await server.close();
    }
  });

  it('runs every client to the end with its own job, /jobs listing and replay-identical files', () => {
    expect(result.flows).toHaveLength(CLIENTS);
    expect(checkLoad(result, replay)).toEqual([]);
    for (const flow of result.flows) expect(flow.files.length).toBeGreaterThan(0);
  });

  it('answers exactly one 429 with Retry-After per duplicate kick-off, and no other 429', () => {
    const total = result.flows.reduce((n, f) => n + f.tooManyRequests, 0);
    const withRetryAfter = result.flows.reduce((n, f) => n + f.tooManyWithRetryAfter, 0);
    expect(total).toBe(RATE_LIMITED);
    expect(withRetryAfter).toBe(RATE_LIMITED);
  });

  it('gives every job a unique id', () => {
    const ids = result.flows.map((f) => f.jobId);
    expect(new Set(ids).size).toBe(CLIENTS);
  });

  it(`keeps memory growth under ${RSS_GROWTH_BOUND_MB} MB`, () => {
    const growthMb = (peakRss - baselineRss) / 1024 / 1024;
    expect(growthMb).toBeLessThan(RSS_GROWTH_BOUND_MB);
  });
});

describe('the load checks', () => {
  it("catch a mock that accepts duplicates, lists other ACOs' jobs or serves other files", async () => {
    const plans = planFlows(6, 2, SMALL_MIX.slice(0, 2));
    const other = await freshMock(SEED + 1);
    let replay: Map<string, Map<string, string>>;
    try {
      replay = await replayFlows(other.target, plans);
    } finally {
      await other.server.close();
    }
    const { server, target } = await freshMock(SEED, ['ratelimit-disabled', 'jobs-other-aco']);
    let problems: string[];
    try {
      problems = checkLoad(await runLoad(target, plans), replay);
    } finally {
      await server.close();
    }
    expect(problems.filter((p) => /duplicate kick-off answered 202, expected 429/.test(p))).toHaveLength(2);
    expect(problems.some((p) => /\/jobs listed \[.*\], expected/.test(p))).toBe(true);
    expect(problems.some((p) => /files differ from the replay/.test(p))).toBe(true);
  });
});
