import { judgeExchange, type ContractVerdict } from '../../src/contract/judge';
import { ContractLedger, loadCompiledContract } from '../../src/contract/ledger';
import type { CompiledContract } from '../../src/contract/rules';
import { ExchangeLog, type Exchange } from '../../src/http/exchange';
import { Redactor } from '../../src/http/redaction';

const BASE = 'http://127.0.0.1:3000';
let contract: CompiledContract;

beforeAll(async () => {
  contract = await loadCompiledContract();
});

let counter = 0;
function exchange(
  method: string,
  path: string,
  status: number,
  headers: Record<string, string> = {},
  body?: string,
): Exchange {
  counter += 1;
  return {
    id: `x${counter}`,
    label: 'test',
    request: { method, url: path.startsWith('http') ? path : `${BASE}${path}`, headers: {} },
    response: {
      status,
      headers,
      ...(body !== undefined ? { body } : {}),
      bodyBytes: body ? Buffer.byteLength(body) : 0,
      bodyTruncated: false,
    },
    startedAt: new Date(0).toISOString(),
    durationMs: 1,
  };
}

const judge = (ex: Exchange, body?: Buffer): ContractVerdict =>
  judgeExchange(ex, contract, { baseUrl: BASE, ...(body ? { body } : {}) });
const rules = (v: ContractVerdict) => v.findings.map((f) => `${f.rule}${f.knownDeviation ? ' (known)' : ''}`);

const JSON_TYPE = { 'content-type': 'application/json' };
const OUTCOME = JSON.stringify({
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code: 'not-found' }],
});
const HTTP_DATE = 'Sun, 06 Dec 2026 10:00:00 GMT';

describe('judgeExchange', () => {
  it('passes a documented answer and names its operation', () => {
    const v = judge(exchange('GET', '/_version', 200, JSON_TYPE, '{"version":"r1"}'));
    expect(v).toMatchObject({ operationId: 'getVersion', findings: [], bodyJudged: true });
  });

  it('finds an undocumented status and judges nothing else of that answer', () => {
    const v = judge(exchange('GET', '/_version', 203, JSON_TYPE, '{"version":"r1"}'));
    expect(rules(v)).toEqual(['status']);
    expect(v.findings[0]?.message).toMatch(/^203 is not a status the contract documents for getVersion/);
  });

  it('finds a media type the contract does not document for the status', () => {
    const v = judge(exchange('GET', '/_version', 200, { 'content-type': 'text/html' }, '{"version":"r1"}'));
    expect(rules(v)).toEqual(['content-type']);
  });

  it('takes a media type the spec records as the real server quirk as a known deviation, and still judges the body', () => {
    const health = '{"database":"ok","ssas":"ok","ssas_introspect":"ok"}';
    const ok = judge(
      exchange('GET', '/_health', 200, { 'content-type': 'text/plain; charset=utf-8' }, health),
    );
    expect(rules(ok)).toEqual(['content-type (known)']);
    const broken = judge(
      exchange('GET', '/_health', 200, { 'content-type': 'text/plain' }, '{"database":"ok"}'),
    );
    expect(rules(broken)).toEqual(['content-type (known)', 'body (known)']);
  });

  it('reports a body error with its JSON path', () => {
    const v = judge(exchange('GET', '/_version', 200, JSON_TYPE, '{"version":7}'));
    expect(v.findings).toEqual([{ rule: 'body', message: '/version: must be string' }]);
  });

  it('reports a body that is not JSON without quoting it', () => {
    const v = judge(exchange('GET', '/_version', 200, JSON_TYPE, '{"version": "secret-value'));
    expect(rules(v)).toEqual(['body']);
    expect(v.findings[0]?.message).not.toContain('secret-value');
  });

  it('finds a missing required header and a header of the wrong form', () => {
    const path = '/api/v1/Patient/$export';
    expect(rules(judge(exchange('GET', path, 202)))).toEqual(['headers']);
    const retry = judge(exchange('GET', path, 429, { 'retry-after': HTTP_DATE }));
    expect(retry.findings[0]?.message).toMatch(
      /^Retry-After: "Sun, 06 Dec 2026 10:00:00 GMT" must match pattern/,
    );
    expect(rules(judge(exchange('GET', path, 429, { 'retry-after': '5' })))).toEqual([]);
  });

  it('takes the real server Go-time Expires as a known deviation, and garbage as a failure', () => {
    const manifest = JSON.stringify({
      transactionTime: '2026-12-06T10:00:00.000Z',
      request: `${BASE}/api/v1/Patient/$export`,
      requiresAccessToken: true,
      output: [{ type: 'Patient', url: `${BASE}/data/1/a.ndjson` }],
      error: [],
    });
    const go = judge(
      exchange(
        'GET',
        '/api/v1/jobs/1',
        200,
        { ...JSON_TYPE, expires: '2026-12-07 10:00:00.1 +0000 UTC' },
        manifest,
      ),
    );
    expect(rules(go).filter((r) => r.startsWith('headers'))).toEqual(['headers (known)']);
    const junk = judge(
      exchange('GET', '/api/v1/jobs/1', 200, { ...JSON_TYPE, expires: 'tomorrow' }, manifest),
    );
    expect(rules(junk).filter((r) => r.startsWith('headers'))).toEqual(['headers']);
  });

  it('judges a deliberately refused request against the documented error answers', () => {
    const fhir = { 'content-type': 'application/fhir+json' };
    const v = judge(exchange('GET', '/api/v1/jobs/0', 404, fhir, OUTCOME));
    expect(v).toMatchObject({ operationId: 'getJobStatusV1', findings: [] });
    const wrongMethod = judge(exchange('POST', '/api/v1/Patient/$export', 405));
    expect(wrongMethod).toMatchObject({ operationId: 'exportPatientV1', findings: [] });
  });

  it('takes a second body appended after the documented one as the recorded quirk', () => {
    const fhir = { 'content-type': 'application/fhir+json' };
    const v = judge(exchange('GET', '/api/v1/jobs/1', 404, fhir, `${OUTCOME}${OUTCOME}`));
    expect(rules(v)).toEqual(['body (known)']);
    const bad = judge(exchange('GET', '/api/v1/jobs/1', 404, fhir, `${OUTCOME}{"x"`));
    expect(rules(bad)).toEqual(['body (known)']);
    // Without a documented quirk an appended body is simply not JSON.
    const version = judge(exchange('GET', '/_version', 200, JSON_TYPE, '{"version":"a"}{"version":"b"}'));
    expect(rules(version)).toEqual(['body']);
  });

  it('leaves out exchanges outside the contract, with the reason', () => {
    expect(judge(exchange('GET', 'http://elsewhere.example/_version', 200)).outside).toMatch(
      /^another origin/,
    );
    expect(judge(exchange('GET', '/__mock/clock', 200)).outside).toMatch(/control path/);
    expect(judge(exchange('GET', '/api/v1/nothing', 404)).outside).toMatch(/no path/);
    const noAnswer: Exchange = { ...exchange('GET', '/_version', 200), error: 'refused' };
    delete noAnswer.response;
    expect(judge(noAnswer).outside).toBe('no response');
  });

  it('leaves a gzip-coded body unread rather than call it not JSON', () => {
    const v = judge(
      exchange('GET', '/_version', 200, { ...JSON_TYPE, 'content-encoding': 'gzip' }),
      Buffer.from([0x1f, 0x8b, 8, 0]),
    );
    expect(v).toMatchObject({ findings: [], bodyJudged: false });
  });

  it('does not judge a truncated body from its record, only a whole one', () => {
    const ex = exchange('GET', '/_version', 200, JSON_TYPE, '{"vers');
    ex.response!.bodyTruncated = true;
    expect(judge(ex)).toMatchObject({ findings: [], bodyJudged: false });
    expect(rules(judge(ex, Buffer.from('{"version":1}')))).toEqual(['body']);
  });
});

describe('ContractLedger', () => {
  it('judges whole bodies as they arrive, keeps only verdicts, and judges the rest from the record', () => {
    const log = new ExchangeLog(new Redactor());
    const ledger = new ContractLedger(contract, BASE, log);
    const whole = log.add(exchange('GET', '/_version', 200, JSON_TYPE, '{"vers'));
    whole.response!.bodyTruncated = true;
    log.wholeBodyReceived(whole, Buffer.from('{"version":["Jane Doe 1950-01-01"]}'));
    log.add(exchange('GET', '/_version', 203, JSON_TYPE, '{"version":"a"}'));
    const verdicts = ledger.verdicts();
    expect(verdicts.map(rules)).toEqual([['body'], ['status']]);
    expect(JSON.stringify(verdicts)).not.toContain('Jane');
  });
});
