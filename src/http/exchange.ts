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
}

/** Keeps every exchange of a run, in order. */
export class ExchangeLog {
  private readonly items: Exchange[] = [];
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
