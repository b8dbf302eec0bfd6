/**
 * Reading back the answers the run received, for the checks that judge every answer of a kind
 * (every job list, every OperationOutcome, every CapabilityStatement), whichever check asked.
 * The exchange log records at most MAX_RECORDED_BODY of a body; a check that expects long answers
 * keeps the whole response (ctx.keepWhole), and an answer known only by a cut record is counted as
 * unreadable, never guessed at.
 */
import type { CheckContext } from '../context';
import type { Exchange } from '../../http/exchange';

/** The JSON documents of one recorded answer. */
export interface RecordedAnswer {
  exchange: Exchange;
  status: number;
  /** The media type, lower case, without parameters. */
  mediaType: string;
  /** One document, or several written back to back (a quirk of BCDA's error writers); empty when none. */
  documents: unknown[];
  /** Why the body could not be read: cut short in the record, or not JSON. */
  unreadable?: string;
}

/** Most JSON documents looked for in one body. */
const MAX_DOCUMENTS = 4;

/**
 * The JSON documents of a body: the body itself when it parses, else JSON objects written back to
 * back (`{…}{…}`), else undefined.
 */
export function jsonDocuments(text: string): unknown[] | undefined {
  const whole = parse(text);
  if (whole.ok) return [whole.value];
  const documents: unknown[] = [];
  let rest = text.trim();
  while (rest && documents.length < MAX_DOCUMENTS) {
    let cut = rest.indexOf('}{');
    let found = false;
    while (cut >= 0) {
      const head = parse(rest.slice(0, cut + 1));
      if (head.ok) {
        documents.push(head.value);
        rest = rest.slice(cut + 1);
        found = true;
        break;
      }
      cut = rest.indexOf('}{', cut + 1);
    }
    if (found) continue;
    const last = parse(rest);
    if (!last.ok || !documents.length) return undefined;
    documents.push(last.value);
    rest = '';
  }
  return documents.length && !rest ? documents : undefined;
}

function parse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** The answer of an exchange as JSON documents: from the kept response, else from the record. */
export function recordedAnswer(ctx: CheckContext, exchange: Exchange): RecordedAnswer | undefined {
  const response = exchange.response;
  if (!response) return undefined;
  const mediaType = (response.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const base = { exchange, status: response.status, mediaType };
  const kept = ctx.wholeResponse(exchange.id);
  const text = kept ? kept.text() : response.body;
  if (text === undefined || text.trim() === '') return { ...base, documents: [] };
  if (!kept && response.bodyTruncated)
    return {
      ...base,
      documents: [],
      unreadable: `the body (${response.bodyBytes} bytes) is longer than the run records`,
    };
  const documents = jsonDocuments(text);
  return documents ? { ...base, documents } : { ...base, documents: [], unreadable: 'the body is not JSON' };
}

/** Every answer the run received to one operation of the API version under test, in order. */
export function answersTo(ctx: CheckContext, operation: string): RecordedAnswer[] {
  const op = ctx.op(operation);
  return ctx.log
    .all()
    .filter((e) => e.operationId === op)
    .flatMap((e) => recordedAnswer(ctx, e) ?? []);
}

/** Every answer the run received, to any request, that could be read as JSON. */
export function everyAnswer(ctx: CheckContext): RecordedAnswer[] {
  return ctx.log.all().flatMap((e) => recordedAnswer(ctx, e) ?? []);
}

/** A JSON object's resourceType, or undefined. */
export function resourceTypeOf(document: unknown): string | undefined {
  const type =
    document && typeof document === 'object' && !Array.isArray(document)
      ? (document as Record<string, unknown>).resourceType
      : undefined;
  return typeof type === 'string' ? type : undefined;
}
