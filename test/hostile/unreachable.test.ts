/**
 * Targets that cannot be talked to at all — nobody listening, a socket that never answers, bytes
 * that are not HTTP — and one that dies after the first request. The run ends quickly, every check
 * says why it did not run, the reports are written, and the CLI exits 3 without a stack trace.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { GONE_AFTER_FAILURES } from '../../src/engine/run-checks';
import { runCli, STACK_TRACE } from './cli';
import { hostileRun, invariants, OK_INVARIANTS } from './run';
import { bcdaLike, closedPort, rawTcp, type HostileServer } from './servers';

jest.setTimeout(30_000);

/** What garbage a non-HTTP service might send: NUL, binary, an SSH banner, an escape sequence. */
const GARBAGE = '\u0000\u00ff\u00feSSH-2.0-OpenSSH_9.0\r\n\u001b[31m<script>alert(1)</script>\r\n\r\n';

describe('a target nobody can talk to', () => {
  const servers: HostileServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  test('1. connection refused: every check is an error naming it, one request made, reports written', async () => {
    const run = await hostileRun(await closedPort());
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    expect(run.outcome.unreachable).toBe('connection refused');
    expect(run.report.run.requests).toBe(1);
    expect(new Set(run.report.results.map((r) => r.outcome))).toEqual(new Set(['error']));
    expect(run.report.results[0]?.message).toBe('not run: the target cannot be reached (connection refused)');
    // One record per check and per requirement, nothing repeated per request: it grows with the catalog only.
    expect(run.sizes.json).toBeLessThan(1_500 * run.report.results.length);
  });

  test('2. accepts the connection and never answers: the probe times out after --request-timeout', async () => {
    const silent = await rawTcp(() => undefined);
    servers.push(silent);
    const run = await hostileRun(silent.url, { suites: ['metadata', 'auth'] });
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    expect(run.outcome.unreachable).toBe('timed out after 1000 ms');
    expect(run.report.run.requests).toBe(1);
    expect(
      run.report.results.every(
        (r) => r.message === 'not run: the target cannot be reached (timed out after 1000 ms)',
      ),
    ).toBe(true);
  });

  test('8. non-HTTP garbage on the socket: "did not answer with valid HTTP", nothing of it in the reports', async () => {
    const garbage = await rawTcp((socket) => socket.end(GARBAGE));
    servers.push(garbage);
    const run = await hostileRun(garbage.url);
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    expect(run.outcome.unreachable).toBe('the target did not answer with valid HTTP');
    expect(run.report.results[0]?.message).toBe(
      'not run: the target cannot be reached (the target did not answer with valid HTTP)',
    );
    for (const text of [JSON.stringify(run.report), run.junit, run.html, run.consoleText])
      expect(text).not.toContain('SSH-2.0');
  });

  test('a target that stops answering after the first request: the remaining checks are not run', async () => {
    // Metadata answers; every later request has its connection closed before any response.
    const dying = await bcdaLike({
      token: (req) => req.socket.destroy(),
      kickoff: (req) => req.socket.destroy(),
      status: (req) => req.socket.destroy(),
      cancel: (req) => req.socket.destroy(),
      jobs: (req) => req.socket.destroy(),
      download: (req) => req.socket.destroy(),
      other: (req) => req.socket.destroy(),
    });
    servers.push(dying);
    const run = await hostileRun(dying.url);
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    expect(run.outcome.unreachable).toBeUndefined();
    const notRun = run.report.results.filter((r) =>
      r.message.startsWith('not run: the target stopped answering'),
    );
    expect(notRun.length).toBeGreaterThan(run.report.results.length / 2);
    expect(notRun[0]?.message).toMatch(
      new RegExp(
        `the last ${GONE_AFTER_FAILURES} requests got no complete response \\(the target closed the connection`,
      ),
    );
    // Bounded: the checks before the cut-off, not one request per check of the catalog.
    expect(run.report.run.requests).toBeLessThan(60);
    expect(run.consoleText).toContain('the remaining checks are not run');
  });
});

describe('the CLI against an unreachable target', () => {
  test('refused, silent and garbage targets exit 3 with one line giving the reason and no stack trace', async () => {
    const silent = await rawTcp(() => undefined);
    const garbage = await rawTcp((socket) => socket.end(GARBAGE));
    try {
      const targets: Array<[string, RegExp]> = [
        [await closedPort(), /cannot be reached: connection refused$/m],
        [silent.url, /cannot be reached: timed out after 1000 ms$/m],
        [garbage.url, /cannot be reached: the target did not answer with valid HTTP$/m],
      ];
      // One after the other: the first child fills the transpile cache the others use.
      for (const [url, reason] of targets) {
        const cli = await runCli(url, ['--suite', 'metadata', '--request-timeout', '1', '--timeout', '5']);
        expect({
          url,
          code: cli.code,
          trace: STACK_TRACE.test(cli.stderr) || STACK_TRACE.test(cli.stdout),
        }).toEqual({ url, code: 3, trace: false });
        expect(cli.stderr).toMatch(reason);
        // The pre-flight's one line, not a line per check nor a summary.
        expect({ url, stdout: cli.stdout, stderr: cli.stderr.trimEnd().split('\n').length }).toEqual({
          url,
          stdout: '',
          stderr: 1,
        });
        for (const file of ['report.json', 'junit.xml', 'index.html'])
          expect(existsSync(path.join(cli.outDir, file))).toBe(true);
        // eslint-disable-next-line no-control-regex
        expect(cli.stdout + cli.stderr).not.toMatch(/[\u0000\u001b]/);
      }
    } finally {
      await silent.close();
      await garbage.close();
    }
  }, 60_000);
});
