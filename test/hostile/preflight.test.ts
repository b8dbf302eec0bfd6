/**
 * The pre-flight: a wrong secret, a refused token, a server that is not a FHIR Bulk Data server and
 * one nobody listens on each stop the run before any check, with one line and exit 2 or 3, and
 * reports whose every check says why it did not run. Selecting only the checks that test that very
 * thing, or --skip-preflight, runs the checks anyway.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunReport } from '../../src/engine/results';
import { runCli, STACK_TRACE, type CliRun } from './cli';
import { CLIENT, hostileRun, invariants, OK_INVARIANTS } from './run';
import { bcdaLike, closedPort, GOOD, operationOutcome, sendJson, type HostileServer } from './servers';

jest.setTimeout(60_000);

const servers: HostileServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(overrides: Parameters<typeof bcdaLike>[0]): Promise<HostileServer> {
  const server = await bcdaLike(overrides);
  servers.push(server);
  return server;
}

/** A token endpoint that refuses every client. */
const refuseCredentials = serve.bind(null, {
  token: (_req, res) => {
    res.writeHead(401);
    res.end();
  },
});

/** Not a FHIR server at all: an HTML 404 page for every request. */
const notFhir = serve.bind(null, {
  ...Object.fromEntries(
    (['token', 'metadata', 'kickoff', 'status', 'cancel', 'jobs', 'download', 'other'] as const).map((r) => [
      r,
      (_req: unknown, res: import('node:http').ServerResponse) => {
        res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<html><body>Page not found: <b>secret-page-content</b></body></html>');
      },
    ]),
  ),
});

const FAST = ['--request-timeout', '1', '--timeout', '10'];

function report(cli: CliRun): RunReport {
  return JSON.parse(readFileSync(path.join(cli.outDir, 'report.json'), 'utf8')) as RunReport;
}

/** Exactly one line on stderr and nothing on stdout: no summary, no line per check. */
function oneLine(cli: CliRun): string {
  expect({ stdout: cli.stdout, lines: cli.stderr.trimEnd().split('\n').length }).toEqual({
    stdout: '',
    lines: 1,
  });
  expect(STACK_TRACE.test(cli.stderr)).toBe(false);
  return cli.stderr.trim();
}

describe('the CLI stops before any check', () => {
  test('a wrong secret: exit 2, one line naming where the credentials came from, no check run', async () => {
    const target = await refuseCredentials();
    const cli = await runCli(target.url, FAST);
    expect(cli.code).toBe(2);
    expect(oneLine(cli)).toBe(
      `bcda-conformance: the target refused the credentials (BCDA_CLIENT_ID/BCDA_CLIENT_SECRET): POST ${target.url}/auth/token answered 401; no check was run (--skip-preflight runs them anyway)`,
    );
    // One metadata request and one token request (and the look for mock control): nothing else.
    expect(target.hits).toEqual({
      metadata: 1,
      token: 1,
      kickoff: 0,
      status: 0,
      cancel: 0,
      jobs: 0,
      download: 0,
      other: 1,
    });
    const written = report(cli);
    expect(new Set(written.results.map((r) => r.outcome))).toEqual(new Set(['error']));
    expect(written.results[0]?.message).toMatch(/^not run: the target refused the credentials/);
    expect(written.summary.verdict).toBe('not conformant');
    expect(cli.stderr + JSON.stringify(written)).not.toContain(CLIENT.clientSecret);
  });

  test('credentials given as flags are named as flags', async () => {
    const target = await refuseCredentials();
    const cli = await runCli(
      target.url,
      [...FAST, '--client-id', 'someone', '--client-secret', 'wrong-secret-do-not-print'],
      30_000,
      { BCDA_CLIENT_ID: '', BCDA_CLIENT_SECRET: '' },
    );
    expect(cli.code).toBe(2);
    expect(oneLine(cli)).toMatch(/refused the credentials \(--client-id\/--client-secret\): POST /);
    expect(cli.stderr).not.toContain('wrong-secret-do-not-print');
  });

  test('a refused --token: exit 2, "expired?", from GET /auth/welcome', async () => {
    const target = await serve({
      other: (req, res) =>
        req.url === '/auth/welcome'
          ? sendJson(res, 401, operationOutcome('Invalid Token'))
          : sendJson(res, 404, operationOutcome('not found')),
    });
    const cli = await runCli(target.url, [...FAST, '--token', 'an-old-token-do-not-print'], 30_000, {
      BCDA_CLIENT_ID: '',
      BCDA_CLIENT_SECRET: '',
    });
    expect(cli.code).toBe(2);
    expect(oneLine(cli)).toMatch(
      /^bcda-conformance: the target refused --token \(expired\?\): GET http:\/\/127\.0\.0\.1:\d+\/auth\/welcome answered 401;/,
    );
    expect(cli.stderr + readFileSync(path.join(cli.outDir, 'report.json'), 'utf8')).not.toContain(
      'an-old-token-do-not-print',
    );
  });

  test('nobody listening: exit 3, one line instead of one per check', async () => {
    const url = await closedPort();
    const cli = await runCli(url, FAST);
    expect(cli.code).toBe(3);
    expect(oneLine(cli)).toBe(`bcda-conformance: ${url} cannot be reached: connection refused`);
  });

  test('a server that is not FHIR (HTML 404 everywhere): exit 3, what came back and a hint, no body', async () => {
    const target = await notFhir();
    const cli = await runCli(target.url, FAST);
    expect(cli.code).toBe(3);
    expect(oneLine(cli)).toBe(
      `bcda-conformance: ${target.url} does not look like a FHIR Bulk Data server: GET ${target.url}/api/v2/metadata answered 404 text/html (is --target the server's root URL, without /api/vN, and does it serve --api-version v2?); no check was run (--skip-preflight runs them anyway)`,
    );
    expect(cli.stderr).not.toContain('secret-page-content');
    expect(target.hits.token).toBe(0);
  });
});

describe('unless the user asks to test those very things', () => {
  test('--suite auth with a wrong secret runs the auth checks, which report the refusal', async () => {
    const target = await refuseCredentials();
    const cli = await runCli(target.url, [...FAST, '--suite', 'auth']);
    expect(cli.code).toBe(1);
    const written = report(cli);
    expect(written.results.find((r) => r.id === 'AUTH-TOKEN-SUCCESS')?.outcome).toBe('fail');
    expect(written.results.some((r) => r.message.startsWith('not run:'))).toBe(false);
  });

  test('--suite metadata against a server that is not FHIR runs the metadata checks, which fail', async () => {
    const target = await notFhir();
    const run = await hostileRun(target.url, { suites: ['metadata'] });
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    expect(run.outcome.stopped).toBeUndefined();
    expect(run.report.results.find((r) => r.id === 'METADATA-PUBLIC')?.outcome).toBe('fail');
  });

  test('--skip-preflight runs every check against a wrong secret (and BCDA_SKIP_PREFLIGHT too)', async () => {
    const target = await refuseCredentials();
    for (const [args, env] of [
      [['--skip-preflight'], {}],
      [[], { BCDA_SKIP_PREFLIGHT: 'true' }],
    ] as const) {
      const cli = await runCli(target.url, [...FAST, '--suite', 'metadata', 'kickoff', ...args], 30_000, env);
      expect(cli.code).toBe(1);
      const written = report(cli);
      expect(written.results.find((r) => r.id === 'AUTH-TOKEN-SUCCESS')).toBeUndefined();
      expect(written.results.filter((r) => r.area === 'kickoff').every((r) => r.outcome !== 'pass')).toBe(
        true,
      );
      expect(written.results.find((r) => r.id === 'METADATA-PUBLIC')?.outcome).toBe('pass');
      expect(cli.stderr).not.toMatch(/refused the credentials/);
    }
  });
});

describe('what is not the credentials’ fault does not stop the run', () => {
  test('a token endpoint answering 503: the checks run and report it', async () => {
    const target = await serve({ token: (_req, res) => sendJson(res, 503, operationOutcome('down')) });
    const run = await hostileRun(target.url, { suites: ['metadata', 'kickoff'] });
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    expect(run.outcome.stopped).toBeUndefined();
    expect(run.report.results.some((r) => /token endpoint answered 503/.test(r.message))).toBe(true);
  });

  test('metadata behind a token: a second look with the token finds a FHIR server, METADATA-PUBLIC fails', async () => {
    const target = await serve({
      metadata: (req, res, info) =>
        req.headers.authorization
          ? GOOD.metadata(req, res, info)
          : sendJson(res, 401, operationOutcome('no')),
    });
    const run = await hostileRun(target.url, { suites: ['metadata', 'kickoff'] });
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    expect(run.outcome.stopped).toBeUndefined();
    expect(run.report.results.find((r) => r.id === 'METADATA-PUBLIC')?.outcome).toBe('fail');
    expect(run.report.results.find((r) => r.id === 'KICKOFF-PATIENT-ACCEPTED')?.outcome).toBe('pass');
  });

  test('a good target: the pre-flight adds no request (metadata and token are the run’s own)', async () => {
    const target = await serve({});
    const run = await hostileRun(target.url, { suites: ['metadata', 'kickoff'] });
    expect(run.outcome.stopped).toBeUndefined();
    expect(target.hits.metadata).toBe(1);
    expect(target.hits.token).toBe(1);
  });
});
