/**
 * Control endpoints under `/__mock/` (only with `control: true`): faults, clock, forced job
 * states, reset. Input is a JSON object body, or query parameters for curl one-liners; it is
 * checked whole against the endpoint's schema before anything changes. Who may call them at all
 * is control-gate.ts's business.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkTokenRateLimit, type MockContext } from '../context';
import {
  ControlInput,
  ControlInputError,
  type AuthProviderInput,
  type ClockAdvanceInput,
  type FaultsInput,
  type JobStateInput,
  type PollRateLimitInput,
  type DownloadPaceInput,
  type TokenRateLimitInput,
} from '../control-input';
import { controlGate } from '../control-gate';
import { NO_DOWNLOAD_PACE } from '../download-pace';
import { FAULTS, validateFaultNames } from '../faults';
import { failedBeneficiaries } from '../failed-beneficiaries';
import { NO_POLL_RATE_LIMIT, jobState, type Job } from '../jobs';
import { sendBody } from '../outcome';

export const CONTROL_PREFIX = '/__mock';

export interface ControlHooks {
  reset(): void;
}

function fail(reply: FastifyReply, status: number, message: string): FastifyReply {
  return sendBody(reply, status, 'application/json', JSON.stringify({ error: message }));
}

function ok(reply: FastifyReply, payload: unknown): FastifyReply {
  return sendBody(reply, 200, 'application/json', JSON.stringify(payload));
}

/** Runs `check`, turning the Error it throws for bad input into a ControlInputError. */
function userCheck<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    throw new ControlInputError((err as Error).message);
  }
}

type Handler = (request: FastifyRequest, reply: FastifyReply) => FastifyReply;

/** Bad input answers 400 with its message; anything else is a mock bug for the error handler. */
function guarded(handler: Handler): Handler {
  return (request, reply) => {
    try {
      return handler(request, reply);
    } catch (err) {
      if (err instanceof ControlInputError) return fail(reply, 400, err.message);
      throw err;
    }
  };
}

export function registerControlRoutes(app: FastifyInstance, ctx: MockContext, hooks: ControlHooks): void {
  const input = new ControlInput();
  // Origin, control token and Content-Type are checked before the body is even read.
  const gated = { onRequest: controlGate(ctx) };
  const state = (): Record<string, unknown> => {
    const nowMs = ctx.clock.nowMs();
    ctx.jobs.sweep(nowMs, true); // what is listed is what the API still answers for
    return {
      now: new Date(nowMs).toISOString(),
      frozenClock: ctx.clock.frozen,
      quirks: ctx.quirks,
      faults: ctx.faults.list(),
      authProvider: ctx.authProvider,
      tokenRateLimit: ctx.tokenRateLimit,
      pollRateLimit: ctx.jobs.pollRateLimit,
      jobs: ctx.jobs.all().map((job) => {
        const s = jobState(job, nowMs);
        return {
          id: job.id,
          cmsId: job.cmsId,
          version: job.version,
          status: s.status,
          percent: s.percent,
          request: job.requestUrl,
        };
      }),
    };
  };

  app.get(`${CONTROL_PREFIX}/state`, gated, (_request, reply) => ok(reply, state()));
  app.get(`${CONTROL_PREFIX}/faults`, gated, (_request, reply) =>
    // The generic mock's faults are not this mock's to switch on.
    ok(reply, { active: ctx.faults.list(), catalog: FAULTS.filter((f) => f.mock === undefined) }),
  );

  const setFaults = guarded((request, reply) => {
    const { faults } = input.read<FaultsInput>(request, 'faults');
    const names = userCheck(() => validateFaultNames(Array.isArray(faults) ? faults : faults.split(',')));
    ctx.faults.set(names);
    return ok(reply, { faults: ctx.faults.list() });
  });
  app.put(`${CONTROL_PREFIX}/faults`, gated, setFaults);
  app.post(`${CONTROL_PREFIX}/faults`, gated, setFaults);
  app.delete(
    `${CONTROL_PREFIX}/faults`,
    gated,
    guarded((request, reply) => {
      input.read(request, 'none');
      ctx.faults.set([]);
      return ok(reply, { faults: [] });
    }),
  );

  app.post(
    `${CONTROL_PREFIX}/clock/advance`,
    gated,
    guarded((request, reply) => {
      const { seconds } = input.read<ClockAdvanceInput>(request, 'clockAdvance');
      userCheck(() => ctx.clock.advance(seconds));
      return ok(reply, { now: ctx.clock.now().toISOString() });
    }),
  );

  // Undoes advances (a client that moved a shared clock puts it back); same input as advance.
  app.post(
    `${CONTROL_PREFIX}/clock/rewind`,
    gated,
    guarded((request, reply) => {
      const { seconds } = input.read<ClockAdvanceInput>(request, 'clockAdvance');
      userCheck(() => ctx.clock.rewind(seconds));
      return ok(reply, { now: ctx.clock.now().toISOString() });
    }),
  );

  const jobOf = (request: FastifyRequest): Job | undefined => {
    const rawId = (request.params as { jobID: string }).jobID;
    return /^\d{1,15}$/.test(rawId) ? ctx.jobs.get(Number(rawId)) : undefined;
  };

  app.post<{ Params: { jobID: string } }>(
    `${CONTROL_PREFIX}/jobs/:jobID/state`,
    gated,
    guarded((request, reply) => {
      const given = input.read<JobStateInput>(request, 'jobState');
      const job = jobOf(request);
      if (!job) return fail(reply, 404, 'no such job');
      // The schema makes sure exactly one of the two names is there.
      const status = (given.state ?? given.status)!;
      const atMs = ctx.clock.nowMs() - (given.updatedSecondsAgo ?? 0) * 1000;
      job.override = { status, atMs, sticky: true };
      return ok(reply, { id: job.id, status });
    }),
  );

  // The beneficiaries BFD could not find for this job: its error files must name each of them.
  app.get<{ Params: { jobID: string } }>(
    `${CONTROL_PREFIX}/jobs/:jobID/failures`,
    gated,
    guarded((request, reply) => {
      input.read(request, 'none');
      const job = jobOf(request);
      if (!job) return fail(reply, 404, 'no such job');
      return ok(reply, { id: job.id, beneficiaries: failedBeneficiaries(ctx, job) });
    }),
  );

  // The auth provider (SSAS) behind every token check: "ok", "timeout" (503s) or "error" (500s).
  app.post(
    `${CONTROL_PREFIX}/auth-provider`,
    gated,
    guarded((request, reply) => {
      const { state: provider } = input.read<AuthProviderInput>(request, 'authProvider');
      ctx.authProvider = provider;
      return ok(reply, { authProvider: provider });
    }),
  );

  // The per-ACO token limit; {"limit": 0} switches it off. Changing it forgets the tokens counted.
  app.post(
    `${CONTROL_PREFIX}/token-rate-limit`,
    gated,
    guarded((request, reply) => {
      const given = input.read<TokenRateLimitInput>(request, 'tokenRateLimit');
      const limit = userCheck(() =>
        checkTokenRateLimit({ limit: given.limit, windowSeconds: given.windowSeconds ?? 300 }),
      );
      ctx.tokenRateLimit = limit;
      ctx.tokensIssued.clear();
      return ok(reply, { tokenRateLimit: limit });
    }),
  );

  // Status requests per job in a window of seconds; {"limit": 0} switches it off (the default).
  app.post(
    `${CONTROL_PREFIX}/poll-rate-limit`,
    gated,
    guarded((request, reply) => {
      const given = input.read<PollRateLimitInput>(request, 'pollRateLimit');
      const limit =
        given.limit === 0
          ? NO_POLL_RATE_LIMIT
          : { limit: given.limit, windowSeconds: given.windowSeconds ?? 10 };
      ctx.jobs.pollRateLimit = limit;
      return ok(reply, { pollRateLimit: limit });
    }),
  );

  // Downloads sent in pieces of `bytes` every `delayMs`; {"bytes": 0} switches it off (the default).
  app.post(
    `${CONTROL_PREFIX}/download-pace`,
    gated,
    guarded((request, reply) => {
      const given = input.read<DownloadPaceInput>(request, 'downloadPace');
      ctx.downloadPace =
        given.bytes === 0 ? NO_DOWNLOAD_PACE : { bytes: given.bytes, delayMs: given.delayMs ?? 100 };
      return ok(reply, { downloadPace: ctx.downloadPace });
    }),
  );

  app.post(
    `${CONTROL_PREFIX}/reset`,
    gated,
    guarded((request, reply) => {
      input.read(request, 'none');
      hooks.reset();
      return ok(reply, state());
    }),
  );
}
