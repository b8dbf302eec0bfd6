/** Shared helpers for the generic mock's tests: an in-process app on a frozen clock, signed assertions, tokens. */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { SignJWT, importJWK, type JWK } from 'jose';
import request from 'supertest';
import { buildIgMockApp, igContextOf, type IgContext, type IgMockOptions } from '../../../src/mock/ig';
import { loadClients } from '../../../src/mock/ig/clients';
import { textParser } from '../helpers';

export { textParser };

export const START = '2026-03-10T12:00:00.000Z';
export const FULL = 'bulk-ig-full-client';
export const NARROW = 'bulk-ig-narrow-client';
export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface IgTestMock {
  app: FastifyInstance;
  ctx: IgContext;
  http: () => ReturnType<typeof request>;
  /** The URL the mock sees itself at (supertest's ephemeral port), for aud. */
  root: () => string;
  close(): Promise<void>;
}

export async function igTestMock(options: IgMockOptions = {}): Promise<IgTestMock> {
  const app = await buildIgMockApp({ clock: { start: START, frozen: true }, ...options });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    ctx: igContextOf(app),
    http: () => request(`http://127.0.0.1:${port}`),
    root: () => `http://127.0.0.1:${port}`,
    close: () => app.close(),
  };
}

export interface AssertionOptions {
  clientId?: string;
  alg?: 'RS384' | 'ES384';
  aud?: string;
  /** Seconds from the client's now (the mock clock before any advance). */
  expIn?: number;
  /** Seconds from the client's now to iat; no iat when absent. */
  iatIn?: number;
  jti?: string;
  iss?: string;
  /** Defaults to iss. */
  sub?: string;
  kid?: string;
}

/** A client assertion signed with the published test key of the client. */
export async function assertion(m: IgTestMock, o: AssertionOptions = {}): Promise<string> {
  const clientId = o.clientId ?? FULL;
  const alg = o.alg ?? 'RS384';
  const client = loadClients().find((c) => c.clientId === clientId) ?? loadClients()[0]!;
  const jwk = JSON.parse(fs.readFileSync(client.keyFiles[alg], 'utf8')) as JWK & { kid: string };
  // Signed by the client's own clock, which the mock's advances do not move.
  const now = Math.floor(m.ctx.clock.unadvancedMs() / 1000);
  return new SignJWT(o.iatIn === undefined ? {} : { iat: now + o.iatIn })
    .setProtectedHeader({ alg, kid: o.kid ?? jwk.kid, typ: 'JWT' })
    .setIssuer(o.iss ?? clientId)
    .setSubject(o.sub ?? o.iss ?? clientId)
    .setAudience(o.aud ?? `${m.root()}/auth/token`)
    .setExpirationTime(now + (o.expIn ?? 240))
    .setJti(o.jti ?? randomUUID())
    .sign(await importJWK(jwk, alg));
}

export function tokenForm(assertionJwt: string, scope: string): Record<string, string> {
  return {
    grant_type: 'client_credentials',
    client_assertion_type: ASSERTION_TYPE,
    client_assertion: assertionJwt,
    scope,
  };
}

export async function tokenRequest(m: IgTestMock, o: AssertionOptions = {}, scope = 'system/*.read') {
  return m
    .http()
    .post('/auth/token')
    .type('form')
    .send(tokenForm(await assertion(m, o), scope));
}

export async function token(m: IgTestMock, clientId = FULL, scope = 'system/*.read'): Promise<string> {
  const res = await tokenRequest(m, { clientId }, scope);
  if (res.status !== 200) throw new Error(`token for ${clientId}: ${res.status} ${res.text}`);
  return (res.body as { access_token: string }).access_token;
}

export const kickoffHeaders = (t: string, prefer = 'respond-async'): Record<string, string> => ({
  Authorization: `Bearer ${t}`,
  Accept: 'application/fhir+json',
  Prefer: prefer,
});

export interface Manifest {
  transactionTime: string;
  request: string;
  requiresAccessToken: boolean;
  output: { type: string; url: string; count?: number }[];
  deleted?: { type: string; url: string; count?: number }[];
  error: { type: string; url: string; count?: number }[];
}

/** Runs an export to completion: the kick-off response, the manifest, and a download helper. */
export async function runExport(
  m: IgTestMock,
  t: string,
  path: string,
  opts: { prefer?: string; body?: unknown } = {},
): Promise<{ manifest: Manifest; statusUrl: string }> {
  const req = opts.body === undefined ? m.http().get(path) : m.http().post(path);
  let kick = req.set(kickoffHeaders(t, opts.prefer));
  if (opts.body !== undefined)
    kick = kick.set('Content-Type', 'application/fhir+json').send(JSON.stringify(opts.body));
  const res = await kick;
  if (res.status !== 202) throw new Error(`kick-off ${path}: ${res.status} ${res.text}`);
  const statusUrl = res.headers['content-location'] as string;
  m.ctx.clock.advance(10);
  const status = await m.http().get(new URL(statusUrl).pathname).set('Authorization', `Bearer ${t}`);
  if (status.status !== 200) throw new Error(`status: ${status.status}`);
  return { manifest: status.body as Manifest, statusUrl };
}

/** The resources of a manifest file (parsed NDJSON). */
export async function download(m: IgTestMock, t: string, url: string): Promise<Record<string, unknown>[]> {
  const res = await m
    .http()
    .get(new URL(url).pathname)
    .set('Authorization', `Bearer ${t}`)
    .buffer(true)
    .parse(textParser);
  if (res.status !== 200) throw new Error(`download ${url}: ${res.status}`);
  return (res.body as string)
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Every resource of a completed export, by manifest type. */
export async function exportedByType(
  m: IgTestMock,
  t: string,
  manifest: Manifest,
): Promise<Map<string, Record<string, unknown>[]>> {
  const out = new Map<string, Record<string, unknown>[]>();
  for (const item of manifest.output)
    out.set(item.type, [...(out.get(item.type) ?? []), ...(await download(m, t, item.url))]);
  return out;
}
