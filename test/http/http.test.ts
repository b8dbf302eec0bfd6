import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { describeBodyError, describeTransportError, HttpClient, TransportError } from '../../src/http/client';
import { ExchangeLog } from '../../src/http/exchange';
import { Redactor } from '../../src/http/redaction';
import { TargetClient } from '../../src/http/target';
import { pollJob } from '../../src/flows/poll';
import { downloadOne } from '../../src/flows/download';
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

function client(url: string, timeoutMs = 2000) {
  const log = new ExchangeLog(new Redactor());
  return { http: new HttpClient({ baseUrl: url, log, timeoutMs }), log };
}

describe('HttpClient', () => {
  it('records an exchange with redacted request headers and the response', async () => {
    const srv = await serve((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
    const { http: c, log } = client(srv.url);
    const res = await c.send({
      method: 'GET',
      url: '/x',
      label: 'probe',
      headers: { authorization: 'Bearer secret.token.value' },
    });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ ok: true });
    const ex = log.all()[0]!;
    expect(ex.label).toBe('probe');
    expect(ex.request.headers.authorization).toBe('Bearer <redacted>');
    expect(ex.response?.body).toBe('{"ok":true}');
    await c.close();
    await srv.close();
  });

  it('reports a refused connection as a TransportError', async () => {
    const srv = await serve(() => undefined);
    const url = srv.url;
    await srv.close();
    const { http: c, log } = client(url);
    await expect(c.send({ method: 'GET', url: '/', label: 'refused' })).rejects.toThrow(/connection refused/);
    expect(log.all()[0]?.error).toBe('connection refused');
    await c.close();
  });

  it('gives up on a server that never answers within the budget', async () => {
    const srv = await serve(() => undefined); // accepts, never responds
    const { http: c } = client(srv.url, 300);
    const err = await c.send({ method: 'GET', url: '/', label: 'silent' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as Error).message).toMatch(/timed out|no response headers/);
    await c.close();
    await srv.close();
  });

  it('does not follow redirects and reports invalid JSON without throwing', async () => {
    const srv = await serve((req, res) => {
      if (req.url === '/loop') {
        res.statusCode = 302;
        res.setHeader('location', '/loop');
        res.end();
      } else res.end('{not json');
    });
    const { http: c } = client(srv.url);
    const loop = await c.send({ method: 'GET', url: '/loop', label: 'redirect' });
    expect(loop.status).toBe(302);
    const bad = await c.send({ method: 'GET', url: '/bad', label: 'bad json' });
    expect(bad.json()).toBeUndefined();
    expect(bad.jsonError()).toMatch(/JSON/);
    await c.close();
    await srv.close();
  });

  it('cuts a body longer than maxBodyBytes and says so', async () => {
    const srv = await serve((_req, res) => res.end('x'.repeat(10_000)));
    const { http: c } = client(srv.url);
    const res = await c.send({ method: 'GET', url: '/', label: 'big', maxBodyBytes: 100 });
    expect(res.body.length).toBe(100);
    expect(res.bodyCut).toBe(true);
    await c.close();
    await srv.close();
  });
});

describe('pollJob', () => {
  it('follows Retry-After, records every X-Progress and stops at the first non-202', async () => {
    let calls = 0;
    const srv = await serve((_req, res) => {
      calls += 1;
      if (calls === 1) {
        res.writeHead(202, { 'x-progress': 'Pending', 'retry-after': '0' });
      } else if (calls === 2) {
        res.writeHead(202, {
          'x-progress': 'In Progress (50%)',
          'retry-after': new Date(Date.now() + 50).toUTCString(),
        });
      } else res.writeHead(200, { 'content-type': 'application/json' });
      res.end(calls >= 3 ? '{}' : '');
    });
    const { http: c } = client(srv.url);
    const result = await pollJob(
      new TargetClient(c, new StaticTokens('static-test-token', new Redactor())),
      `${srv.url}/jobs/1`,
      { label: 'poll', deadline: Date.now() + 5000 },
    );
    expect(result.final?.status).toBe(200);
    expect(result.polls.map((p) => p.xProgress)).toEqual(['Pending', 'In Progress (50%)', undefined]);
    expect(result.polls[0]?.retryAfter).toBe('0');
    await c.close();
    await srv.close();
  });

  it('stops with a reason, not a result, when the budget runs out', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(202, { 'x-progress': 'In Progress' });
      res.end();
    });
    const { http: c } = client(srv.url);
    const result = await pollJob(
      new TargetClient(c, new StaticTokens('static-test-token', new Redactor())),
      `${srv.url}/jobs/1`,
      {
        label: 'poll',
        deadline: Date.now() + 400,
        initialDelayMs: 100,
      },
    );
    expect(result.final).toBeUndefined();
    expect(result.stopped).toMatch(/time budget/);
    expect(result.polls.length).toBeGreaterThan(1);
    await c.close();
    await srv.close();
  });
});

describe('HttpClient against broken transports', () => {
  it('names the byte counts when the body breaks off before its Content-Length', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('x'.repeat(30), () => setTimeout(() => res.socket?.destroy(), 20));
    });
    const { http: c } = client(srv.url);
    const err = await c.send({ method: 'GET', url: '/', label: 'short body' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as Error).message).toBe(
      'the target closed the connection after 30 of the 100 bytes Content-Length announced',
    );
    await c.close();
    await srv.close();
  });

  it('does not quote the body in a JSON parse error (it may hold a token)', async () => {
    const srv = await serve((_req, res) => res.end('secret-token-value, and more text'));
    const { http: c } = client(srv.url);
    const res = await c.send({ method: 'GET', url: '/', label: 'bad json' });
    expect(res.jsonError()).toBe('not valid JSON: unexpected character at position 0');
    expect(res.jsonError()).not.toContain('secret-token-value');
    await c.close();
    await srv.close();
  });

  it('counts requests in a row without any response, and any response resets the count', async () => {
    let up = true;
    const srv = await serve((req, res) => (up ? res.end('ok') : req.socket.destroy()));
    const { http: c } = client(srv.url);
    up = false;
    for (let i = 0; i < 3; i++)
      await c.send({ method: 'GET', url: '/', label: 'down' }).catch(() => undefined);
    expect(c.connectionFailures).toEqual({
      inARow: 3,
      last: 'the target closed the connection before the response was complete',
    });
    up = true;
    await c.send({ method: 'GET', url: '/', label: 'up' });
    expect(c.connectionFailures.inARow).toBe(0);
    await c.close();
    await srv.close();
  });

  it('stop() ends a stream on purpose and the exchange says why', async () => {
    const srv = await serve((_req, res) => {
      res.writeHead(200);
      res.write('y'.repeat(1000));
    });
    const { http: c } = client(srv.url);
    const streamed = await c.open({ method: 'GET', url: '/', label: 'stream' });
    streamed.body.once('data', () => streamed.stop('enough'));
    await expect(streamed.finished).rejects.toThrow(/^the harness stopped reading after \d+ bytes: enough$/);
    expect(streamed.exchange.error).toMatch(/enough$/);
    await c.close();
    await srv.close();
  });

  it('close() does not wait for a response that never comes', async () => {
    const srv = await serve(() => undefined);
    const { http: c } = client(srv.url, 20_000);
    const pending = c.send({ method: 'GET', url: '/', label: 'hangs' }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 100));
    await c.close();
    const err = await pending;
    expect(err).toBeInstanceOf(TransportError);
    expect((err as Error).message).toBe('the run ended before the response did');
    await srv.close();
  });
});

describe('describeTransportError', () => {
  it('turns undici and socket failures into one plain line', () => {
    expect(
      describeTransportError(
        { name: 'HTTPParserError', message: 'Response does not match the HTTP/1.1 protocol' },
        1000,
      ),
    ).toBe('the target did not answer with valid HTTP');
    expect(describeTransportError({ code: 'HPE_CR_EXPECTED', message: 'x' }, 1000)).toBe(
      'the target did not answer with valid HTTP (HPE_CR_EXPECTED)',
    );
    expect(describeTransportError({ code: 'ECONNRESET', message: 'read ECONNRESET' }, 1000)).toBe(
      'connection reset by the target',
    );
    expect(describeBodyError({ code: 'ECONNRESET' }, 1000, 5, 10)).toBe(
      'connection reset by the target after 5 of the 10 bytes Content-Length announced',
    );
    expect(describeBodyError({ code: 'ECONNRESET' }, 1000, 5)).toBe(
      'connection reset by the target after 5 bytes of the body',
    );
  });
});

describe('downloadOne', () => {
  it('hands every line to inspectLine, however the chunks split them, and validates the file', async () => {
    const lines = [
      '{"resourceType":"Patient","id":"-1"}',
      '{"resourceType":"Patient","id":"-2"}',
      '{"resourceType":"Patient","id":"-3"}',
    ];
    const text = `${lines.join('\r\n')}\n`;
    const srv = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/fhir+ndjson' });
      // Three-byte pieces: every line crosses chunk boundaries.
      let i = 0;
      const next = () =>
        i < text.length ? res.write(text.slice(i, (i += 3)), () => setImmediate(next)) : res.end();
      next();
    });
    const { http: c } = client(srv.url);
    const seen: string[] = [];
    const record = await downloadOne(
      {
        target: new TargetClient(c, new StaticTokens('static-test-token', new Redactor())),
        sendToken: false,
        acceptGzip: false,
        apiVersion: 'v2',
        sandbox: true,
        deadline: Date.now() + 5000,
        inspectLine: (line) => seen.push(line),
      },
      { type: 'Patient', url: `${srv.url}/data/1/Patient.ndjson` },
      'output',
    );
    expect(record.error).toBeUndefined();
    expect(seen.map((l) => l.trim())).toEqual(lines);
    expect(record.validation?.lines).toBe(3);
    expect(record.bytes).toBe(Buffer.byteLength(text));
    await c.close();
    await srv.close();
  });

  it('inflates a body labelled gzip; one cut short fails in zlib words, the lines before the cut seen', async () => {
    const lines = Array.from({ length: 200 }, (_, i) => `{"resourceType":"Patient","id":"-${i + 1}"}`);
    const text = `${lines.join('\n')}\n`;
    const gz = gzipSync(text);
    const srv = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/fhir+ndjson', 'content-encoding': 'gzip' });
      res.end(req.url?.includes('cut') ? gz.subarray(0, gz.length - 20) : gz);
    });
    const { http: c } = client(srv.url);
    const target = new TargetClient(c, new StaticTokens('static-test-token', new Redactor()));
    const download = async (name: string, seen: string[]) =>
      downloadOne(
        {
          target,
          sendToken: false,
          acceptGzip: true,
          apiVersion: 'v2',
          sandbox: true,
          deadline: Date.now() + 5000,
          inspectLine: (line) => seen.push(line),
        },
        { type: 'Patient', url: `${srv.url}/data/1/${name}` },
        'output',
      );
    const whole: string[] = [];
    const ok = await download('Patient.ndjson', whole);
    expect(ok.error).toBeUndefined();
    expect(ok).toMatchObject({ bytes: Buffer.byteLength(text), wireBytes: gz.length });
    expect(ok.validation?.lines).toBe(200);
    expect(whole).toEqual(lines);
    const before: string[] = [];
    const cut = await download('cut-Patient.ndjson', before);
    expect(cut.error).toBe(
      'the body is not valid gzip although Content-Encoding says gzip (unexpected end of file)',
    );
    expect(cut.validation).toBeUndefined();
    expect(before.length).toBeGreaterThan(0);
    expect(before).toEqual(lines.slice(0, before.length));
    await c.close();
    await srv.close();
  });
});
