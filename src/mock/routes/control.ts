/**
 * Control endpoints under `/__mock/` (only with `control: true`): faults, clock, forced job
 * states, reset. Bodies are JSON; query parameters work too, for curl one-liners.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AUTH_PROVIDER_STATES, checkTokenRateLimit, type MockContext } from '../context';
import { FAULTS } from '../faults';
import { JOB_STATUSES, isJobStatus, jobState } from '../jobs';
import { sendBody } from '../outcome';
import { QueryParams } from '../params';

export const CONTROL_PREFIX = '/__mock';

export interface ControlHooks {
  reset(): void;
}

function body(request: FastifyRequest): Record<string, unknown> {
  const raw = request.body;
  const fromQuery = Object.fromEntries(new QueryParams(request.url).pairs);
  if (typeof raw !== 'string' || raw.trim() === '') return fromQuery;
  const parsed = JSON.parse(raw) as unknown; // a SyntaxError becomes a 400 below
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error('body must be a JSON object');
  return { ...fromQuery, ...(parsed as Record<string, unknown>) };
}

function fail(reply: FastifyReply, status: number, message: string): FastifyReply {
  return sendBody(reply, status, 'application/json', JSON.stringify({ error: message }));
}

function ok(reply: FastifyReply, payload: unknown): FastifyReply {
  return sendBody(reply, 200, 'application/json', JSON.stringify(payload));
}

/** Runs a handler, turning any thrown Error into a 400 with its message. */
function guarded(
  handler: (request: FastifyRequest, reply: FastifyReply) => FastifyReply,
): (request: FastifyRequest, reply: FastifyReply) => FastifyReply {
  return (request, reply) => {
    try {
      return handler(request, reply);
    } catch (err) {
      return fail(reply, 400, (err as Error).message);
    }
  };
}

export function registerControlRoutes(app: FastifyInstance, ctx: MockContext, hooks: ControlHooks): void {
  const state = (): Record<string, unknown> => {
    const nowMs = ctx.clock.nowMs();
    return {
      now: new Date(nowMs).toISOString(),
      frozenClock: ctx.clock.frozen,
      quirks: ctx.quirks,
      faults: ctx.faults.list(),
      authProvider: ctx.authProvider,
      tokenRateLimit: ctx.tokenRateLimit,
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

  app.get(`${CONTROL_PREFIX}/state`, (_request, reply) => ok(reply, state()));
  app.get(`${CONTROL_PREFIX}/faults`, (_request, reply) =>
    ok(reply, { active: ctx.faults.list(), catalog: FAULTS }),
  );

  const setFaults = guarded((request, reply) => {
    const input = body(request).faults;
    const names = Array.isArray(input)
      ? input.map(String)
      : typeof input === 'string'
        ? input.split(',')
        : undefined;
    if (!names) throw new Error('give "faults" as an array of names or a comma-separated string');
    ctx.faults.set(names);
    return ok(reply, { faults: ctx.faults.list() });
  });
  app.put(`${CONTROL_PREFIX}/faults`, setFaults);
  app.post(`${CONTROL_PREFIX}/faults`, setFaults);
  app.delete(`${CONTROL_PREFIX}/faults`, (_request, reply) => {
    ctx.faults.set([]);
    return ok(reply, { faults: [] });
  });

  app.post(
    `${CONTROL_PREFIX}/clock/advance`,
    guarded((request, reply) => {
      const seconds = Number(body(request).seconds);
      ctx.clock.advance(seconds);
      return ok(reply, { now: ctx.clock.now().toISOString() });
    }),
  );

  app.post<{ Params: { jobID: string } }>(
    `${CONTROL_PREFIX}/jobs/:jobID/state`,
    guarded((request, reply) => {
      const job = ctx.jobs.get(Number((request.params as { jobID: string }).jobID));
      if (!job) return fail(reply, 404, 'no such job');
      const input = body(request);
      const status = String(input.state ?? input.status ?? '');
      if (!isJobStatus(status)) throw new Error(`"state" must be one of: ${JOB_STATUSES.join(', ')}`);
      const ago = input.updatedSecondsAgo === undefined ? 0 : Number(input.updatedSecondsAgo);
      if (!Number.isFinite(ago) || ago < 0)
        throw new Error('"updatedSecondsAgo" must be a non-negative number');
      job.override = { status, atMs: ctx.clock.nowMs() - ago * 1000, sticky: true };
      return ok(reply, { id: job.id, status });
    }),
  );

  // The auth provider (SSAS) behind every token check: "ok", "timeout" (503s) or "error" (500s).
  app.post(
    `${CONTROL_PREFIX}/auth-provider`,
    guarded((request, reply) => {
      const input = String(body(request).state ?? '');
      const state = AUTH_PROVIDER_STATES.find((s) => s === input);
      if (!state) throw new Error(`"state" must be one of: ${AUTH_PROVIDER_STATES.join(', ')}`);
      ctx.authProvider = state;
      return ok(reply, { authProvider: state });
    }),
  );

  // The per-ACO token limit; {"limit": 0} switches it off. Changing it forgets the tokens counted.
  app.post(
    `${CONTROL_PREFIX}/token-rate-limit`,
    guarded((request, reply) => {
      const input = body(request);
      const limit = checkTokenRateLimit({
        limit: Number(input.limit),
        windowSeconds: input.windowSeconds === undefined ? 300 : Number(input.windowSeconds),
      });
      ctx.tokenRateLimit = limit;
      ctx.tokensIssued.clear();
      return ok(reply, { tokenRateLimit: limit });
    }),
  );

  app.post(`${CONTROL_PREFIX}/reset`, (_request, reply) => {
    hooks.reset();
    return ok(reply, state());
  });
}
