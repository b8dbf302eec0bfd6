/**
 * The check loop on its own: stand-in checks against a server that answers 200 to anything, so the
 * order, the outcome of each way a check can end, the redaction of messages and the budget's
 * cut-off can be seen without the catalog.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CheckContext, KickoffBudgetExceeded, pass, type CheckDefinition } from '../../src/checks/context';
import { loadConfig } from '../../src/config/config';
import { runChecks } from '../../src/engine/run-checks';
import { ExportLog } from '../../src/flows/export';
import { TimeBudget } from '../../src/http/budget';
import { HttpClient, TransportError } from '../../src/http/client';
import { ExchangeLog } from '../../src/http/exchange';
import { Redactor } from '../../src/http/redaction';
import { StaticTokens } from '../../src/auth/tokens';
import { TargetClient } from '../../src/http/target';

const TOKEN = 'secret-token-for-the-loop-test';

let server: http.Server;
let url: string;
beforeAll(async () => {
  server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function check(id: string, run: CheckDefinition['run'], phase?: 'late' | 'final'): CheckDefinition {
  return {
    id,
    title: id,
    description: id,
    level: 'MUST',
    area: 'metadata',
    profiles: ['bcda'],
    refs: ['test'],
    operations: [],
    faults: [],
    ...(phase ? { phase } : {}),
    run,
  };
}

async function loop(checks: CheckDefinition[], budgetMs = 30_000, deadline?: number) {
  const config = loadConfig({ target: url, token: TOKEN, outDir: 'reports' }, {}, '/nonexistent-loop-cwd');
  const budget = new TimeBudget(budgetMs, 'the test budget was spent');
  const redactor = new Redactor();
  const log = new ExchangeLog(redactor);
  const client = new HttpClient({ baseUrl: url, log, budget });
  const ctx = new CheckContext({
    config,
    target: new TargetClient(client, new StaticTokens(TOKEN, redactor)),
    log,
    exports: new ExportLog(),
    tokenObservations: () => [],
    invalidateToken: () => undefined,
    sandbox: false,
    deadline: deadline ?? budget.deadline,
    budget,
  });
  const order: string[] = [];
  const notices: string[] = [];
  try {
    const outcome = await runChecks(checks, ctx, budget, {
      onCheckStart: (c) => order.push(c.id),
      onNotice: (m) => notices.push(m),
    });
    return { ...outcome, order, notices };
  } finally {
    budget.dispose();
    await client.close();
  }
}

describe('the check loop', () => {
  it('reports a check that re-downloads after the download deadline as not finished, not failed', async () => {
    const record = {
      item: { type: 'Patient', url: `${url}/data/1/Patient.ndjson` },
      kind: 'output' as const,
      wireBytes: 0,
      bytes: 0,
      sentToken: true,
      acceptedGzip: false,
    };
    const late = check('LATE-REDOWNLOAD', async (ctx) => {
      await ctx.redownload(record, { sendToken: false, acceptGzip: false });
      return pass('downloaded');
    });
    const { results } = await loop([late], 30_000, Date.now() - 1);
    expect(results[0]).toMatchObject({ outcome: 'error', message: expect.stringMatching(/^not finished: /) });
  });

  it('runs late checks last and gives every check one result, whatever way it ends', async () => {
    const run = await loop([
      check('LATE', async () => pass('late'), 'late'),
      check('PASSES', async () => pass(`saw ${TOKEN}`)),
      check('OUT-OF-KICKOFFS', async () => {
        throw new KickoffBudgetExceeded(0);
      }),
      check('TRANSPORT', async (ctx) => {
        const res = await ctx.target.http.send({ method: 'GET', url: '/x', label: 'a request' });
        throw new TransportError('connection reset by the target', res.exchange);
      }),
      check('BROKEN', async () => {
        throw new Error('oops');
      }),
    ]);
    expect(run.unreachable).toBeUndefined();
    expect(run.order).toEqual(['PASSES', 'OUT-OF-KICKOFFS', 'TRANSPORT', 'BROKEN', 'LATE']);
    const byId = Object.fromEntries(run.results.map((r) => [r.id, r]));
    // A credential in a message is redacted before it becomes a result.
    expect(byId.PASSES).toMatchObject({ outcome: 'pass', message: expect.not.stringContaining(TOKEN) });
    expect(byId['OUT-OF-KICKOFFS']?.outcome).toBe('skip');
    expect(byId.TRANSPORT).toMatchObject({
      outcome: 'error',
      message: 'request failed: connection reset by the target',
      evidence: [expect.stringMatching(/^x\d{4}$/)],
    });
    expect(byId.BROKEN).toMatchObject({ outcome: 'error', message: 'the check itself failed: oops' });
  });

  it('runs final checks after the run has cancelled its jobs, so they see those requests too', async () => {
    const events: string[] = [];
    const cleanup = jest.spyOn(CheckContext.prototype, 'cleanup').mockImplementation(() => {
      events.push('cleanup');
      return Promise.resolve();
    });
    try {
      const run = await loop([
        check('FINAL', async () => (events.push('FINAL'), pass('final')), 'final'),
        check('LATE', async () => (events.push('LATE'), pass('late')), 'late'),
        check('NORMAL', async () => (events.push('NORMAL'), pass('normal'))),
      ]);
      expect(events).toEqual(['NORMAL', 'LATE', 'cleanup', 'FINAL']);
      expect(run.results.map((r) => r.id)).toEqual(['NORMAL', 'LATE', 'FINAL']);
    } finally {
      cleanup.mockRestore();
    }
  });

  it('still runs a final check (it sends nothing) once the budget is spent', async () => {
    const run = await loop(
      [
        check('SLOW', () => new Promise((resolve) => setTimeout(() => resolve(pass('late')), 400))),
        check('AFTER', async () => pass('after')),
        check('FINAL', async () => pass('judged the record'), 'final'),
      ],
      150,
    );
    expect(run.results.map((r) => `${r.id} ${r.outcome}`)).toEqual([
      'SLOW error',
      'AFTER error',
      'FINAL pass',
    ]);
  });

  it('abandons a check still running when the budget is spent, and runs none after it', async () => {
    const run = await loop(
      [check('HANGS', () => new Promise(() => undefined)), check('AFTER', async () => pass('never'))],
      1_000,
    );
    expect(run.results.map((r) => [r.id, r.outcome, r.message])).toEqual([
      ['HANGS', 'error', 'not finished: the test budget was spent'],
      ['AFTER', 'error', 'not run: the test budget was spent'],
    ]);
    expect(run.notices).toEqual(['the test budget was spent; the remaining checks are not run']);
  });
});
