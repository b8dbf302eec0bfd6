/**
 * The control endpoints refuse what a web page can send: a simple cross-origin POST (text/plain,
 * no Content-Type) or any request with a foreign Origin, and, with a control token, anything
 * without it. Refused requests change nothing.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startMock, type MockServer } from '../../src/mock';
import { createContext } from '../../src/mock/context';
import { rawExchange, rawRequest, type RawAnswer } from './raw';

const TOKEN = 'control-token-0123456789';
const ROOT = path.join(__dirname, '..', '..');

describe('mock control endpoints against cross-origin requests', () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await startMock({
      control: true,
      faults: ['status-no-expires'],
      clock: { start: '2026-03-10T12:00:00Z', frozen: true },
    });
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  const exchange = (
    method: string,
    path: string,
    headers: Record<string, string>,
    body = '',
  ): Promise<RawAnswer> =>
    rawExchange(
      server.port,
      rawRequest(method, path, { Host: `127.0.0.1:${server.port}`, ...headers }, body),
      3000,
      {
        untilAnswer: true,
      },
    );
  const state = async (): Promise<{ now: string; faults: string[] }> =>
    (await fetch(`${server.url}/__mock/state`)).json() as Promise<{ now: string; faults: string[] }>;

  it('refuses a text/plain or untyped POST with 415 and changes nothing', async () => {
    const before = await state();
    const attempts: RawAnswer[] = [
      await exchange('POST', '/__mock/faults', { 'Content-Type': 'text/plain' }, '{"faults":[]}'),
      await exchange('POST', '/__mock/reset', { 'Content-Type': 'text/plain' }),
      await exchange('POST', '/__mock/clock/advance?seconds=90000', {}),
      await exchange('DELETE', '/__mock/faults', {}),
      await exchange(
        'POST',
        '/__mock/auth-provider',
        { 'Content-Type': 'application/x-www-form-urlencoded' },
        'state=error',
      ),
    ];
    for (const answer of attempts) {
      expect(answer.status).toBe(415);
      expect(JSON.parse(answer.body)).toEqual({ error: expect.stringContaining('application/json') });
    }
    expect(await state()).toEqual(before);
  });

  it('refuses any control request with a foreign Origin, JSON or not, with 403', async () => {
    const before = await state();
    const json = { 'Content-Type': 'application/json' };
    const port = server.port;
    const attempts: RawAnswer[] = [
      await exchange('POST', '/__mock/reset', { ...json, Origin: 'http://evil.example' }),
      await exchange('POST', '/__mock/faults', { ...json, Origin: 'null' }, '{"faults":[]}'),
      await exchange(
        'POST',
        '/__mock/clock/advance',
        { ...json, Origin: `http://127.0.0.1:${port + 1}` },
        '{"seconds":5}',
      ),
      // DNS rebinding: the page's own name now points at the mock; Origin and Host agree.
      await exchange('POST', '/__mock/reset', {
        ...json,
        Host: `evil.example:${port}`,
        Origin: `http://evil.example:${port}`,
      }),
      await exchange('GET', '/__mock/state', { Origin: 'https://evil.example' }),
    ];
    for (const answer of attempts) {
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.body)).toEqual({ error: expect.stringContaining('Origin') });
    }
    expect(await state()).toEqual(before);
  });

  it("accepts JSON with no Origin or the mock's own", async () => {
    const json = { 'Content-Type': 'application/json; charset=utf-8' };
    const port = server.port;
    const own = await exchange(
      'POST',
      '/__mock/faults',
      { ...json, Origin: `http://127.0.0.1:${port}` },
      '{"faults":[]}',
    );
    expect([own.status, own.body]).toEqual([200, '{"faults":[]}']);
    const local = await exchange(
      'POST',
      '/__mock/clock/advance',
      {
        ...json,
        Host: `localhost:${port}`,
        Origin: `http://localhost:${port}`,
      },
      '{"seconds":60}',
    );
    expect(local.status).toBe(200);
    expect((await exchange('POST', '/__mock/reset', json)).status).toBe(200);
    expect((await exchange('GET', '/__mock/state', {})).status).toBe(200);
  });
});

describe('mock control endpoints behind a control token', () => {
  let server: MockServer;
  beforeAll(async () => {
    server = await startMock({ control: true, controlToken: TOKEN });
  });
  afterAll(() => server.close());

  const exchange = (method: string, path: string, headers: Record<string, string>, body = '') =>
    rawExchange(server.port, rawRequest(method, path, headers, body), 3000, { untilAnswer: true });

  it('answers 401 without the token or with a wrong one, and changes nothing', async () => {
    const json = { 'Content-Type': 'application/json' };
    const attempts: Array<Record<string, string>> = [
      {},
      { Authorization: 'Bearer wrong' },
      { Authorization: `Bearer ${TOKEN}x` },
      { Authorization: `Basic ${TOKEN}` },
      { 'X-Mock-Control-Token': TOKEN.slice(1) },
    ];
    for (const headers of attempts) {
      const state = await exchange('GET', '/__mock/state', headers);
      expect(state.status).toBe(401);
      expect(JSON.parse(state.body)).toEqual({ error: expect.stringContaining('token') });
      const set = await exchange(
        'POST',
        '/__mock/auth-provider',
        { ...json, ...headers },
        '{"state":"error"}',
      );
      expect(set.status).toBe(401);
      expect(set.text).not.toContain(TOKEN);
    }
    const health = await fetch(`${server.url}/_health`);
    expect(health.status).toBe(200);
  });

  it('accepts the token as a Bearer token or in X-Mock-Control-Token', async () => {
    const json = { 'Content-Type': 'application/json' };
    expect((await exchange('GET', '/__mock/state', { Authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    const set = await exchange(
      'POST',
      '/__mock/auth-provider',
      { ...json, 'X-Mock-Control-Token': TOKEN },
      '{"state":"ok"}',
    );
    expect(set.status).toBe(200);
    // The token does not stand in for the other rules.
    const plain = await exchange('POST', '/__mock/reset', {
      Authorization: `Bearer ${TOKEN}`,
      'Content-Type': 'text/plain',
    });
    expect(plain.status).toBe(415);
  });

  it('needs --control and a token fit for a header', async () => {
    await expect(createContext({ controlToken: TOKEN })).rejects.toThrow(/control token needs control/);
    await expect(createContext({ control: true, controlToken: 'has space' })).rejects.toThrow(
      /control token/,
    );
    await expect(createContext({ control: true, controlToken: '' })).rejects.toThrow(/control token/);
  });
});

describe('the mock command with a control token', () => {
  it('never writes the token to its output, with the request log on', async () => {
    const child = spawn(
      process.execPath,
      [
        '-r',
        path.join(ROOT, 'test', 'hostile', 'ts-register-cached.js'),
        path.join(ROOT, 'src', 'cli.ts'),
        'mock',
        '--port',
        '0',
        '--control',
      ],
      {
        env: { PATH: process.env.PATH ?? '', BCDA_MOCK_CONTROL_TOKEN: TOKEN },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
    const closed = new Promise((resolve) => child.on('close', resolve));
    try {
      let url: string | undefined;
      for (let i = 0; i < 300 && !url; i++) {
        url = /listening at (http:\/\/\S+) /.exec(output)?.[1];
        if (!url) await new Promise((r) => setTimeout(r, 50));
      }
      expect(output).toContain('(token required)');
      const json = { 'Content-Type': 'application/json' };
      const ok = await fetch(`${url}/__mock/clock/advance`, {
        method: 'POST',
        headers: { ...json, Authorization: `Bearer ${TOKEN}` },
        body: '{"seconds":1}',
      });
      expect(ok.status).toBe(200);
      const wrong = await fetch(`${url}/__mock/state`, { headers: { 'X-Mock-Control-Token': `${TOKEN}x` } });
      expect(wrong.status).toBe(401);
      const bad = await fetch(`${url}/__mock/faults`, {
        method: 'POST',
        headers: { ...json, 'X-Mock-Control-Token': TOKEN },
        body: '{x}',
      });
      expect(bad.status).toBe(400);
      await new Promise((r) => setTimeout(r, 200));
      expect(output).toMatch(/"url":"\/__mock\/clock\/advance"/);
    } finally {
      child.kill('SIGTERM');
      await closed;
    }
    expect(output).not.toContain(TOKEN.slice(0, 12));
  }, 30_000);
});
