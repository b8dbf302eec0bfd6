/** `GET /api/vN/attribution_status` (behavior §2.6, seed 001 "Request attribution status"). */
import type { FastifyInstance } from 'fastify';
import type { ApiVersion } from '../../core/vocabulary';
import type { MockAco } from '../acos';
import type { MockContext } from '../context';
import { postgresTimestamp, rfc3339Nano } from '../formats';
import { requireAco } from '../guard';
import { sendBody, sendOutcome } from '../outcome';

export function registerAttributionRoute(app: FastifyInstance, ctx: MockContext, version: ApiVersion): void {
  app.get(`/api/${version}/attribution_status`, async (request, reply) => {
    const aco = await requireAco(ctx, request, reply);
    if (!aco) return reply;
    // Fault attribution-refuses-json-accept: the export endpoints' Accept rule applied here too.
    if (
      ctx.faults.has('attribution-refuses-json-accept') &&
      request.headers.accept !== 'application/fhir+json'
    )
      return sendOutcome(
        reply,
        400,
        version,
        'structure',
        'Accept header is required and must be application/fhir+json',
      );
    // The documents show the database's text form; the real server encodes a Go time (RFC 3339).
    const format = ctx.quirks ? rfc3339Nano : postgresTimestamp;
    // Fault attribution-status-any-aco: the query has no organization clause and answers the latest
    // ingestion of each type across every organization.
    const dates = ctx.faults.has('attribution-status-any-aco')
      ? latestOfAll([...ctx.acos.values()], ctx.clock.now(), format)
      : ingestionDates(aco, ctx.clock.now(), format);
    if (dates.length === 0 && !ctx.faults.has('attribution-missing-200'))
      return sendOutcome(reply, 404, version, 'not-found');
    if (ctx.faults.has('attribution-bad-timestamp')) for (const d of dates) d.timestamp = 'last month';
    // Fault attribution-timestamp-no-zone: the database's local text form, its zone left off.
    if (ctx.faults.has('attribution-timestamp-no-zone'))
      for (const d of dates) d.timestamp = d.timestamp.replace(/(Z|[+-]\d\d(:?\d\d)?)$/, '');
    if (ctx.faults.has('attribution-status-no-runout'))
      dates.splice(0, dates.length, ...dates.filter((d) => d.type !== 'last_runout_update'));
    // Fault attribution-status-request-time: the last update is read from the clock, not the ingestion.
    if (ctx.faults.has('attribution-status-request-time'))
      for (const d of dates)
        if (d.type === 'last_attribution_update')
          d.timestamp = (ctx.quirks ? rfc3339Nano : postgresTimestamp)(ctx.clock.now());
    // Fault attribution-types-camel-case: the entry types as a JSON encoder's camelCase names them.
    if (ctx.faults.has('attribution-types-camel-case'))
      for (const d of dates) d.type = d.type.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
    const body = ctx.faults.has('attribution-wrong-shape') ? { dates } : { ingestion_dates: dates };
    // Go's JSON encoder ends the body with a newline.
    return sendBody(reply, 200, 'application/json', `${JSON.stringify(body)}\n`);
  });
}

/** The newest ingestion date of each type over `acos` (fault attribution-status-any-aco). */
function latestOfAll(
  acos: MockAco[],
  now: Date,
  format: (at: Date) => string,
): Array<{ timestamp: string; type: string }> {
  const newest = new Map<string, number>();
  for (const aco of acos)
    for (const d of ingestionDates(aco, now, (at) => at.toISOString()))
      newest.set(d.type, Math.max(newest.get(d.type) ?? 0, Date.parse(d.timestamp)));
  return [...newest].map(([type, ms]) => ({ type, timestamp: format(new Date(ms)) }));
}

/**
 * Attribution files arrive monthly (first of the month); a current one is from this year, an
 * outdated one from last year. Runout files are from 15 January of this year.
 */
export function ingestionDates(
  aco: MockAco,
  now: Date,
  format: (at: Date) => string,
): Array<{ timestamp: string; type: string }> {
  const year = now.getUTCFullYear();
  const dates: Array<{ timestamp: string; type: string }> = [];
  if (aco.attribution !== 'missing') {
    const at =
      aco.attribution === 'current'
        ? new Date(Date.UTC(year, now.getUTCMonth(), 1, 2, 0, 0))
        : new Date(Date.UTC(year - 1, 5, 1, 2));
    dates.push({ timestamp: format(at), type: 'last_attribution_update' });
  }
  if (aco.runout)
    dates.push({
      timestamp: format(new Date(Date.UTC(year, 0, 15, 2, 0, 0))),
      type: 'last_runout_update',
    });
  return dates;
}
