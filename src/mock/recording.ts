/**
 * Request recording for the mock's grading mode (the client test kit): every request a client
 * sends, with its answer's status and headers, so checks can judge what the client did. Credentials
 * never reach a record: an Authorization header keeps its scheme and a fingerprint (a keyed hash,
 * stable within one recorder) so "the same token as before" can be told without the token, and an
 * issued token is known by its fingerprint only.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { MockClock } from './clock';

/** A credential as recorded: its scheme as sent (case kept) and a fingerprint of the whole value. */
export interface RecordedCredential {
  scheme: string;
  fingerprint: string;
}

export interface ClientRequestRecord {
  /** `<prefix>r0001`, … in arrival order. */
  id: string;
  method: string;
  /** Path and query as received (a known secret replaced by `[secret]`). */
  url: string;
  /** Lower-case names; authorization and cookies shown as `<scheme> fp:<fingerprint>`. */
  headers: Record<string, string>;
  credential?: RecordedCredential;
  /** Wall-clock arrival, ISO and epoch ms (Retry-After is wall-clock time). */
  at: string;
  atMs: number;
  /** The mock clock at arrival (token lifetimes and jobs run on it). */
  clockMs: number;
  status?: number;
  responseHeaders?: Record<string, string>;
  /** JSON or text answers up to MAX_KEPT_BODY (manifests, OperationOutcomes); never a token body. */
  responseBody?: string;
  /** Wall-clock ms when the answer was handed over to be sent. */
  respondedAtMs?: number;
  /** Wall-clock ms when the answer's last byte was sent (a streamed file's end). */
  finishedAtMs?: number;
  /** A token request answered 200: the token's fingerprint and lifetime. */
  issuedToken?: { fingerprint: string; expiresInSeconds?: number };
}

export type RecordListener = (record: ClientRequestRecord) => void;
/** Gets a recorded request, its answer's status and text; returns the text to send. */
export type AnswerRewriter = (record: ClientRequestRecord, status: number, text: string) => string;

/** A request carrying this header with the recorder's `bypassKey` is not recorded (a scenario's own). */
export const BYPASS_HEADER = 'x-recorder-bypass';

const MAX_KEPT_BODY = 64 * 1024;
const SECRET_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization', 'x-mock-control-token']);

export interface RecorderOptions {
  /** Prefix of record ids (e.g. the scenario's), so ids of several recorders stay distinct. */
  idPrefix?: string;
  /** Values to blank wherever they appear in a URL or header (the client's secret). */
  secrets?: readonly string[];
}

/** Keeps the records of one mock instance; listeners hear each record once its answer is known. */
export class RequestRecorder {
  private readonly key = randomBytes(32);
  private readonly items: ClientRequestRecord[] = [];
  private readonly listeners: RecordListener[] = [];
  private counter = 0;
  private paused = false;
  /** Random per recorder: the value of BYPASS_HEADER that keeps one request out of the records. */
  readonly bypassKey = randomBytes(16).toString('hex');

  constructor(private readonly options: RecorderOptions = {}) {}

  /** `fp:` and 12 hex digits of an HMAC keyed per recorder: comparable, not reversible. */
  fingerprint(value: string): string {
    return `fp:${createHmac('sha256', this.key).update(value).digest('hex').slice(0, 12)}`;
  }

  /** Requests made while paused (a scenario's own setup) are not recorded. */
  async unrecorded<T>(work: () => Promise<T>): Promise<T> {
    this.paused = true;
    try {
      return await work();
    } finally {
      this.paused = false;
    }
  }

  get recording(): boolean {
    return !this.paused;
  }

  onResponse(listener: RecordListener): void {
    this.listeners.push(listener);
  }

  private readonly arrivals: RecordListener[] = [];

  /** Hears each record as its request arrives, before the mock handles it (status not yet known). */
  onArrival(listener: RecordListener): void {
    this.arrivals.push(listener);
  }

  private readonly rewriters: AnswerRewriter[] = [];

  /** A scenario's edit of recorded text answers before they are sent (a manifest naming another origin). */
  rewriteAnswers(rewriter: AnswerRewriter): void {
    this.rewriters.push(rewriter);
  }

  /** The answer after every rewriter (text and buffered answers; a stream passes unchanged). */
  rewritten(record: ClientRequestRecord, status: number, payload: unknown): unknown {
    if (!this.rewriters.length) return payload;
    const text =
      typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined;
    if (text === undefined) return payload;
    const out = this.rewriters.reduce((t, rewrite) => rewrite(record, status, t), text);
    return out === text ? payload : out;
  }

  all(): readonly ClientRequestRecord[] {
    return this.items;
  }

  /** Blanks the known secrets in a text. */
  scrub(text: string): string {
    let out = text;
    for (const s of this.options.secrets ?? []) if (s) out = out.split(s).join('[secret]');
    return out;
  }

  start(
    method: string,
    url: string,
    rawHeaders: Record<string, unknown>,
    clockMs: number,
  ): ClientRequestRecord {
    this.counter += 1;
    const headers: Record<string, string> = {};
    let credential: RecordedCredential | undefined;
    for (const [name, value] of Object.entries(rawHeaders)) {
      if (value === undefined) continue;
      const text = Array.isArray(value) ? value.join(', ') : String(value);
      const lower = name.toLowerCase();
      if (SECRET_HEADERS.has(lower)) {
        const scheme = /^\s*(\S+)\s/.exec(text)?.[1] ?? '';
        const shown = { scheme, fingerprint: this.fingerprint(text.trim().slice(scheme.length).trim()) };
        if (lower === 'authorization') credential = shown;
        headers[lower] = `${scheme ? `${scheme} ` : ''}${shown.fingerprint}`;
      } else headers[lower] = this.scrub(text);
    }
    const now = Date.now();
    const record: ClientRequestRecord = {
      id: `${this.options.idPrefix ?? ''}r${String(this.counter).padStart(4, '0')}`,
      method,
      url: this.scrub(url),
      headers,
      ...(credential ? { credential } : {}),
      at: new Date(now).toISOString(),
      atMs: now,
      clockMs,
    };
    this.items.push(record);
    for (const listener of this.arrivals) listener(record);
    return record;
  }

  /** Completes a record with its answer; a token body leaves only the token's fingerprint. */
  finish(
    record: ClientRequestRecord,
    status: number,
    headers: Record<string, unknown>,
    payload: unknown,
  ): void {
    record.status = status;
    record.respondedAtMs = Date.now();
    const shown: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (
        value !== undefined &&
        !SECRET_HEADERS.has(name.toLowerCase()) &&
        name.toLowerCase() !== 'set-cookie'
      )
        shown[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    }
    record.responseHeaders = shown;
    const text =
      typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : undefined;
    if (text !== undefined) {
      const token = accessTokenIn(text);
      if (token) {
        record.issuedToken = {
          fingerprint: this.fingerprint(token.value),
          ...(token.expiresIn ? { expiresInSeconds: token.expiresIn } : {}),
        };
      } else if (text.length <= MAX_KEPT_BODY) record.responseBody = this.scrub(text);
    }
    for (const listener of this.listeners) listener(record);
  }
}

/** The access token of a token answer, if the text is one. */
function accessTokenIn(text: string): { value: string; expiresIn?: number } | undefined {
  if (!text.includes('access_token')) return undefined;
  try {
    const body = JSON.parse(text) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string') return undefined;
    const expiresIn = Number(body.expires_in);
    return { value: body.access_token, ...(Number.isFinite(expiresIn) ? { expiresIn } : {}) };
  } catch {
    return undefined;
  }
}

/** Adds the hooks that record every request of the app (the control routes excepted). */
export function recordRequests(app: FastifyInstance, recorder: RequestRecorder, clock: MockClock): void {
  const open = new WeakMap<object, ClientRequestRecord>();
  const sent = new WeakMap<object, ClientRequestRecord>();
  app.addHook('onRequest', (request, _reply, done) => {
    const bypassed = request.headers[BYPASS_HEADER] === recorder.bypassKey;
    if (recorder.recording && !bypassed && !request.url.startsWith('/__mock/'))
      open.set(request, recorder.start(request.method, request.url, request.headers, clock.nowMs()));
    done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    const record = open.get(request);
    if (!record) return done(null, payload);
    open.delete(request);
    sent.set(request, record);
    const answer = recorder.rewritten(record, reply.statusCode, payload);
    if (answer !== payload && typeof answer === 'string')
      reply.header('content-length', Buffer.byteLength(answer));
    recorder.finish(record, reply.statusCode, reply.getHeaders(), answer);
    done(null, answer);
  });
  app.addHook('onResponse', (request, _reply, done) => {
    const record = sent.get(request);
    if (record) record.finishedAtMs = Date.now();
    done();
  });
}
