/**
 * Targets that speak HTTP but break it at one point of an otherwise good BCDA flow: a reset
 * mid-body, a Content-Length that lies, a redirect loop, a body that drips one byte a second.
 */
import { hostileRun, invariants, OK_INVARIANTS, results } from './run';
import {
  bcdaLike,
  drip,
  manifest,
  PATIENT_LINES,
  resetMidBody,
  sendJson,
  wrongContentLength,
  type Handler,
  type HostileServer,
} from './servers';

jest.setTimeout(30_000);

const NDJSON = { 'content-type': 'application/fhir+ndjson' };

const servers: HostileServer[] = [];
async function serve(overrides: Parameters<typeof bcdaLike>[0]): Promise<HostileServer> {
  const server = await bcdaLike(overrides);
  servers.push(server);
  return server;
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const message = (run: Awaited<ReturnType<typeof hostileRun>>, id: string) => results(run, id)[0]?.message;

describe('3. the connection is reset mid-body', () => {
  test('in a download: the file fails with the reset and how many bytes had arrived', async () => {
    const target = await serve({ download: resetMidBody(NDJSON, PATIENT_LINES.slice(0, 50), 1000) });
    const run = await hostileRun(target.url, { suites: ['download'] });
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    expect(message(run, 'DOWNLOAD-OK')).toBe(
      'data/42/Patient.ndjson: connection reset by the target after 50 of the 1000 bytes Content-Length announced',
    );
    expect(results(run, 'DOWNLOAD-OK')[0]?.outcome).toBe('fail');
    expect(run.report.exports[0]?.downloads[0]?.error).toMatch(/^connection reset by the target after 50 of/);
  });

  test('in the completed-job manifest: the export stops with the reset, the status checks say so', async () => {
    const target = await serve({
      status: resetMidBody(
        { 'content-type': 'application/json' },
        '{"transactionTime":"2026-01-01T00:00:00Z","output":[',
        4000,
      ),
    });
    const run = await hostileRun(target.url, { suites: ['status', 'download'] });
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    expect(run.report.exports[0]?.problem).toMatch(
      /^polling failed: connection reset by the target after \d+ of the 4000 bytes Content-Length announced$/,
    );
    const download = results(run, 'DOWNLOAD-OK')[0];
    expect(download?.outcome).toBe('skip');
    expect(download?.message).toMatch(/connection reset by the target/);
  });
});

describe('9. a wrong Content-Length', () => {
  test('too long (the connection closes early): the file fails with the byte counts', async () => {
    const target = await serve({
      download: wrongContentLength(200, { 'Content-Type': 'application/fhir+ndjson' }, PATIENT_LINES, 5000),
    });
    const run = await hostileRun(target.url, { suites: ['download'] });
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    expect(message(run, 'DOWNLOAD-OK')).toBe(
      `data/42/Patient.ndjson: the target closed the connection after ${Buffer.byteLength(PATIENT_LINES)} of the 5000 bytes Content-Length announced`,
    );
  });

  test('too short (the body is cut where Content-Length says): the cut line fails FHIR validation', async () => {
    const target = await serve({
      download: wrongContentLength(200, { 'Content-Type': 'application/fhir+ndjson' }, PATIENT_LINES, 40),
    });
    const run = await hostileRun(target.url, { suites: ['download', 'fhir'] });
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    const file = run.report.validation[0];
    expect(file?.bytes).toBe(40);
    expect(file?.invalidLines).toBe(1);
    expect(file?.issues[0]?.message).toMatch(/JSON/);
    const failed = run.report.results.filter((r) => r.area === 'fhir' && r.outcome === 'fail');
    expect(failed.map((r) => r.message).join('\n')).toMatch(/JSON/);
  });
});

describe('10. a redirect loop', () => {
  const loop: Handler = (req, res) => {
    res.writeHead(307, { location: req.url ?? '/' });
    res.end();
  };

  test('on the token endpoint, the job status and the files: reported as the 307, never followed', async () => {
    const target = await serve({ token: loop, status: loop, download: loop });
    const run = await hostileRun(target.url, { suites: ['auth', 'status', 'download'] });
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    expect(message(run, 'AUTH-TOKEN-SUCCESS')).toMatch(/307/);
    expect(
      run.report.results.some((r) => r.message.includes('the token endpoint answered 307, not 200')),
    ).toBe(true);
    // Each request was answered once: nothing followed the Location header round and round.
    expect(target.hits.token).toBe(
      run.report.exchanges.filter((x) => x.request.url.endsWith('/auth/token')).length,
    );
    expect(run.report.run.requests).toBeLessThan(150);
  });

  test('on the files only: each download fails with the 307 status', async () => {
    const target = await serve({ download: loop });
    const run = await hostileRun(target.url, { suites: ['download'] });
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    expect(message(run, 'DOWNLOAD-OK')).toBe('data/42/Patient.ndjson: status 307');
    expect(target.hits.download).toBeLessThan(10);
  });
});

describe('7. a slow drip of one byte a second', () => {
  test('on the metadata probe: the request timeout ends it and the target counts as unreachable', async () => {
    const target = await serve({
      metadata: drip(
        { 'content-type': 'application/fhir+json' },
        JSON.stringify({ resourceType: 'CapabilityStatement' }),
      ),
    });
    const run = await hostileRun(target.url, { suites: ['metadata'], requestTimeoutSeconds: 1.5 });
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    expect(run.outcome.unreachable).toBe('timed out after 1500 ms');
  });

  test('in a download: the run time budget (--timeout) ends it, the file fails saying so', async () => {
    const target = await serve({
      download: drip(NDJSON, PATIENT_LINES),
      // Nothing else in the run may wait: the drip alone has to be what the budget stops.
      status: (_req, res, { base }) => sendJson(res, 200, manifest(base)),
    });
    const t0 = Date.now();
    const run = await hostileRun(target.url, { suites: ['download'], timeoutSeconds: 3 });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    // Downloads stop a little before the budget ends, so the check judging this one still runs.
    const download = run.report.exports[0]?.downloads[0];
    expect(download?.error).toMatch(/^timed out after \d+ ms$/);
    expect(download?.bytes).toBeLessThan(10);
    expect(message(run, 'DOWNLOAD-OK')).toMatch(/^data\/42\/Patient\.ndjson: timed out after \d+ ms$/);
    // Later downloads find the time spent instead of waiting again.
    expect(run.report.results.some((r) => /the run time budget ran out/.test(r.message))).toBe(true);
  });
});
