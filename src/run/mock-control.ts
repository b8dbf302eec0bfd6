/**
 * Control of this project's mock through its /__mock endpoints (clock, job states, auth provider,
 * token limit), for the checks that need it. The requests go through the HTTP client, so the
 * origin policy and the time bounds hold for them too, but on a client of their own whose exchange
 * log is not the run's: they are not part of what the target is judged on.
 */
import { NotApplicable, type TargetControl } from '../checks/context';
import { jobIdOf as bcdaJobIdOf } from '../checks/kit/job-list';
import { CLEANUP_GRACE_MS } from '../engine/run-checks';
import { BudgetSpentError, type RequestBudget } from '../http/budget';
import { HttpClient, TransportError, type StreamResponse } from '../http/client';
import { ExchangeLog } from '../http/exchange';
import { Redactor } from '../http/redaction';

/** The mock's /__mock/state is small; a longer answer is not the mock. */
const MAX_MOCK_STATE_BYTES = 1_000_000;

/** A client for the control endpoints of the mock at `baseUrl` (trusting `ca` too): no run budget of its own (see httpControl). */
export function controlClient(baseUrl: string, userAgent: string, ca?: string): HttpClient {
  return new HttpClient({
    baseUrl,
    log: new ExchangeLog(new Redactor()),
    connections: 2,
    defaultHeaders: { 'user-agent': userAgent },
    ...(ca ? { ca } : {}),
  });
}

/** Which of this project's mocks a control answers for: the BCDA mock's, or the generic mock's. */
export type MockKind = 'bcda' | 'bulk-data-ig';

/**
 * Which mock's control the target offers (it answers GET /__mock/state as this project's BCDA mock
 * or generic mock started with --control does), or undefined.
 */
export async function offersMockControl(
  http: HttpClient,
  timeoutMs: number,
  budget: RequestBudget,
): Promise<MockKind | undefined> {
  // Any target gets this request, hostile ones too: bounded in time and in bytes read.
  let res: StreamResponse | undefined;
  try {
    res = await http.open({
      method: 'GET',
      url: '/__mock/state',
      label: 'does the target offer mock control?',
      timeoutMs: Math.min(3_000, timeoutMs),
      budget,
    });
    if (res.status !== 200) return undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > MAX_MOCK_STATE_BYTES) return undefined;
      chunks.push(chunk as Buffer);
    }
    await res.finished;
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      mock?: unknown;
      faults?: unknown;
      jobs?: unknown;
      pollRateLimit?: unknown;
    };
    if (!Array.isArray(body.faults) || !Array.isArray(body.jobs)) return undefined;
    if (body.mock === 'bulk-data-ig') return 'bulk-data-ig';
    return typeof body.pollRateLimit === 'object' ? 'bcda' : undefined;
  } catch {
    // Not reachable, not JSON, not our mock: no control, and the probe reports reachability.
    return undefined;
  } finally {
    res?.stop('the probe for mock control has read what it needs');
  }
}

/**
 * Control of a mock through its /__mock endpoints. A change is not made once the run budget is
 * spent; putting the mock back as it was (clock, auth provider, token limit) still is, within its
 * own short timeout, so a shared mock is not left changed.
 */
export function httpControl(
  http: HttpClient,
  timeoutMs: number,
  budget: RequestBudget,
  kind: MockKind = 'bcda',
): TargetControl {
  const limit = Math.min(timeoutMs, CLEANUP_GRACE_MS * 2);
  /** One control request: a POST with a JSON body (a change), or a GET (a reading); its JSON answer. */
  const send = async (path: string, body?: unknown, restores = false): Promise<unknown> => {
    let res;
    try {
      res = await http.send({
        method: body === undefined ? 'GET' : 'POST',
        url: `/__mock${path}`,
        label: `mock control ${path}`,
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
        timeoutMs: limit,
        maxBodyBytes: MAX_MOCK_STATE_BYTES,
        ...(restores ? {} : { budget }),
      });
    } catch (err) {
      // The run's budget ended it: the check was not finished, as with any request.
      if (!restores && budget.signal.aborted) throw spent(budget);
      // Its exchange is not in the run's log, so it cannot be cited as evidence: a plain error.
      if (err instanceof TransportError) throw new Error(`mock control ${path} failed: ${err.message}`);
      throw err;
    }
    if (res.status !== 200) throw new Error(`mock control ${path} answered ${res.status}: ${res.text()}`);
    return body === undefined ? res.json() : undefined;
  };
  const post = async (path: string, body: unknown, restores = false): Promise<void> => {
    await send(path, body, restores);
  };
  if (kind === 'bulk-data-ig') return genericControl(post);
  return {
    jobIdOf: bcdaJobIdOf,
    advanceClock: (seconds) => post('/clock/advance', { seconds }),
    rewindClock: (seconds) => post('/clock/rewind', { seconds }, true),
    forceJobState: (jobId, state) => post(`/jobs/${encodeURIComponent(jobId)}/state`, { state }),
    setAuthProvider: (state) => post('/auth-provider', { state }, state === 'ok'),
    setTokenRateLimit: (limit, windowSeconds) =>
      // Switching the limit off takes no window (the mock wants one of at least 1 s, if any).
      post('/token-rate-limit', limit === 0 ? { limit } : { limit, windowSeconds }, limit === 0),
    setPollRateLimit: (limit, windowSeconds) =>
      post('/poll-rate-limit', limit === 0 ? { limit } : { limit, windowSeconds }, limit === 0),
    setDownloadPace: (bytes, delayMs) =>
      post('/download-pace', bytes === 0 ? { bytes } : { bytes, delayMs }, bytes === 0),
    jobFailures: async (jobId) => {
      const body = (await send(`/jobs/${encodeURIComponent(jobId)}/failures`)) as { beneficiaries?: unknown };
      const list = Array.isArray(body?.beneficiaries) ? body.beneficiaries : undefined;
      if (!list || !list.every((b): b is string => typeof b === 'string'))
        throw new Error('mock control: the failures answer holds no list of beneficiaries');
      return list;
    },
  };
}

/** The job states the generic mock's control can set (src/mock/ig/control.ts). */
const GENERIC_JOB_STATES: ReadonlySet<string> = new Set(['In Progress', 'Failed', 'Completed']);

/**
 * The generic mock's control: its clock and job states (it judges SMART assertions by the clock
 * before any advance, the one the run signs them by). It has no auth provider to take down, no
 * token or poll limit to set, no partial failures, no paced downloads: what it cannot do ends the
 * check as not applicable (a skip naming why).
 */
function genericControl(
  post: (path: string, body: unknown, restores?: boolean) => Promise<void>,
): TargetControl {
  const cannot = (what: string) => (): Promise<never> =>
    Promise.reject(new NotApplicable(`the generic mock's control ${what}`));
  return {
    // Its status URLs end in the job's id ({base}/bulkstatus/{id}).
    jobIdOf: (jobUrl) => /\/bulkstatus\/([^/?#]+)$/.exec(jobUrl)?.[1],
    advanceClock: (seconds) => post('/clock/advance', { seconds }),
    rewindClock: (seconds) => post('/clock/rewind', { seconds }, true),
    forceJobState: (jobId, state) =>
      GENERIC_JOB_STATES.has(state)
        ? post(`/jobs/${encodeURIComponent(jobId)}/state`, { state })
        : cannot(`cannot put a job in state ${state}`)(),
    setAuthProvider: cannot('has no auth provider to take down'),
    setTokenRateLimit: cannot('sets no token rate limit'),
  };
}

function spent(budget: RequestBudget): BudgetSpentError {
  const reason: unknown = budget.signal.reason;
  return reason instanceof BudgetSpentError ? reason : new BudgetSpentError('the time budget was spent');
}
