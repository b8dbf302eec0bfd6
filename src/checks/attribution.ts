/**
 * Attribution status (seed 001 §Request attribution status, behavior §2.6): the last attribution
 * update, 404 for an organization with none, and no exports for one whose attribution is outdated.
 */
import { type CheckDefinition, fail, pass, skip, verdict } from './context';
import { errorAnswerProblems, joinProblems, mediaType, statusProblem } from './kit/expect';
import { versioned } from './kit/operations';

/**
 * A date and time with its zone, in the database's text form the documents show
 * (2020-12-22 22:31:40.397916+00) or RFC 3339 (what the real server sends): without a zone the
 * instant is unknown.
 */
const ZONED_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}(:?\d{2})?)$/;

/** The instant of a zoned timestamp in either form (NaN when it is none). */
function timestampMs(value: unknown): number {
  if (typeof value !== 'string' || !ZONED_TIMESTAMP.test(value)) return NaN;
  return Date.parse(value.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00'));
}

function isZonedTimestamp(value: unknown): boolean {
  return !Number.isNaN(timestampMs(value));
}

/** How close to an answer's own Date a timestamp must be to read as that answer's clock. */
const REQUEST_TIME_MS = 5_000;

type AttributionAnswer = {
  body?: Record<string, unknown> | null;
  headers: Record<string, string | undefined>;
};

/** The last_attribution_update of an answer and how far it lies from the answer's Date (ms). */
function lastAttribution(res: AttributionAnswer): { text: string; fromDateMs: number } | undefined {
  const dates = Array.isArray(res.body?.ingestion_dates)
    ? (res.body.ingestion_dates as Array<Record<string, unknown>>)
    : [];
  const text = dates.find((d) => d?.type === 'last_attribution_update')?.timestamp;
  const at = timestampMs(text);
  const date = Date.parse(res.headers['date'] ?? '');
  return typeof text === 'string' && !Number.isNaN(at) && !Number.isNaN(date)
    ? { text, fromDateMs: Math.abs(at - date) }
    : undefined;
}

/**
 * Whether two answers asked apart give each the time of its own request as the last attribution
 * update: a timestamp that follows the clock tells nothing about when attribution data was ingested.
 */
export function followsRequestTime(first: AttributionAnswer, second: AttributionAnswer): string | undefined {
  const [a, b] = [lastAttribution(first), lastAttribution(second)];
  if (!a || !b || a.text === b.text) return undefined;
  if (a.fromDateMs > REQUEST_TIME_MS || b.fromDateMs > REQUEST_TIME_MS) return undefined;
  return `last_attribution_update is the time of each request (${a.text}, then ${b.text}, each within ${REQUEST_TIME_MS / 1000} s of its answer's Date), not when attribution data was last ingested`;
}

export const attributionChecks: CheckDefinition[] = [
  {
    id: 'ATTRIBUTION-STATUS',
    title: 'attribution_status lists the last attribution update',
    description:
      "GET /attribution_status answers 200 application/json with ingestion_dates: entries of type last_attribution_update or last_runout_update, each with a timestamp that has a zone; a last_runout_update among them when the organization has a runout file (a Group/runout kick-off, cancelled at once, answers 202: BCDA refuses it without one). Asked again after the run's export, the last attribution update must not be the time of each request (a timestamp within seconds of each answer's Date, different each time): it is when data was ingested.",
    level: 'MUST',
    area: 'attribution',
    profiles: ['bcda'],
    refs: ['behavior §2.6'],
    operations: [...versioned('getAttributionStatus'), ...versioned('exportGroup')],
    faults: ['attribution-wrong-shape', 'attribution-bad-timestamp'],
    async run(ctx) {
      const res = await ctx.target.call(ctx.op('getAttributionStatus'), {
        label: 'attribution status',
        headers: { accept: 'application/json' },
      });
      if (res.status === 404)
        return skip('404: the organization has no attribution file (documented)', [res.exchange.id]);
      const body = res.json<Record<string, unknown>>();
      const dates = Array.isArray(body?.ingestion_dates)
        ? (body.ingestion_dates as Array<Record<string, unknown>>)
        : undefined;
      const problems = [
        statusProblem(res, 200),
        mediaType(res) === 'application/json'
          ? undefined
          : `Content-Type "${res.headers['content-type'] ?? '(none)'}", expected application/json`,
        dates ? undefined : 'no ingestion_dates array',
        ...(dates ?? []).map((d, i) =>
          d?.type === 'last_attribution_update' || d?.type === 'last_runout_update'
            ? isZonedTimestamp(d.timestamp)
              ? undefined
              : `ingestion_dates[${i}].timestamp ${JSON.stringify(d.timestamp)} is not a timestamp with a zone`
            : `ingestion_dates[${i}].type ${JSON.stringify(d?.type)}`,
        ),
        dates && !dates.some((d) => d?.type === 'last_attribution_update')
          ? 'no last_attribution_update entry'
          : undefined,
      ];
      const evidence = [res.exchange.id];
      // No runout date: right only if the organization has no runout file, which a runout kick-off shows.
      if (dates && !dates.some((d) => d?.type === 'last_runout_update')) {
        const runout = await ctx.kickoffAndCancel({
          endpoint: 'group',
          group: 'runout',
          label: 'runout kick-off: does the organization have a runout file?',
        });
        evidence.push(runout.res.exchange.id);
        if (runout.res.status === 202)
          problems.push(
            'no last_runout_update entry, though Group/runout starts an export (the organization has runout data)',
          );
      }
      // Asked again once the run's export is done: a last update does not move with the clock.
      if (dates) {
        await ctx.mainExport();
        const again = await ctx.target.call(ctx.op('getAttributionStatus'), {
          label: 'attribution status, asked again after the export',
          headers: { accept: 'application/json' },
        });
        evidence.push(again.exchange.id);
        if (again.status === 200)
          problems.push(
            followsRequestTime(
              { body, headers: res.headers },
              { body: again.json<Record<string, unknown>>(), headers: again.headers },
            ),
          );
      }
      const problem = joinProblems(problems);
      return verdict(problem, `${dates?.length} ingestion date(s)`, evidence);
    },
  },
  {
    id: 'ATTRIBUTION-NONE-404',
    title: 'an organization with no attribution data gets 404 from attribution_status',
    description:
      "When BCDA has never ingested an attribution or runout file for the organization, GET /attribution_status answers 404 (an OperationOutcome, code not-found). Needs such an ACO's credentials (--unattributed-client-id).",
    level: 'MUST',
    area: 'attribution',
    profiles: ['bcda'],
    refs: ['behavior §2.6'],
    operations: versioned('getAttributionStatus'),
    faults: ['attribution-missing-200'],
    async run(ctx) {
      const client = ctx.unattributedClient;
      if (!client)
        return skip(
          'no client without attribution configured (--unattributed-client-id / BCDA_UNATTRIBUTED_CLIENT_ID)',
        );
      const res = await client.call(ctx.op('getAttributionStatus'), {
        label: 'attribution status of an organization with no attribution data',
        headers: { accept: 'application/json' },
      });
      const problem = joinProblems(errorAnswerProblems(res, 404, { code: 'not-found' }));
      return verdict(problem, '404 with an OperationOutcome', [res.exchange.id]);
    },
  },
  {
    id: 'ATTRIBUTION-OUTDATED-EXPORT-404',
    title: 'an organization without up-to-date attribution cannot export, except runout',
    description:
      "For an ACO whose attribution is out of date (BCDA's smoke-test ACO TEST995), Patient and Group/all kick-offs answer 404 with an OperationOutcome saying no up-to-date attribution information is available; Group/runout still answers 202. Needs that ACO's credentials (--outdated-client-id). SHOULD: the real server's rule; the documents do not describe an ACO whose attribution is out of date.",
    level: 'SHOULD',
    area: 'attribution',
    profiles: ['bcda'],
    refs: ['behavior §2.2', 'behavior §7.1'],
    operations: [...versioned('exportPatient'), ...versioned('exportGroup')],
    faults: ['attribution-outdated-accepted'],
    async run(ctx) {
      const client = ctx.outdatedClient;
      if (!client)
        return skip(
          'no outdated-attribution client configured (--outdated-client-id / BCDA_OUTDATED_CLIENT_ID)',
        );
      const problems: string[] = [];
      const evidence: string[] = [];
      for (const [endpoint, group] of [
        ['patient', undefined],
        ['group', 'all'],
      ] as const) {
        const { res } = await ctx.kickoffAndCancel({
          endpoint,
          ...(group ? { group } : {}),
          client,
          label: `kick-off by the outdated-attribution client (${group ?? 'Patient'})`,
        });
        evidence.push(res.exchange.id);
        const where = group ? `Group/${group}` : 'Patient';
        problems.push(
          ...[
            ...errorAnswerProblems(res, 404, {
              code: 'not-found',
              diagnostics: /No up-to-date attribution information/,
            }),
          ]
            .filter((p): p is string => Boolean(p))
            .map((p) => `${where}: ${p}`),
        );
      }
      const runout = await ctx.kickoffAndCancel({
        endpoint: 'group',
        group: 'runout',
        client,
        label: 'runout kick-off by the outdated-attribution client',
      });
      evidence.push(runout.res.exchange.id);
      if (runout.res.status !== 202) problems.push(`Group/runout: ${runout.res.status}, expected 202`);
      return problems.length
        ? fail(problems.join('; '), evidence)
        : pass('404 for Patient and Group/all, 202 for runout', evidence);
    },
  },
];
