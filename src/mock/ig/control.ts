/**
 * The generic mock's control routes under `/__mock/` (like the BCDA mock's): faults, reset, clock,
 * a job's state (held in progress, failed, released). A foreign Origin is refused and a state change needs Content-Type application/json
 * (a web page cannot send one without a CORS preflight the mock never grants).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { foreignOrigin } from '../control-gate';
import { IG_FAULTS, validateIgFaultNames } from './faults';
import { resetIgContext, type IgContext } from './context';
import { sendJson } from './http';
import { jobPercent } from './jobs';

export const IG_CONTROL_PREFIX = '/__mock';

/** The job states the control can set. */
export const IG_JOB_STATES = ['In Progress', 'Failed', 'Completed'] as const;
type IgJobState = (typeof IG_JOB_STATES)[number];

function gate(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  if (foreignOrigin(request)) {
    sendJson(reply, 403, { error: 'control requests with a foreign Origin are refused' });
    return;
  }
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (request.method !== 'GET' && type !== 'application/json') {
    sendJson(reply, 415, { error: 'control requests that change state need Content-Type: application/json' });
    return;
  }
  done();
}

function bodyOf(request: FastifyRequest): Record<string, unknown> {
  if (typeof request.body !== 'string' || request.body.trim() === '') return {};
  const parsed: unknown = JSON.parse(request.body);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error('the body must be a JSON object');
  return parsed as Record<string, unknown>;
}

export function registerIgControlRoutes(app: FastifyInstance, ctx: IgContext): void {
  const gated = { onRequest: gate };
  const bad = (reply: FastifyReply, err: unknown): FastifyReply =>
    sendJson(reply, 400, { error: (err as Error).message });

  app.get(`${IG_CONTROL_PREFIX}/state`, gated, (_request, reply) =>
    sendJson(reply, 200, {
      // Tells a run which control this is: job states only (the BCDA mock's has clock, limits, …).
      mock: 'bulk-data-ig',
      now: ctx.clock.now().toISOString(),
      faults: ctx.faults.list(),
      jobs: [...ctx.jobs.values()].map((j) => ({
        id: j.id,
        clientId: j.clientId,
        percent: jobPercent(ctx, j),
        failed: j.failed === true,
        held: j.held === true,
      })),
    }),
  );
  app.get(`${IG_CONTROL_PREFIX}/faults`, gated, (_request, reply) =>
    sendJson(reply, 200, { active: ctx.faults.list(), catalog: IG_FAULTS }),
  );
  const setFaults = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    try {
      const { faults } = bodyOf(request);
      const names = Array.isArray(faults)
        ? faults.map(String)
        : typeof faults === 'string'
          ? faults.split(',')
          : undefined;
      if (!names) throw new Error('give {"faults": ["name", ...]} or {"faults": "a,b"}');
      ctx.faults.set(validateIgFaultNames(names));
      return sendJson(reply, 200, { faults: ctx.faults.list() });
    } catch (err) {
      return bad(reply, err);
    }
  };
  app.put(`${IG_CONTROL_PREFIX}/faults`, gated, setFaults);
  app.post(`${IG_CONTROL_PREFIX}/faults`, gated, setFaults);
  app.delete(`${IG_CONTROL_PREFIX}/faults`, gated, (_request, reply) => {
    ctx.faults.set([]);
    return sendJson(reply, 200, { faults: [] });
  });
  app.post(`${IG_CONTROL_PREFIX}/reset`, gated, (_request, reply) => {
    resetIgContext(ctx);
    return sendJson(reply, 200, { reset: true });
  });
  // The clock moves on, or back by at most what advances moved it (as the BCDA mock's control).
  for (const move of ['advance', 'rewind'] as const)
    app.post(`${IG_CONTROL_PREFIX}/clock/${move}`, gated, (request, reply) => {
      try {
        const { seconds } = bodyOf(request);
        if (typeof seconds !== 'number') throw new Error('give {"seconds": N}');
        ctx.clock[move](seconds);
        return sendJson(reply, 200, { now: ctx.clock.now().toISOString() });
      } catch (err) {
        return bad(reply, err);
      }
    });
  // A job that fails: its status answers 500 with an OperationOutcome.
  app.post<{ Params: { id: string } }>(`${IG_CONTROL_PREFIX}/jobs/:id/fail`, gated, (request, reply) => {
    const job = ctx.jobs.get(request.params.id);
    if (!job) return sendJson(reply, 404, { error: 'no such job' });
    job.failed = true;
    return sendJson(reply, 200, { id: job.id, failed: true });
  });
  // A job's state as the BCDA mock's control names it (the states a generic job can be in):
  // "In Progress" holds it half done, "Failed" fails it, "Completed" releases it.
  app.post<{ Params: { id: string } }>(`${IG_CONTROL_PREFIX}/jobs/:id/state`, gated, (request, reply) => {
    let state: unknown;
    try {
      state = bodyOf(request).state;
      if (!IG_JOB_STATES.includes(state as IgJobState))
        throw new Error(`give {"state": S} with S one of ${IG_JOB_STATES.join(', ')}`);
    } catch (err) {
      return bad(reply, err);
    }
    const job = ctx.jobs.get(request.params.id);
    if (!job) return sendJson(reply, 404, { error: 'no such job' });
    job.held = state === 'In Progress';
    job.failed = state === 'Failed';
    return sendJson(reply, 200, { id: job.id, state });
  });
}
