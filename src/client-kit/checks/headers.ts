/**
 * Client checks of the request headers seed 001 lists under each endpoint's "Request header" (and
 * seed 002 for the token request): the bearer token, Accept and Prefer each request carries.
 * The kick-off's Accept and Prefer, and the capital B of Bearer, have checks of their own.
 */
import type { Area } from '../../core/vocabulary';
import type { ClientCheck } from '../types';
import {
  describe,
  fail,
  isAttributionStatus,
  isCancel,
  isJobList,
  isKickoff,
  isStatusRequest,
  isTokenRequest,
  pass,
  skip,
  type Req,
} from '../requests';

/** A header the request must carry: Accept and Prefer as a list naming `value` (parameters aside). */
interface HeaderRule {
  header: 'accept' | 'prefer';
  value: string;
  /**
   * Set where the documents ask for the header but the real server does not need it: a request
   * without it still works there, so lacking it (and nothing else) warns, saying why.
   */
  notRequiredByServer?: string;
}

const SHOWN = { accept: 'Accept', prefer: 'Prefer' } as const;

/** Whether a comma-separated header names the value (case aside, `;` parameters dropped). */
function names(header: string | undefined, value: string): boolean {
  return (header ?? '').split(',').some((item) => (item.split(';')[0] ?? '').trim().toLowerCase() === value);
}

/** What a request lacks of the rules, as `Accept: …` phrases; empty when it has everything. */
function missing(r: Req, bearer: boolean, rules: readonly HeaderRule[]): string[] {
  const lacks: string[] = [];
  if (bearer && r.credential?.scheme.toLowerCase() !== 'bearer')
    lacks.push(
      r.credential
        ? `Authorization: Bearer <token> (it sent ${r.credential.scheme})`
        : 'Authorization: Bearer <token>',
    );
  for (const { header, value } of rules)
    if (!names(r.headers[header], value))
      lacks.push(
        `${SHOWN[header]}: ${value} (it sent ${r.headers[header] === undefined ? `no ${SHOWN[header]}` : `${SHOWN[header]}: ${r.headers[header]}`})`,
      );
  return lacks;
}

interface HeaderCheckSpec {
  id: string;
  title: string;
  /** The requests it judges, as a phrase (`status request`). */
  kind: string;
  applies: (r: Req) => boolean;
  /** The request must carry Authorization: Bearer (any spelling of the scheme). */
  bearer: boolean;
  rules: HeaderRule[];
  area: Area;
  refs: string[];
  requirements: string[];
}

function headerCheck(spec: HeaderCheckSpec): ClientCheck {
  const wanted = [
    ...(spec.bearer ? ['Authorization: Bearer <token>'] : []),
    ...spec.rules.map((r) => `${SHOWN[r.header]}: ${r.value}`),
  ];
  return {
    id: spec.id,
    title: spec.title,
    description: `Every ${spec.kind} carries ${wanted.join(' and ')}.${spec.rules
      .filter((r) => r.notRequiredByServer)
      .map(
        (r) =>
          ` Lacking only ${SHOWN[r.header]}: ${r.value} warns: the documents ask for it, ${r.notRequiredByServer}.`,
      )
      .join('')}`,
    level: 'MUST',
    area: spec.area,
    refs: spec.refs,
    requirements: spec.requirements,
    run({ requests }) {
      const judged = requests.filter(spec.applies);
      if (!judged.length) return skip(`the client sent no ${spec.kind}`);
      const strict = spec.rules.filter((r) => !r.notRequiredByServer);
      const bad = judged.filter((r) => missing(r, spec.bearer, strict).length > 0);
      const loose = judged.filter((r) => missing(r, false, spec.rules).length > 0);
      if (!bad.length && loose.length) {
        const first = loose[0]!;
        const lacks = missing(first, false, spec.rules);
        const why = spec.rules.flatMap((r) => (r.notRequiredByServer ? [r.notRequiredByServer] : []));
        return {
          ...fail(
            `${describe(first)} lacks ${lacks.join(' and ')}${loose.length > 1 ? ` (${loose.length} of ${judged.length} ${spec.kind}s like it)` : ''}; the documents ask for it, ${why.join('; ')}`,
            loose.map((r) => r.id),
            wanted.join(', '),
            lacks.join('; '),
          ),
          outcome: 'warn',
        };
      }
      if (bad.length) {
        const first = bad[0]!;
        const lacks = missing(first, spec.bearer, spec.rules);
        return fail(
          `${describe(first)} lacks ${lacks.join(' and ')}${bad.length > 1 ? ` (${bad.length} of ${judged.length} ${spec.kind}s like it)` : ''}`,
          bad.map((r) => r.id),
          wanted.join(', '),
          lacks.join('; '),
        );
      }
      return pass(
        `${judged.length} ${spec.kind}(s), each with ${wanted.join(' and ')}`,
        judged.slice(0, 5).map((r) => r.id),
      );
    },
  };
}

const FHIR_JSON = 'application/fhir+json';

export const HEADER_CHECKS: readonly ClientCheck[] = [
  headerCheck({
    id: 'CLIENT-TOKEN-ACCEPT',
    title: 'Asks for its token with Accept: application/json',
    kind: 'token request',
    applies: isTokenRequest,
    bearer: false,
    rules: [{ header: 'accept', value: 'application/json' }],
    area: 'auth',
    refs: ['seed:002 §Authentication and Authorization'],
    requirements: ['BCDA-002-15'],
  }),
  headerCheck({
    id: 'CLIENT-KICKOFF-TOKEN',
    title: 'Kick-off carries the bearer token',
    kind: 'kick-off',
    applies: isKickoff,
    bearer: true,
    rules: [],
    area: 'kickoff',
    refs: ['seed:001 §Start a job (Request header)'],
    requirements: ['BCDA-001-024'],
  }),
  headerCheck({
    id: 'CLIENT-STATUS-HEADERS',
    title: 'Status polls carry the token and Accept: application/fhir+json',
    kind: 'status request',
    applies: isStatusRequest,
    bearer: true,
    rules: [
      {
        header: 'accept',
        value: FHIR_JSON,
        notRequiredByServer: 'but BCDA answers a status poll without it (behavior §2.3)',
      },
    ],
    area: 'status',
    refs: ['seed:001 §Check job status (Request header)'],
    requirements: ['BCDA-001-046'],
  }),
  headerCheck({
    id: 'CLIENT-CANCEL-TOKEN',
    title: 'Cancels carry the bearer token',
    kind: 'cancel request',
    applies: isCancel,
    bearer: true,
    rules: [],
    area: 'cancel',
    refs: ['seed:001 §Cancel a job (Request header)'],
    requirements: ['BCDA-001-083'],
  }),
  headerCheck({
    id: 'CLIENT-JOBS-HEADERS',
    title: 'Job history requests carry the token, Accept and Prefer',
    kind: 'job history request',
    applies: isJobList,
    bearer: true,
    rules: [
      { header: 'accept', value: FHIR_JSON },
      { header: 'prefer', value: 'respond-async' },
    ],
    area: 'jobs',
    refs: ['seed:001 §Request job history (Request header)'],
    requirements: ['BCDA-001-099'],
  }),
  headerCheck({
    id: 'CLIENT-ATTRIBUTION-HEADERS',
    title: 'Attribution status requests carry the token and Accept: application/json',
    kind: 'attribution status request',
    applies: isAttributionStatus,
    bearer: true,
    rules: [
      {
        header: 'accept',
        value: 'application/json',
        notRequiredByServer: 'but BCDA answers attribution_status without it (behavior §2.6)',
      },
    ],
    area: 'attribution',
    refs: ['seed:001 §Request attribution status (Request header)'],
    requirements: ['BCDA-001-105'],
  }),
];
