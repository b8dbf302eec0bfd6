/**
 * A stand-in check context for the checks that judge what the run already recorded: an exchange
 * log filled by the test, the exports the run "followed", and the shared requests answered from a
 * table. Only what those checks read is there.
 */
import type { CheckContext, ExportRun } from '../../src/checks/context';
import type { ApiVersion } from '../../src/core/vocabulary';
import type { HttpResponse } from '../../src/http/client';
import { ExchangeLog, type Exchange } from '../../src/http/exchange';
import { Redactor } from '../../src/http/redaction';

export const BASE = 'http://target.test';

export interface Answer {
  method?: string;
  url: string;
  operationId?: string;
  label?: string;
  status: number;
  headers?: Record<string, string>;
  /** A JSON value (serialised) or the body text itself. */
  body?: unknown;
  /** Recorded as cut short (the exchange log keeps only the start of long bodies). */
  truncated?: boolean;
}

/** A recorded exchange and the response a client would have handed back for it. */
export function exchange(log: ExchangeLog, a: Answer): HttpResponse {
  const text = a.body === undefined ? '' : typeof a.body === 'string' ? a.body : JSON.stringify(a.body);
  const headers = { 'content-type': 'application/fhir+json', ...a.headers };
  const ex: Exchange = {
    id: log.nextId(),
    label: a.label ?? 'a request',
    request: { method: a.method ?? 'GET', url: a.url.startsWith('http') ? a.url : BASE + a.url, headers: {} },
    response: {
      status: a.status,
      headers,
      body: a.truncated ? text.slice(0, 10) : text,
      bodyBytes: text.length,
      bodyTruncated: a.truncated ?? false,
    },
    startedAt: new Date(0).toISOString(),
    durationMs: 1,
  };
  if (a.operationId) ex.operationId = a.operationId;
  log.add(ex);
  return {
    exchange: ex,
    status: a.status,
    headers,
    body: Buffer.from(text),
    bodyCut: false,
    text: () => text,
    json: <T>() => {
      try {
        return JSON.parse(text) as T;
      } catch {
        return undefined;
      }
    },
    jsonError: () => undefined,
  };
}

export interface FakeOptions {
  version?: ApiVersion;
  profile?: 'bcda' | 'bulk-data-ig';
  exports?: ExportRun[];
  /** Answers to `ctx.once(key, …)`; a key not listed runs its function. */
  once?: Record<string, unknown>;
}

export interface Fake {
  ctx: CheckContext;
  log: ExchangeLog;
  /** Records an answer (and keeps it whole when `keep`). */
  answer(a: Answer, keep?: boolean): HttpResponse;
}

export function fakeContext(options: FakeOptions = {}): Fake {
  const log = new ExchangeLog(new Redactor());
  const whole = new Map<string, HttpResponse>();
  const version = options.version ?? 'v2';
  const memo = new Map<string, Promise<unknown>>();
  const runs = options.exports ?? [];
  const ctx = {
    version,
    log,
    config: { profile: options.profile ?? 'bcda', apiVersion: version },
    target: { baseUrl: BASE },
    op: (base: string) => `${base}${version.toUpperCase()}`,
    once: (key: string, fn: () => Promise<unknown>) => {
      if (options.once && key in options.once) return Promise.resolve(options.once[key]);
      let p = memo.get(key);
      if (!p) {
        p = fn();
        memo.set(key, p);
      }
      return p;
    },
    mainExport: async () =>
      runs.find((r) => r.name === 'main') ?? { name: 'main', kickoffUrl: '', polls: [], downloads: [] },
    followedExports: async () => runs,
    keepWhole: (res: HttpResponse) => whole.set(res.exchange.id, res),
    wholeResponse: (id: string) => whole.get(id),
  } as unknown as CheckContext;
  return {
    ctx,
    log,
    answer(a, keep = false) {
      const res = exchange(log, a);
      if (keep) whole.set(res.exchange.id, res);
      return res;
    },
  };
}
