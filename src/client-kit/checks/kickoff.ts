/** Client checks of the kick-off request: its headers, and waiting out a 429. */
import type { ClientCheck } from '../types';
import { describe, fail, isKickoff, pass, pathAndQuery, retryAfterSeconds, skip } from '../requests';

/** Timers and the network may make a wait look a little short; this much is forgiven. */
export const TIMING_SLACK_MS = 50;

function headerCheck(
  id: string,
  header: 'accept' | 'prefer',
  value: string,
  title: string,
  refs: string[],
  requirements: string[],
): ClientCheck {
  const shown = header === 'accept' ? 'Accept' : 'Prefer';
  return {
    id,
    title,
    description: `Every kick-off request carries ${shown}: ${value}.`,
    level: 'MUST',
    area: 'kickoff',
    refs,
    requirements,
    run({ requests }) {
      const kickoffs = requests.filter(isKickoff);
      if (!kickoffs.length) return skip('the client started no export');
      const bad = kickoffs.filter((r) => (r.headers[header] ?? '').trim().toLowerCase() !== value);
      if (bad.length) {
        const first = bad[0]!;
        const sent = first.headers[header];
        return fail(
          `${describe(first)} ${sent === undefined ? `sent no ${shown} header` : `sent ${shown}: ${sent}`}`,
          bad.map((r) => r.id),
          `${shown}: ${value}`,
          sent === undefined ? `no ${shown}` : `${shown}: ${sent}`,
        );
      }
      return pass(
        `${kickoffs.length} kick-off(s) sent ${shown}: ${value}`,
        kickoffs.map((r) => r.id),
      );
    },
  };
}

const KICKOFF_RETRY_AFTER: ClientCheck = {
  id: 'CLIENT-KICKOFF-RETRY-AFTER',
  title: 'Waits out Retry-After after a 429',
  description:
    'After a kick-off is answered 429 with Retry-After, the client makes no request before that delay has passed.',
  level: 'MUST',
  area: 'ratelimit',
  refs: ['seed:001 §Response example: too many requests', 'bulkdata@118'],
  requirements: ['BCDA-001-041'],
  run({ requests }) {
    const limited = requests.filter(
      (r) => isKickoff(r) && r.status === 429 && retryAfterSeconds(r) !== undefined,
    );
    if (!limited.length) return skip('no kick-off was answered 429 with Retry-After');
    for (const r of limited) {
      const wait = retryAfterSeconds(r)!;
      const next = requests[requests.indexOf(r) + 1];
      if (!next) continue;
      const waitedMs = next.atMs - (r.respondedAtMs ?? r.atMs);
      if (waitedMs + TIMING_SLACK_MS < wait * 1000)
        return fail(
          `${describe(next)} came ${waitedMs} ms after ${r.id} answered 429 with Retry-After: ${wait}`,
          [r.id, next.id],
          `no request for ${wait} s`,
          `next request after ${waitedMs} ms`,
        );
    }
    return pass(
      `the client waited out Retry-After after ${limited.length} 429(s)`,
      limited.map((r) => r.id),
    );
  },
};

const KICKOFF_ONE_JOB: ClientCheck = {
  id: 'CLIENT-KICKOFF-ONE-JOB',
  title: 'Starts no second job for the same request while one runs',
  description:
    'While an accepted export has not finished (no 200, failure or cancel seen for its Content-Location), the client does not kick off the same export again.',
  level: 'SHOULD',
  area: 'kickoff',
  refs: [
    'seed:001 §Response example: too many requests',
    'seed:003 §Frequently asked questions',
    'bulkdata@118',
  ],
  run({ requests }) {
    const accepted = requests.filter((r) => isKickoff(r) && r.status === 202);
    if (!accepted.length) return skip('no kick-off was accepted');
    for (const start of accepted) {
      const location = pathAndQuery(start.responseHeaders?.['content-location'] ?? '');
      const later = requests.slice(requests.indexOf(start) + 1);
      const end = later.findIndex(
        (r) =>
          r.url === location &&
          (r.method === 'DELETE' ||
            (r.status !== undefined &&
              r.status !== 202 &&
              r.status !== 429 &&
              r.status !== 401 &&
              r.status !== 503)),
      );
      const running = end < 0 ? later : later.slice(0, end);
      const again = running.find((r) => isKickoff(r) && r.url === start.url);
      if (again)
        return fail(
          `${describe(again)} started the same export again while the job of ${start.id} (${location ?? '?'}) was still running`,
          [start.id, again.id],
          'one job per export request at a time',
          'a second kick-off of the same request',
        );
    }
    return pass(
      `${accepted.length} accepted kick-off(s), none repeated while its job ran`,
      accepted.map((r) => r.id),
    );
  },
};

/** A FHIR instant: date, time to the second (fraction optional) and a zone. */
const FHIR_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
/** The resource types BCDA exports (Claim and ClaimResponse: partially adjudicated data, v2 and v3). */
const EXPORT_TYPES = ['Patient', 'Coverage', 'ExplanationOfBenefit', 'Claim', 'ClaimResponse'];

/** What is wrong with a kick-off's _type and _since, if anything. */
function paramProblem(url: string): string | undefined {
  const query = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
  for (const since of query.getAll('_since'))
    if (!FHIR_INSTANT.test(since)) return `_since=${since} is not a FHIR instant`;
  for (const type of query.getAll('_type').flatMap((t) => t.split(',')))
    if (!EXPORT_TYPES.includes(type))
      return `_type names ${type || '(an empty type)'}, which BCDA does not export`;
  return undefined;
}

const KICKOFF_PARAMS: ClientCheck = {
  id: 'CLIENT-KICKOFF-PARAMS',
  title: 'Sends a valid _type and _since',
  description: `_type lists only types BCDA exports (${EXPORT_TYPES.join(', ')}) and _since is a FHIR instant (date, time and zone).`,
  level: 'MUST',
  area: 'kickoff',
  refs: ['seed:000 §Parameters', 'seed:001 §2. Start a job'],
  run({ requests }) {
    const kickoffs = requests.filter((r) => isKickoff(r) && /[?&](_type|_since)=/.test(r.url));
    if (!kickoffs.length) return skip('no kick-off named _type or _since');
    for (const r of kickoffs) {
      const problem = paramProblem(r.url);
      if (problem)
        return fail(
          `${describe(r)}: ${problem}`,
          [r.id],
          'a FHIR instant in _since, BCDA resource types in _type',
          problem,
        );
    }
    return pass(
      `${kickoffs.length} kick-off(s) with a valid _type and _since`,
      kickoffs.map((r) => r.id),
    );
  },
};

export const KICKOFF_CHECKS: readonly ClientCheck[] = [
  headerCheck(
    'CLIENT-KICKOFF-ACCEPT',
    'accept',
    'application/fhir+json',
    'Kick-off asks for application/fhir+json',
    ['seed:001 §Request header', 'bulkdata@43'],
    ['BCDA-001-029'],
  ),
  headerCheck(
    'CLIENT-KICKOFF-PREFER',
    'prefer',
    'respond-async',
    'Kick-off sends Prefer: respond-async',
    ['seed:001 §Request header', 'bulkdata@45'],
    ['BCDA-001-030'],
  ),
  KICKOFF_RETRY_AFTER,
  KICKOFF_ONE_JOB,
  KICKOFF_PARAMS,
];
