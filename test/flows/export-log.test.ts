/**
 * The export flow and its log without a server: the steps are stand-ins, so each stop of the flow
 * (no job, polling stopped, a failed job, a body that is not a manifest) and the log's view of
 * exports still running when the run ends can be seen one by one.
 */
import { ExportLog, type ExportSteps, type Kicked } from '../../src/flows/export';
import type { HttpResponse } from '../../src/http/client';
import type { TargetClient } from '../../src/http/target';

/** Just enough of a response for the flow: status, headers, the exchange's id and URL, a body. */
function response(status: number, body?: unknown, headers: Record<string, string> = {}): HttpResponse {
  const text = body === undefined ? '' : JSON.stringify(body);
  return {
    exchange: {
      id: `x${status}`,
      label: 'stand-in',
      request: { method: 'GET', url: 'http://target/api/v2/Group/all/$export', headers: {} },
      startedAt: new Date(0).toISOString(),
      durationMs: 0,
    },
    status,
    headers,
    body: Buffer.from(text),
    bodyCut: false,
    text: () => text,
    json: <T>() => (text ? (JSON.parse(text) as T) : undefined),
    jsonError: () => (text ? undefined : 'empty'),
  };
}

function steps(overrides: Partial<ExportSteps> = {}) {
  const kept: string[] = [];
  const cancelled: string[] = [];
  const base: ExportSteps = {
    kickoff: async (): Promise<Kicked> => ({ res: response(202), jobUrl: 'http://target/jobs/1' }),
    poll: async () => ({ polls: [], final: response(200, { output: [], error: [] }) }),
    client: {} as TargetClient,
    jobs: { keep: (url) => kept.push(url), cancelAtEnd: (url) => cancelled.push(url) },
    deadline: Date.now() + 60_000,
  };
  return { steps: { ...base, ...overrides }, kept, cancelled };
}

describe('the export flow', () => {
  it('follows a job to its manifest, keeps the job, and records the run under its name', async () => {
    const log = new ExportLog();
    const { steps: s, kept } = steps();
    const run = await log.follow('main', s);
    expect(run).toMatchObject({ name: 'main', jobUrl: 'http://target/jobs/1', manifest: { output: [] } });
    expect(run.problem).toBeUndefined();
    expect(kept).toEqual(['http://target/jobs/1']);
    expect(await log.settled()).toEqual([run]);
  });

  it('says why it stopped: no job, polling stopped (the job is cancelled at the end), a failed job, no manifest', async () => {
    const log = new ExportLog();
    const noJob = steps({ kickoff: async () => ({ res: response(400) }) });
    const stalled = steps({
      poll: async () => ({ polls: [], stopped: 'the time budget for polling ran out' }),
    });
    const failed = steps({ poll: async () => ({ polls: [], final: response(500) }) });
    const notJson = steps({ poll: async () => ({ polls: [], final: response(200) }) });
    expect((await log.follow('no job', noJob.steps)).problem).toBe(
      'the kick-off answered 400, so there is no job to follow',
    );
    expect((await log.follow('stalled', stalled.steps)).problem).toBe('the time budget for polling ran out');
    expect(stalled.cancelled).toEqual(['http://target/jobs/1']);
    expect((await log.follow('failed', failed.steps)).problem).toBe('the job ended with status 500, not 200');
    expect((await log.follow('not json', notJson.steps)).problem).toBe(
      "the completed job's body is not a JSON object (empty)",
    );
    expect((await log.settled()).map((r) => r.name)).toEqual(['no job', 'stalled', 'failed', 'not json']);
  });

  it('kicks off again after a 429, as Retry-After says, a few times at most', async () => {
    let kickoffs = 0;
    const waits: number[] = [];
    const { steps: s } = steps({
      kickoff: async () => {
        kickoffs += 1;
        return kickoffs < 3
          ? { res: response(429, undefined, { 'retry-after': '1' }) }
          : { res: response(202), jobUrl: 'http://target/jobs/1' };
      },
      onWait: (ms) => waits.push(ms),
      // The waits are cut short: only their length matters here.
      signal: AbortSignal.abort(),
    });
    const run = await new ExportLog().follow('main', s);
    expect(kickoffs).toBe(3);
    expect(waits).toEqual([1_000, 1_000]);
    expect(run.jobUrl).toBe('http://target/jobs/1');
  });

  it('gives an export still running when the run ends as far as it got, after a short grace', async () => {
    const log = new ExportLog();
    const { steps: s } = steps({ poll: () => new Promise(() => undefined) });
    void log.follow('main', s);
    const [run] = await log.settled(10);
    expect(run).toMatchObject({
      name: 'main',
      jobUrl: 'http://target/jobs/1',
      problem: 'not finished when the run ended (its time budget was spent)',
    });
  });

  it('records a failure of the harness itself as the problem, and passes it on', async () => {
    const log = new ExportLog();
    const { steps: s } = steps({
      poll: async () => {
        throw new Error('the check context is broken');
      },
    });
    await expect(log.follow('main', s)).rejects.toThrow('the check context is broken');
    expect((await log.settled())[0]?.problem).toBe('the check context is broken');
  });
});
