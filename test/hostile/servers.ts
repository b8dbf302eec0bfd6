/**
 * Tiny local targets for the hostile-target tests. `bcdaLike()` answers a "good enough" BCDA v2
 * flow (token → metadata → kick-off 202 → status 200 manifest → NDJSON download) and lets a test
 * replace the handler of exactly one route with a misbehaviour; `rawTcp()` is a socket server
 * for targets that do not speak HTTP at all; `closedPort()` is an address nobody listens on.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export type Route = 'token' | 'metadata' | 'kickoff' | 'status' | 'cancel' | 'jobs' | 'download' | 'other';

export interface RouteInfo {
  route: Route;
  /** The server root, e.g. http://127.0.0.1:1234. */
  base: string;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, info: RouteInfo) => void;

export interface HostileServer {
  url: string;
  /** Requests seen per route (connections, for a raw TCP server: under `other`). */
  hits: Record<Route, number>;
  close(): Promise<void>;
}

export const JOB_ID = '42';
export const GOOD_TOKEN = 'hostile-test-access-token-0001';

/** Two small, valid R4 Patient lines (the download the good flow serves). */
export const PATIENT_LINES =
  '{"resourceType":"Patient","id":"-19990000000001","gender":"female","birthDate":"1950-01-01"}\n' +
  '{"resourceType":"Patient","id":"-19990000000002","gender":"male","birthDate":"1951-02-02"}\n';

export function routeOf(method: string, path: string): Route {
  if (path === '/auth/token') return 'token';
  if (/^\/api\/v\d\/metadata$/.test(path)) return 'metadata';
  if (/^\/api\/v\d\/(Patient|Group\/[^/]+)\/\$export$/.test(path)) return 'kickoff';
  if (/^\/api\/v\d\/jobs\/[^/]+$/.test(path)) return method === 'DELETE' ? 'cancel' : 'status';
  if (/^\/api\/v\d\/jobs$/.test(path)) return 'jobs';
  if (path.startsWith('/data/')) return 'download';
  return 'other';
}

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

export function capabilityStatement(base: string, text = (s: string) => s): Record<string, unknown> {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-01-01T00:00:00Z',
    publisher: text('Hostile test target'),
    kind: 'instance',
    instantiates: ['http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data'],
    software: { name: text('hostile'), version: text('1') },
    implementation: { description: text('a test target'), url: base },
    fhirVersion: '4.0.1',
    format: ['application/json', 'application/fhir+json'],
    rest: [
      {
        mode: 'server',
        security: {
          service: [{ coding: [{ code: 'OAuth' }], text: text('OAuth') }],
          extension: [
            {
              url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
              extension: [{ url: 'token', valueUri: `${base}/auth/token` }],
            },
          ],
        },
        resource: [
          {
            type: 'Patient',
            operation: [
              {
                name: 'patient-export',
                definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export',
              },
            ],
          },
          {
            type: 'Group',
            operation: [
              {
                name: 'group-export',
                definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export',
              },
            ],
          },
        ],
      },
    ],
  };
}

export function manifest(
  base: string,
  outputs: Array<{ type: string; url: string }> = [
    { type: 'Patient', url: `${base}/data/${JOB_ID}/Patient.ndjson` },
  ],
): Record<string, unknown> {
  return {
    transactionTime: '2026-01-01T00:00:00.000Z',
    request: `${base}/api/v2/Group/all/$export`,
    requiresAccessToken: true,
    output: outputs,
    error: [],
  };
}

export function operationOutcome(diagnostics: string): Record<string, unknown> {
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code: 'processing', details: { text: diagnostics }, diagnostics }],
  };
}

/** The well-behaved answer of every route. */
export const GOOD: Record<Route, Handler> = {
  token: (_req, res) =>
    sendJson(res, 200, { access_token: GOOD_TOKEN, token_type: 'bearer', expires_in: 1200 }),
  metadata: (_req, res, { base }) =>
    sendJson(res, 200, capabilityStatement(base), { 'content-type': 'application/fhir+json' }),
  kickoff: (_req, res, { base }) => {
    res.writeHead(202, { 'content-location': `${base}/api/v2/jobs/${JOB_ID}` });
    res.end();
  },
  status: (_req, res, { base }) => sendJson(res, 200, manifest(base)),
  cancel: (_req, res) => {
    res.writeHead(202);
    res.end();
  },
  jobs: (_req, res) => sendJson(res, 200, { resourceType: 'Bundle', type: 'searchset', total: 0, entry: [] }),
  download: (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/fhir+ndjson' });
    res.end(PATIENT_LINES);
  },
  other: (_req, res) =>
    sendJson(res, 404, operationOutcome('not found'), { 'content-type': 'application/fhir+json' }),
};

function emptyHits(): Record<Route, number> {
  return { token: 0, metadata: 0, kickoff: 0, status: 0, cancel: 0, jobs: 0, download: 0, other: 0 };
}

/** Starts a BCDA-like HTTP target; `overrides` replace the good answer of single routes. */
export async function bcdaLike(overrides: Partial<Record<Route, Handler>> = {}): Promise<HostileServer> {
  const hits = emptyHits();
  let base = '';
  const server = http.createServer((req, res) => {
    // The request body is never needed; read it so the socket stays usable.
    req.resume();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = routeOf(req.method ?? 'GET', path);
    hits[route] += 1;
    (overrides[route] ?? GOOD[route])(req, res, { route, base });
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A TCP server that hands every connection to `onConnection` (garbage, silence…). */
export async function rawTcp(onConnection: (socket: net.Socket) => void): Promise<HostileServer> {
  const hits = emptyHits();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    hits.other += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The URL of a port that was just listened on and closed: connecting is refused. */
export async function closedPort(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

// ---------------------------------------------------------------- misbehaviours

/** Sends a status line, headers and the first part of the body, then resets the TCP connection. */
export function resetMidBody(
  headers: Record<string, string>,
  firstPart: string,
  declaredLength: number,
): Handler {
  return (_req, res) => {
    res.writeHead(200, { ...headers, 'content-length': String(declaredLength) });
    res.write(firstPart, () => setTimeout(() => res.socket?.resetAndDestroy(), 20));
  };
}

/** Writes raw bytes on the socket (bypassing node's HTTP framing), then closes or keeps it. */
export function rawResponse(bytes: string | Buffer, then: 'end' | 'keep'): Handler {
  return (req) => {
    const socket = req.socket;
    socket.write(bytes);
    if (then === 'end') socket.end();
  };
}

/** An HTTP response whose Content-Length does not match its body. */
export function wrongContentLength(
  status: number,
  headers: Record<string, string>,
  body: string,
  declared: number,
): Handler {
  const head = [
    `HTTP/1.1 ${status} OK`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    `Content-Length: ${declared}`,
    '',
    '',
  ].join('\r\n');
  // A too-long declaration is cut off by closing the socket; a too-short one leaves extra bytes behind.
  return rawResponse(
    Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body, 'utf8')]),
    declared > Buffer.byteLength(body) ? 'end' : 'keep',
  );
}

/** Sends `body` one byte every `intervalMs` (the timer stops when the connection goes). */
export function drip(headers: Record<string, string>, body: string, intervalMs = 1000): Handler {
  return (_req, res) => {
    res.writeHead(200, headers);
    res.flushHeaders();
    let i = 0;
    const timer = setInterval(() => {
      if (res.destroyed || i >= body.length) {
        clearInterval(timer);
        if (!res.destroyed) res.end();
        return;
      }
      res.write(body[i++] ?? '');
    }, intervalMs);
    res.on('close', () => clearInterval(timer));
  };
}

/** Streams one NDJSON line of `bytes` bytes (plus a newline) without ever holding it whole. */
export function hugeLine(bytes: number): Handler {
  const prefix = '{"resourceType":"Patient","id":"-1","text":{"status":"generated","div":"';
  const suffix = '"}}\n';
  const fill = Buffer.alloc(64 * 1024, 'a');
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/fhir+ndjson', 'content-length': String(bytes) });
    let left = bytes - prefix.length - suffix.length;
    res.write(prefix);
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, fill.length);
        left -= n;
        if (!res.write(n === fill.length ? fill : fill.subarray(0, n))) {
          res.once('drain', pump);
          return;
        }
      }
      res.end(suffix);
    };
    res.on('error', () => undefined);
    pump();
  };
}
