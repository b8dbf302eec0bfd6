/**
 * Polls a job status URL until it stops answering 202, the run's time budget runs out, or the
 * caller's deadline passes. Honours Retry-After (delta-seconds and HTTP-date); without it, backs off
 * with a capped exponential delay. Every X-Progress value is recorded.
 */
import type { HttpResponse } from '../http/client';
import { RefusedRequest, TransportError } from '../http/client';
import type { TargetClient } from '../http/target';
import type { OperationId } from '../../generated/operations';
import { retryAfterMs } from '../http/retry-after';
import { BudgetSpentError, sleepWithin } from '../http/budget';

export interface PollRecord {
  exchangeId: string;
  status: number;
  at: string;
  xProgress?: string;
  retryAfter?: string;
  /** How long the poller waited after this response. */
  waitedMs?: number;
}

export interface PollResult {
  polls: PollRecord[];
  /** The first non-202 response, if one arrived. */
  final?: HttpResponse;
  /** Why polling stopped without a final response (timeout, transport error). */
  stopped?: string;
}

export interface PollOptions {
  label: string;
  operationId?: OperationId;
  /** Epoch ms after which no new poll starts. */
  deadline: number;
  /** One poll's own time limit (--request-timeout; default 30 s), never past the deadline. */
  requestTimeoutMs?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Called after each poll (progress display). */
  onPoll?: (record: PollRecord) => void;
  /** Called on a 401 so the token provider can fetch a fresh token before the next poll. */
  onUnauthorized?: () => void;
}

const MIN_DELAY_MS = 100;

export async function pollJob(target: TargetClient, url: string, opts: PollOptions): Promise<PollResult> {
  const polls: PollRecord[] = [];
  let delay = opts.initialDelayMs ?? 500;
  const maxDelay = opts.maxDelayMs ?? 10_000;
  let retried401 = false;
  for (;;) {
    if (Date.now() >= opts.deadline)
      return { polls, stopped: 'the time budget for polling ran out before the job finished' };
    let res: HttpResponse;
    try {
      res = await target.get(url, {
        label: opts.label,
        ...(opts.operationId ? { operationId: opts.operationId } : {}),
        timeoutMs: Math.min(opts.requestTimeoutMs ?? 30_000, Math.max(1_000, opts.deadline - Date.now())),
      });
    } catch (err) {
      if (err instanceof RefusedRequest)
        return { polls, stopped: `the job status was not polled: ${err.reason}` };
      if (err instanceof TransportError) return { polls, stopped: `polling failed: ${err.message}` };
      if (err instanceof BudgetSpentError) return { polls, stopped: err.message };
      throw err;
    }
    const record: PollRecord = {
      exchangeId: res.exchange.id,
      status: res.status,
      at: res.exchange.startedAt,
    };
    if (res.headers['x-progress'] !== undefined) record.xProgress = res.headers['x-progress'];
    if (res.headers['retry-after'] !== undefined) record.retryAfter = res.headers['retry-after'];
    polls.push(record);
    if (res.status === 401 && !retried401 && opts.onUnauthorized) {
      // A token can lapse during a long export; BCDA says jobs keep running, so fetch a new one.
      retried401 = true;
      opts.onUnauthorized();
      opts.onPoll?.(record);
      continue;
    }
    if (res.status !== 202 && res.status !== 429) {
      opts.onPoll?.(record);
      return { polls, final: res };
    }
    const hinted = retryAfterMs(record.retryAfter);
    let wait = hinted !== undefined ? Math.min(Math.max(hinted, MIN_DELAY_MS), 60_000) : delay;
    if (hinted === undefined) delay = Math.min(maxDelay, Math.round(delay * 1.5));
    wait = Math.min(wait, Math.max(0, opts.deadline - Date.now()));
    record.waitedMs = wait;
    opts.onPoll?.(record);
    await sleepWithin(wait, target.http.budget?.signal);
  }
}
