/** Client checks of the kick-off request: its headers, and waiting out a 429. */
import type { ClientCheck } from '../types';
import {
  describe,
  fail,
  isKickoff,
  pass,
  pathAndQuery,
  queryValues,
  retryAfterSeconds,
  skip,
  versionOf,
  type Req,
} from '../requests';

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

/** The earliest _since BCDA's data supports: older claims are not tagged with a reliable date. */
const SINCE_FLOOR = '2020-02-12';

const KICKOFF_SINCE_FLOOR: ClientCheck = {
  id: 'CLIENT-KICKOFF-SINCE-FLOOR',
  title: `Sends no _since before ${SINCE_FLOOR}`,
  description: `A _since names an instant on or after ${SINCE_FLOOR}: BFD tags claims from before that date unreliably, so an earlier _since does not filter what it seems to.`,
  level: 'MUST',
  area: 'kickoff',
  refs: ['seed:003 §a. Pull your historical data.'],
  requirements: ['BCDA-003-49'],
  run({ requests }) {
    const withSince = requests.filter((r) => isKickoff(r) && queryValues(r, '_since').length > 0);
    if (!withSince.length) return skip('no kick-off named _since');
    // The date as written (its zone aside): the documents name a date, not an instant.
    for (const r of withSince) {
      const early = queryValues(r, '_since').find(
        (v) => /^\d{4}-\d{2}-\d{2}/.test(v) && v.slice(0, 10) < SINCE_FLOOR,
      );
      if (early !== undefined)
        return fail(
          `${describe(r)} asked for data since ${early}, before ${SINCE_FLOOR}`,
          [r.id],
          `_since on or after ${SINCE_FLOOR}`,
          `_since=${early}`,
        );
    }
    return pass(
      `${withSince.length} kick-off(s) with a _since on or after ${SINCE_FLOOR}`,
      withSince.map((r) => r.id),
    );
  },
};

/** Partially adjudicated claims: in FHIR R4 (v2, v3) only; v1 is FHIR STU3 and has neither type. */
const PARTIAL_CLAIM_TYPES = ['Claim', 'ClaimResponse'];

const PARTIAL_CLAIMS_V2: ClientCheck = {
  id: 'CLIENT-PARTIAL-CLAIMS-V2',
  title: 'Asks for partially adjudicated claims on v2 or later, never v1',
  description:
    'A v1 kick-off names neither Claim nor ClaimResponse in _type: partially adjudicated claims (REACH ACOs) come from v2 on, and v1 refuses the types.',
  level: 'MUST',
  area: 'kickoff',
  refs: ['seed:001 §BCDA recommends using v2 of the API', 'seed:000 §/Group'],
  requirements: ['BCDA-001-011'],
  run({ requests }) {
    const v1 = requests.filter((r) => isKickoff(r) && versionOf(r) === 'v1');
    if (!v1.length) return skip('the client started no v1 export');
    const asking = (r: Req) => queryValues(r, '_type').filter((t) => PARTIAL_CLAIM_TYPES.includes(t));
    const bad = v1.find((r) => asking(r).length > 0);
    if (bad)
      return fail(
        `${describe(bad)} asked v1 for ${asking(bad).join(' and ')}, which only v2 and later serve`,
        [bad.id],
        'Claim and ClaimResponse asked of /api/v2 (or v3)',
        `_type naming ${asking(bad).join(', ')} on /api/v1`,
      );
    return pass(
      `${v1.length} v1 kick-off(s), none asking for partially adjudicated claims`,
      v1.map((r) => r.id),
    );
  },
};

/** The Group ids BCDA knows (seed 000 §/Group). */
const GROUP_IDS = ['all', 'runout'];

const KICKOFF_GROUP_ID: ClientCheck = {
  id: 'CLIENT-KICKOFF-GROUP-ID',
  title: 'Names the Group it exports: all or runout',
  description: `A Group kick-off names its group in the path, /Group/{id}/$export, with id ${GROUP_IDS.join(' or ')}.`,
  level: 'MUST',
  area: 'kickoff',
  refs: ['seed:003 §3. Learning about the Bulk Data Resource Types', 'seed:000 §/Group'],
  requirements: ['BCDA-003-23'],
  run({ requests }) {
    const path = (r: Req) => decodeURIComponent(r.url.split('?')[0] ?? r.url);
    const group = requests.filter((r) => isKickoff(r) && /\/Group(\/|\$)/.test(path(r)));
    if (!group.length) return skip('the client started no Group export');
    const idOf = (r: Req) => /\/Group\/([^/]+)\/\$export$/.exec(path(r))?.[1];
    const bad = group.find((r) => !GROUP_IDS.includes(idOf(r) ?? ''));
    if (bad) {
      const id = idOf(bad);
      return fail(
        `${describe(bad)} ${id === undefined ? 'names no group id' : `names the group ${id}, which BCDA does not know`}`,
        [bad.id],
        `/Group/${GROUP_IDS.join('|')}/$export`,
        id === undefined ? 'no group id in the path' : `/Group/${id}/$export`,
      );
    }
    return pass(
      `${group.length} Group kick-off(s), each naming ${[...new Set(group.map(idOf))].join(' or ')}`,
      group.map((r) => r.id),
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
  KICKOFF_SINCE_FLOOR,
  PARTIAL_CLAIMS_V2,
  KICKOFF_GROUP_ID,
];
