/**
 * The run's time budget (--timeout): one wall-clock deadline for everything the run does. The
 * HTTP client caps every request by it and aborts the requests still in flight when it is spent;
 * the check loop stops waiting for a check at that instant.
 */
import { setMaxListeners } from 'node:events';

/** What a request needs to know of a budget: when it ends, and a signal that fires then. */
export interface RequestBudget {
  /** Epoch ms. */
  readonly deadline: number;
  readonly signal: AbortSignal;
}

/** Thrown instead of sending a request once its budget is spent (nothing was sent). */
export class BudgetSpentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BudgetSpentError';
  }
}

export class TimeBudget implements RequestBudget {
  readonly deadline: number;
  /** Resolves when the budget is spent (never rejects). */
  readonly spent: Promise<void>;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;

  /** `reason` says what ran out, e.g. "the run time budget (--timeout 300 s) was spent". */
  constructor(
    ms: number,
    readonly reason: string,
    now: number = Date.now(),
  ) {
    this.deadline = now + ms;
    // Every request in flight listens to it: more than the default 10 at once is normal.
    setMaxListeners(0, this.controller.signal);
    this.spent = new Promise((resolve) => {
      this.controller.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    this.timer = setTimeout(() => this.spend(), Math.max(0, ms));
    // The budget never keeps the process alive on its own.
    this.timer.unref();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get isSpent(): boolean {
    return this.controller.signal.aborted;
  }

  remainingMs(now: number = Date.now()): number {
    return Math.max(0, this.deadline - now);
  }

  /** Ends the budget now (also what the timer does); requests in flight are aborted with `reason`. */
  spend(): void {
    clearTimeout(this.timer);
    if (!this.isSpent) this.controller.abort(new BudgetSpentError(this.reason));
  }

  /** Stops the timer without spending the budget (the run is over). */
  dispose(): void {
    clearTimeout(this.timer);
  }
}

/** Resolves after `ms`, or as soon as `signal` fires (never rejects); the timer goes with it. */
export function sleepWithin(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener('abort', done, { once: true });
  });
}
