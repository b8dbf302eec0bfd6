/** Client checks of polling a job's status: the URL it polls, how often, and when it stops. */
import type { ClientCheck } from '../types';
import {
  describe,
  fail,
  isKickoff,
  isStatusRequest,
  jobPathOf,
  pass,
  pathAndQuery,
  retryAfterSeconds,
  skip,
  type Req,
} from '../requests';
import { TIMING_SLACK_MS } from './kickoff';

const POLL_CONTENT_LOCATION: ClientCheck = {
  id: 'CLIENT-POLL-CONTENT-LOCATION',
  title: 'Polls the Content-Location URL as given',
  description: "Every status request goes to the URL the kick-off's Content-Location named, unchanged.",
  level: 'MUST',
  area: 'status',
  refs: ['seed:001 §2. Start a job', 'bulkdata@301'],
  run({ requests }) {
    const given = new Set(
      requests.flatMap((r) => {
        const location =
          isKickoff(r) && r.status === 202 ? r.responseHeaders?.['content-location'] : undefined;
        const path = location ? pathAndQuery(location) : undefined;
        return path ? [path] : [];
      }),
    );
    const polls = requests.filter(isStatusRequest);
    if (!given.size) return skip('no kick-off was accepted with a Content-Location');
    if (!polls.length) return skip('the client polled no job status');
    const bad = polls.filter((r) => !given.has(r.url));
    if (bad.length)
      return fail(
        `${describe(bad[0]!)} polled a URL no Content-Location named (given: ${[...given].join(', ')})`,
        bad.map((r) => r.id),
        [...given].join(' or '),
        bad[0]!.url,
      );
    return pass(
      `${polls.length} status request(s), all to the Content-Location given`,
      polls.map((r) => r.id),
    );
  },
};

/** The status requests of each job, in order. */
export function pollsByJob(requests: readonly Req[]): Map<string, Req[]> {
  const jobs = new Map<string, Req[]>();
  for (const r of requests.filter(isStatusRequest))
    jobs.set(jobPathOf(r), [...(jobs.get(jobPathOf(r)) ?? []), r]);
  return jobs;
}

const POLL_RETRY_AFTER: ClientCheck = {
  id: 'CLIENT-POLL-RETRY-AFTER',
  title: 'Honours Retry-After between status polls',
  description:
    'After a 202 status answer with Retry-After, the next poll of that job waits at least that long.',
  level: 'SHOULD',
  area: 'status',
  refs: ['bulkdata@124', 'bulkdata@125'],
  run({ requests }) {
    let judged = 0;
    for (const polls of pollsByJob(requests).values()) {
      for (let i = 0; i + 1 < polls.length; i += 1) {
        const answer = polls[i]!;
        const wait = answer.status === 202 ? retryAfterSeconds(answer) : undefined;
        if (wait === undefined) continue;
        judged += 1;
        const next = polls[i + 1]!;
        const waitedMs = next.atMs - (answer.respondedAtMs ?? answer.atMs);
        if (waitedMs + TIMING_SLACK_MS < wait * 1000)
          return fail(
            `${describe(next)} polled ${waitedMs} ms after ${answer.id} answered 202 with Retry-After: ${wait}`,
            [answer.id, next.id],
            `next poll after at least ${wait} s`,
            `next poll after ${waitedMs} ms`,
          );
      }
    }
    return judged
      ? pass(`${judged} poll(s) after a Retry-After each waited long enough`)
      : skip('no 202 status answer with Retry-After was followed by another poll');
  },
};

const POLL_STOPS_AT_200: ClientCheck = {
  id: 'CLIENT-POLL-STOPS-AT-200',
  title: 'Stops polling once the job answers 200',
  description: 'A job whose status answered 200 (its manifest) is not polled again.',
  level: 'MUST',
  area: 'status',
  refs: ['seed:001 §Response example: completed job', 'bulkdata@132'],
  run({ requests }) {
    let done = 0;
    for (const polls of pollsByJob(requests).values()) {
      const complete = polls.find((r) => r.status === 200);
      if (!complete) continue;
      done += 1;
      const after = polls.slice(polls.indexOf(complete) + 1);
      if (after.length)
        return fail(
          `${describe(after[0]!)} polled again after ${complete.id} answered 200 (${after.length} poll(s) after completion)`,
          [complete.id, ...after.map((r) => r.id)],
          'no poll after the 200',
          `${after.length} more poll(s)`,
        );
    }
    return done ? pass(`${done} completed job(s), none polled after its 200`) : skip('no job answered 200');
  },
};

/** A status answer that says "try again": 503 (unavailable for now) or an OperationOutcome coded transient. */
function isTransient(r: Req): boolean {
  return (
    r.status === 503 ||
    (r.status !== undefined && r.status >= 500 && /"code"\s*:\s*"transient"/.test(r.responseBody ?? ''))
  );
}

/** A status answer that ends the job: an error other than 401, 429 or a transient one. */
export function isTerminalFailure(r: Req): boolean {
  if (r.status === undefined || r.status < 400 || r.status === 401 || r.status === 429) return false;
  return !isTransient(r);
}

const POLL_TRANSIENT_RETRY: ClientCheck = {
  id: 'CLIENT-POLL-TRANSIENT-RETRY',
  title: 'Retries a status poll after a transient error',
  description:
    'A status poll answered 503 (or a 5xx OperationOutcome coded transient) does not end the job: the client polls it again, after Retry-After when one is given.',
  level: 'SHOULD',
  area: 'status',
  refs: ['bulkdata@136', 'behavior §5'],
  run({ requests }) {
    let judged = 0;
    for (const polls of pollsByJob(requests).values()) {
      for (const answer of polls.filter(isTransient)) {
        judged += 1;
        const next = polls[polls.indexOf(answer) + 1];
        if (!next)
          return fail(
            `the client gave up on the job after ${describe(answer)} answered ${answer.status} (a transient error)`,
            [answer.id],
            'another poll of the job',
            'no further poll',
          );
        const wait = retryAfterSeconds(answer);
        const waitedMs = next.atMs - (answer.respondedAtMs ?? answer.atMs);
        if (wait !== undefined && waitedMs + TIMING_SLACK_MS < wait * 1000)
          return fail(
            `${describe(next)} polled ${waitedMs} ms after ${answer.id} answered ${answer.status} with Retry-After: ${wait}`,
            [answer.id, next.id],
            `next poll after at least ${wait} s`,
            `next poll after ${waitedMs} ms`,
          );
      }
    }
    return judged
      ? pass(`${judged} transient status error(s), each followed by another poll in time`)
      : skip('no status poll met a transient error');
  },
};

const POLL_FAILED_TERMINAL: ClientCheck = {
  id: 'CLIENT-POLL-FAILED-TERMINAL',
  title: 'Treats a failed job as finished',
  description:
    'A job whose status answered 4xx or 5xx (not 401, 429 or a transient error) is not polled again.',
  level: 'MUST',
  area: 'status',
  refs: ['bulkdata@136'],
  run({ requests }) {
    let failed = 0;
    for (const polls of pollsByJob(requests).values()) {
      const end = polls.find(isTerminalFailure);
      if (!end) continue;
      failed += 1;
      const after = polls.slice(polls.indexOf(end) + 1);
      if (after.length)
        return fail(
          `${describe(after[0]!)} polled again after ${end.id} answered ${end.status} for a failed job (${after.length} more poll(s))`,
          [end.id, ...after.map((r) => r.id)],
          'no poll after the failure',
          `${after.length} more poll(s)`,
        );
    }
    return failed ? pass(`${failed} failed job(s), none polled again`) : skip('no job failed');
  },
};

/** The diagnostics (or, lacking them, the details text) of an OperationOutcome answer. */
function diagnosticsOf(r: Req): string[] {
  try {
    const body = JSON.parse(r.responseBody ?? '') as {
      resourceType?: string;
      issue?: Array<{ diagnostics?: unknown; details?: { text?: unknown } }>;
    };
    if (body.resourceType !== 'OperationOutcome') return [];
    return (body.issue ?? [])
      .map((i) => (typeof i.diagnostics === 'string' ? i.diagnostics : i.details?.text))
      .filter((t): t is string => typeof t === 'string' && t.trim() !== '');
  } catch {
    return [];
  }
}

const POLL_FAILED_SURFACED: ClientCheck = {
  id: 'CLIENT-POLL-FAILED-SURFACED',
  title: 'Tells its user why a job failed',
  description:
    "When a job fails (its status answers 4xx/5xx with an OperationOutcome), the client shows the OperationOutcome's diagnostics to its user (judged from the output of a client the kit launched).",
  level: 'SHOULD',
  area: 'status',
  refs: ['bulkdata@136'],
  run({ requests, client }) {
    const failures = requests.filter(
      (r) => isStatusRequest(r) && isTerminalFailure(r) && diagnosticsOf(r).length > 0,
    );
    if (!failures.length) return skip('no job failed with an OperationOutcome that has diagnostics');
    if (client.output === undefined)
      return skip('the client was run by hand: the kit did not see its output');
    const output = client.output.toLowerCase();
    const unseen = failures.filter(
      (r) => !diagnosticsOf(r).some((d) => output.includes(d.trim().toLowerCase())),
    );
    if (unseen.length) {
      const first = unseen[0]!;
      return fail(
        `${describe(first)} answered ${first.status} with the diagnostics "${diagnosticsOf(first)[0]!}", which the client never printed`,
        unseen.map((r) => r.id),
        "the OperationOutcome's diagnostics in the client's output",
        'not in its output',
      );
    }
    return pass(
      `the diagnostics of ${failures.length} failed job answer(s) appear in the client's output`,
      failures.map((r) => r.id),
    );
  },
};

/** The shortest poll interval without Retry-After (the IG names none; a second keeps a server calm). */
export const POLL_FLOOR_SECONDS = 1;
/** A wait may come out this share of the one before (a loaded machine delays one poll more than the next). */
const SHRINK_TOLERATED = 0.75;

const POLL_BACKOFF: ClientCheck = {
  id: 'CLIENT-POLL-BACKOFF',
  title: 'Without Retry-After, polls no faster than a floor and backs off',
  description: `When a 202 status answer carries no Retry-After, the next poll of that job waits at least ${POLL_FLOOR_SECONDS} s, and the waits do not shrink (by more than a quarter).`,
  level: 'SHOULD',
  area: 'status',
  refs: ['bulkdata@124'],
  run({ requests }) {
    let judged = 0;
    for (const polls of pollsByJob(requests).values()) {
      let previousMs = 0;
      for (let i = 0; i + 1 < polls.length; i += 1) {
        const answer = polls[i]!;
        if (answer.status !== 202 || retryAfterSeconds(answer) !== undefined) continue;
        judged += 1;
        const next = polls[i + 1]!;
        const waitedMs = next.atMs - (answer.respondedAtMs ?? answer.atMs);
        if (waitedMs + TIMING_SLACK_MS < POLL_FLOOR_SECONDS * 1000)
          return fail(
            `${describe(next)} polled ${waitedMs} ms after ${answer.id} answered 202 without Retry-After`,
            [answer.id, next.id],
            `at least ${POLL_FLOOR_SECONDS} s between polls`,
            `${waitedMs} ms`,
          );
        // A wait a quarter shorter than the one before is a shrinking interval, not timer noise.
        if (waitedMs < previousMs * SHRINK_TOLERATED)
          return fail(
            `${describe(next)} polled ${waitedMs} ms after ${answer.id}, sooner than the ${previousMs} ms wait before it: the client did not back off`,
            [answer.id, next.id],
            'waits that grow (or stay) while the job runs',
            `${previousMs} ms, then ${waitedMs} ms`,
          );
        previousMs = waitedMs;
      }
    }
    return judged
      ? pass(
          `${judged} poll(s) after a 202 without Retry-After, none sooner than ${POLL_FLOOR_SECONDS} s or than the wait before`,
        )
      : skip('no 202 status answer without Retry-After was followed by another poll');
  },
};

export const POLL_CHECKS: readonly ClientCheck[] = [
  POLL_CONTENT_LOCATION,
  POLL_RETRY_AFTER,
  POLL_STOPS_AT_200,
  POLL_FAILED_TERMINAL,
  POLL_FAILED_SURFACED,
  POLL_TRANSIENT_RETRY,
  POLL_BACKOFF,
];
