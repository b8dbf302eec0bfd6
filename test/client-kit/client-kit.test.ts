/**
 * The client test kit's proof: the reference client (examples/bcda-client) passes every scenario,
 * and each deliberately broken variant of it trips exactly the client checks its bug breaks.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { gradeClient, type ClientKitReport, type ClientRunInfo } from '../../src/client-kit';
import { CLIENT_CHECKS } from '../../src/client-kit/checks';
import { isTripped } from '../../src/engine/results';
import { renderHtml } from '../../src/report/html';
import { buildMockApp } from '../../src/mock';
import { BUILT_IN_CREDENTIALS } from '../../src/mock/credentials';
import { BYPASS_HEADER, RequestRecorder } from '../../src/mock/recording';

const CLIENT_JS = path.join(__dirname, '../../examples/bcda-client/client.js');
const CLIENT = `node ${JSON.stringify(CLIENT_JS)}`;

/** The reference client as a module: `runBcdaClient` runs it in this process. */
const { runBcdaClient } = createRequire(__filename)(CLIENT_JS) as {
  runBcdaClient(
    options: Omit<ClientRunInfo, 'output' | 'scenario'> & { log(t: string): void; error(t: string): void },
  ): Promise<void>;
};

/**
 * Each broken variant (BCDA_CLIENT_BUG), the scenarios it runs (where its bug shows; fewer keep the
 * test quick) and the checks it must trip there, no more, no fewer.
 */
const VARIANTS: Record<string, { scenarios: string[]; trips: string[] }> = {
  'stale-token-retry': {
    scenarios: ['token-expires-mid-job', 'happy-path'],
    trips: ['CLIENT-TOKEN-REFRESH-RETRY'],
  },
  'token-get': { scenarios: ['happy-path'], trips: ['CLIENT-TOKEN-BASIC'] },
  'token-per-request': { scenarios: ['happy-path'], trips: ['CLIENT-TOKEN-REUSE'] },
  'lowercase-bearer': { scenarios: ['happy-path'], trips: ['CLIENT-BEARER-CAPITAL-B'] },
  'no-accept': { scenarios: ['happy-path'], trips: ['CLIENT-KICKOFF-ACCEPT'] },
  'no-prefer': { scenarios: ['happy-path', 'kickoff-429'], trips: ['CLIENT-KICKOFF-PREFER'] },
  'ignore-retry-after': {
    scenarios: ['happy-path', 'kickoff-429'],
    trips: ['CLIENT-KICKOFF-RETRY-AFTER', 'CLIENT-POLL-RETRY-AFTER'],
  },
  'rebuilt-poll-url': { scenarios: ['happy-path'], trips: ['CLIENT-POLL-CONTENT-LOCATION'] },
  'poll-after-200': { scenarios: ['happy-path'], trips: ['CLIENT-POLL-STOPS-AT-200'] },
  'poll-failed-job': { scenarios: ['failed-job'], trips: ['CLIENT-POLL-FAILED-TERMINAL'] },
  // The last output's type comes in two files here, so leaving it out is also a split type half fetched.
  'skip-last-output': {
    scenarios: ['happy-path'],
    trips: ['CLIENT-DOWNLOAD-ALL-OUTPUT', 'CLIENT-DOWNLOAD-MULTI-FILE'],
  },
  'skip-error-files': { scenarios: ['happy-path'], trips: ['CLIENT-DOWNLOAD-ERROR-FILES'] },
  'no-download-token': { scenarios: ['happy-path'], trips: ['CLIENT-DOWNLOAD-TOKEN'] },
  'secret-in-url': { scenarios: ['happy-path'], trips: ['CLIENT-SECRET-CONFINED'] },
  // The second job is left running, never polled nor cancelled.
  'double-kickoff': {
    scenarios: ['happy-path'],
    trips: ['CLIENT-KICKOFF-ONE-JOB', 'CLIENT-CANCELS-ABANDONED'],
  },
  // Taking the 503 for a failed job, it leaves a running job behind without cancelling it.
  'give-up-on-503': {
    scenarios: ['transient-503'],
    trips: ['CLIENT-POLL-TRANSIENT-RETRY', 'CLIENT-CANCELS-ABANDONED'],
  },
  'date-since': { scenarios: ['happy-path'], trips: ['CLIENT-KICKOFF-PARAMS'] },
  'retry-expired-file': {
    scenarios: ['files-expired', 'files-expire-after-24h'],
    trips: ['CLIENT-DOWNLOAD-EXPIRED-RESTART'],
  },
  'fast-poll': { scenarios: ['slow-job-no-retry-after'], trips: ['CLIENT-POLL-BACKOFF'] },
  hang: { scenarios: ['happy-path'], trips: ['CLIENT-FINISHES'] },
  'give-up-download-503': {
    scenarios: ['transient-503-download'],
    trips: ['CLIENT-DOWNLOAD-TRANSIENT-RETRY'],
  },
  'no-gzip': { scenarios: ['happy-path'], trips: ['CLIENT-DOWNLOAD-GZIP'] },
  'token-to-any-origin': {
    scenarios: ['files-on-another-origin'],
    trips: ['CLIENT-DOWNLOAD-TOKEN-ORIGIN'],
  },
  'gzip-undecoded': { scenarios: ['happy-path'], trips: ['CLIENT-DOWNLOAD-GZIP-HANDLED'] },
  'serial-download': { scenarios: ['large-export'], trips: ['CLIENT-DOWNLOAD-PARALLEL'] },
  'unbounded-download': { scenarios: ['large-export'], trips: ['CLIENT-DOWNLOAD-PARALLEL'] },
  // Leaving files out is also leaving outputs out: both checks name it.
  'one-file-per-type': {
    scenarios: ['large-export'],
    trips: ['CLIENT-DOWNLOAD-MULTI-FILE', 'CLIENT-DOWNLOAD-ALL-OUTPUT'],
  },
  'no-cancel': { scenarios: ['job-never-finishes'], trips: ['CLIENT-CANCELS-ABANDONED'] },
  'token-ignore-429': { scenarios: ['token-rate-limited'], trips: ['CLIENT-TOKEN-RATE-LIMIT'] },
  'silent-failure': { scenarios: ['failed-job'], trips: ['CLIENT-POLL-FAILED-SURFACED'] },
  // Refused (401) at once: nothing else to judge.
  'basic-trailing-newline': { scenarios: ['happy-path'], trips: ['CLIENT-TOKEN-BASIC'] },
  'token-no-accept': { scenarios: ['happy-path'], trips: ['CLIENT-TOKEN-ACCEPT'] },
  'kickoff-no-token': { scenarios: ['happy-path'], trips: ['CLIENT-KICKOFF-TOKEN'] },
  'status-no-accept': { scenarios: ['happy-path'], trips: ['CLIENT-STATUS-HEADERS'] },
  // Refused (401), its DELETE cancels nothing either.
  'cancel-no-token': {
    scenarios: ['job-never-finishes'],
    trips: ['CLIENT-CANCEL-TOKEN', 'CLIENT-CANCELS-ABANDONED'],
  },
  'jobs-no-prefer': { scenarios: ['happy-path'], trips: ['CLIENT-JOBS-HEADERS'] },
  'attribution-fhir-accept': { scenarios: ['happy-path'], trips: ['CLIENT-ATTRIBUTION-HEADERS'] },
  'early-since': { scenarios: ['happy-path'], trips: ['CLIENT-KICKOFF-SINCE-FLOOR'] },
  'claims-on-v1': { scenarios: ['happy-path-v1'], trips: ['CLIENT-PARTIAL-CLAIMS-V2'] },
  'group-no-id': { scenarios: ['happy-path-runout'], trips: ['CLIENT-KICKOFF-GROUP-ID'] },
};

const grade = (bug?: string): Promise<ClientKitReport> =>
  gradeClient({
    exec: CLIENT,
    scenarios: bug ? VARIANTS[bug]!.scenarios : [],
    concurrent: true,
    // The hanging client is stopped sooner than a scenario's budget, to keep the test quick.
    ...(bug === 'hang' ? { budgetSeconds: 3 } : {}),
    launch: { output: 'ignore', env: { BCDA_CLIENT_BUG: bug ?? '' } },
  });

/** Gradings run at once. */
const IN_FLIGHT = 8;

/** The gradings that take longest (a client that gives up, or is stopped, at its budget) go first. */
const SLOW = [
  'reference',
  'fast-poll',
  'no-cancel',
  'cancel-no-token',
  'serial-download',
  'unbounded-download',
  'one-file-per-type',
  'hang',
];

const tripped = (report: ClientKitReport) => report.results.filter(isTripped).map((r) => r.id);

describe('the client test kit', () => {
  jest.setTimeout(90_000);
  let reports: Map<string, ClientKitReport>;

  let inProcess: ClientKitReport;
  let stuck: ClientKitReport;

  beforeAll(async () => {
    // One grading per client, a few at a time (each runs its scenarios at once, on mocks of its
    // own): the work is CPU-bound, and on a loaded machine too many at once would push clients past
    // their scenario's budget.
    const names = ['reference', ...Object.keys(VARIANTS)];
    const queue = [...SLOW, ...names.filter((n) => !SLOW.includes(n))];
    reports = new Map();
    const worker = async (): Promise<void> => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift())
        reports.set(name, await grade(name === 'reference' ? undefined : name));
    };
    // Besides: the reference client called in this process (gradeClient's `run`), and a client
    // that never ends, stopped at a 1 s budget.
    [inProcess, stuck] = await Promise.all([
      gradeClient({
        scenarios: ['happy-path', 'failed-job'],
        concurrent: true,
        run: (info) => runBcdaClient({ ...info, log: info.output, error: info.output }),
      }),
      gradeClient({ scenarios: ['happy-path'], budgetSeconds: 1, run: () => new Promise(() => {}) }),
      ...Array.from({ length: IN_FLIGHT }, worker),
    ]);
  });

  it('passes the reference client in every scenario, with no check erroring', () => {
    const report = reports.get('reference')!;
    // With the messages, so a failure says in which scenario and why.
    expect(report.results.filter(isTripped).map((r) => `${r.id}: ${r.message}`)).toEqual([]);
    expect(report.results.filter((r) => r.outcome === 'error').map((r) => r.message)).toEqual([]);
    expect(report.summary.verdict).toBe('conformant');
    for (const s of report.clientKit.scenarios) expect(s.client).toMatchObject({ timedOut: false });
    // Every check is exercised by some scenario: none only skips.
    expect(report.results.filter((r) => r.outcome === 'skip').map((r) => `${r.id}: ${r.message}`)).toEqual(
      [],
    );
  });

  it.each(Object.entries(VARIANTS))('trips exactly the checks the %s bug breaks', (bug, { trips }) => {
    const report = reports.get(bug)!;
    const got = tripped(report).sort();
    const want = [...trips].sort();
    // On a miss, how each scenario's client ended says why (a crash, a stop at the budget).
    const ended = report.clientKit.scenarios.map(
      (s) => `${s.name}: exit ${String(s.client.exitCode)}, ${s.requests} requests ${s.client.note ?? ''}`,
    );
    expect({ got, ...(String(got) === String(want) ? {} : { ended }) }).toEqual({ got: want });
  });

  it('grades a client run in this process (gradeClient with run), its output seen by the checks', () => {
    expect(inProcess.run.target).toBe('BCDA client (in process)');
    expect(inProcess.results.filter(isTripped).map((r) => `${r.id}: ${r.message}`)).toEqual([]);
    expect(inProcess.results.find((r) => r.id === 'CLIENT-POLL-FAILED-SURFACED')?.outcome).toBe('pass');
    expect(inProcess.clientKit.scenarios.map((s) => s.client.exitCode)).toEqual([0, 1]);
    // A client that never ends is stopped at the budget and judged on what it did.
    expect(stuck.clientKit.scenarios[0]!.client).toMatchObject({ timedOut: true });
    expect(stuck.summary.mustFailures).toEqual(['CLIENT-FINISHES']);
  });

  it('has every client check tripped by some broken variant (the client verify)', () => {
    const caught = new Set(Object.values(VARIANTS).flatMap((v) => v.trips));
    expect(CLIENT_CHECKS.map((c) => c.id).filter((id) => !caught.has(id))).toEqual([]);
  });

  it('reports the stale-header retry as a MUST failure naming the retried request and the header it sent', () => {
    const report = reports.get('stale-token-retry')!;
    const result = report.results.find((r) => r.id === 'CLIENT-TOKEN-REFRESH-RETRY')!;
    expect(result.level).toBe('MUST');
    expect(report.summary.mustFailures).toEqual(['CLIENT-TOKEN-REFRESH-RETRY']);
    expect(result.message).toMatch(
      /token-expires-mid-job\/r\d{4} GET \/api\/v2\/jobs\/1 retried token-expires-mid-job\/r\d{4} \(refused with 401\) after token-expires-mid-job\/r\d{4} issued a new token \(fp:[0-9a-f]{12}\), but sent Authorization: Bearer fp:[0-9a-f]{12}, the refused token/,
    );
    const ids = new Set(report.exchanges.map((e) => e.id));
    expect(result.evidence.length).toBe(3);
    for (const id of result.evidence) expect(ids.has(id)).toBe(true);
  });

  it('words the HTML report about the client, with the requirement text of a failed check', () => {
    const page = renderHtml(reports.get('stale-token-retry')!);
    expect(page).toContain('BCDA client conformance report');
    expect(page).toContain('makes the client not');
    expect(page).not.toContain('sends requests to the target server');
    expect(page).not.toMatch(/\(limit \d+\)/);
    // The failed check names its requirement row; the page's data carries the row's statement.
    expect(page).toContain('BCDA-003-41');
    expect(page).toContain('"subject":"client"');
  });

  it('keeps every secret and token out of the report', () => {
    for (const report of reports.values()) {
      const text = JSON.stringify(report);
      for (const c of BUILT_IN_CREDENTIALS) expect(text).not.toContain(c.clientSecret);
      expect(text).not.toMatch(/eyJ[\w-]{10,}/); // no JWT
      expect(text).not.toMatch(/Basic [A-Za-z0-9+/=]{20,}/);
    }
  });
});

describe('request recording', () => {
  it('shows a credential as its scheme and a fingerprint that is the same for the same token', async () => {
    const recorder = new RequestRecorder({ secrets: ['s3cret'] });
    const app = await buildMockApp({ recorder });
    const sandbox = BUILT_IN_CREDENTIALS[0]!;
    const basic = Buffer.from(`${sandbox.clientId}:${sandbox.clientSecret}`).toString('base64');
    const token = await app.inject({
      method: 'POST',
      url: '/auth/token',
      headers: { authorization: `Basic ${basic}` },
    });
    const accessToken = (JSON.parse(token.body) as { access_token: string }).access_token;
    await app.inject({
      method: 'GET',
      url: '/api/v2/jobs/9?x=s3cret',
      headers: { authorization: `Bearer ${accessToken}` },
    });
    await app.inject({
      method: 'GET',
      url: '/_version',
      headers: { authorization: `bearer ${accessToken}` },
    });
    // A scenario's own request, marked with the recorder's key, stays out of the record.
    await app.inject({ method: 'GET', url: '/_version', headers: { [BYPASS_HEADER]: recorder.bypassKey } });
    await app.close();
    expect(recorder.all()).toHaveLength(3);
    const [ask, poll, version] = recorder.all();
    expect(version!.finishedAtMs).toBeGreaterThanOrEqual(version!.respondedAtMs!);
    expect(ask!.headers.authorization).toMatch(/^Basic fp:[0-9a-f]{12}$/);
    expect(ask!.issuedToken?.fingerprint).toBe(poll!.credential!.fingerprint);
    expect(ask!.responseBody).toBeUndefined();
    expect(poll!.url).toBe('/api/v2/jobs/9?x=[secret]');
    expect(poll!.status).toBe(404);
    expect(version!.credential).toEqual({ scheme: 'bearer', fingerprint: poll!.credential!.fingerprint });
    expect(JSON.stringify(recorder.all())).not.toContain(accessToken);
  });
});
