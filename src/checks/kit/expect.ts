/**
 * Small predicates the checks share. Each returns a problem sentence, or undefined when the
 * response meets the expectation, so a check can collect every problem in one message. Also the
 * patterns of BCDA's header values, and firstJson for bodies that hold two JSON documents.
 */
import type { HttpResponse } from '../../http/client';
import type { ApiVersion } from '../../core/vocabulary';
import type { Received, ReceivedItem, Schemas } from '../../http/bodies';

/**
 * An error body as received, by the spec's OperationOutcome member names (v2's issue names them
 * all: v1 lacks details, v3 lacks details.coding).
 */
type OutcomeBody = Received<Schemas['OperationOutcomeV2']>;
type IssueBody = Received<Schemas['OperationOutcomeIssueV2']>;
type DetailsBody = Received<Schemas['OperationOutcomeIssueV2']['details']>;
type CodingBody = ReceivedItem<Schemas['OperationOutcomeIssueV2']['details']['coding']>;

/**
 * What is wrong with a Retry-After that BCDA's documents give as a delay in seconds: missing, or
 * another form (an HTTP-date, which RFC 9110 allows but the documents and the contract do not).
 */
export function retryAfterSecondsProblem(value: string | undefined): string | undefined {
  if (value === undefined) return 'Retry-After is missing';
  return /^\s*\d+\s*$/.test(value) ? undefined : `Retry-After is "${value}", not a delay in seconds`;
}

export function statusProblem(res: HttpResponse, expected: number | number[]): string | undefined {
  const list = Array.isArray(expected) ? expected : [expected];
  if (list.includes(res.status)) return undefined;
  // The harness never follows redirects: say where the target pointed, so the answer is not a mystery.
  const location = res.status >= 300 && res.status < 400 ? res.headers.location : undefined;
  const redirect = location ? ` (a redirect to ${location.slice(0, 200)}, not followed)` : '';
  return `status ${res.status}${redirect}, expected ${list.join(' or ')}`;
}

export function mediaType(res: HttpResponse): string {
  return (res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

export interface OutcomeExpectation {
  /** issue[0].code expected (BCDA's helpers: structure, forbidden, not-found, exception). */
  code?: string;
  /** Exact diagnostics text, or a pattern. */
  diagnostics?: string | RegExp;
  /** Also check the version's `details` shape (v2: coding + text; v3: text only). */
  version?: ApiVersion;
  /** Require Content-Type application/fhir+json (bulkdata@137). */
  contentType?: boolean;
}

/**
 * An error answer: the expected status and, only when it has that status, an OperationOutcome body
 * (judged on `body`: the response itself unless a check cut a doubled body down to its first part).
 */
export function errorAnswerProblems(
  res: HttpResponse,
  status: number,
  want: OutcomeExpectation = {},
  body: HttpResponse = res,
): string[] {
  const wrong = statusProblem(res, status);
  return wrong ? [wrong] : operationOutcomeProblems(body, want);
}

/** Checks that an error body is a FHIR OperationOutcome (with the expected code and diagnostics). */
export function operationOutcomeProblems(res: HttpResponse, want: OutcomeExpectation = {}): string[] {
  const problems: string[] = [];
  if (want.contentType && mediaType(res) !== 'application/fhir+json') {
    problems.push(
      `Content-Type is "${res.headers['content-type'] ?? '(none)'}", expected application/fhir+json`,
    );
  }
  const body = res.json<OutcomeBody>();
  if (!body || typeof body !== 'object') {
    problems.push(
      `the body is not a JSON OperationOutcome (${res.text().length ? res.jsonError() : 'empty body'})`,
    );
    return problems;
  }
  if (body.resourceType !== 'OperationOutcome') {
    problems.push(`resourceType is ${JSON.stringify(body.resourceType)}, expected "OperationOutcome"`);
    return problems;
  }
  const issues = body.issue;
  if (!Array.isArray(issues) || issues.length === 0) {
    problems.push('the OperationOutcome has no issue');
    return problems;
  }
  const issue = issues[0] as IssueBody;
  if (issue.severity !== 'error' && issue.severity !== 'fatal') {
    problems.push(`issue[0].severity is ${JSON.stringify(issue.severity)}, expected "error"`);
  }
  if (want.code !== undefined && issue.code !== want.code) {
    problems.push(`issue[0].code is ${JSON.stringify(issue.code)}, expected "${want.code}"`);
  }
  if (want.diagnostics !== undefined) {
    const d = issue.diagnostics;
    const ok =
      typeof d === 'string' &&
      (typeof want.diagnostics === 'string' ? d === want.diagnostics : want.diagnostics.test(d));
    if (!ok) {
      problems.push(
        `issue[0].diagnostics is ${JSON.stringify(d)}, expected ${typeof want.diagnostics === 'string' ? JSON.stringify(want.diagnostics) : String(want.diagnostics)}`,
      );
    }
  }
  if (want.version && typeof issue.diagnostics === 'string') {
    const details = issue.details as DetailsBody | undefined;
    if (want.version === 'v2') {
      const coding = Array.isArray(details?.coding) ? (details?.coding as CodingBody[]) : [];
      if (details?.text !== issue.diagnostics || coding.length === 0) {
        problems.push('v2 error bodies carry issue[0].details with a coding and text equal to diagnostics');
      }
    } else if (want.version === 'v3' && details?.text !== issue.diagnostics) {
      problems.push('v3 error bodies carry issue[0].details.text equal to diagnostics');
    }
  }
  return problems;
}

export function joinProblems(problems: Array<string | undefined>): string | undefined {
  const list = problems.filter((p): p is string => Boolean(p));
  return list.length ? list.join('; ') : undefined;
}

/** An HTTP-date (RFC 9110 IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`). */
export const HTTP_DATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** Go's time.Time.String() form the real server sends in Expires (a documented quirk). */
export const GO_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)? [+-]\d{4} [A-Z]{2,5}$/;

/** X-Progress values the BCDA docs show: `Pending`, `In Progress`, `In Progress (80%)`, `In Progress, 80%`. */
export const X_PROGRESS = /^(Pending|In Progress|In Progress \((\d{1,3})%\)|In Progress, (\d{1,3})%)$/;

/** BCDA may send two JSON documents back to back (a quirk); judge the first. */
export function firstJson(res: HttpResponse): HttpResponse {
  if (res.json() !== undefined) return res;
  const text = res.text();
  const cut = text.indexOf('}{');
  if (cut < 0) return res;
  const head = text.slice(0, cut + 1);
  return { ...res, text: () => head, json: <T>() => JSON.parse(head) as T, jsonError: () => undefined };
}
