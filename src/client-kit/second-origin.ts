/**
 * A second origin for a scenario: another listener (another port, so another origin) that serves
 * the mock's files without asking for a token, as a file store a server hands its files to would.
 * Its requests are recorded like the mock's own, with the Host the client sent, so a check can
 * tell which origin a request went to and what it carried there.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MockServer } from '../mock';
import { BYPASS_HEADER, type RequestRecorder } from '../mock/recording';

export interface SecondOrigin {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  close(): Promise<void>;
}

/** Headers as the mock's inject takes them (no undefined values). */
function headersOf(raw: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw))
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

/**
 * Starts the listener. A GET is recorded as the client sent it, then answered by the mock with
 * `token` (the scenario's own, never the client's) on a request the recorder leaves out.
 */
export async function startSecondOrigin(
  mock: MockServer,
  recorder: RequestRecorder,
  token: string,
  clockMs: () => number,
): Promise<SecondOrigin> {
  const server = createServer((req, res) => {
    const headers = headersOf(req.headers);
    const record = recorder.start(req.method ?? 'GET', req.url ?? '/', headers, clockMs());
    const forwarded: Record<string, string> = { ...headers, [BYPASS_HEADER]: recorder.bypassKey };
    delete forwarded.host;
    forwarded.authorization = `Bearer ${token}`;
    void mock.app
      .inject({ method: req.method === 'HEAD' ? 'HEAD' : 'GET', url: req.url ?? '/', headers: forwarded })
      .then((answer) => {
        const { 'transfer-encoding': _chunked, connection: _connection, ...kept } = answer.headers;
        // An OperationOutcome is kept like the mock's own; a file's content is not.
        const type = String(answer.headers['content-type'] ?? '');
        const text = /\bjson\b/.test(type) && !type.includes('ndjson') ? answer.payload : undefined;
        recorder.finish(record, answer.statusCode, kept, text);
        res.writeHead(answer.statusCode, { ...kept, 'content-length': answer.rawPayload.length });
        res.end(answer.rawPayload, () => {
          record.finishedAtMs = Date.now();
        });
      })
      .catch(() => {
        res.statusCode = 502;
        res.end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
