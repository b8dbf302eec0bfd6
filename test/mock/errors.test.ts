/**
 * Every error the mock sends is BCDA-shaped (an OperationOutcome, or Go's plain text where BCDA's
 * server answers text), with no internal message: fastify's own 404/400/413/414/431 and bad-URL
 * answers, errors thrown inside routes, and bad control input, which changes no state.
 */
import { mockContextOf, startMock, type MockServer } from '../../src/mock';
import { createClock } from '../../src/mock/clock';
import { MAX_ADVANCE_SECONDS } from '../../src/mock/control-input';
import { basicFor } from './helpers';
import { rawExchange, rawGetRequest, rawRequest, type RawAnswer } from './raw';

/** What must never reach a client: fastify's error codes and texts, stacks, V8 messages. */
const INTERNAL =
  /FST_|"statusCode"|\bat \S+ \(|node:internal|Invalid time value|valid url component|max param length|Client Error|Client Timeout|in JSON at position|Unexpected token|internal detail/;

function expectText(answer: RawAnswer, status: number, body: string | RegExp): void {
  expect([answer.status, answer.headers['content-type']]).toEqual([status, 'text/plain; charset=utf-8']);
  if (typeof body === 'string') expect(answer.body).toBe(body);
  else expect(answer.body).toMatch(body);
  expect(answer.text).not.toMatch(INTERNAL);
}

function expectOutcome(answer: RawAnswer, status: number, code: string): void {
  expect([answer.status, answer.headers['content-type']]).toEqual([status, 'application/fhir+json']);
  const outcome = JSON.parse(answer.body) as { resourceType: string; issue: Array<{ code: string }> };
  expect(outcome.resourceType).toBe('OperationOutcome');
  expect(outcome.issue[0]?.code).toBe(code);
  expect(answer.text).not.toMatch(INTERNAL);
}

describe('mock error answers over raw sockets', () => {
  let server: MockServer;
  let token: string;
  beforeAll(async () => {
    server = await startMock({ control: true, clock: { start: '2026-03-10T12:00:00Z', frozen: true } });
    const res = await fetch(`${server.url}/auth/token`, {
      method: 'POST',
      headers: { Authorization: basicFor('A9994') },
    });
    token = ((await res.json()) as { access_token: string }).access_token;
  });
  afterAll(() => server.close());

  const send = (payload: string): Promise<RawAnswer> =>
    rawExchange(server.port, payload, 3000, { untilAnswer: true });

  it("answers an unknown path with chi's text 404", async () => {
    expectText(await send(rawGetRequest('/nope')), 404, '404 page not found\n');
  });

  it('answers a URL with a broken escape with Go\'s "400 Bad Request" text', async () => {
    expectText(await send(rawGetRequest('/api/v2/jobs/%zz')), 400, '400 Bad Request');
    expectText(await send(rawGetRequest('/%E0%A4%A')), 400, '400 Bad Request');
  });

  it("answers a very long job id or file name as BCDA does, not with fastify's 414", async () => {
    const auth = { Authorization: `Bearer ${token}` };
    expectOutcome(await send(rawGetRequest(`/api/v2/jobs/${'1'.repeat(600)}`, auth)), 400, 'structure');
    const longName = `/data/1/${'a'.repeat(5000)}.ndjson`;
    expectOutcome(await send(rawGetRequest(longName, auth)), 404, 'not-found');
  });

  it('answers an oversized request head with Go\'s "431" text', async () => {
    const body = '431 Request Header Fields Too Large';
    expectText(await send(rawGetRequest(`/api/v2/metadata?x=${'a'.repeat(20000)}`)), 431, body);
    expectText(await send(rawGetRequest('/api/v2/metadata', { 'X-Big': 'a'.repeat(20000) })), 431, body);
  });

  it('answers malformed HTTP with Go\'s "400 Bad Request" text', async () => {
    expectText(await send('GARBAGE\r\n\r\n'), 400, '400 Bad Request');
    const badChunk = 'POST /auth/token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n';
    expectText(await send(badChunk), 400, '400 Bad Request');
    expectText(
      await send(rawRequest('POST', '/auth/token', { 'Content-Length': 'abc' })),
      400,
      '400 Bad Request',
    );
  });

  it('answers a body over the limit with a 413 text', async () => {
    const head =
      'POST /auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2000000\r\n\r\n';
    expectText(await send(`${head}${'a'.repeat(100)}`), 413, /^413 Request Entity Too Large$/);
  });

  it('answers a content type fastify cannot read with a 400 text', async () => {
    const answer = await send(
      rawRequest('POST', '/auth/token', { 'Content-Type': 'application/json; charset=utf-99' }, '{}'),
    );
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(answer.text).not.toMatch(INTERNAL);
  });

  it('answers an error thrown inside a route with a 500 OperationOutcome or text, never its message', async () => {
    const clock = mockContextOf(server.app).clock;
    const { nowMs, now } = clock;
    const boom = (): never => {
      throw new Error('internal detail: the clock broke');
    };
    Object.assign(clock, { nowMs: boom, now: boom });
    try {
      expectOutcome(await send(rawGetRequest('/api/v2/metadata')), 500, 'exception');
      expectText(
        await send(rawRequest('POST', '/auth/token', { Authorization: basicFor('A9994') })),
        500,
        'Internal Server Error\n',
      );
    } finally {
      Object.assign(clock, { nowMs, now });
    }
  });

  describe('control input', () => {
    const control = (path: string, body: string): Promise<RawAnswer> =>
      send(rawRequest('POST', `/__mock${path}`, { 'Content-Type': 'application/json' }, body));
    const state = async (): Promise<{ now: string; faults: string[]; tokenRateLimit: unknown }> =>
      (await fetch(`${server.url}/__mock/state`)).json() as Promise<{
        now: string;
        faults: string[];
        tokenRateLimit: unknown;
      }>;

    it('rejects a huge clock advance and leaves the clock, metadata and tokens working', async () => {
      const before = await state();
      for (const body of [
        '{"seconds":1e308}',
        '{"seconds":1e12}',
        '{"seconds":"1e308"}',
        '{"seconds":null}',
      ]) {
        const answer = await control('/clock/advance', body);
        expect([body, answer.status]).toEqual([body, 400]);
        expect(answer.text).not.toMatch(INTERNAL);
      }
      expect((await state()).now).toBe(before.now);
      const metadata = await send(rawGetRequest('/api/v2/metadata'));
      expect(metadata.status).toBe(200);
      const tokenAnswer = await send(rawRequest('POST', '/auth/token', { Authorization: basicFor('A9994') }));
      expect(tokenAnswer.status).toBe(200);
    });

    it("rejects bad JSON with its own message, not the parser's", async () => {
      const answer = await control('/clock/advance', '{x}');
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toEqual({ error: expect.stringMatching(/not valid JSON/) });
      expect(answer.text).not.toMatch(INTERNAL);
    });

    it('validates every field before changing anything', async () => {
      const before = await state();
      const bad: Array<[string, string]> = [
        ['/faults', '{"faults":["status-no-expires"],"extra":1}'],
        ['/faults', '{"faults":[1,2]}'],
        ['/faults', '[]'],
        ['/token-rate-limit', '{"limit":5,"windowSeconds":0}'],
        ['/token-rate-limit', '{"limit":1.5}'],
        ['/token-rate-limit', '{"limit":"5"}'],
        ['/auth-provider', '{"state":"down"}'],
        ['/auth-provider', '{"state":"timeout","extra":true}'],
        ['/jobs/1/state', '{"state":"Failed","updatedSecondsAgo":1e308}'],
        ['/reset', '{"everything":true}'],
      ];
      for (const [path, body] of bad) {
        const answer = await control(path, body);
        expect([path, body, answer.status]).toEqual([path, body, 400]);
        expect(JSON.parse(answer.body)).toEqual({ error: expect.any(String) });
        expect(answer.text).not.toMatch(INTERNAL);
      }
      expect(await state()).toEqual(before);
    });
  });
});

describe('the mock clock', () => {
  it('refuses to move past year 9999 and stays where it was', () => {
    const clock = createClock({ start: '9990-01-01T00:00:00Z', frozen: true });
    expect(() => clock.advance(MAX_ADVANCE_SECONDS)).toThrow(/cannot move past/);
    expect(clock.now().toISOString()).toBe('9990-01-01T00:00:00.000Z');
    clock.advance(86400);
    expect(clock.now().toISOString()).toBe('9990-01-02T00:00:00.000Z');
  });
});
