/**
 * The run's time budget in the HTTP client and the poller: it caps every request, aborts what is in
 * flight when spent, and stops anything new from being sent; a body that stalls after its headers
 * counts as a request without an answer.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BudgetSpentError, sleepWithin, TimeBudget } from '../../src/http/budget';
import { HttpClient, TransportError } from '../../src/http/client';
import { ExchangeLog } from '../../src/http/exchange';
import { Redactor } from '../../src/http/redaction';
import { TargetClient } from '../../src/http/target';
import { pollJob } from '../../src/flows/poll';
import { StaticTokens } from '../../src/auth/tokens';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const REASON = 'the run time budget (--timeout 1 s) was spent';

function client(url: string, budget?: TimeBudget, timeoutMs = 5_000) {
  const log = new ExchangeLog(new Redactor());
  return { http: new HttpClient({ baseUrl: url, log, timeoutMs, ...(budget ? { budget } : {}) }), log };
}

/** Headers at once, then a body that never comes. */
const stall: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.flushHeaders();
};

describe('the run time budget', () => {
  const budgets: TimeBudget[] = [];
  const budget = (ms: number) => {
    const b = new TimeBudget(ms, REASON);
    budgets.push(b);
    return b;
  };
  afterAll(() => budgets.forEach((b) => b.dispose()));

  it('ends a request that would outlast it, with its reason, long before the request timeout', async () => {
    const srv = await serve(stall);
    const { http: c, log } = client(srv.url, budget(300));
    const t0 = Date.now();
    const err = await c.send({ method: 'GET', url: '/', label: 'stalls' }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as Error).message).toBe(REASON);
    expect(log.all()[0]?.error).toBe(REASON);
    // The run's own deadline is no fault of the target's.
    expect(c.connectionFailures.inARow).toBe(0);
    await c.close();
    await srv.close();
  });

  it('aborts what is in flight when spent early, and sends nothing after', async () => {
    const srv = await serve(stall);
    const b = budget(60_000);
    const { http: c, log } = client(srv.url, b);
    const pending = c.send({ method: 'GET', url: '/', label: 'in flight' }).catch((e: unknown) => e);
    setTimeout(() => b.spend(), 100);
    expect(((await pending) as Error).message).toBe(REASON);
    await expect(c.send({ method: 'GET', url: '/', label: 'too late' })).rejects.toThrow(BudgetSpentError);
    expect(c.requestCount).toBe(1);
    expect(log.all().map((x) => x.label)).toEqual(['in flight']);
    await c.close();
    await srv.close();
  });

  it('a request with a budget of its own (the cleanup grace) is sent after the run budget is spent', async () => {
    const srv = await serve((_req, res) => res.end('ok'));
    const b = budget(0);
    await b.spent;
    const { http: c } = client(srv.url, b);
    const grace = budget(2_000);
    const res = await c.send({ method: 'DELETE', url: '/job', label: 'cleanup', budget: grace });
    expect(res.status).toBe(200);
    await c.close();
    await srv.close();
  });

  it('a body that stalls after the headers counts as no answer; a complete one resets the count', async () => {
    let stalling = true;
    const srv = await serve((req, res) => (stalling ? stall(req, res) : res.end('ok')));
    const { http: c } = client(srv.url, undefined, 300);
    for (let i = 0; i < 3; i++)
      await c.send({ method: 'GET', url: '/', label: 'stalls' }).catch(() => undefined);
    expect(c.connectionFailures).toEqual({
      inARow: 3,
      last: 'the body stalled after the headers: timed out after 300 ms',
    });
    stalling = false;
    await c.send({ method: 'GET', url: '/', label: 'answers' });
    expect(c.connectionFailures.inARow).toBe(0);
    await c.close();
    await srv.close();
  });

  it('polling stops with the reason when the budget is spent during a Retry-After wait', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(202, { 'retry-after': '30', 'x-progress': 'in progress' });
      res.end();
    });
    const b = budget(400);
    const { http: c } = client(srv.url, b);
    const target = new TargetClient(c, new StaticTokens('t', new Redactor()));
    const t0 = Date.now();
    const result = await pollJob(target, '/jobs/1', { label: 'poll', deadline: Date.now() + 60_000 });
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(result.polls).toHaveLength(1);
    expect(result.stopped).toBe(REASON);
    await c.close();
    await srv.close();
  });

  it('sleepWithin ends early when its signal fires', async () => {
    const b = budget(50);
    const t0 = Date.now();
    await sleepWithin(30_000, b.signal);
    expect(Date.now() - t0).toBeLessThan(2_000);
  });
});
