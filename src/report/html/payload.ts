/**
 * The data the report's script reads to build expanded rows on demand: check details and the
 * exchanges, with bodies cut shorter than in report.json so a run with thousands of exchanges
 * still gives a page a browser opens quickly.
 */
import type { RunReport } from '../../engine/results';
import type { Exchange } from '../../http/exchange';
import { mockCommand, reproduceCurl } from '../reproduce';
import { requirementsTable } from '../../requirements/table';
import { refLink, requirementLink, type RefLink } from './references';

/** Characters of each body kept in the HTML (report.json keeps more). */
export const HTML_BODY_CHARS = 4096;
/** Above this many exchanges, bodies are cut harder. */
export const LARGE_RUN_EXCHANGES = 1000;
export const LARGE_RUN_BODY_CHARS = 1024;

export interface ClientExchange {
  id: string;
  label: string;
  operationId?: string;
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  requestBody?: string;
  status?: number;
  responseHeaders?: Record<string, string>;
  responseBody?: string;
  /** Bytes on the wire. */
  bodyBytes?: number;
  /** The body shown is not the whole body. */
  bodyCut: boolean;
  /** The body was dropped because it may hold patient data. */
  bodyOmitted: boolean;
  error?: string;
  /** The TLS version the exchange went over (https only). */
  tls?: string;
  startedAt: string;
  headersMs?: number;
  durationMs: number;
  /** Repeats the request; against the embedded mock, pointed at the mock `mockCommand` starts. */
  curl: string;
}

export interface ClientCheck {
  id: string;
  description: string;
  refs: RefLink[];
  evidence: string[];
  expected?: string;
  actual?: string;
  knownDeviation?: string;
  startedAt: string;
  durationMs: number;
}

export interface ClientPayload {
  checks: ClientCheck[];
  exchanges: ClientExchange[];
  bodyChars: number;
  /** Starts a mock like the run's embedded one (whose port closed with the run); absent for a real target. */
  mockCommand?: string;
  /** Set for the client test kit's report: its checks judge a client's requests, its exchanges are the client's. */
  subject?: 'client';
}

/** The client test kit's report (issue 19) carries `clientKit`; its wording speaks of the client. */
export const isClientReport = (report: RunReport): boolean => 'clientKit' in report;

function cut(text: string | undefined, max: number): { text?: string; cut: boolean } {
  if (text === undefined) return { cut: false };
  return text.length > max ? { text: text.slice(0, max), cut: true } : { text, cut: false };
}

function clientExchange(
  ex: Exchange,
  max: number,
  omitted: ReadonlySet<string>,
  run: RunReport['run'],
): ClientExchange {
  const reqBody = cut(ex.request.body, max);
  const resBody = cut(ex.response?.body, max);
  return {
    id: ex.id,
    label: ex.label,
    ...(ex.operationId ? { operationId: ex.operationId } : {}),
    method: ex.request.method,
    url: ex.request.url,
    requestHeaders: ex.request.headers,
    ...(reqBody.text !== undefined ? { requestBody: reqBody.text } : {}),
    ...(ex.response
      ? { status: ex.response.status, responseHeaders: ex.response.headers, bodyBytes: ex.response.bodyBytes }
      : {}),
    ...(resBody.text !== undefined ? { responseBody: resBody.text } : {}),
    bodyCut: resBody.cut || Boolean(ex.response?.bodyTruncated),
    bodyOmitted: omitted.has(ex.id),
    ...(ex.error ? { error: ex.error } : {}),
    ...(ex.tls ? { tls: ex.tls } : {}),
    startedAt: ex.startedAt,
    ...(ex.headersMs !== undefined ? { headersMs: ex.headersMs } : {}),
    durationMs: ex.durationMs,
    curl: reproduceCurl(ex, run),
  };
}

export function buildPayload(report: RunReport): ClientPayload {
  const max = report.exchanges.length > LARGE_RUN_EXCHANGES ? LARGE_RUN_BODY_CHARS : HTML_BODY_CHARS;
  const omitted = new Set(report.run.privacy?.omittedBodies ?? []);
  const mock = mockCommand(report.run);
  const { byId: requirements, sources } = requirementsTable();
  const sourceOf = (id: string) => sources.find((s) => s.source === requirements.get(id)?.source);
  return {
    bodyChars: max,
    ...(mock ? { mockCommand: mock } : {}),
    ...(isClientReport(report) ? { subject: 'client' as const } : {}),
    checks: report.results.map((r) => ({
      id: r.id,
      description: r.description,
      // The requirements a check verifies first, then the references the table does not number.
      refs: [
        ...(r.requirements ?? []).map((id) => requirementLink(id, requirements.get(id), sourceOf(id))),
        ...r.refs.filter((ref) => !(r.requirements ?? []).includes(ref)).map(refLink),
      ],
      evidence: r.evidence,
      ...(r.expected !== undefined ? { expected: r.expected } : {}),
      ...(r.actual !== undefined ? { actual: r.actual } : {}),
      ...(r.knownDeviation !== undefined ? { knownDeviation: r.knownDeviation } : {}),
      startedAt: r.startedAt,
      durationMs: r.durationMs,
    })),
    exchanges: report.exchanges.map((ex) => clientExchange(ex, max, omitted, report.run)),
  };
}
