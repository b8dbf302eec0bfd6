/**
 * A target on 127.0.0.1 that names URLs on another loopback origin (127.0.0.2): in Content-Location
 * and in the manifest. The run's credentials must not reach 127.0.0.2 unless --allow-origin says
 * so; a file whose manifest does not require the token is fetched there without it; the report
 * says what was refused. And a target that echoes the token into URLs and headers the report
 * shows (issue 14, items 1 and 4).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunReport } from '../../src/engine/results';
import { runCli, STACK_TRACE } from './cli';
import { hostileRun, invariants, OK_INVARIANTS, results, type HostileRun } from './run';
import {
  bcdaLike,
  GOOD_TOKEN,
  JOB_ID,
  manifest,
  PATIENT_LINES,
  routeOf,
  sendJson,
  type HostileServer,
  type Route,
} from './servers';

jest.setTimeout(30_000);

interface Seen {
  method: string;
  path: string;
  route: Route;
  authorization?: string;
}

/** Marks an answer of the foreign host, to find it if it were copied into a report. */
const FOREIGN_MARK = 'answer-from-the-foreign-origin';

/** A BCDA-like host on 127.0.0.2 that records every request it gets (with its Authorization). */
async function foreignHost(): Promise<HostileServer & { seen: Seen[] }> {
  const seen: Seen[] = [];
  const hits: HostileServer['hits'] = {
    token: 0,
    metadata: 0,
    kickoff: 0,
    status: 0,
    cancel: 0,
    jobs: 0,
    download: 0,
    other: 0,
  };
  let base = '';
  const server = http.createServer((req, res) => {
    req.resume();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = routeOf(req.method ?? 'GET', path);
    hits[route] += 1;
    seen.push({
      method: req.method ?? '',
      path,
      route,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    if (route === 'status') sendJson(res, 200, { ...manifest(base), mark: FOREIGN_MARK });
    else if (route === 'download') {
      res.writeHead(200, { 'content-type': 'application/fhir+ndjson', 'x-mark': FOREIGN_MARK });
      res.end(PATIENT_LINES);
    } else if (route === 'cancel') {
      res.writeHead(202, { 'x-mark': FOREIGN_MARK });
      res.end();
    } else sendJson(res, 404, { mark: FOREIGN_MARK });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  base = `http://127.0.0.2:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    hits,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const servers: HostileServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});
async function foreign() {
  const host = await foreignHost();
  servers.push(host);
  return host;
}
async function serve(overrides: Parameters<typeof bcdaLike>[0]): Promise<HostileServer> {
  const server = await bcdaLike(overrides);
  servers.push(server);
  return server;
}

/** Every text output of the run, to search for what must not be there. */
const outputs = (run: HostileRun) => [JSON.stringify(run.report), run.html, run.junit, run.consoleText];

const withCredentials = (seen: Seen[]) => seen.filter((s) => s.authorization !== undefined);

describe('1. credentials go only to the target origin', () => {
  test('a Content-Location on another origin is neither polled nor cancelled with the token, and the report says why', async () => {
    const other = await foreign();
    const target = await serve({
      kickoff: (_req, res) => {
        res.writeHead(202, { 'content-location': `${other.url}/api/v2/jobs/${JOB_ID}` });
        res.end();
      },
    });
    const run = await hostileRun(target.url, { suites: ['status', 'download', 'cancel', 'kickoff'] });
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    expect(withCredentials(other.seen)).toEqual([]);
    // Polling and cancelling need the token, so nothing at all goes there.
    expect(other.seen).toEqual([]);
    const problem = run.report.exports[0]?.problem ?? '';
    expect(problem).toContain(`the job status was not polled`);
    expect(problem).toContain(other.url);
    expect(problem).toContain('--allow-origin');
    // The refused requests are on record, without any credential.
    const refused = run.report.exchanges.filter((x) => x.request.url.startsWith(other.url));
    expect(refused.length).toBeGreaterThan(0);
    for (const x of refused) {
      expect(x.response).toBeUndefined();
      expect(x.error).toMatch(/^not sent: /);
      expect(x.request.headers.authorization).toBeUndefined();
    }
    expect(refused.some((x) => x.request.method === 'DELETE')).toBe(true);
    expect(results(run, 'STATUS-COMPLETE-200')[0]?.message).toContain('not polled');
    for (const text of outputs(run)) expect(text).not.toContain(FOREIGN_MARK);
  });

  test('files on another origin are fetched without the token when requiresAccessToken is false', async () => {
    const other = await foreign();
    const target = await serve({
      status: (_req, res, { base }) =>
        sendJson(res, 200, {
          ...manifest(base, [{ type: 'Patient', url: `${other.url}/data/${JOB_ID}/Patient.ndjson` }]),
          requiresAccessToken: false,
        }),
    });
    const run = await hostileRun(target.url, { suites: ['status', 'download'] });
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    expect(withCredentials(other.seen)).toEqual([]);
    expect(other.hits.download).toBeGreaterThan(0);
    expect(run.report.exports[0]?.downloads[0]).toMatchObject({ status: 200 });
    expect(results(run, 'DOWNLOAD-OK')[0]?.outcome).toBe('pass');
  });

  test('files on another origin are not fetched at all when requiresAccessToken is true; the report says why', async () => {
    const other = await foreign();
    const target = await serve({
      status: (_req, res, { base }) =>
        sendJson(
          res,
          200,
          manifest(base, [{ type: 'Patient', url: `${other.url}/data/${JOB_ID}/Patient.ndjson` }]),
        ),
    });
    const run = await hostileRun(target.url, { suites: ['status', 'download', 'fhir'] });
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    expect(other.seen).toEqual([]);
    const download = run.report.exports[0]?.downloads[0];
    expect(download?.status).toBeUndefined();
    expect(download?.error).toMatch(/^not fetched: the file could not be fetched safely/);
    expect(download?.error).toContain(other.url);
    expect(download?.error).toContain('--allow-origin');
    const ok = results(run, 'DOWNLOAD-OK')[0];
    expect(ok?.outcome).toBe('error');
    expect(ok?.message).toContain('could not be fetched safely');
    for (const text of outputs(run)) expect(text).not.toContain(FOREIGN_MARK);
  });

  test('with --allow-origin the other origin gets the token and serves the files', async () => {
    const other = await foreign();
    const target = await serve({
      status: (_req, res, { base }) =>
        sendJson(
          res,
          200,
          manifest(base, [{ type: 'Patient', url: `${other.url}/data/${JOB_ID}/Patient.ndjson` }]),
        ),
    });
    const run = await hostileRun(target.url, { suites: ['status', 'download'], allowOrigins: [other.url] });
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    expect(withCredentials(other.seen).length).toBeGreaterThan(0);
    expect(results(run, 'DOWNLOAD-OK')[0]?.outcome).toBe('pass');
  });

  test('a link-local or metadata address is never requested, not even without credentials', async () => {
    const target = await serve({
      status: (_req, res, { base }) =>
        sendJson(res, 200, {
          ...manifest(base, [
            { type: 'Patient', url: 'http://169.254.169.254/latest/meta-data/iam/' },
            { type: 'Patient', url: 'http://[fd00:ec2::254]/latest/meta-data/' },
            { type: 'Patient', url: 'file:///etc/passwd' },
          ]),
          requiresAccessToken: false,
        }),
    });
    const run = await hostileRun(target.url, { suites: ['download'] });
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    const errors = run.report.exports[0]?.downloads.map((d) => d.error);
    expect(errors).toEqual([
      expect.stringMatching(/169\.254\.169\.254 is a link-local or cloud metadata address/),
      expect.stringMatching(/\[fd00:ec2::254\] is a link-local or cloud metadata address/),
      expect.stringMatching(/only http and https URLs are requested, not file:/),
    ]);
    const refused = run.report.exchanges.filter((x) => /169\.254|fd00:ec2|file:/.test(x.request.url));
    expect(refused.every((x) => x.response === undefined && /^not sent: /.test(x.error ?? ''))).toBe(true);
  });
});

describe('1. --allow-origin from the command line, the environment and a config file', () => {
  /** A target whose manifest (requiresAccessToken: true) lists a file on the other origin. */
  async function filesElsewhere() {
    const other = await foreign();
    const target = await serve({
      status: (_req, res, { base }) =>
        sendJson(
          res,
          200,
          manifest(base, [{ type: 'Patient', url: `${other.url}/data/${JOB_ID}/Patient.ndjson` }]),
        ),
    });
    return { other, target };
  }
  const ARGS = ['--suite', 'download', '--timeout', '10', '--request-timeout', '2'];
  const downloadOk = (outDir: string) => {
    const report = JSON.parse(readFileSync(path.join(outDir, 'report.json'), 'utf8')) as RunReport;
    return report.results.find((r) => r.id === 'DOWNLOAD-OK');
  };

  test('without it the file is not fetched, and the check names the option', async () => {
    const { other, target } = await filesElsewhere();
    const cli = await runCli(target.url, ARGS);
    expect(cli.stderr).not.toMatch(STACK_TRACE);
    expect(other.seen).toEqual([]);
    expect(downloadOk(cli.outDir)).toMatchObject({
      outcome: 'error',
      message: expect.stringContaining('--allow-origin') as unknown,
    });
  });

  test.each([
    ['the flag', (url: string) => ({ args: ['--allow-origin', url], env: {} })],
    [
      'BCDA_ALLOW_ORIGINS',
      (url: string) => ({ args: [], env: { BCDA_ALLOW_ORIGINS: `https://unused.example, ${url}` } }),
    ],
    [
      'the config file',
      (url: string) => {
        const file = path.join(mkdtempSync(path.join(tmpdir(), 'hostile-config-')), 'config.json');
        writeFileSync(file, JSON.stringify({ allowOrigin: [url] }));
        return { args: ['--config', file], env: {} };
      },
    ],
  ])('with it (%s) the other origin gets the token and serves the file', async (_how, given) => {
    const { other, target } = await filesElsewhere();
    const { args, env } = given(other.url);
    const cli = await runCli(target.url, [...ARGS, ...args], 30_000, env);
    expect(cli.stderr).not.toMatch(STACK_TRACE);
    expect(withCredentials(other.seen).length).toBeGreaterThan(0);
    expect(downloadOk(cli.outDir)).toMatchObject({ outcome: 'pass' });
  });
});

describe('4. URLs and headers the target echoes a token into are redacted in every output', () => {
  test('Content-Location, X-Progress and manifest URLs carrying the token', async () => {
    let polls = 0;
    const target = await serve({
      kickoff: (_req, res, { base }) => {
        res.writeHead(202, {
          'content-location': `${base}/api/v2/jobs/${JOB_ID}?echo=${GOOD_TOKEN}`,
        });
        res.end();
      },
      status: (_req, res, { base }) => {
        polls += 1;
        if (polls === 1) {
          res.writeHead(202, { 'x-progress': `working for ${GOOD_TOKEN}`, 'retry-after': '0' });
          res.end();
          return;
        }
        sendJson(
          res,
          200,
          manifest(base, [
            { type: 'Patient', url: `${base}/data/${JOB_ID}/Patient.ndjson?sig=${GOOD_TOKEN}` },
          ]),
        );
      },
    });
    const run = await hostileRun(target.url, { suites: ['status', 'download'] });
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    const timeline = run.report.exports[0];
    expect(timeline?.jobUrl).toBe(`${target.url}/api/v2/jobs/${JOB_ID}?echo=<access-token>`);
    expect(timeline?.polls[0]?.xProgress).toBe('working for <access-token>');
    expect(timeline?.downloads[0]?.url).toContain('sig=<access-token>');
    for (const text of outputs(run)) expect(text).not.toContain(GOOD_TOKEN);
  });
});
