/**
 * The HTTP client every flow and check uses. It records each request as an Exchange (redacted),
 * never follows redirects on its own (a redirect is something to report), and bounds every
 * request by a total deadline so a hostile target cannot hang a run.
 */
import type { Readable } from 'node:stream';
import { rootCertificates } from 'node:tls';
import { Agent, request as undiciRequest } from 'undici';
import type { Exchange, RecordedResponse } from './exchange';
import { ExchangeLog, MAX_RECORDED_BODY } from './exchange';
import {
  BlockedAddressError,
  guardedLookup,
  OriginPolicy,
  type LookupFunction,
  type RefusalKind,
} from './origin-policy';
import { describeJsonSyntaxError } from '../core/json-error';
import { BudgetSpentError, type RequestBudget } from './budget';
import { recordingTlsOf } from './negotiated-tls';

export type HeaderInput = Record<string, string | undefined>;

export interface SendOptions {
  method: string;
  /** Absolute URL, or a path resolved against the target's base URL. */
  url: string;
  headers?: HeaderInput;
  body?: string;
  label: string;
  operationId?: string;
  /** Total time budget for the request, headers and body (default: the client's). */
  timeoutMs?: number;
  /** Largest body kept in memory for a buffered response (default 32 MiB); the rest is drained and counted. */
  maxBodyBytes?: number;
  /** A budget of its own instead of the client's (the run-end cleanup's short grace period). */
  budget?: RequestBudget;
}

export interface HttpResponse {
  exchange: Exchange;
  status: number;
  /** Lower-case header names; repeated headers joined with ', '. */
  headers: Record<string, string>;
  body: Buffer;
  /** True when the body was longer than maxBodyBytes and was cut. */
  bodyCut: boolean;
  text(): string;
  /** Parsed JSON body, or undefined when the body is not JSON (see jsonError). */
  json<T = unknown>(): T | undefined;
  jsonError(): string | undefined;
}

export interface StreamResponse {
  exchange: Exchange;
  status: number;
  headers: Record<string, string>;
  /** The raw body as received (not decoded). Consume it; `finished` settles when it ends. */
  body: Readable;
  /** Resolves with the byte count when the body has been read, rejects on a transport failure. */
  finished: Promise<number>;
  /** Stops reading on purpose (the rest is not wanted); the exchange records `reason`. */
  stop(reason: string): void;
}

/** A transport-level failure (refused, reset, timeout, bad protocol): the request has no response. */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly exchange: Exchange,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

/**
 * A request the client would not send (origin policy): credentials to an origin not allowed, a
 * link-local or metadata address, a scheme other than http(s). A TransportError too, so every flow
 * that handles "no response" handles it; its exchange says what was refused and why.
 */
export class RefusedRequest extends TransportError {
  constructor(
    readonly kind: RefusalKind,
    /** Why, without the "not sent" prefix. */
    readonly reason: string,
    exchange: Exchange,
  ) {
    super(`the harness did not send this request: ${reason}`, exchange);
    this.name = 'RefusedRequest';
  }
}

export interface HttpClientOptions {
  baseUrl: string;
  log: ExchangeLog;
  timeoutMs?: number;
  /** Extra headers on every request (e.g. a User-Agent). */
  defaultHeaders?: HeaderInput;
  connections?: number;
  /** Origins besides baseUrl's that may receive credentials (--allow-origin). */
  allowOrigins?: readonly string[];
  /** The resolver behind the address guard (tests replace it; default dns.lookup). */
  lookup?: LookupFunction;
  /**
   * The run's time budget: no request is sent once it is spent, and the requests in flight then
   * are aborted, so no request outlives it whatever its own timeout.
   */
  budget?: RequestBudget;
  /**
   * PEM certificates trusted besides the system's CAs (--ca: a server with a private CA or a
   * self-signed certificate). Verification itself is never switched off.
   */
  ca?: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_BODY = 32 * 1024 * 1024;
const CLOSE_GRACE_MS = 1_000;

export class HttpClient {
  readonly baseUrl: string;
  private readonly agent: Agent;
  private readonly timeoutMs: number;
  readonly policy: OriginPolicy;
  private requests = 0;
  /** Aborts of the requests whose response (headers and body) has not ended yet. */
  private readonly inFlight = new Set<AbortController>();
  private failuresInARow = 0;
  private lastFailure?: string;

  constructor(private readonly options: HttpClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.policy = new OriginPolicy(this.baseUrl, options.allowOrigins);
    this.agent = new Agent({
      // Host names are checked after resolution: DNS must not lead to an address the policy refuses.
      connect: {
        lookup: guardedLookup(options.lookup),
        // `ca` replaces Node's default list, so the system's CAs are listed with the extra ones.
        ...(options.ca ? { ca: [...rootCertificates, options.ca] } : {}),
      },
      connections: options.connections ?? 8,
      connectTimeout: Math.min(this.timeoutMs, 10_000),
      // Deadlines are enforced per request below; these only stop idle sockets lingering.
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      keepAliveTimeout: 1_000,
    });
  }

  get log(): ExchangeLog {
    return this.options.log;
  }

  /** How many requests this client has sent. */
  get requestCount(): number {
    return this.requests;
  }

  /**
   * Requests in a row that got no complete response (refused, timed out, not HTTP, or headers and
   * then a body that stalled until the deadline), and why the last one failed; any other answer
   * (even an error status or a body cut short) resets the count.
   */
  get connectionFailures(): { inARow: number; last?: string } {
    return { inARow: this.failuresInARow, ...(this.lastFailure ? { last: this.lastFailure } : {}) };
  }

  /** The run's time budget, for waits outside a request (Retry-After) that must end with it. */
  get budget(): RequestBudget | undefined {
    return this.options.budget;
  }

  resolve(url: string): string {
    // Any scheme makes a URL absolute (ftp:, file:…): the policy refuses it rather than it being
    // glued onto the base URL as a path.
    if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return url;
    return `${this.baseUrl}${url.startsWith('/') ? '' : '/'}${url}`;
  }

  /** Sends a request and buffers the response body (up to maxBodyBytes). */
  async send(opts: SendOptions): Promise<HttpResponse> {
    const started = Date.now();
    const streamed = await this.open(opts);
    const max = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
    const chunks: Buffer[] = [];
    let kept = 0;
    let cut = false;
    try {
      for await (const chunk of streamed.body) {
        const buf = chunk as Buffer;
        if (kept < max) {
          const room = max - kept;
          chunks.push(buf.length > room ? buf.subarray(0, room) : buf);
          kept += Math.min(room, buf.length);
          if (buf.length > room) cut = true;
        } else {
          cut = true;
        }
      }
      await streamed.finished;
    } catch (err) {
      const ex = streamed.exchange;
      // `finished` has usually described the failure already (with the byte counts).
      ex.error ??= this.log.redactor.text(describeTransportError(err, opts.timeoutMs ?? this.timeoutMs));
      ex.durationMs = Date.now() - started;
      if (!streamed.body.destroyed) streamed.body.destroy();
      throw new TransportError(ex.error, ex);
    }
    const body = Buffer.concat(chunks);
    const exchange = streamed.exchange;
    if (exchange.response) {
      exchange.response.body = this.log.redactor.text(body.subarray(0, MAX_RECORDED_BODY).toString('utf8'));
      exchange.response.bodyTruncated = body.length > MAX_RECORDED_BODY || cut;
      if (!cut) this.log.wholeBodyReceived(exchange, body);
    }
    let parsed: { value: unknown; error?: string } | undefined;
    const parse = () => {
      if (!parsed) {
        const text = body.toString('utf8');
        try {
          parsed = { value: JSON.parse(text) as unknown };
        } catch {
          // V8's message quotes the body (it may hold a token): kind and position only.
          parsed = { value: undefined, error: describeJsonSyntaxError(text) };
        }
      }
      return parsed;
    };
    return {
      exchange,
      status: streamed.status,
      headers: streamed.headers,
      body,
      bodyCut: cut,
      text: () => body.toString('utf8'),
      json: <T>() => parse().value as T | undefined,
      jsonError: () => parse().error,
    };
  }

  /** Sends a request and hands back the body as a stream; the exchange is completed when it ends. */
  async open(opts: SendOptions): Promise<StreamResponse> {
    const log = this.log;
    const redactor = log.redactor;
    const url = this.resolve(opts.url);
    const budget = opts.budget ?? this.options.budget;
    // Once the run's time is up nothing more is sent, nor recorded: no request was made.
    if (budget?.signal.aborted) throw spentError(budget);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...this.options.defaultHeaders, ...opts.headers })) {
      if (v !== undefined) headers[k.toLowerCase()] = v;
    }
    const withCredentials = CREDENTIAL_HEADERS.some((h) => headers[h] !== undefined);
    const refusal = this.policy.refusal(url, withCredentials);
    // A refused request is recorded without its credentials: its curl command must not send them there.
    const recorded = refusal ? withoutCredentials(headers) : headers;
    const exchange: Exchange = {
      id: log.nextId(),
      label: opts.label,
      request: { method: opts.method, url: redactor.text(url), headers: redactor.headers(recorded) },
      startedAt: new Date().toISOString(),
      durationMs: 0,
    };
    if (opts.operationId) exchange.operationId = opts.operationId;
    if (opts.body !== undefined) exchange.request.body = redactor.text(opts.body.slice(0, MAX_RECORDED_BODY));
    log.add(exchange);
    if (refusal) {
      exchange.error = redactor.text(`not sent: ${refusal.reason}`);
      throw new RefusedRequest(refusal.kind, redactor.text(refusal.reason), exchange);
    }
    this.requests += 1;

    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const controller = new AbortController();
    const timedOut = new Error(`timed out after ${timeoutMs} ms`);
    // The budget caps the request's own deadline: a request that may run to the budget's end is
    // ended by the budget (with its reason), and when it is spent whatever is in flight ends.
    const byBudget = budget !== undefined && budget.deadline - Date.now() <= timeoutMs;
    const timer = byBudget ? undefined : setTimeout(() => controller.abort(timedOut), timeoutMs);
    timer?.unref();
    const onBudgetSpent = () => controller.abort(spentError(budget!));
    budget?.signal.addEventListener('abort', onBudgetSpent, { once: true });
    const release = () => {
      clearTimeout(timer);
      this.inFlight.delete(controller);
      budget?.signal.removeEventListener('abort', onBudgetSpent);
    };
    this.inFlight.add(controller);
    const started = Date.now();
    let res: Awaited<ReturnType<typeof undiciRequest>>;
    try {
      res = await undiciRequest(url, {
        method: opts.method as 'GET',
        headers,
        body: opts.body,
        // The TLS version the request goes over is recorded in its exchange (negotiated-tls.ts).
        dispatcher: this.agent.compose(
          (dispatch) => (o, handler) => dispatch(o, recordingTlsOf(handler, exchange)),
        ),
        signal: controller.signal,
      });
    } catch (err) {
      release();
      exchange.durationMs = Date.now() - started;
      const blocked = blockedAddress(err);
      if (blocked) {
        // Refused at connect time, after DNS: not the target failing, so not a connection failure.
        exchange.request.headers = redactor.headers(withoutCredentials(headers));
        exchange.error = redactor.text(`not sent: ${blocked.message}`);
        throw new RefusedRequest('address', redactor.text(blocked.message), exchange);
      }
      exchange.error = redactor.text(describeTransportError(err, timeoutMs));
      // The run's own budget ending it says nothing about the target.
      if (!(controller.signal.reason instanceof BudgetSpentError)) {
        this.failuresInARow += 1;
        this.lastFailure = exchange.error;
      }
      throw new TransportError(exchange.error, exchange);
    }
    exchange.headersMs = Date.now() - started;
    const flat = flattenHeaders(res.headers);
    const response: RecordedResponse = {
      status: res.statusCode,
      headers: redactor.headers(flat),
      bodyBytes: 0,
      bodyTruncated: false,
    };
    exchange.response = response;

    const body = res.body as unknown as Readable;
    let bytes = 0;
    body.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      response.bodyBytes = bytes;
    });
    const declared = /^\d+$/.test(flat['content-length'] ?? '') ? Number(flat['content-length']) : undefined;
    let settled = false;
    let stoppedBecause: string | undefined;
    const finished = new Promise<number>((resolve, reject) => {
      const done = (err?: unknown) => {
        if (settled) return;
        settled = true;
        release();
        exchange.durationMs = Date.now() - started;
        if (err) {
          exchange.error = redactor.text(
            stoppedBecause
              ? `the harness stopped reading after ${bytes} bytes: ${stoppedBecause}`
              : describeBodyError(err, timeoutMs, bytes, declared),
          );
          // Free the connection: a half-read body must not keep a socket (or agent.close()) waiting.
          if (!body.destroyed) body.destroy();
          if (!stoppedBecause && (err === timedOut || errorCode(err) === 'UND_ERR_BODY_TIMEOUT')) {
            // Headers and then nothing until the deadline: no answer, as far as the run can tell.
            this.failuresInARow += 1;
            this.lastFailure = `the body stalled after the headers: ${exchange.error}`;
          } else if (!(err instanceof BudgetSpentError)) this.failuresInARow = 0;
          reject(new TransportError(exchange.error, exchange));
        } else {
          this.failuresInARow = 0;
          resolve(bytes);
        }
      };
      body.once('end', () => done());
      // `on`, not `once`: a destroyed body may report more than one error, none may go unhandled.
      body.on('error', (err) => done(err));
      body.once('close', () => {
        if (!body.readableEnded)
          done(controller.signal.reason ?? new Error('connection closed before the body ended'));
      });
    });
    // Avoid an unhandled rejection when the caller only consumes the stream.
    finished.catch(() => undefined);
    const stop = (reason: string) => {
      stoppedBecause ??= reason;
      if (!body.destroyed) body.destroy();
    };
    return { exchange, status: res.statusCode, headers: flat, body, finished, stop };
  }

  /**
   * Closes the connections. A request still in flight after a short grace period is aborted
   * (undici's destroy() after close() would leave it hanging until its own timeout).
   */
  async close(): Promise<void> {
    const timer = setTimeout(() => {
      for (const controller of this.inFlight)
        controller.abort(new Error('the run ended before the response did'));
    }, CLOSE_GRACE_MS);
    timer.unref();
    try {
      await this.agent.close();
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The budget's own reason (a BudgetSpentError), whoever asks first: its timer or a request. */
function spentError(budget: RequestBudget): BudgetSpentError {
  const reason: unknown = budget.signal.reason;
  return reason instanceof BudgetSpentError ? reason : new BudgetSpentError('the time budget was spent');
}

function errorCode(err: unknown): string | undefined {
  const e = err as { code?: string; cause?: { code?: string } } | undefined;
  return e?.code ?? e?.cause?.code;
}

const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization'] as const;

function withoutCredentials(headers: Record<string, string>): Record<string, string> {
  const out = { ...headers };
  for (const h of CREDENTIAL_HEADERS) delete out[h];
  return out;
}

/** The guarded lookup's error, wherever undici put it (as is, or as the cause). */
function blockedAddress(err: unknown): BlockedAddressError | undefined {
  if (err instanceof BlockedAddressError) return err;
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  return cause instanceof BlockedAddressError ? cause : undefined;
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

/** Like describeTransportError, for a failure while the body was arriving (after the headers). */
export function describeBodyError(
  err: unknown,
  timeoutMs: number,
  received: number,
  declared?: number,
): string {
  const plain = describeTransportError(err, timeoutMs).replace(' before the response was complete', '');
  if (declared !== undefined && received < declared && /reset|closed/.test(plain)) {
    return `${plain} after ${received} of the ${declared} bytes Content-Length announced`;
  }
  return /reset|closed/.test(plain) ? `${plain} after ${received} bytes of the body` : plain;
}

/** A one-line, user-facing description of a network failure. */
export function describeTransportError(err: unknown, timeoutMs: number): string {
  const e = err as {
    name?: string;
    code?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  const code = e?.code ?? e?.cause?.code;
  // undici's parser error carries no code when the bytes are not HTTP at all.
  if (e?.name === 'HTTPParserError' && !code) return 'the target did not answer with valid HTTP';
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection reset by the target';
    case 'UND_ERR_SOCKET':
      return 'the target closed the connection before the response was complete';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name could not be resolved';
    case 'UND_ERR_HEADERS_TIMEOUT':
      return `no response headers within ${timeoutMs} ms`;
    case 'UND_ERR_BODY_TIMEOUT':
      return `the response body stalled for ${timeoutMs} ms`;
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connection timed out';
    case 'HPE_INVALID_CONSTANT':
    case 'HPE_INVALID_VERSION':
    case 'HPE_INVALID_STATUS':
    case 'HPE_INVALID_HEADER_TOKEN':
      return 'the target did not answer with valid HTTP';
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return 'the body length did not match Content-Length';
    case 'UND_ERR_ABORTED':
    case 'ABORT_ERR':
      return `request aborted: timed out after ${timeoutMs} ms`;
    default: {
      if (code?.startsWith('HPE_')) return `the target did not answer with valid HTTP (${code})`;
      const msg = e?.message ?? String(err);
      if (/aborted|timed out/i.test(msg)) return `timed out after ${timeoutMs} ms`;
      return code ? `${code}: ${msg}` : msg;
    }
  }
}
