/** Shared helpers for the mock server tests: an in-process app on a frozen clock, tokens, headers. */
import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import type { Response as SuperagentResponse } from 'superagent';
import { buildMockApp, mockContextOf } from '../../src/mock';
import type { MockContext, MockOptions } from '../../src/mock/context';
import { BUILT_IN_CREDENTIALS } from '../../src/mock/credentials';

export const START = '2026-03-10T12:00:00.000Z';

export interface TestMock {
  app: FastifyInstance;
  ctx: MockContext;
  http: () => ReturnType<typeof request>;
  token(cmsId?: string): Promise<string>;
  close(): Promise<void>;
}

export async function testMock(options: MockOptions = {}): Promise<TestMock> {
  const app = await buildMockApp({ clock: { start: START, frozen: true }, ...options });
  await app.ready();
  const ctx = mockContextOf(app);
  return {
    app,
    ctx,
    http: () => request(app.server),
    token: (cmsId = 'A9994') => tokenFor(app, cmsId),
    close: () => app.close(),
  };
}

export function basicFor(cmsId: string): string {
  const c = BUILT_IN_CREDENTIALS.find((cr) => cr.cmsId === cmsId);
  if (!c) throw new Error(`no built-in credentials for ${cmsId}`);
  return `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`;
}

export async function tokenFor(app: FastifyInstance, cmsId: string): Promise<string> {
  const res = await request(app.server).post('/auth/token').set('Authorization', basicFor(cmsId));
  if (res.status !== 200) throw new Error(`token for ${cmsId}: ${res.status}`);
  return (JSON.parse(res.text) as { access_token: string }).access_token;
}

export function exportHeaders(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}`, Accept: 'application/fhir+json', Prefer: 'respond-async' };
}

/** Job id from a Content-Location header. */
export function jobIdOf(contentLocation: string | undefined): number {
  const m = /\/jobs\/(\d+)$/.exec(contentLocation ?? '');
  if (!m) throw new Error(`no job id in Content-Location ${String(contentLocation)}`);
  return Number(m[1]);
}

/** Starts an export and returns the job id. */
export async function startExport(
  m: TestMock,
  token: string,
  path = '/api/v2/Group/all/$export',
): Promise<number> {
  const res = await m.http().get(path).set(exportHeaders(token));
  if (res.status !== 202) throw new Error(`kick-off ${path}: ${res.status} ${res.text}`);
  return jobIdOf(res.headers['content-location'] as string | undefined);
}

/** Parses supertest's raw text body as JSON. */
export function json<T = Record<string, unknown>>(res: { text: string }): T {
  return JSON.parse(res.text) as T;
}

export const v1Outcome = (code: string, diagnostics?: string): string =>
  JSON.stringify({
    resourceType: 'OperationOutcome',
    issue: [diagnostics ? { severity: 'error', code, diagnostics } : { severity: 'error', code }],
  });

/** Superagent parser that keeps the body as text (for deliberately non-JSON bodies). */
export function textParser(res: SuperagentResponse, done: (err: Error | null, body: unknown) => void): void {
  // In node, superagent hands parsers the raw IncomingMessage.
  const stream = res as unknown as NodeJS.ReadableStream;
  let data = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => (data += chunk));
  stream.on('end', () => done(null, data));
}
