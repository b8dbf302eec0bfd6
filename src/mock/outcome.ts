/**
 * BCDA's error bodies (behavior §1): one-issue OperationOutcomes whose `details` differ by API
 * version, and Go's plain-text `http.Error` bodies.
 */
import type { FastifyReply } from 'fastify';
import type { ApiVersion } from '../core/vocabulary';

/** BCDA's issue codes; the last three only under faults that pick FHIR's narrower ones. */
export type IssueCode =
  'structure' | 'forbidden' | 'not-found' | 'exception' | 'timeout' | 'transient' | 'login' | 'conflict';

/** The writer BCDA picks from the request path; anything without /vN/ uses the v1 writer. */
export function writerVersion(path: string): ApiVersion {
  if (path.includes('/v3/')) return 'v3';
  if (path.includes('/v2/')) return 'v2';
  return 'v1';
}

/** Ways a faulty writer departs from BCDA's error body (faults of the routes that use them). */
export interface OutcomeFlaws {
  /** Serialises the internal error type as issue[0].errType, an element FHIR R4 does not define. */
  errType?: string;
  /** Leaves out issue[0].details whatever the version. */
  noDetails?: boolean;
  /**
   * v3 only: `details: {}` for an error without a message, as BCDA's v3 writer sends it (the real
   * server, --quirks). FHIR JSON allows no empty object, so the default mock leaves details out.
   */
  emptyDetails?: boolean;
  /** issue[0].severity `fatal`: valid FHIR, but BCDA's writers only ever say `error`. */
  fatal?: boolean;
}

/** Apps built with --quirks, whose error writers keep the real server's v3 flaw (buildMockApp adds them). */
const realWriters = new WeakSet<object>();

export function useRealErrorWriters(app: object): void {
  realWriters.add(app);
}

/** The OperationOutcome JSON text, keys in BCDA's order. */
export function operationOutcome(
  version: ApiVersion,
  code: IssueCode,
  diagnostics = '',
  flaws: OutcomeFlaws = {},
): string {
  const issue: Record<string, unknown> = { severity: flaws.fatal ? 'fatal' : 'error', code };
  if (diagnostics) issue.diagnostics = diagnostics;
  if (flaws.errType) issue.errType = flaws.errType;
  const details = !flaws.noDetails;
  if (details && version === 'v2') {
    const coding: Record<string, string> = {
      system: 'http://hl7.org/fhir/ValueSet/operation-outcome',
      // Quirk of the real writer, kept because clients parse it: the code is always this literal.
      code: 'Request Error',
    };
    if (diagnostics) coding.display = diagnostics;
    issue.details = diagnostics ? { coding: [coding], text: diagnostics } : { coding: [coding] };
  } else if (details && version === 'v3') {
    if (diagnostics) issue.details = { text: diagnostics };
    else if (flaws.emptyDetails) issue.details = {};
  }
  return JSON.stringify({ resourceType: 'OperationOutcome', issue: [issue] });
}

export interface OutcomeOptions extends OutcomeFlaws {
  /** Replace the FHIR body by plain text (fault `kickoff-error-not-operationoutcome`). */
  plainText?: boolean;
}

/** Sends an OperationOutcome with `application/fhir+json`. */
export function sendOutcome(
  reply: FastifyReply,
  status: number,
  version: ApiVersion,
  code: IssueCode,
  diagnostics = '',
  options: OutcomeOptions = {},
): FastifyReply {
  if (options.plainText) return sendText(reply, status, diagnostics || statusText(status));
  return sendBody(
    reply,
    status,
    'application/fhir+json',
    operationOutcome(version, code, diagnostics, {
      ...options,
      emptyDetails: options.emptyDetails ?? realWriters.has(reply.server),
    }),
  );
}

/**
 * Sends text with exactly this Content-Type. A Buffer keeps fastify from appending
 * `; charset=utf-8`, which BCDA (Go) does not send on JSON responses.
 */
export function sendBody(
  reply: FastifyReply,
  status: number,
  contentType: string,
  text: string,
): FastifyReply {
  return reply.code(status).header('content-type', contentType).send(Buffer.from(text, 'utf8'));
}

/** Go's http.StatusText for the statuses the mock sends. */
const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  410: 'Gone',
  413: 'Request Entity Too Large',
  414: 'Request URI Too Long',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? 'Error';
}

/** Go `http.Error`: text/plain, body = text + newline, nosniff. */
export function sendText(reply: FastifyReply, status: number, text = statusText(status)): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/plain; charset=utf-8')
    .header('x-content-type-options', 'nosniff')
    .send(`${text}\n`);
}

/**
 * What Go's HTTP server itself writes for a request it cannot hand to BCDA's router (a bad request
 * line, an unparsable URL, an oversized head): the status line's words as a text body, no newline,
 * and the connection closed.
 */
export function transportErrorText(status: number): string {
  return `${status} ${statusText(status)}`;
}

/** The same answer as a whole HTTP/1.1 response, for a socket that has no request object. */
export function transportErrorResponse(status: number): string {
  const text = transportErrorText(status);
  return `HTTP/1.1 ${text}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${text}`;
}

export function sendTransportError(reply: FastifyReply, status: number): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/plain; charset=utf-8')
    .header('connection', 'close')
    .send(transportErrorText(status));
}
