/**
 * What the documents say about a parameter that its schema does not: the spec's schema for
 * `Accept` is any string, but its description (and seed 001) say it must name
 * application/fhir+json. The fuzzer reads the schema first and these rules second, so:
 *
 * - in-schema values are only values the documents say are accepted (a valid-looking `_type` that
 *   needs an entitlement, or a `_since` in the future, is never sent as one);
 * - out-of-schema values are values outside the schema, or values the documents say are refused;
 * - a value whose verdict neither decides (`Observation` on v1, which the real server takes) is
 *   never generated at all.
 */
import fc from 'fast-check';
import { enumList } from './lists';
import type { FuzzOperation, FuzzParameter, SchemaNode } from './spec';

export interface RefinementContext {
  /** Now, on the harness's clock: in-schema instants lie well before it. */
  nowMs: number;
  /** An export job of the run's own (downloads are judged against it); absent when there is none. */
  ownJobId?: string;
}

export interface Refinement {
  /** Where the documents say it. */
  source: string;
  /** Schema keywords the documents state and the spec's schema lacks (e.g. uniqueItems). */
  overlay?: SchemaNode;
  /** The values documented as accepted, instead of those drawn from the schema; null: never sent in schema. */
  accepted?: (rctx: RefinementContext, op: FuzzOperation) => fc.Arbitrary<string> | null;
  /** The value a request carries when this parameter is not the one under test. */
  canonical?: (rctx: RefinementContext, op: FuzzOperation) => string;
  /** Values the documents refuse although the schema allows them. */
  refused?: (raw: string) => boolean;
  /** Values neither the schema nor the documents decide: never generated. */
  undecided?: (raw: string) => boolean;
}

/** True when a comma-separated header value holds `token` (parameters after `;` and case ignored). */
export function hasToken(value: string, token: string): boolean {
  return value.split(',').some((part) => (part.split(';')[0] ?? '').trim().toLowerCase() === token);
}

/**
 * The FHIR instant form the spec's `_since` description gives: `YYYY-MM-DDThh:mm:ss[.fraction]`
 * and `Z` or `±hh:mm`, upper-case T and Z. JSON Schema's date-time also allows a lower-case t, a
 * space or `+0500`, which BCDA refuses.
 */
const INSTANT_FORM = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

const DAY_MS = 86_400_000;
/** The earliest data BCDA serves (seed 000 §/Group: "as early as 2014"). */
const EARLIEST_MS = Date.UTC(2014, 0, 1);

/** UTC offsets in use somewhere, half-hour and quarter-hour ones included. */
const OFFSETS = [
  'Z',
  '+00:00',
  '-05:00',
  '+01:00',
  '-08:00',
  '+05:30',
  '-03:30',
  '+05:45',
  '+09:30',
  '+14:00',
  '-12:00',
];

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `ms` written as an instant at `offset` (the same moment), with `digits` fraction digits. */
export function instantText(ms: number, offset: string, digits: number): string {
  const sign = offset.startsWith('-') ? -1 : 1;
  const minutes = offset === 'Z' ? 0 : sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const local = new Date(ms + minutes * 60_000);
  const fraction = digits
    ? `.${pad(local.getUTCMilliseconds(), 3).padEnd(digits, '0').slice(0, digits)}`
    : '';
  return (
    `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${fraction}${offset}`
  );
}

/** A moment between 2014 and two days ago, written as any valid instant. */
function pastInstant(nowMs: number): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.integer({ min: EARLIEST_MS, max: nowMs - 2 * DAY_MS }),
      fc.constantFrom(...OFFSETS),
      fc.constantFrom(0, 3, 6, 1, 9),
    )
    .map(([ms, offset, digits]) => instantText(ms, offset, digits));
}

/** Job ids far beyond any server's sequence (spec JobId: "an id that does not exist … -> 404"). */
const UNKNOWN_JOB_IDS = fc.bigInt(10n ** 12n, 2n ** 53n).map(String);
const UNKNOWN_JOB_ID = '1000000000000';

/**
 * A job id text a lenient server might read as some job's id (`+1`, ` 7`, `1.0`, `01`): never
 * sent, so a DELETE of an out-of-schema id can cancel nobody's job. Plain ids, `0`, negative
 * numbers and numbers past int64 stay in play.
 */
const couldNameAJob = (raw: string): boolean => /\d/.test(raw) && !/^([1-9]\d*|0|-\d+|\d{21,})$/.test(raw);

/** `_type` values whose verdict depends on the version, the organization or a quirk. */
const UNDECIDED_TYPES = new Set(['Observation', 'Claim', 'ClaimResponse']);
/** Types every organization with claims data may ask for (Claim and ClaimResponse need an entitlement). */
const ACCEPTED_TYPES = ['Patient', 'Coverage', 'ExplanationOfBenefit'];

/** Documented v3 `_typeFilter` values that every eligible organization may send (no SharedSystem). */
const TYPE_FILTERS = [
  'ExplanationOfBenefit?_tag=https://bluebutton.cms.gov/fhir/CodeSystem/System-Type|NationalClaimsHistory',
  'ExplanationOfBenefit?_tag=https://bluebutton.cms.gov/fhir/CodeSystem/System-Type|DDPS',
  'ExplanationOfBenefit?outcome=complete',
  'ExplanationOfBenefit?service-date=ge2020-01-01',
];

function decodedOnce(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

const ACCEPT_VALUES = [
  'application/fhir+json',
  'application/fhir+json; charset=utf-8',
  'APPLICATION/FHIR+JSON',
  'application/json, application/fhir+json',
];
const PREFER_VALUES = ['respond-async', 'respond-async; wait=10', 'handling=lenient, respond-async'];

const REFINEMENTS: Record<string, Refinement> = {
  'header:accept': {
    source: 'seed 001 §2. Start a job (request header); spec parameter Accept',
    accepted: () => fc.constantFrom(...ACCEPT_VALUES),
    canonical: () => ACCEPT_VALUES[0]!,
    refused: (raw) => !hasToken(raw, 'application/fhir+json'),
  },
  'header:prefer': {
    source: 'seed 001 §2. Start a job (request header); spec parameter Prefer',
    accepted: () => fc.constantFrom(...PREFER_VALUES),
    canonical: () => PREFER_VALUES[0]!,
    refused: (raw) => !hasToken(raw, 'respond-async'),
  },
  'query:_type': {
    source:
      'seed 000 §Parameters, seed 001 §2. Start a job; spec parameter _type (a repeated type is refused)',
    overlay: { uniqueItems: true },
    accepted: (_rctx, op) => {
      const types = ACCEPTED_TYPES.filter((t) => enumOf(op, '_type').includes(t));
      return enumList(types);
    },
    undecided: (raw) => raw.split(',').some((t) => UNDECIDED_TYPES.has(t)),
  },
  'query:_since': {
    source: 'seed 000 §Parameters; spec parameter _since (a FHIR instant in the past)',
    accepted: (rctx) => pastInstant(rctx.nowMs),
    refused: (raw) => !INSTANT_FORM.test(raw),
  },
  'query:_elements': {
    source: 'spec parameter _elements (not supported: any occurrence is refused)',
    accepted: () => null,
    refused: () => true,
  },
  'query:_typefilter': {
    source: 'spec parameter _typeFilter (one ExplanationOfBenefit filter)',
    accepted: () => fc.constantFrom(...TYPE_FILTERS),
    refused: (raw) => !decodedOnce(raw).startsWith('ExplanationOfBenefit?'),
    undecided: (raw) => decodedOnce(raw).startsWith('ExplanationOfBenefit?') && !TYPE_FILTERS.includes(raw),
  },
  'query:_status': {
    source: 'seed 001 §Request job history; spec parameter _status (a repeated status is refused)',
    overlay: { uniqueItems: true },
  },
  'path:jobid': {
    source: 'spec parameter jobId (an id that does not exist answers 404)',
    // Downloads need a job that exists, for the file name to be judged at all.
    accepted: (rctx, op) =>
      op.base === 'downloadFile' && rctx.ownJobId ? fc.constant(rctx.ownJobId) : UNKNOWN_JOB_IDS,
    canonical: (rctx, op) => (op.base === 'downloadFile' && rctx.ownJobId) || UNKNOWN_JOB_ID,
    undecided: couldNameAJob,
  },
  'path:filename': {
    source: 'seed 001 §4. Download the data; spec parameter fileName (a UUID, -error, or warnings-and-info)',
    accepted: () =>
      fc.oneof(
        fc.uuid({ version: 4 }).map((u) => `${u}.ndjson`),
        fc.uuid({ version: 4 }).map((u) => `${u}-error.ndjson`),
        fc.constant('warnings-and-info.ndjson'),
      ),
    canonical: () => '00000000-0000-4000-8000-000000000000.ndjson',
  },
};

function enumOf(op: FuzzOperation, name: string): string[] {
  const p = op.parameters.find((x) => x.name === name);
  const items = (p?.schema.items as SchemaNode | undefined) ?? p?.schema;
  return Array.isArray(items?.enum) ? (items.enum as unknown[]).filter((v) => typeof v === 'string') : [];
}

/** The documents' rules for a parameter; an empty rule when they add nothing to its schema. */
export function refinementOf(p: FuzzParameter): Refinement {
  return REFINEMENTS[`${p.in}:${p.name.toLowerCase()}`] ?? { source: `spec parameter ${p.name}` };
}
