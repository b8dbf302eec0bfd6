/**
 * What a generated request's answer must be, one oracle per finding kind:
 *
 * - server-error: any request gets an answer, and never a 5xx (a hang or a 500 on odd input is a bug);
 * - rejects-invalid: an out-of-schema value gets a 4xx the spec documents for the operation, with
 *   an OperationOutcome body on the versioned API paths;
 * - accepts-valid: an in-schema request is not refused as bad input (a kick-off answers 202; a
 *   status the data decides, such as 404 for an unknown job or 429 for a duplicate, is no verdict);
 * - no-echo: no answer carries the input unescaped, so that it breaks the body (JSON that no
 *   longer parses, markup in an HTML body).
 */
import { jsonValues } from './json-values';
import { shown } from './request';
import type { FuzzOperation, ParameterLocation } from './spec';

export const FINDING_KINDS = ['server-error', 'rejects-invalid', 'accepts-valid', 'no-echo'] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface Answer {
  exchangeId: string;
  status?: number;
  /** Lower-case names. */
  headers?: Record<string, string>;
  text?: string;
  /** Set when no complete answer came (refused, reset, timed out). */
  transportError?: string;
}

export interface JudgedCase {
  /** True for a request whose every value is inside its schema and documented as accepted. */
  inSchema: boolean;
  /** Where the value out of schema goes (out-of-schema cases only). */
  brokenIn?: ParameterLocation;
  /** The raw values the request sent, for the echo oracle. */
  sent: readonly string[];
}

/**
 * 4xx answers that depend on the data or the moment, not on the input being valid: an unknown job
 * (404), another organization's (401/403), a job gone (410), a duplicate or a busy server (429).
 */
const DATA_STATUSES = new Set([401, 403, 404, 409, 410, 429]);

/** 4xx answers documented without a body (405 from the router, 429 of the duplicate-job rule). */
const BODILESS = new Set([405, 429]);

const isKickoff = (op: FuzzOperation) => op.base === 'exportPatient' || op.base === 'exportGroup';

/** Each kind the answer breaks, with the problem in a sentence. */
export function judge(op: FuzzOperation, c: JudgedCase, a: Answer): Map<FindingKind, string> {
  const found = new Map<FindingKind, string>();
  if (a.transportError !== undefined || a.status === undefined) {
    found.set('server-error', `got no answer (${a.transportError ?? 'no status'})`);
    return found;
  }
  const status = a.status;
  if (status >= 500) found.set('server-error', `answered ${status}`);
  const echo = echoProblem(a, c.sent);
  if (echo) found.set('no-echo', echo);
  if (status >= 500) return found;
  const problem = c.inSchema ? acceptProblem(op, status) : rejectProblem(op, c.brokenIn, status, a);
  if (problem) found.set(c.inSchema ? 'accepts-valid' : 'rejects-invalid', problem);
  return found;
}

function acceptProblem(op: FuzzOperation, status: number): string | undefined {
  if (status >= 200 && status < 300)
    return isKickoff(op) && status !== 202
      ? `answered ${status}, where a kick-off is accepted with 202`
      : undefined;
  if (status < 400) return `answered ${status}`;
  return DATA_STATUSES.has(status) ? undefined : `refused it with ${status}`;
}

/**
 * The statuses that refuse a bad value: 400, the spec's bad-request answer, and for a path value,
 * which names a resource, 404 too. Another documented 4xx (a 404 "no jobs found" for a filter the
 * server ignored) means the value was not judged.
 */
function refusals(op: FuzzOperation, brokenIn: ParameterLocation | undefined): number[] {
  const wanted = brokenIn === 'path' ? [400, 404] : [400];
  const documented = wanted.filter((s) => op.statuses.includes(s));
  return documented.length ? documented : op.statuses.filter((s) => s >= 400 && s < 500);
}

function rejectProblem(
  op: FuzzOperation,
  brokenIn: ParameterLocation | undefined,
  status: number,
  a: Answer,
): string | undefined {
  if (status < 400) return `accepted it with ${status}`;
  const expected = refusals(op, brokenIn);
  if (!expected.includes(status)) {
    const documented = op.statuses.includes(status)
      ? ''
      : `, which the spec does not document for ${op.operationId}`;
    return `answered ${status}${documented}, where a bad ${brokenIn ?? 'value'} value gets ${expected.join(' or ')}`;
  }
  if (op.version !== undefined && !BODILESS.has(status) && !isOperationOutcome(a.text ?? ''))
    return `answered ${status} without an OperationOutcome body`;
  return undefined;
}

/** The first JSON value of the body is an OperationOutcome with at least one issue. */
function isOperationOutcome(text: string): boolean {
  const first = jsonValues(text)?.[0] as { resourceType?: unknown; issue?: unknown } | undefined;
  return first?.resourceType === 'OperationOutcome' && Array.isArray(first.issue) && first.issue.length > 0;
}

/** Characters that must be escaped to appear in a JSON string, and in HTML text. */
// eslint-disable-next-line no-control-regex
const JSON_SPECIAL = /["\\\u0000-\u001f]/;
const HTML_SPECIAL = /[<>"'&]/;

function echoProblem(a: Answer, sent: readonly string[]): string | undefined {
  const text = a.text ?? '';
  if (!text) return undefined;
  const media = (a.headers?.['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const markup = media.includes('html') || (media === '' && text.trimStart().startsWith('<'));
  if (markup) {
    const raw = sent.find((v) => HTML_SPECIAL.test(v) && text.includes(v));
    if (raw !== undefined) return `its ${media || 'untyped'} body holds the input ${shown(raw)} unescaped`;
  }
  // JSON and FHIR JSON; NDJSON files (and their gzip) are the FHIR checks' to judge.
  if (/[/+]json$/.test(media) && jsonValues(text) === undefined) {
    const raw = sent.find((v) => JSON_SPECIAL.test(v) && text.includes(v));
    if (raw !== undefined)
      return `its ${media} body no longer parses: it holds the input ${shown(raw)} unescaped`;
  }
  return undefined;
}
