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

function isZonedTimestamp(value: unknown): boolean {
  if (typeof value !== 'string' || !ZONED_TIMESTAMP.test(value)) return false;
  const iso = value.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00');
  return !Number.isNaN(Date.parse(iso));
}

export const attributionChecks: CheckDefinition[] = [
  {
    id: 'ATTRIBUTION-STATUS',
    title: 'attribution_status lists the last attribution update',
    description:
      'GET /attribution_status answers 200 application/json with ingestion_dates: entries of type last_attribution_update or last_runout_update, each with a timestamp that has a zone; a last_runout_update among them when the organization has a runout file (a Group/runout kick-off, cancelled at once, answers 202: BCDA refuses it without one).',
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
