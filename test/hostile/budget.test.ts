/**
 * `--timeout` bounds the whole run: a target that answers every request with headers and then
 * drips (or stalls) its body cannot stretch a run past its budget, and requests that stall after
 * their headers count towards the "target stopped answering" cut-off.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunReport } from '../../src/engine/results';
import { GONE_AFTER_FAILURES } from '../../src/engine/run-checks';
import { CATALOG } from '../../src/checks/catalog';

const JUDGE_THE_RECORD = new Set(CATALOG.filter((c) => c.phase === 'final').map((c) => c.id));
import { runCli, STACK_TRACE } from './cli';
import { hostileRun, invariants, OK_INVARIANTS } from './run';
import { bcdaLike, drip, type Handler, type HostileServer, type Route } from './servers';

const servers: HostileServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** Every route but the metadata probe (which must pass, or the run stops as "unreachable") uses `handler`. */
async function allBut(handler: Handler): Promise<HostileServer> {
  const routes: Route[] = ['token', 'kickoff', 'status', 'cancel', 'jobs', 'download', 'other'];
  const server = await bcdaLike(Object.fromEntries(routes.map((r) => [r, handler])));
  servers.push(server);
  return server;
}

/** Headers at once, then one byte a second of a JSON body far longer than any request timeout. */
const dripping = drip({ 'content-type': 'application/json' }, `{"padding":"${'x'.repeat(600)}"}`);

/** Headers at once, then nothing: the body never starts. */
const stalled: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.flushHeaders();
};

describe('2. --timeout bounds the whole run', () => {
  test('run --timeout 20 --request-timeout 5 against a target that drips every answer: done within 35 s, all three reports', async () => {
    const target = await allBut(dripping);
    const t0 = Date.now();
    // Killed well past the bound, so a run that overruns fails on time and files, not on jest's timeout.
    const cli = await runCli(target.url, ['--timeout', '20', '--request-timeout', '5'], 60_000);
    const elapsed = Date.now() - t0;
    // Exit 0 or 1 (checks that ended before the budget may have failed), not 3: the probe
    // passed, and then the budget ended the run.
    expect({
      code: cli.code === 0 || cli.code === 1 ? '0 or 1' : cli.code,
      signal: cli.signal,
      trace: STACK_TRACE.test(cli.stderr),
    }).toEqual({ code: '0 or 1', signal: null, trace: false });
    expect(elapsed).toBeLessThan(35_000);
    for (const file of ['report.json', 'junit.xml', 'index.html'])
      expect(existsSync(path.join(cli.outDir, file))).toBe(true);
    const report = JSON.parse(readFileSync(path.join(cli.outDir, 'report.json'), 'utf8')) as RunReport;
    const notRun = report.results.filter((r) => /run time budget/.test(r.message));
    expect(notRun.length).toBeGreaterThan(report.results.length / 2);
    expect(new Set(notRun.map((r) => r.outcome))).toEqual(new Set(['error']));
    expect(notRun.at(-1)?.message).toBe('not run: the run time budget (--timeout 20 s) was spent');
  }, 90_000);

  test('a wait the target asks for (429 Retry-After on every token request) ends with the budget', async () => {
    const target = await bcdaLike({
      token: (_req, res) => {
        res.writeHead(429, { 'retry-after': '25', 'content-type': 'text/plain' });
        res.end('rate limited');
      },
    });
    servers.push(target);
    const t0 = Date.now();
    const run = await hostileRun(target.url, { suites: ['metadata', 'auth'], timeoutSeconds: 4 });
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    // The checks that only judge the record (phase final) still give their verdict.
    const sending = run.report.results.filter((r) => !JUDGE_THE_RECORD.has(r.id));
    expect(sending.at(-1)?.message).toBe('not run: the run time budget (--timeout 4 s) was spent');
  }, 60_000);

  test('a job that never completes: polling stops before the budget does, so its checks still judge it', async () => {
    const target = await bcdaLike({
      status: (_req, res) => {
        res.writeHead(202, { 'x-progress': 'In Progress (100%)', 'retry-after': '1' });
        res.end();
      },
    });
    servers.push(target);
    const run = await hostileRun(target.url, { suites: ['status'], timeoutSeconds: 6 });
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    expect(run.report.exports[0]?.problem).toMatch(/time budget for polling ran out/);
    // Judged (this target's job list cannot confirm the job is done, so a skip saying why), not cut off.
    const complete = run.report.results.find((r) => r.id === 'STATUS-COMPLETE-200');
    expect(complete?.outcome).not.toBe('error');
    expect(complete?.message).not.toMatch(/run time budget/);
  }, 60_000);

  test('answers whose body stalls after the headers count towards the "stopped answering" cut-off', async () => {
    const target = await allBut(stalled);
    // A budget far beyond the test: only the cut-off can end this run in time.
    const run = await hostileRun(target.url, { timeoutSeconds: 600, requestTimeoutSeconds: 0.5 });
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    expect(run.outcome.unreachable).toBeUndefined();
    const notRun = run.report.results.filter((r) =>
      r.message.startsWith('not run: the target stopped answering'),
    );
    expect(notRun.length).toBeGreaterThan(run.report.results.length / 2);
    expect(notRun[0]?.message).toMatch(
      new RegExp(`the last ${GONE_AFTER_FAILURES} requests got no complete response \\(.*stalled`),
    );
    expect(run.report.run.requests).toBeLessThan(80);
  }, 60_000);
});
