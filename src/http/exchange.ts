/**
 * Exchange records: one per HTTP request the engine makes. Checks cite them as evidence and the
 * reports render them. Stored already redacted and with bodies truncated.
 */
import type { Redactor } from './redaction';

export const MAX_RECORDED_BODY = 16 * 1024;

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export interface RecordedResponse {
  status: number;
  headers: Record<string, string>;
  /** Text of the body (decoded as UTF-8), truncated to MAX_RECORDED_BODY; absent when not kept. */
  body?: string;
  /** Bytes received on the wire (before any content decoding). */
  bodyBytes: number;
  bodyTruncated: boolean;
}

export interface Exchange {
  /** `x0001`, … in the order requests were started. */
  id: string;
  /** Spec operationId, when the request maps to one. */
  operationId?: string;
  /** Why the request was made, e.g. `kick-off without Accept`. */
  label: string;
  request: RecordedRequest;
  response?: RecordedResponse;
  /** Transport failure (refused, reset, timeout…), when there is no complete response. */
  error?: string;
  startedAt: string;
  /** Time to response headers. */
  headersMs?: number;
  /** Time to the end of the body (or the failure). */
  durationMs: number;
  /** The TLS protocol the request went over (`TLSv1.3`); absent over plain http or when never sent. */
  tls?: string;
}

/**
 * Told of a whole response body as it arrives, before the record truncates and redacts it. A
 * listener may judge the body but must keep nothing of it: it may hold a token or PHI.
 */
export type WholeBodyListener = (exchange: Exchange, body: Buffer) => void;

/** Keeps every exchange of a run, in order. */
export class ExchangeLog {
  private readonly items: Exchange[] = [];
  private readonly wholeBodyListeners: WholeBodyListener[] = [];
  private readonly byId = new Map<string, Exchange>();
  private counter = 0;

  constructor(readonly redactor: Redactor) {}

  nextId(): string {
    this.counter += 1;
    return `x${String(this.counter).padStart(4, '0')}`;
  }

  add(exchange: Exchange): Exchange {
    this.items.push(exchange);
    this.byId.set(exchange.id, exchange);
    return exchange;
  }

  onWholeBody(listener: WholeBodyListener): void {
    this.wholeBodyListeners.push(listener);
  }

  /** The HTTP client reports each body it buffered in full (not one cut at its size limit). */
  wholeBodyReceived(exchange: Exchange, body: Buffer): void {
    for (const listener of this.wholeBodyListeners) listener(exchange, body);
  }

  get(id: string): Exchange | undefined {
    return this.byId.get(id);
  }

  all(): readonly Exchange[] {
    return this.items;
  }

  get size(): number {
    return this.items.length;
  }
}
