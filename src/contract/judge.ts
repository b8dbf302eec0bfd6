/**
 * Judges one recorded exchange against the contract: is its status documented for the operation,
 * its Content-Type one the spec documents for that status, every documented header present where
 * required and well-formed, and its body valid against the documented schema. Any exchange is
 * judged, whichever check made it and why: a deliberately bad request is held to the error
 * responses the spec documents for it.
 */
import { describeJsonSyntaxError } from '../core/json-error';
import type { Exchange } from '../http/exchange';
import {
  describeSchemaError,
  type CompiledContract,
  type MediaRule,
  type OperationRule,
  type ResponseRule,
  type SchemaCheck,
} from './rules';

/** The four things a response is judged on; each is reported by its own contract check. */
export const CONTRACT_RULES = ['status', 'content-type', 'headers', 'body'] as const;
export type ContractRule = (typeof CONTRACT_RULES)[number];

export interface ContractFinding {
  rule: ContractRule;
  /** What is wrong, naming the observed value and (for a body) the JSON path. */
  message: string;
  /** Set when what was observed is a quirk the spec records for the real server. */
  knownDeviation?: string;
}

export interface ContractVerdict {
  exchangeId: string;
  /** The operation the exchange was judged as; absent when it is outside the contract. */
  operationId?: string;
  /** Why the exchange was not judged (another origin, a path the contract lacks, no response). */
  outside?: string;
  status?: number;
  findings: ContractFinding[];
  /** Whether the body was read (a streamed or truncated body is left to the checks that read it). */
  bodyJudged: boolean;
}

export interface JudgeOptions {
  /** The target's base URL: paths are judged relative to it, other origins are outside. */
  baseUrl: string;
  /** The whole body, when it was received in full (the record keeps only the start of it). */
  body?: Buffer;
}

/** Paths the harness uses to drive the embedded mock: not part of BCDA's API. */
const CONTROL_PATH = /^\/__mock(\/|$)/;

export function judgeExchange(
  ex: Exchange,
  contract: CompiledContract,
  options: JudgeOptions,
): ContractVerdict {
  const verdict: ContractVerdict = { exchangeId: ex.id, findings: [], bodyJudged: false };
  const res = ex.response;
  if (!res) return { ...verdict, outside: 'no response' };
  verdict.status = res.status;
  const where = locate(ex.request.url, options.baseUrl);
  if (typeof where !== 'string') return { ...verdict, outside: where.outside };
  const op = contract.match(ex.request.method, where);
  if (!op) return { ...verdict, outside: `the contract has no path ${where}` };
  verdict.operationId = op.operationId;
  const rule = contract.response(op, res.status);
  if (!rule) {
    verdict.findings.push({
      rule: 'status',
      message: `${res.status} is not a status the contract documents for ${op.operationId} (documented: ${op.responses
        .map((r) => r.key)
        .join(', ')})`,
    });
    return verdict;
  }
  verdict.findings.push(...judgeHeaders(rule, res.headers));
  const media = judgeContentType(op, rule, res.headers, res.bodyBytes);
  verdict.findings.push(...media.findings);
  // A content-coded body (gzip) is judged by what it decodes to, which the judge does not see.
  const coded = (res.headers['content-encoding'] ?? 'identity').toLowerCase() !== 'identity';
  if (media.rule?.body && !ex.error && !coded) {
    const text = options.body?.toString('utf8') ?? (res.bodyTruncated ? undefined : res.body);
    if (text !== undefined) {
      verdict.bodyJudged = true;
      const appended = rule.quirkAppendedBody
        ? (rule.quirk ?? op.quirk ?? 'the real server appends a second body')
        : undefined;
      verdict.findings.push(...judgeBody(media.rule, media.rule.body, text, media.deviation, appended));
    }
  }
  return verdict;
}

/** The path relative to the target's base, or why the URL is outside the contract. */
function locate(url: string, baseUrl: string): string | { outside: string } {
  let target: URL;
  let base: URL;
  try {
    target = new URL(url);
    base = new URL(baseUrl);
  } catch {
    return { outside: 'not an absolute URL' };
  }
  if (target.origin !== base.origin) return { outside: `another origin (${target.origin})` };
  const prefix = base.pathname.replace(/\/+$/, '');
  if (!target.pathname.startsWith(prefix)) return { outside: 'outside the target’s base path' };
  const rest = target.pathname.slice(prefix.length) || '/';
  if (CONTROL_PATH.test(rest)) return { outside: 'the embedded mock’s control path' };
  // A client that percent-encodes `$` sends `%24export`, which BCDA does not route: keep it literal.
  return rest;
}

function judgeHeaders(rule: ResponseRule, headers: Record<string, string>): ContractFinding[] {
  const findings: ContractFinding[] = [];
  for (const header of rule.headers) {
    const value = headers[header.name];
    if (value === undefined) {
      if (header.required)
        findings.push({
          rule: 'headers',
          message: `no ${header.display} header (the contract requires one)`,
        });
      continue;
    }
    if (!header.value) continue;
    const verdict = schemaVerdict(header.value, value);
    if (verdict.ok) continue;
    findings.push({
      rule: 'headers',
      message: `${header.display}: ${JSON.stringify(clip(value))} ${verdict.errors.map(stripRoot).join('; ')}`,
      ...(verdict.deviation ? { knownDeviation: verdict.deviation } : {}),
    });
  }
  return findings;
}

interface MediaChoice {
  findings: ContractFinding[];
  /** The documented media type the body is judged as. */
  rule?: MediaRule;
  /** Set when the media type is a recorded quirk: body findings then carry it too. */
  deviation?: string;
}

function judgeContentType(
  op: OperationRule,
  rule: ResponseRule,
  headers: Record<string, string>,
  bodyBytes: number,
): MediaChoice {
  const header = headers['content-type'];
  const mediaType = header?.split(';')[0]?.trim().toLowerCase();
  const documented = rule.media.map((m) => m.mediaType);
  if (bodyBytes === 0 && !mediaType) {
    if (!documented.length) return { findings: [] };
    return {
      findings: [
        { rule: 'body', message: `an empty body; the contract documents ${documented.join(' or ')} here` },
      ],
    };
  }
  if (!documented.length) {
    return {
      findings: [
        {
          rule: 'content-type',
          message: `a ${bodyBytes}-byte body${mediaType ? ` of type ${mediaType}` : ''} where the contract documents none`,
        },
      ],
    };
  }
  if (!mediaType)
    return {
      findings: [
        {
          rule: 'content-type',
          message: `no Content-Type; the contract documents ${documented.join(' or ')}`,
        },
      ],
    };
  const exact = rule.media.find((m) => m.mediaType === mediaType);
  if (exact) return { findings: [], rule: exact };
  const finding: ContractFinding = {
    rule: 'content-type',
    message: `Content-Type ${mediaType}; the contract documents ${documented.join(' or ')}`,
  };
  if (rule.quirkMediaTypes.includes(mediaType)) {
    const deviation = rule.quirk ?? op.quirk ?? `the real server sends ${mediaType}`;
    // The body is still what the contract documents, only labelled otherwise: judge it as such.
    return { findings: [{ ...finding, knownDeviation: deviation }], rule: rule.media[0], deviation };
  }
  return { findings: [finding] };
}

function judgeBody(
  media: MediaRule,
  check: SchemaCheck,
  text: string,
  deviation?: string,
  appended?: string,
): ContractFinding[] {
  let value: unknown = text;
  if (media.json) {
    try {
      value = JSON.parse(text) as unknown;
    } catch {
      const leading = appended ? leadingJsonValue(text) : undefined;
      if (leading) {
        // The documented body, then more: judge the documented part, report the rest as the quirk.
        const verdict = schemaVerdict(check, leading.value, text.length);
        return [
          {
            rule: 'body',
            message: `${leading.restBytes} bytes after the JSON body${verdict.ok ? '' : `; ${verdict.errors.join('; ')}`}`,
            ...(verdict.ok || verdict.deviation ? { knownDeviation: appended } : {}),
          },
        ];
      }
      return [
        {
          rule: 'body',
          message: `not JSON (${describeJsonSyntaxError(text)})`,
          ...(deviation ? { knownDeviation: deviation } : {}),
        },
      ];
    }
  }
  const verdict = schemaVerdict(check, value, text.length);
  if (verdict.ok) return [];
  const known = verdict.deviation ?? deviation;
  return [
    {
      rule: 'body',
      message: verdict.errors.join('; '),
      ...(known ? { knownDeviation: known } : {}),
    },
  ];
}

/** The JSON value a text starts with, when what follows it is what makes the whole invalid. */
function leadingJsonValue(text: string): { value: unknown; restBytes: number } | undefined {
  // Error bodies are small; a large text is not worth the quadratic search.
  if (text.length > 64 * 1024) return undefined;
  // Only a closing brace can end the object the body starts with; try each from the first on.
  for (let end = text.indexOf('}'); end !== -1; end = text.indexOf('}', end + 1)) {
    try {
      const value = JSON.parse(text.slice(0, end + 1)) as unknown;
      return { value, restBytes: Buffer.byteLength(text.slice(end + 1)) };
    } catch {
      // not the end of the first value yet
    }
  }
  return undefined;
}

/** At most this many schema errors are named per exchange; the rest are counted. */
const MAX_ERRORS = 3;

/**
 * Bodies up to this size have every error collected (the first few named); a larger one, such as a
 * manifest of 100,000 files each with a bad URL, names its first error only, so judging stays quick.
 */
const EVERY_ERROR_UP_TO_BYTES = 256 * 1024;

function schemaVerdict(
  check: SchemaCheck,
  value: unknown,
  size = 0,
): { ok: true } | { ok: false; errors: string[]; deviation?: string } {
  if (check.validate(value)) return { ok: true };
  const explain = size <= EVERY_ERROR_UP_TO_BYTES ? check.everyError() : check.validate;
  if (explain !== check.validate) explain(value);
  const all = (explain.errors ?? []).map(describeSchemaError);
  const unique = [...new Set(all)];
  const errors = unique.slice(0, MAX_ERRORS);
  if (unique.length > MAX_ERRORS) errors.push(`and ${unique.length - MAX_ERRORS} more`);
  if (check.tolerant?.(value)) return { ok: false, errors, deviation: check.quirks.join(' ') };
  return { ok: false, errors };
}

/** Header messages read `Expires: "…" must match pattern …`: the root path says nothing there. */
function stripRoot(error: string): string {
  return error.replace(/^\/: /, '');
}

function clip(value: string): string {
  return value.length > 80 ? `${value.slice(0, 77)}...` : value;
}
