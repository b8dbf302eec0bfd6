/**
 * Export kick-off: `GET /api/vN/Patient/$export` and `GET /api/vN/Group/{id}/$export`, with the
 * real order of checks (behavior §0.2) and BCDA's 202 + Content-Location on success.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiVersion } from '../../core/vocabulary';
import type { MockAco } from '../acos';
import type { MockContext } from '../context';
import type { ExportResourceType } from '../data/types';
import { checkAcoAccess, requireAco } from '../guard';
import { isActive, jobState, type Job } from '../jobs';
import { sendOutcome } from '../outcome';
import {
  QueryParams,
  VERSION_TYPES,
  checkExportHeaders,
  checkUrlParams,
  needsPartialAdjudication,
} from '../params';
import { goSlice } from '../formats';
import { baseUrl, requestUrl } from '../urls';
import { faultOnlyRoute } from '../wrong-method';

export function registerExportRoutes(app: FastifyInstance, ctx: MockContext, version: ApiVersion): void {
  app.get(`/api/${version}/Patient/$export`, (request, reply) =>
    kickOff(ctx, version, undefined, request, reply),
  );
  app.get<{ Params: { groupId: string } }>(`/api/${version}/Group/:groupId/$export`, (request, reply) =>
    kickOff(ctx, version, request.params.groupId, request, reply),
  );
  // BCDA has no POST kick-off (behavior §0); the fault serves one as if it were a GET.
  const post = { method: 'POST', allow: 'GET', fault: 'export-accepts-post' } as const;
  faultOnlyRoute(app, ctx, { ...post, url: `/api/${version}/Patient/$export` }, (request, reply) =>
    kickOff(ctx, version, undefined, request, reply),
  );
  faultOnlyRoute(app, ctx, { ...post, url: `/api/${version}/Group/:groupId/$export` }, (request, reply) =>
    kickOff(ctx, version, (request.params as { groupId: string }).groupId, request, reply),
  );
}

/** Default types when `_type` is absent (behavior §2.2 getResourceTypes). */
export function defaultTypes(
  aco: MockAco,
  version: ApiVersion,
  omitPartiallyAdjudicated = false,
): ExportResourceType[] {
  const types: ExportResourceType[] = [];
  if (aco.adjudicated) types.push('Patient', 'ExplanationOfBenefit', 'Coverage');
  if (version === 'v2' && aco.partiallyAdjudicated && !omitPartiallyAdjudicated)
    types.push('Claim', 'ClaimResponse');
  return types;
}

/** Duration of a job on the mock clock: ~2 s for the 50-beneficiary ACO, growing with size. */
export function jobDurationMs(beneficiaries: number, jobSpeed: number): number {
  return (2000 * Math.sqrt(Math.max(beneficiaries, 50) / 50)) / jobSpeed;
}

async function kickOff(
  ctx: MockContext,
  version: ApiVersion,
  groupId: string | undefined,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply | undefined> {
  const plain = { plainText: ctx.faults.has('kickoff-error-not-operationoutcome') };
  const bad = (status: number, code: 'structure' | 'not-found', text: string): FastifyReply =>
    sendOutcome(reply, status, version, code, text, plain);

  // 1-4: token, denylist, ACO config, version access.
  const aco = await requireAco(ctx, request, reply);
  if (!aco || !checkAcoAccess(aco, version, reply)) return reply;

  // 6: URL parameters.
  const nowMs = ctx.clock.nowMs();
  const query = new QueryParams(request.url);
  const params = checkUrlParams(query, {
    version,
    nowMs,
    acceptBadSince: ctx.faults.has('kickoff-accepts-bad-since'),
    faults: ctx.faults,
  });
  const headerError = checkExportHeaders(request.headers, {
    skipAccept: ctx.faults.has('kickoff-accepts-missing-accept'),
    skipPrefer: ctx.faults.has('kickoff-accepts-missing-prefer'),
    anyAccept: ctx.faults.has('kickoff-accepts-wrong-accept'),
    anyPrefer: ctx.faults.has('kickoff-accepts-wrong-prefer'),
  });
  // Fault kickoff-headers-before-params swaps BCDA's order (parameters, then headers).
  if (headerError && ctx.faults.has('kickoff-headers-before-params'))
    return bad(400, 'structure', headerError.error);
  if ('error' in params) return bad(400, 'structure', params.error);

  // 7: Accept and Prefer.
  if (headerError) return bad(400, 'structure', headerError.error);

  // 8: duplicate in-flight job for a rate-limited ACO.
  const requestKey = digest(safeDecode(request.url));
  if (aco.rateLimited && !ctx.faults.has('ratelimit-disabled')) {
    let clash = false;
    for (const job of ctx.jobs.ofAco(aco.cmsId)) {
      if (!blocksNewJob(job, version, requestKey, params.types, nowMs)) continue;
      clash = true;
      break;
    }
    if (clash) {
      reply.code(429);
      if (!ctx.faults.has('ratelimit-no-retry-after'))
        reply.header('retry-after', String(ctx.retryAfterSeconds));
      return reply.send();
    }
  }

  // 9: handler checks: group id, SharedSystem eligibility, _type, attribution.
  const runout = groupId === 'runout';
  if (groupId !== undefined && groupId !== 'all' && !runout && !ctx.faults.has('kickoff-accepts-bad-group')) {
    return bad(400, 'structure', 'Invalid group ID');
  }
  let types: ExportResourceType[];
  if (params.types && !ctx.faults.has('content-ignores-type')) {
    const supported = VERSION_TYPES[version];
    const acceptAny = ctx.faults.has('kickoff-accepts-unknown-type');
    types = [];
    const rejectAll = ctx.faults.has('kickoff-rejects-valid-type');
    for (const t of params.types) {
      if (rejectAll)
        return bad(400, 'structure', `invalid resource type ${t}. Supported types ${goSlice(supported)}`);
      if (!supported.includes(t)) {
        if (acceptAny) continue;
        return bad(400, 'structure', `invalid resource type ${t}. Supported types ${goSlice(supported)}`);
      }
      const entitled = needsPartialAdjudication(t) ? aco.partiallyAdjudicated : aco.adjudicated;
      if (!entitled && !acceptAny) return bad(400, 'structure', `unauthorized resource type ${t}`);
      types.push(t as ExportResourceType);
    }
  } else {
    types = defaultTypes(aco, version, ctx.faults.has('partially-adjudicated-omitted'));
    if (ctx.faults.has('export-default-omits-coverage')) types = types.filter((t) => t !== 'Coverage');
  }
  const attributionError = attributionProblem(ctx, aco, runout);
  if (attributionError) return bad(404, 'not-found', attributionError);

  const createdAtMs = nowMs;
  const job = ctx.jobs.create({
    cmsId: aco.cmsId,
    version,
    requestUrl: requestUrl(request),
    requestKey,
    ...(params.typeParam !== undefined ? { typeParam: params.typeParam } : {}),
    createdAtMs,
    durationMs: jobDurationMs(aco.beneficiaries, ctx.jobSpeed),
    willFail: version === 'v1' && types.includes('Observation'),
    spec: {
      aco: {
        cmsId: aco.cmsId,
        beneficiaries: aco.beneficiaries,
        adjudicated: aco.adjudicated,
        partiallyAdjudicated: aco.partiallyAdjudicated,
      },
      version,
      types,
      ...(params.since && !ctx.faults.has('content-ignores-since') ? { since: params.since } : {}),
      runout,
      transactionTime: new Date(createdAtMs),
      seed: ctx.seed,
      mutations: ctx.faults.mutations(),
    },
  });

  const statusPath = `/api/${version}/jobs/${job.id}`;
  reply.code(ctx.faults.has('kickoff-200-instead-of-202') ? 200 : 202);
  if (!ctx.faults.has('kickoff-no-content-location')) {
    const relative = ctx.faults.has('kickoff-relative-content-location');
    reply.header('content-location', relative ? statusPath : `${baseUrl(request)}${statusPath}`);
  }
  return reply.send();
}

/** A short stand-in for a request's path and query, which a client can make 16 KiB long. */
function digest(pathQuery: string): string {
  return createHash('sha256').update(pathQuery, 'utf8').digest('base64');
}

function safeDecode(url: string): string {
  try {
    return decodeURIComponent(url);
  } catch {
    return url;
  }
}

/** The duplicate-job rule of behavior §4 for one of the ACO's jobs (same version, in flight, created < 24 h ago, overlapping). */
function blocksNewJob(
  job: Job,
  version: ApiVersion,
  requestKey: string,
  newTypes: string[] | undefined,
  nowMs: number,
): boolean {
  if (job.version !== version) return false;
  if (nowMs - job.createdAtMs >= 24 * 3600 * 1000) return false;
  if (!isActive(jobState(job, nowMs).status)) return false;
  if (job.requestKey === requestKey) return true;
  if (newTypes === undefined || job.typeParam === undefined) return true;
  // Quirk of the real check, kept: the old job's raw `_type` is compared as one string.
  return newTypes.includes(job.typeParam);
}

function attributionProblem(ctx: MockContext, aco: MockAco, runout: boolean): string | undefined {
  if (runout) {
    return aco.runout
      ? undefined
      : 'runout data is no longer available. Runout data expires 180 days after ingestion';
  }
  if (aco.attribution === 'missing') return 'failed to start job; attribution file not found';
  if (aco.attribution === 'outdated' && !ctx.faults.has('attribution-outdated-accepted')) {
    return (
      'unable to perform export operations for this Group. No up-to-date attribution information is available ' +
      `for ACOID '${aco.cmsId}'. Usually this is due to awaiting new attribution information at the beginning of a Performance Year`
    );
  }
  return undefined;
}
