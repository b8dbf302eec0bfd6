/**
 * The two FHIR interactions the generic mock serves so that a client can learn, apart from any
 * export, what the server holds: the Provenance search (which Provenance are available: IG
 * bulkdata@109-@112) and the system history (what was deleted and when: bulkdata@182). Both page
 * with `_count` and `_getpagesoffset`, as searchset and history Bundles.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { IgContext } from './context';
import type { StoredResource } from './data';
import { servedResource } from './export-data';
import { FHIR_PATH, fhirBase, sendFhir, sendOutcome } from './http';
import { requireToken, tokenCovers } from './guard';

const DEFAULT_COUNT = 100;
const MAX_COUNT = 500;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

type Query = Record<string, string | string[] | undefined>;

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** `_count` and `_getpagesoffset`, bounded; undefined when either is not a whole number. */
function paging(query: Query): { count: number; offset: number } | undefined {
  const count = first(query['_count']) ?? String(DEFAULT_COUNT);
  const offset = first(query['_getpagesoffset']) ?? '0';
  if (!/^\d{1,6}$/.test(count) || !/^\d{1,6}$/.test(offset)) return undefined;
  return { count: Math.min(Math.max(Number(count), 1), MAX_COUNT), offset: Number(offset) };
}

/** A Bundle of one page of `entries`, with self and next links that keep the other parameters. */
function page(
  request: FastifyRequest,
  type: 'searchset' | 'history',
  path: string,
  kept: Record<string, string>,
  entries: unknown[],
  { count, offset }: { count: number; offset: number },
): Record<string, unknown> {
  const url = (at: number): string =>
    `${fhirBase(request)}/${path}?${new URLSearchParams({ ...kept, _count: String(count), _getpagesoffset: String(at) }).toString()}`;
  const link = [{ relation: 'self', url: url(offset) }];
  if (offset + count < entries.length) link.push({ relation: 'next', url: url(offset + count) });
  return {
    resourceType: 'Bundle',
    type,
    total: entries.length,
    link,
    entry: entries.slice(offset, offset + count),
  };
}

export function registerSearchRoutes(app: FastifyInstance, ctx: IgContext): void {
  app.get<{ Querystring: Query }>(`${FHIR_PATH}/Provenance`, (request, reply) => {
    const token = requireToken(ctx, request, reply);
    if (!token) return reply;
    if (!tokenCovers(token, 'Provenance'))
      return sendOutcome(reply, 403, 'forbidden', "the access token's scopes do not cover Provenance");
    const paged = paging(request.query);
    if (!paged) return sendOutcome(reply, 400, 'invalid', '_count and _getpagesoffset are whole numbers');
    const now = ctx.clock.nowMs();
    const base = fhirBase(request);
    const available = ctx.data.resources.filter(
      (r) =>
        r.type === 'Provenance' && r.lastUpdatedMs <= now && (r.deletedMs === undefined || r.deletedMs > now),
    );
    const entries = available.map((r) => ({
      fullUrl: `${base}/Provenance/${r.id}`,
      resource: r.resource,
      search: { mode: 'match' },
    }));
    return sendFhir(reply, 200, page(request, 'searchset', 'Provenance', {}, entries, paged));
  });

  app.get<{ Querystring: Query }>(`${FHIR_PATH}/_history`, (request, reply) => {
    const token = requireToken(ctx, request, reply);
    if (!token) return reply;
    const paged = paging(request.query);
    if (!paged) return sendOutcome(reply, 400, 'invalid', '_count and _getpagesoffset are whole numbers');
    const sinceText = first(request.query['_since']);
    if (sinceText !== undefined && (!INSTANT.test(sinceText) || Number.isNaN(Date.parse(sinceText))))
      return sendOutcome(reply, 400, 'invalid', '_since must be a FHIR instant');
    const sinceMs = sinceText === undefined ? -Infinity : Date.parse(sinceText);
    const now = ctx.clock.nowMs();
    const base = fhirBase(request);
    const inWindow = (ms: number | undefined): ms is number => ms !== undefined && ms > sinceMs && ms <= now;
    const events: { at: number; entry: unknown }[] = [];
    const key = (r: StoredResource) => `${r.type}/${r.id}`;
    for (const r of ctx.data.resources) {
      if (!tokenCovers(token, r.type)) continue;
      if (inWindow(r.lastUpdatedMs))
        events.push({
          at: r.lastUpdatedMs,
          entry: {
            fullUrl: `${base}/${key(r)}`,
            resource: servedResource(ctx, r.resource, base),
            request: { method: 'PUT', url: key(r) },
            response: { status: '200 OK', lastModified: new Date(r.lastUpdatedMs).toISOString() },
          },
        });
      if (inWindow(r.deletedMs))
        events.push({
          at: r.deletedMs,
          entry: {
            fullUrl: `${base}/${key(r)}`,
            request: { method: 'DELETE', url: key(r) },
            response: { status: '410 Gone', lastModified: new Date(r.deletedMs).toISOString() },
          },
        });
    }
    // Newest first, as FHIR histories are sorted.
    const entries = events.sort((a, b) => b.at - a.at).map((e) => e.entry);
    const kept: Record<string, string> = sinceText === undefined ? {} : { _since: sinceText };
    return sendFhir(reply, 200, page(request, 'history', '_history', kept, entries, paged));
  });
}
