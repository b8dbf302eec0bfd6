/**
 * The campaign against a fake target that answers as the fuzzer's own rules say it should (every
 * value inside its schema accepted, anything else refused with an OperationOutcome), with one bug
 * switched on per test: it finds the bug, shrinks the request and names its curl.
 */
import { rulesOf, isIn, keyOf } from '../../src/fuzz/arbitraries';
import { runCampaign, type FuzzTarget } from '../../src/fuzz/campaign';
import type { WireRequest } from '../../src/fuzz/request';
import type { FuzzOperation } from '../../src/fuzz/spec';
import { TransportError, type HttpResponse } from '../../src/http/client';
import type { Exchange } from '../../src/http/exchange';

const OO = JSON.stringify({
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code: 'structure' }],
});
const NOW = Date.UTC(2026, 2, 10);

/** The raw value of each parameter the wire carries (query values decoded). */
function valuesOf(op: FuzzOperation, wire: WireRequest): Record<string, string | null> {
  const query = new URLSearchParams(wire.rawQuery ?? '');
  const out: Record<string, string | null> = {};
  for (const p of op.parameters) {
    const raw =
      p.in === 'header'
        ? wire.headers[p.name.toLowerCase()]
        : p.in === 'path'
          ? wire.path[p.name]
          : query.get(p.name);
    out[keyOf(p)] = raw ?? null;
  }
  return out;
}

type Bug = (op: FuzzOperation, values: Record<string, string | null>) => number | undefined;

function fakeTarget(bug: Bug = () => undefined, budget = Infinity) {
  const exchanges = new Map<string, Exchange>();
  let kickoffs = 0;
  const answer = (op: FuzzOperation, wire: WireRequest): HttpResponse => {
    const values = valuesOf(op, wire);
    const valid = op.parameters.every((p) => {
      const raw = values[keyOf(p)] ?? null;
      return raw === null ? !p.required : isIn(rulesOf(p), raw);
    });
    const status = bug(op, values) ?? (valid ? (op.base.startsWith('export') ? 202 : 404) : 400);
    const text = status === 202 ? '' : OO;
    const exchange: Exchange = {
      id: `x${exchanges.size + 1}`,
      label: 'fuzz',
      request: {
        method: op.method,
        url: `http://target.test${op.path}${wire.rawQuery ? `?${wire.rawQuery}` : ''}`,
        headers: { authorization: 'Bearer [redacted]', ...(wire.headers as Record<string, string>) },
      },
      response: { status, headers: {}, body: text, bodyBytes: text.length, bodyTruncated: false },
      startedAt: new Date(0).toISOString(),
      durationMs: 1,
    };
    exchanges.set(exchange.id, exchange);
    const headers = { 'content-type': 'application/fhir+json' };
    return {
      exchange,
      status,
      headers,
      body: Buffer.from(text),
      bodyCut: false,
      text: () => text,
      json: () => undefined,
      jsonError: () => undefined,
    };
  };
  const target: FuzzTarget = {
    version: 'v2',
    kickoff: async (op, wire) => (kickoffs++ >= budget ? undefined : answer(op, wire)),
    send: async (op, wire) => answer(op, wire),
    exchange: (id) => exchanges.get(id),
    ownJobId: async () => '7',
  };
  return { target, exchanges };
}

const options = { runs: 5, seed: 1, deadline: Number.MAX_SAFE_INTEGER, nowMs: NOW };

describe('runCampaign', () => {
  it('finds nothing on a target that follows the rules, and judges every answer', async () => {
    const { target } = fakeTarget();
    const c = await runCampaign(target, options);
    expect(Object.values(c.tally).flatMap((t) => t.findings)).toEqual([]);
    expect(c.requests).toBe(c.properties * options.runs);
    expect(c.tally['server-error'].judged).toBe(c.requests);
    expect(c.tally['accepts-valid'].judged + c.tally['rejects-invalid'].judged).toBe(c.requests);
    expect(c.operations).toEqual(expect.arrayContaining(['exportPatientV2', 'listJobsV2', 'downloadFile']));
  });

  it('shrinks a failing in-schema request to what it needs and names its curl, without the token', async () => {
    // The bug: a kick-off whose _type names Coverage answers 500.
    const { target } = fakeTarget((op, v) =>
      op.base === 'exportPatient' && (v['query:_type'] ?? '').split(',').includes('Coverage')
        ? 500
        : undefined,
    );
    const c = await runCampaign(target, { ...options, runs: 20 });
    const finding = c.tally['server-error'].findings.find((f) => f.property === 'exportPatientV2 in schema');
    expect(finding).toMatchObject({
      kind: 'server-error',
      operationId: 'exportPatientV2',
      problem: 'answered 500',
    });
    // Every optional parameter but the one that matters is gone, and the list is down to the type.
    expect(finding!.request).toMatch(
      /^exportPatientV2 with Accept: "[^"]+", Prefer: "[^"]+", _type="Coverage"$/,
    );
    expect(finding!.original).toMatch(/_type=/);
    expect(finding!.shrinks).toBeGreaterThan(0);
    expect(finding!.curl).toContain('-H "Authorization: Bearer $BCDA_TOKEN"');
    expect(finding!.curl).toMatch(/ 'http:\/\/target\.test\/api\/v2\/Patient\/\$export\?_type=Coverage'$/);
    expect(finding!.curl).not.toContain('[redacted]');
  });

  it('reports a value outside its schema that the target accepts, each property once', async () => {
    const { target } = fakeTarget((op, v) =>
      op.base === 'exportGroup' && v['path:groupId'] !== 'all' && v['path:groupId'] !== 'runout'
        ? 202
        : undefined,
    );
    const c = await runCampaign(target, options);
    expect(c.tally['rejects-invalid'].findings.map((f) => [f.operationId, f.problem])).toEqual([
      ['exportGroupV2', 'accepted it with 202'],
    ]);
    expect(c.tally['rejects-invalid'].findings[0]!.request).toMatch(/groupId="ALL"/);
  });

  it('stops sending kick-offs when the budget is used up, and says so', async () => {
    const { target } = fakeTarget(undefined, 3);
    const c = await runCampaign(target, options);
    expect(c.kickoffsCut).toMatch(/--max-kickoffs/);
    expect(Object.values(c.tally).flatMap((t) => t.findings)).toEqual([]);
  });

  it('reports a target that stops answering once, and stops sending to it', async () => {
    const { target } = fakeTarget();
    let sent = 0;
    const silent: FuzzTarget = {
      ...target,
      send: async () => {
        sent += 1;
        const exchange: Exchange = {
          id: `t${sent}`,
          label: 'fuzz',
          request: { method: 'GET', url: 'http://target.test/x', headers: {} },
          error: 'timed out',
          startedAt: new Date(0).toISOString(),
          durationMs: 1,
        };
        throw new TransportError('timed out after 30000 ms', exchange);
      },
    };
    const c = await runCampaign(silent, options);
    expect(c.tally['server-error'].findings.map((f) => f.problem)).toEqual([
      'got no answer (timed out after 30000 ms)',
    ]);
    expect(c.cutShort).toMatch(/3 fuzz requests in a row unanswered/);
    expect(sent).toBe(3);
  });

  it('sends nothing past the deadline', async () => {
    const { target, exchanges } = fakeTarget();
    const c = await runCampaign(target, { ...options, deadline: 0 });
    expect([c.requests, exchanges.size]).toEqual([0, 0]);
    expect(c.cutShort).toMatch(/time budget/);
  });
});
