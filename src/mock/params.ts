/**
 * Kick-off and /jobs request validation in BCDA's order (behavior §0.2, §2.2, §3): URL
 * parameters first, then Accept/Prefer. Pure functions: they return the 400 diagnostics or the
 * parsed values, and the routes decide what to send.
 */
import type { ApiVersion } from '../core/vocabulary';
import type { FaultName, FaultSet } from './faults';
import { goSlice } from './formats';
import { refusesSinceFraction } from './fuzz-faults';

/** Query pairs as Go's url.Query() sees them (`+` is a space, repeated keys kept in order). */
export class QueryParams {
  readonly pairs: Array<[string, string]>;

  /** `dropLeadingQuestionMark`: parse as URLSearchParams alone would (fault kickoff-question-mark-stripped). */
  constructor(rawUrl: string, dropLeadingQuestionMark = false) {
    const q = rawUrl.indexOf('?');
    // URLSearchParams drops one leading '?' of its input; the '&' keeps a key like `?_since` intact.
    const query = dropLeadingQuestionMark ? rawUrl.slice(q + 1) : `&${rawUrl.slice(q + 1)}`;
    this.pairs = q < 0 ? [] : [...new URLSearchParams(query).entries()];
  }

  first(name: string): string | undefined {
    return this.pairs.find(([k]) => k === name)?.[1];
  }

  all(name: string): string[] {
    return this.pairs.filter(([k]) => k === name).map(([, v]) => v);
  }

  has(name: string): boolean {
    return this.pairs.some(([k]) => k === name);
  }

  /**
   * A parameter's value: with `joinRepeated`, every value given, comma-joined, as the Bulk Data IG
   * reads a repeated parameter (bulkdata@32); without, the first only, as Go's `Get` and BCDA do.
   */
  value(name: string, joinRepeated: boolean): string | undefined {
    if (!joinRepeated) return this.first(name);
    const values = this.all(name);
    return values.length ? values.join(',') : undefined;
  }
}

export type Invalid = { error: string };

export const OUTPUT_FORMATS = ['ndjson', 'application/fhir+ndjson', 'application/ndjson'] as const;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/;

/** Whether the value has an instant's shape, whatever its fields hold (2020-02-30T25:00:00Z passes). */
export function instantShaped(value: string): boolean {
  return RFC3339.test(value);
}

/** Go's time.Parse(RFC3339Nano): a full date-time with a required zone, fields in range. */
export function parseInstant(value: string): Date | undefined {
  const m = RFC3339.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export interface UrlParams {
  since?: Date;
  /** First `_type` value split on commas (validated against the version later, in the handler). */
  types?: string[];
  typeParam?: string;
  /** v3 `_typeFilter` asks for SharedSystem data. */
  wantsSharedSystem: boolean;
}

export interface UrlCheckOptions {
  version: ApiVersion;
  nowMs: number;
  /** Fault kickoff-accepts-bad-since: skip both _since checks. */
  acceptBadSince?: boolean;
  /** Active faults that bend parameter validation (kickoff-* names). */
  faults?: Pick<FaultSet, 'has'>;
  /**
   * Read a repeated `_outputFormat`, `_since` or `_type` as one comma-separated value (the IG,
   * bulkdata@32) instead of its first value only (BCDA, behavior §3).
   */
  joinRepeated?: boolean;
}

/** The URL validator middleware: _outputFormat, _elements, `?` keys, _since, _type repeats, v3 _typeFilter. */
export function checkUrlParams(q: QueryParams, options: UrlCheckOptions): UrlParams | Invalid {
  const fault = (name: FaultName): boolean => options.faults?.has(name) === true;
  const join = options.joinRepeated === true;
  const format = q.value('_outputFormat', join);
  const formatOk =
    format === undefined ||
    fault('kickoff-accepts-any-output-format') ||
    ((OUTPUT_FORMATS as readonly string[]).includes(format) &&
      !fault('kickoff-rejects-valid-output-format')) ||
    (fault('kickoff-output-format-substring') && format.includes('ndjson'));
  if (!formatOk) {
    return { error: `_outputFormat parameter must be one of ${goSlice(OUTPUT_FORMATS)}` };
  }
  if (q.has('_elements') && !fault('kickoff-accepts-elements')) {
    return { error: 'Invalid parameter: this server does not support the _elements parameter.' };
  }
  if (q.pairs.some(([k]) => k.startsWith('?')) && !fault('kickoff-accepts-question-mark-params')) {
    return { error: 'Invalid parameter: query parameters cannot start with ?' };
  }
  const result: UrlParams = { wantsSharedSystem: false };
  const sinceText = q.value('_since', join);
  if (sinceText !== undefined) {
    let since = parseInstant(sinceText);
    // Fault since-offset-ignored: the wall-clock time is kept and the zone offset read as UTC.
    if (since && fault('since-offset-ignored'))
      since = parseInstant(sinceText.replace(/[+-]\d\d:\d\d$/, 'Z'));
    if (since && fault('kickoff-rejects-valid-since') && !sinceText.endsWith('Z')) since = undefined;
    if (since && refusesSinceFraction(options.faults, sinceText)) since = undefined;
    // Fault kickoff-since-requires-fraction: only the documents' form, with milliseconds, passes.
    if (since && fault('kickoff-since-requires-fraction') && !/:\d{2}\.\d+/.test(sinceText))
      since = undefined;
    if (!options.acceptBadSince) {
      if (!since) {
        return {
          error: 'Invalid date format supplied in _since parameter.  Date must be in FHIR Instant format.',
        };
      }
      // Fault kickoff-since-future-same-day: compared with the end of today, not the instant.
      const latest = fault('kickoff-since-future-same-day') ? endOfUtcDay(options.nowMs) : options.nowMs;
      if (since.getTime() > latest) {
        return {
          error:
            'Invalid date format supplied in _since parameter. Date must be a date that has already passed',
        };
      }
    }
    if (since) result.since = since;
  }
  const typeText = repeatedType(q, join, fault('kickoff-repeated-param-last-wins'));
  if (typeText !== undefined) {
    // Fault kickoff-type-empty-element-skipped: empty elements dropped, not refused.
    const types = typeText.split(',').filter((t) => t !== '' || !fault('kickoff-type-empty-element-skipped'));
    const seen = new Set<string>();
    const adjacentOnly = fault('kickoff-type-repeat-adjacent-only');
    for (const [i, t] of types.entries()) {
      const repeated = adjacentOnly ? types[i - 1] === t : seen.has(t);
      if (repeated && !fault('kickoff-accepts-unknown-type')) return { error: `Repeated resource type ${t}` };
      seen.add(t);
    }
    result.types = types;
    result.typeParam = typeText;
  }
  if (options.version === 'v3') {
    const filters = q.all('_typeFilter');
    if (filters.length > 1)
      return { error: 'failed to process request given more that one _typeFilter parameter' };
    if (filters[0] !== undefined && fault('kickoff-rejects-valid-type-filter')) {
      return { error: `invalid _typeFilter parameter/value: ${filters[0]}` };
    }
    if (filters[0] !== undefined && !fault('kickoff-accepts-bad-type-filter')) {
      const parsed = checkTypeFilter(filters[0], fault('kickoff-type-filter-final-action-refused'));
      // Fault kickoff-type-filter-claims-accepted: a filter on the partially adjudicated claims passes.
      const claims = /^(Claim|ClaimResponse)(\?|%3F)/i.test(filters[0]);
      if ('error' in parsed && claims && fault('kickoff-type-filter-claims-accepted')) return result;
      if ('error' in parsed) return parsed;
      result.wantsSharedSystem = parsed.sharedSystem;
    }
  }
  return result;
}

/** The last millisecond of the UTC day holding `ms`. */
function endOfUtcDay(ms: number): number {
  const day = 24 * 3600 * 1000;
  return Math.floor(ms / day) * day + day - 1;
}

/** `_type` as given; fault kickoff-repeated-param-last-wins keeps only the last of repeated values. */
function repeatedType(q: QueryParams, join: boolean, lastWins: boolean): string | undefined {
  return lastWins ? q.all('_type').at(-1) : q.value('_type', join);
}

const SYSTEM_TYPE = 'https://bluebutton.cms.gov/fhir/CodeSystem/System-Type';
const FINAL_ACTION = 'https://bluebutton.cms.gov/fhir/CodeSystem/Final-Action';
const TAGS: Record<string, string[]> = {
  [SYSTEM_TYPE]: ['SharedSystem', 'NationalClaimsHistory', 'DDPS'],
  [FINAL_ACTION]: ['FinalAction', 'NotFinalAction'],
};
const SERVICE_DATE = /^(eq|lt|gt|le|ge)?\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** v3 `_typeFilter` (behavior §3): `ExplanationOfBenefit?name=v1,v2&name=…`. */
/** `systemTypeOnly`: the Final-Action tags are unknown (fault kickoff-type-filter-final-action-refused). */
export function checkTypeFilter(raw: string, systemTypeOnly = false): { sharedSystem: boolean } | Invalid {
  let value: string;
  try {
    value = decodeURIComponent(raw); // BCDA decodes the value once more
  } catch {
    value = raw;
  }
  const q = value.indexOf('?');
  if (q < 0) return { error: `missing question mark ${value}` };
  const resource = value.slice(0, q);
  if (resource !== 'ExplanationOfBenefit') {
    return { error: `invalid _typeFilter Resource Type (Only EOBs valid): ${resource}` };
  }
  let sharedSystem = false;
  for (const pair of value.slice(q + 1).split('&')) {
    const eq = pair.indexOf('=');
    if (eq < 0) return { error: `invalid _typeFilter parameter/value: ${pair}` };
    const name = pair.slice(0, eq);
    const values = pair.slice(eq + 1).split(',');
    for (const v of values) {
      if (name === '_tag') {
        const bar = v.indexOf('|');
        if (bar < 0) {
          return {
            error: `invalid _tag value: ${v}. Searching by tag requires a token (system|code) to be specified`,
          };
        }
        const system = v.slice(0, bar);
        const code = v.slice(bar + 1);
        const known = systemTypeOnly && system !== SYSTEM_TYPE ? undefined : TAGS[system];
        if (!known?.includes(code)) return { error: `invalid _tag value: ${v}` };
        if (system === SYSTEM_TYPE && code === 'SharedSystem') sharedSystem = true;
      } else if (name === 'outcome') {
        if (v !== 'complete' && v !== 'partial') {
          return {
            error: `invalid outcome value: ${v}. Supported outcome values are 'complete' and 'partial'`,
          };
        }
      } else if (name === 'service-date') {
        if (!SERVICE_DATE.test(v))
          return { error: `invalid service-date value: ${v}. Pass a valid FHIR date parameter` };
      } else {
        return { error: `invalid _typeFilter subquery parameter: ${name}` };
      }
    }
  }
  return { sharedSystem };
}

/** Comma-split header tokens with `;` parameters dropped, lower-cased. */
function headerTokens(value: string | string[] | undefined): string[] {
  const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
  return joined
    .split(',')
    .map((part) => (part.split(';')[0] ?? '').trim().toLowerCase())
    .filter((t) => t !== '');
}

export interface HeaderCheckOptions {
  skipAccept?: boolean;
  skipPrefer?: boolean;
  /** Only require the headers to be present (faults kickoff-accepts-wrong-accept/-prefer). */
  anyAccept?: boolean;
  anyPrefer?: boolean;
  /** Take Accept: * / * as application/fhir+json (fault kickoff-accepts-wildcard-accept). */
  wildcardAccept?: boolean;
}

/** ValidateRequestHeaders: Accept must name application/fhir+json, Prefer must include respond-async. */
export function checkExportHeaders(
  headers: Record<string, string | string[] | undefined>,
  options: HeaderCheckOptions = {},
): Invalid | undefined {
  if (!options.skipAccept) {
    if (headers.accept === undefined) return { error: 'Accept header is required' };
    const accepted = options.wildcardAccept ? ['application/fhir+json', '*/*'] : ['application/fhir+json'];
    if (!options.anyAccept && !headerTokens(headers.accept).some((t) => accepted.includes(t))) {
      return { error: 'application/fhir+json is the only supported response format' };
    }
  }
  if (!options.skipPrefer) {
    if (headers.prefer === undefined) return { error: 'Prefer header is required' };
    if (!options.anyPrefer && !headerTokens(headers.prefer).includes('respond-async')) {
      return { error: 'Only asynchronous responses are supported' };
    }
  }
  return undefined;
}

/** `_type` values each version accepts at kick-off (behavior §3). */
export const VERSION_TYPES: Record<ApiVersion, readonly string[]> = {
  v1: ['Patient', 'Coverage', 'ExplanationOfBenefit', 'Observation'],
  v2: ['Patient', 'Coverage', 'ExplanationOfBenefit', 'Claim', 'ClaimResponse'],
  v3: ['Patient', 'Coverage', 'ExplanationOfBenefit'],
};

/** Entitlement a resource type needs. */
export function needsPartialAdjudication(type: string): boolean {
  return type === 'Claim' || type === 'ClaimResponse';
}
