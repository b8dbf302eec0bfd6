/**
 * Targets whose HTTP is fine but whose bodies are hostile: invalid JSON where JSON is due, a gzip
 * body that is not gzip, one NDJSON line of 50 MB, a manifest of 100,000 files. The problem is
 * reported with a clear message, memory and report size stay bounded.
 */
import { MAX_LINE_BYTES } from '../../src/flows/download';
import { expectNoLineData, MALFORMED } from '../fhir/malformed-lines';
import { hostileRun, invariants, OK_INVARIANTS, results } from './run';
import {
  bcdaLike,
  hugeLine,
  manifest,
  PATIENT_LINES,
  sendJson,
  type Handler,
  type HostileServer,
} from './servers';
import { RULE } from '../../src/fhir';

jest.setTimeout(30_000);

const servers: HostileServer[] = [];
async function serve(overrides: Parameters<typeof bcdaLike>[0]): Promise<HostileServer> {
  const server = await bcdaLike(overrides);
  servers.push(server);
  return server;
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const body =
  (contentType: string, text: string): Handler =>
  (_req, res) => {
    res.writeHead(200, { 'content-type': contentType });
    res.end(text);
  };

describe('4. invalid JSON', () => {
  test('from the token endpoint: checks that need a token error with the parse problem, the token text leaks nowhere', async () => {
    const leaky = 'leaky-access-token-value-0123456789';
    const target = await serve({
      token: body('application/json', `{"access_token": "${leaky}", "expires_in": }`),
    });
    const run = await hostileRun(target.url, { suites: ['auth', 'kickoff'] });
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    const noToken = run.report.results.filter(
      (r) => r.outcome === 'error' && r.message.startsWith('no bearer token:'),
    );
    expect(noToken.length).toBeGreaterThan(3);
    expect(noToken[0]?.message).toBe(
      'no bearer token: the token response is not a JSON object (not valid JSON: unexpected character at position 70)',
    );
    for (const text of [JSON.stringify(run.report), run.junit, run.html, run.consoleText])
      expect(text).not.toContain(leaky);
  });

  test('from the metadata endpoint: the CapabilityStatement checks fail saying there is no JSON', async () => {
    const target = await serve({
      metadata: body('application/fhir+json', '{"resourceType": "CapabilityStatement", "fhirVersion": 4.0.1'),
    });
    const run = await hostileRun(target.url, { suites: ['metadata'] });
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    expect(run.outcome.unreachable).toBeUndefined();
    expect(results(run, 'METADATA-CAPABILITYSTATEMENT')[0]).toMatchObject({
      outcome: 'fail',
      message: 'no CapabilityStatement JSON (status 200)',
    });
  });

  test('as the completed-job manifest: the status check fails with the parse problem, downloads are skipped', async () => {
    const target = await serve({
      status: body('application/json', '{"transactionTime": "2026-01-01T00:00:00Z", "output": [}'),
    });
    const run = await hostileRun(target.url, { suites: ['status', 'download'] });
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    // Judged on every export the run followed, the shared one first.
    expect(results(run, 'STATUS-COMPLETE-200')[0]).toMatchObject({
      outcome: 'fail',
      message: expect.stringMatching(
        /^the shared export: the body is not a JSON object \(not valid JSON: unexpected character at position 55\)/,
      ),
    });
    expect(run.report.exports[0]?.problem).toBe(
      "the completed job's body is not a JSON object (not valid JSON: unexpected character at position 55)",
    );
    expect(results(run, 'DOWNLOAD-OK')[0]?.outcome).toBe('skip');
  });
});

describe('4. malformed NDJSON lines holding PHI', () => {
  test('each is reported by line, kind and position; no byte of any line reaches a report or the console', async () => {
    const target = await serve({
      download: body('application/fhir+ndjson', `${PATIENT_LINES}${MALFORMED.join('\n')}\n`),
    });
    const run = await hostileRun(target.url, { suites: ['download', 'fhir'] });
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    const issues = run.report.validation.flatMap((f) => f.issues);
    const parse = issues.filter((i) => i.ruleId === RULE.parse);
    expect(parse.length).toBeGreaterThan(5);
    for (const issue of parse) expect(issue.message).toMatch(/^not valid JSON: .* at position \d+$/);
    for (const text of [JSON.stringify(run.report), run.junit, run.html, run.consoleText])
      expectNoLineData(text);
  });
});

describe('5. Content-Encoding: gzip on a body that is not gzip', () => {
  test('the NDJSON download fails naming the bad gzip; no validation of garbage', async () => {
    const target = await serve({
      download: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/fhir+ndjson', 'content-encoding': 'gzip' });
        res.end(PATIENT_LINES);
      },
    });
    const run = await hostileRun(target.url, { suites: ['download'] });
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    expect(results(run, 'DOWNLOAD-OK')[0]).toMatchObject({
      outcome: 'fail',
      message:
        'data/42/Patient.ndjson: the body is not valid gzip although Content-Encoding says gzip (incorrect header check)',
    });
    expect(run.report.exports[0]?.downloads[0]?.bytes).toBe(0);
  });
});

describe('6. one NDJSON line of 50 MB', () => {
  test('reading stops at the line limit, the file fails saying why, nothing of the line reaches a report', async () => {
    const size = 50 * 1024 * 1024;
    const target = await serve({ download: hugeLine(size) });
    const run = await hostileRun(target.url, { suites: ['download', 'fhir'] });
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    expect(results(run, 'DOWNLOAD-OK')[0]).toMatchObject({
      outcome: 'fail',
      message: `data/42/Patient.ndjson: line 1 is longer than ${MAX_LINE_BYTES} bytes; the file was read no further`,
    });
    // The run read about one line limit of it, not the 50 MB, and kept none of it.
    const downloads = run.report.exports.flatMap((e) => e.downloads);
    expect(downloads.length).toBeGreaterThan(0);
    for (const d of downloads) expect(d.wireBytes).toBeLessThan(MAX_LINE_BYTES + 2 * 1024 * 1024);
    const exchange = run.report.exchanges.find((x) => x.id === downloads[0]?.exchangeId);
    expect(exchange?.error).toMatch(/^the harness stopped reading after \d+ bytes: line 1 is longer than/);
    for (const size_ of Object.values(run.sizes)) expect(size_).toBeLessThan(300_000);
    expect(JSON.stringify(run.report)).not.toMatch(/a{1000}/);
    // Less than three copies of the line: the line is never held whole (the server shares this process).
    expect(run.rssGrowth).toBeLessThan(3 * size);
  });
});

describe('12. a manifest of 100,000 output entries', () => {
  // A small --max-files keeps the test quick; the default (MAX_DOWNLOAD_FILES) bounds it the same way.
  const CAP = 200;
  test(`the run downloads the first ${CAP} per export, says so, and the reports stay small`, async () => {
    const entries = 100_000;
    const big: Handler = (req, res) => {
      const base = `http://${req.headers.host ?? ''}`;
      const outputs = Array.from({ length: entries }, (_, i) => ({
        type: 'Patient',
        url: `${base}/data/42/Patient-${i}.ndjson`,
      }));
      sendJson(res, 200, manifest(base, outputs));
    };
    const target = await serve({ status: big });
    const run = await hostileRun(target.url, { suites: ['status', 'download'], maxFiles: CAP });
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    const main = run.report.exports[0];
    expect(main?.downloads).toHaveLength(CAP);
    expect(main?.problem).toBe(
      `the manifest lists ${entries} files; the run downloaded only the first ${CAP} (at most ${CAP} per export, --max-files)`,
    );
    expect(results(run, 'DOWNLOAD-OK')[0]).toMatchObject({
      outcome: 'pass',
      message: `${CAP} of the ${entries} listed file(s), ${((CAP * Buffer.byteLength(PATIENT_LINES)) / 1024).toFixed(1)} KiB`,
    });
    expect(target.hits.download).toBeLessThanOrEqual(run.report.exports.length * CAP + 10);
    // The manifest alone is ~7 MB; the reports hold none of its entries beyond the downloads, which
    // are at most 200 per export (every export the download and data checks follow).
    const downloads = run.report.exports.reduce((n, e) => n + e.downloads.length, 0);
    expect(downloads).toBeLessThanOrEqual(run.report.exports.length * CAP);
    expect(run.sizes.json).toBeLessThan(500_000 + 5_500 * downloads);
    expect(run.sizes.html).toBeLessThan(300_000 + 1_500 * downloads);
    expect(JSON.stringify(run.report)).not.toContain(`Patient-${entries - 1}.ndjson`);
  });
});

describe('an endless body where the run looks for mock control endpoints', () => {
  test('GET /__mock/state is read at most 1 MB: the run goes on as against any non-mock target', async () => {
    let written = 0;
    const target = await serve({
      other: (req, res) => {
        if (!req.url?.startsWith('/__mock/')) {
          sendJson(res, 404, { resourceType: 'OperationOutcome', issue: [] });
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, '[');
        const pump = () => {
          while (!res.destroyed && res.write(chunk)) written += chunk.length;
          if (!res.destroyed) res.once('drain', pump);
        };
        res.on('error', () => undefined);
        pump();
      },
    });
    const run = await hostileRun(target.url, { suites: ['metadata'] });
    expect(invariants(run)).toEqual(OK_INVARIANTS);
    expect(run.outcome.unreachable).toBeUndefined();
    expect(run.consoleText).not.toContain('mock control endpoints');
    // Socket buffers hold a few MB; reading on would have taken hundreds of MB within the timeout.
    expect(written).toBeLessThan(32 * 1024 * 1024);
  });
});
