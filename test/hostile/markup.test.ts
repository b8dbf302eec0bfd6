/**
 * 11. A target that puts markup and control characters into every string of every JSON body it
 * sends (token, CapabilityStatement, OperationOutcome, kick-off, manifest urls and types, the Task
 * bundle, the NDJSON resources). The reports show it as inert text: index.html escaped (two
 * script elements, no raw NUL/ESC), junit.xml well-formed XML, report.json valid; the console
 * prints escape sequences as text.
 */
import { runCli, STACK_TRACE } from './cli';
import { hostileRun, invariants, OK_INVARIANTS, type HostileRun } from './run';
import {
  bcdaLike,
  capabilityStatement,
  GOOD_TOKEN,
  JOB_ID,
  manifest,
  operationOutcome,
  PATIENT_LINES,
  sendJson,
  type Handler,
  type HostileServer,
} from './servers';

jest.setTimeout(60_000);

/** Markup, NUL, an ANSI colour escape, both quotes, an ampersand and a JS line separator. */
const H = `<script>alert(1)</script><img src=x onerror=alert(2)>\u0000\u001b[31m"'&\u2028`;

/** `value` with H appended to every string in it (keys in `keep` stay as they are). */
function poison(value: unknown, keep: readonly string[] = []): unknown {
  if (typeof value === 'string') return value + H;
  if (Array.isArray(value)) return value.map((v) => poison(v, keep));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, keep.includes(k) ? v : poison(v, keep)]),
    );
  }
  return value;
}

const json =
  (status: number, value: (base: string) => unknown, headers: Record<string, string> = {}): Handler =>
  (_req, res, { base }) =>
    sendJson(res, status, value(base), headers);

const taskBundle = (base: string) => ({
  resourceType: 'Bundle',
  type: 'searchset',
  total: 1,
  entry: [
    {
      resource: {
        resourceType: 'Task',
        id: JOB_ID,
        status: 'completed',
        intent: 'order',
        input: [{ type: { text: 'BULK FHIR Export' }, valueString: `GET ${base}/api/v2/Group/all/$export` }],
        executionPeriod: { start: '2026-01-01T00:00:00Z', end: '2026-01-01T00:01:00Z' },
      },
    },
  ],
});

/** Every JSON body poisoned; the access_token stays usable so the whole flow runs. */
const POISONED: Parameters<typeof bcdaLike>[0] = {
  token: json(200, () =>
    poison({ access_token: GOOD_TOKEN, token_type: 'bearer', expires_in: 1200, scope: 'system/*.read' }, [
      'access_token',
    ]),
  ),
  metadata: json(200, (base) => poison(capabilityStatement(base)), {
    'content-type': 'application/fhir+json',
  }),
  kickoff: (_req, res, { base }) => {
    res.writeHead(202, {
      'content-location': `${base}/api/v2/jobs/${JOB_ID}`,
      'content-type': 'application/fhir+json',
    });
    res.end(JSON.stringify(poison(operationOutcome('Job accepted'))));
  },
  status: (req, res, { base }) =>
    req.url?.endsWith(`/jobs/${JOB_ID}`)
      ? sendJson(
          res,
          200,
          poison(manifest(base, [{ type: 'Patient', url: `${base}/data/${JOB_ID}/Patient.ndjson` }])),
        )
      : sendJson(res, 404, poison(operationOutcome('Job not found')), {
          'content-type': 'application/fhir+json',
        }),
  cancel: json(404, () => poison(operationOutcome('Job not found')), {
    'content-type': 'application/fhir+json',
  }),
  jobs: json(200, (base) => poison(taskBundle(base)), { 'content-type': 'application/fhir+json' }),
  download: (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/fhir+ndjson' });
    const lines = PATIENT_LINES.trim().split('\n');
    res.end(`${lines.map((l) => JSON.stringify(poison(JSON.parse(l) as unknown))).join('\n')}\n`);
  },
  other: json(404, () => poison(operationOutcome('Not found')), { 'content-type': 'application/fhir+json' }),
};

function expectInert(run: HostileRun): void {
  expect(invariants(run)).toEqual(OK_INVARIANTS);
  // The hostile text did reach the run (so the test tests something)…
  expect(JSON.stringify(run.report)).toContain('<script>alert(1)</script>');
  // …and every output shows it as text.
  expect(run.html).not.toContain('<script>alert');
  expect(run.html).not.toContain('<img src=x');
  expect(run.junit).not.toContain('<script>');
  expect(run.junit).not.toContain('<img');
  // eslint-disable-next-line no-control-regex
  expect(run.consoleText).not.toMatch(/[\u0000\u001b\u2028]/);
}

describe('11. HTML and control characters in every string field', () => {
  let server: HostileServer;
  afterAll(async () => {
    await server?.close();
  });

  test('a full run against the poisoned target: reports escaped and valid, console inert', async () => {
    server = await bcdaLike(POISONED);
    // A budget a loaded machine cannot spend before the downloads, which the last lines look for.
    // and a request timeout a busy event loop does not trip on the first kick-off.
    const run = await hostileRun(server.url, { timeoutSeconds: 30, requestTimeoutSeconds: 5 });
    expectInert(run);
    // Messages quote target values: they reach JUnit escaped, and the console as \u escapes.
    const quoting = run.report.results.filter((r) => r.message.includes('<script>alert(1)'));
    expect(quoting.length).toBeGreaterThan(0);
    expect(run.junit).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(run.junit).toContain('\uFFFD[31m');
    expect(run.consoleText).toContain('\\u001b[31m');
    expect(run.html).toContain('\\u003cscript\\u003ealert(1)');
    // An export ran to the downloads, so manifest urls and types were handled too.
    expect(run.report.exports.some((e) => e.downloads.length > 0)).toBe(true);
    expect(server.hits.jobs).toBeGreaterThan(0);
  });

  test('an access_token with control characters: a clear token error, not one broken request per check', async () => {
    const target = await bcdaLike({
      ...POISONED,
      token: json(200, () =>
        poison({ access_token: 'hostile-token', token_type: 'bearer', expires_in: 1200 }),
      ),
    });
    try {
      const run = await hostileRun(target.url, { suites: ['auth', 'status'] });
      expectInert(run);
      const errors = run.report.results.filter((r) => r.outcome === 'error');
      expect(errors.length).toBeGreaterThan(0);
      expect(errors[0]?.message).toBe(
        'no bearer token: the access_token holds characters that cannot be sent in an Authorization header (control characters or non-Latin-1 text)',
      );
      expect(target.hits.kickoff + target.hits.status).toBeLessThan(run.report.results.length);
    } finally {
      await target.close();
    }
  });
});

describe('11. the CLI against the poisoned target', () => {
  test('exits 1 (MUST checks fail), no stack trace, no raw control characters on the terminal', async () => {
    const target = await bcdaLike(POISONED);
    try {
      const cli = await runCli(target.url, [
        '--suite',
        'metadata',
        'auth',
        'status',
        '--request-timeout',
        '1',
        '--timeout',
        '5',
      ]);
      expect({ code: cli.code, trace: STACK_TRACE.test(cli.stderr) || STACK_TRACE.test(cli.stdout) }).toEqual(
        { code: 1, trace: false },
      );
      // eslint-disable-next-line no-control-regex
      expect(cli.stdout + cli.stderr).not.toMatch(/[\u0000\u001b\u2028]/);
      expect(cli.stderr).toContain('\\u001b[31m');
      expect(cli.stdout).toMatch(/^NOT CONFORMANT: /m);
    } finally {
      await target.close();
    }
  });
});
