/**
 * The check loop: runs the selected checks in order against a prepared check context and turns
 * each outcome into a result. It stops running checks (each left gets an `error` result saying
 * why) when the target cannot be reached, stops answering, or the run budget is spent, and at the
 * end cancels the jobs the run no longer needs. Who the target is and how the clients were made
 * is the wiring's business (src/run/).
 */
import { TokenError } from '../auth/tokens';
import {
  KickoffBudgetExceeded,
  NotApplicable,
  type CheckContext,
  type CheckDefinition,
} from '../checks/context';
import type { CheckOutcome } from '../checks/types';
import { BudgetSpentError, TimeBudget } from '../http/budget';
import { TransportError } from '../http/client';
import { NotOnGenericServerError } from '../http/target';
import { resultMeta, type CheckResult } from './results';

/**
 * Requests in a row without a complete response (none at all, or headers and then a body that
 * stalled) after which the target counts as gone for the rest of the run.
 */
export const GONE_AFTER_FAILURES = 10;

/**
 * Cancelling the run's jobs at the end may use what is left of the run budget, or this long when
 * less is left: a spent budget delays the end of the run by a few seconds at most.
 */
export const CLEANUP_GRACE_MS = 3_000;

export interface CheckLoopHooks {
  onCheckStart?: (check: CheckDefinition, index: number, total: number) => void;
  onCheckDone?: (result: CheckResult, index: number, total: number) => void;
  onNotice?: (message: string) => void;
}

export interface CheckLoopOutcome {
  results: CheckResult[];
  /** Set when the target could not be reached at all. */
  unreachable?: string;
}

/** The order checks run in: the normal ones, then `late`, then `final` (after the jobs are cancelled). */
export function runOrder(checks: readonly CheckDefinition[]): CheckDefinition[] {
  const phase = (c: CheckDefinition) => c.phase ?? 'normal';
  return (['normal', 'late', 'final'] as const).flatMap((p) => checks.filter((c) => phase(c) === p));
}

/** Runs `checks` in runOrder within `budget`; every check gets exactly one result. */
export async function runChecks(
  checks: readonly CheckDefinition[],
  ctx: CheckContext,
  budget: TimeBudget,
  hooks: CheckLoopHooks = {},
): Promise<CheckLoopOutcome> {
  const ordered = runOrder(checks);
  const firstFinal = ordered.findIndex((c) => c.phase === 'final');
  let cleanedUp = false;
  const redactor = ctx.log.redactor;
  const http = ctx.target.http;
  const results: CheckResult[] = [];
  const unreachable = await probe(ctx);
  /** Set when the target stops answering mid-run: the checks left would each wait out their timeouts. */
  let gone: string | undefined;
  let budgetNoticed = false;
  if (!unreachable && needsSharedExport(ordered)) {
    // Started early so polling overlaps the checks that do not need it (they see any failure).
    ctx.mainExport().catch(() => undefined);
  }
  for (const [index, check] of ordered.entries()) {
    if (index === firstFinal) {
      cleanedUp = true;
      if (!unreachable && !gone) await cancelRunJobs(ctx, budget);
    }
    hooks.onCheckStart?.(check, index, ordered.length);
    const t0 = Date.now();
    const failures = http.connectionFailures;
    if (!unreachable && !gone && failures.inARow >= GONE_AFTER_FAILURES) {
      gone = `the target stopped answering: the last ${failures.inARow} requests got no complete response (${failures.last ?? 'unknown'})`;
      hooks.onNotice?.(`${gone}; the remaining checks are not run`);
    }
    if (!unreachable && !gone && budget.isSpent && !budgetNoticed) {
      budgetNoticed = true;
      hooks.onNotice?.(`${budget.reason}; the remaining checks are not run`);
    }
    const outcome: CheckOutcome = unreachable
      ? {
          outcome: 'error',
          message: `not run: the target cannot be reached (${unreachable})`,
          evidence: [],
        }
      : check.phase === 'final'
        ? // It sends nothing: it judges what the run recorded, however the run ended.
          await runOne(check, ctx)
        : gone
          ? { outcome: 'error', message: `not run: ${gone}`, evidence: [] }
          : budget.isSpent
            ? { outcome: 'error', message: `not run: ${budget.reason}`, evidence: [] }
            : await withinBudget(runOne(check, ctx), budget);
    const result: CheckResult = {
      ...resultMeta(check),
      startedAt: new Date(t0).toISOString(),
      durationMs: Date.now() - t0,
      ...outcome,
      message: redactor.text(outcome.message),
      ...(outcome.expected !== undefined ? { expected: redactor.text(outcome.expected) } : {}),
      ...(outcome.actual !== undefined ? { actual: redactor.text(outcome.actual) } : {}),
    };
    results.push(result);
    hooks.onCheckDone?.(result, index, ordered.length);
  }
  if (!unreachable && !gone && !cleanedUp) await cancelRunJobs(ctx, budget);
  return unreachable ? { results, unreachable } : { results };
}

/** Cancels the jobs the run no longer needs; past a spent budget only a short grace period. */
async function cancelRunJobs(ctx: CheckContext, budget: TimeBudget): Promise<void> {
  const grace = new TimeBudget(
    Math.max(budget.remainingMs(), CLEANUP_GRACE_MS),
    'the time for cancelling the run’s jobs ran out',
  );
  try {
    await Promise.race([ctx.cleanup(grace), grace.spent]);
  } finally {
    grace.dispose();
  }
}

/**
 * Waits for a check until the run budget is spent, and no longer: a check still running then is
 * abandoned (its requests have been aborted), and one that ended after the budget aborted its
 * requests has no verdict to give either.
 */
async function withinBudget(running: Promise<CheckOutcome>, budget: TimeBudget): Promise<CheckOutcome> {
  const outcome = await Promise.race([running, budget.spent.then(() => undefined)]);
  if (outcome === undefined || budget.isSpent)
    return { outcome: 'error', message: `not finished: ${budget.reason}`, evidence: [] };
  return outcome;
}

/** Runs one check; a failure of the tool or the transport becomes an `error` outcome, never a crash. */
async function runOne(check: CheckDefinition, ctx: CheckContext): Promise<CheckOutcome> {
  try {
    return await check.run(ctx);
  } catch (err) {
    if (err instanceof KickoffBudgetExceeded || err instanceof NotApplicable)
      return { outcome: 'skip', message: err.message, evidence: [] };
    if (err instanceof NotOnGenericServerError)
      return { outcome: 'skip', message: `does not apply: ${err.message}`, evidence: [] };
    if (err instanceof BudgetSpentError)
      return { outcome: 'error', message: `not finished: ${err.message}`, evidence: [] };
    if (err instanceof TransportError)
      return { outcome: 'error', message: `request failed: ${err.message}`, evidence: [err.exchange.id] };
    if (err instanceof TokenError) {
      return {
        outcome: 'error',
        message: `no bearer token: ${err.message}`,
        evidence: err.exchangeId ? [err.exchangeId] : [],
      };
    }
    return { outcome: 'error', message: `the check itself failed: ${(err as Error).message}`, evidence: [] };
  }
}

/** Asks for the public metadata once; a transport failure there means the target is unreachable. */
async function probe(ctx: CheckContext): Promise<string | undefined> {
  try {
    await ctx.once('metadata', () =>
      ctx.target.call(ctx.op('getMetadata'), { label: 'metadata without a token', auth: 'none' }),
    );
    return undefined;
  } catch (err) {
    // No answer to the first request within the whole run budget counts as unreachable too.
    if (err instanceof TransportError || err instanceof BudgetSpentError) return err.message;
    throw err;
  }
}

function needsSharedExport(checks: readonly CheckDefinition[]): boolean {
  return checks.some((c) => ['status', 'download', 'fhir', 'jobs'].includes(c.area));
}
