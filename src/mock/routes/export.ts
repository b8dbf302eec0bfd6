/**
 * Export kick-off: `GET /api/vN/Patient/$export` and `GET /api/vN/Group/{id}/$export`, with the
 * real order of checks (behavior §0.2) and BCDA's 202 + Content-Location on success.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { ApiVersion } from '../../core/vocabulary';
import type { MockAco } from '../acos';
import type { MockContext } from '../context';
import { attributionMonthAt, firstAttributionMonth, latestAttributionMonth } from '../data/attribution';
import type { DataFault } from '../data/export-faults';
import type { ContentMutation, ExportResourceType, ExportSpec } from '../data/types';
import { checkAcoAccess, requireAco } from '../guard';
import type { FaultName } from '../faults';
import { isActive, jobState, type Job } from '../jobs';
import { sendBody, sendOutcome, sendText } from '../outcome';
import {
  QueryParams,
  VERSION_TYPES,
  checkExportHeaders,
  checkUrlParams,
  instantShaped,
  needsPartialAdjudication,
  parseInstant,
} from '../params';
import { goSlice, httpDate } from '../formats';
import { baseUrl, requestUrl } from '../urls';
import { faultOnlyRoute } from '../wrong-method';
import { sendPastedOutcome, sinceCrashes, typeCrashes } from '../fuzz-faults';

export function registerExportRoutes(app: FastifyInstance, ctx: MockContext, version: ApiVersion): void {
  app.get(`/api/${version}/Patient/$export`, (request, reply) =>
    kickOff(ctx, version, undefined, request, reply),
  );
  app.get<{ Params: { groupId: string } }>(`/api/${version}/Group/:groupId/$export`, (request, reply) =>
    kickOff(ctx, version, request.params.groupId, request, reply),
  );
  registerPerPatientRoutes(app, ctx, version);
  // BCDA has no POST kick-off (behavior §0); the fault serves one as if it were a GET.
  const post = {
    method: 'POST',
    allow: 'GET',
    fault: 'export-accepts-post',
    noAllowFault: 'export-post-405-no-allow',
  } as const;
  faultOnlyRoute(app, ctx, { ...post, url: `/api/${version}/Patient/$export` }, (request, reply) =>
    kickOff(ctx, version, undefined, request, reply),
  );
  faultOnlyRoute(app, ctx, { ...post, url: `/api/${version}/Group/:groupId/$export` }, (request, reply) =>
    kickOff(ctx, version, (request.params as { groupId: string }).groupId, request, reply),
  );
}

const ALL_METHODS: HTTPMethods[] = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];

/**
 * BCDA serves no single patient's data (seed 000 §Endpoints): Patient/<id>/$export and Patient/<id>
 * are unknown paths (404 page not found, every method). Fault per-patient-requests-served answers a
 * GET of the first as a Patient kick-off and of the second with the Patient.
 */
function registerPerPatientRoutes(app: FastifyInstance, ctx: MockContext, version: ApiVersion): void {
  const served = (request: FastifyRequest): boolean =>
    request.method === 'GET' && ctx.faults.has('per-patient-requests-served');
  // Registered for every method as fault-only, so the app's 405 table leaves these paths unknown.
  const route = (url: string, handler: (request: FastifyRequest, reply: FastifyReply) => unknown): void => {
    app.route({
      method: ALL_METHODS,
      url,
      config: { faultOnly: true },
      handler: (request, reply) =>
        served(request) ? handler(request, reply) : sendText(reply, 404, '404 page not found'),
    });
  };
  route(`/api/${version}/Patient/:patientId/$export`, (request, reply) =>
    kickOff(ctx, version, undefined, request, reply),
  );
  route(`/api/${version}/Patient/:patientId`, async (request, reply) => {
    const aco = await requireAco(ctx, request, reply);
    if (!aco) return reply;
    const { patientId } = request.params as { patientId: string };
    return sendBody(
      reply,
      200,
      'application/fhir+json',
      JSON.stringify({ resourceType: 'Patient', id: patientId }),
    );
  });
}

/**
 * Fault kickoff-type-order-sensitive: a _type list is matched against the combinations the
 * documents write, in their order (ExplanationOfBenefit, Patient, Coverage, then Claim, ClaimResponse).
 */
function inDocumentedOrder(types: readonly string[]): boolean {
  const order = ['ExplanationOfBenefit', 'Patient', 'Coverage', 'Claim', 'ClaimResponse'];
  const ranks = types.map((t) => order.indexOf(t));
  return ranks.every((r, i) => i === 0 || r > ranks[i - 1]!);
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
    sendPastedOutcome(ctx.faults, reply, status, code, text) ??
    sendOutcome(reply, status, version, code, text, plain);

  // 1-4: token, denylist, ACO config, version access.
  const aco = await requireAco(ctx, request, reply);
  if (!aco || !checkAcoAccess(aco, version, reply)) return reply;

  // 6: URL parameters.
  const nowMs = ctx.clock.nowMs();
  const query = new QueryParams(request.url, ctx.faults.has('kickoff-question-mark-stripped'));
  const params = checkUrlParams(query, {
    version,
    nowMs,
    acceptBadSince:
      ctx.faults.has('kickoff-accepts-bad-since') ||
      // Fault kickoff-group-since-unvalidated: only the Patient route checks _since's format.
      (groupId !== undefined && ctx.faults.has('kickoff-group-since-unvalidated')),
    faults: ctx.faults,
    // The IG reads a repeated parameter as one comma-separated list; BCDA reads its first value.
    joinRepeated: !ctx.quirks,
  });
  const headerError = checkExportHeaders(request.headers, {
    skipAccept: ctx.faults.has('kickoff-accepts-missing-accept'),
    skipPrefer:
      ctx.faults.has('kickoff-accepts-missing-prefer') ||
      (groupId !== undefined && ctx.faults.has('kickoff-group-prefer-unchecked')),
    anyAccept: ctx.faults.has('kickoff-accepts-wrong-accept'),
    anyPrefer: ctx.faults.has('kickoff-accepts-wrong-prefer'),
    wildcardAccept: ctx.faults.has('kickoff-accepts-wildcard-accept'),
  });
  // Fault kickoff-headers-before-params swaps BCDA's order (parameters, then headers).
  if (headerError && ctx.faults.has('kickoff-headers-before-params'))
    return bad(400, 'structure', headerError.error);
  // Fault fuzz-echo-html: an _outputFormat refusal as an HTML page quoting the value as sent.
  const format = query.value('_outputFormat', false);
  if ('error' in params && format !== undefined && ctx.faults.has('fuzz-echo-html'))
    return sendBody(
      reply,
      400,
      'text/html',
      `<html><body><h1>400 Bad Request</h1><p>Unsupported _outputFormat: ${format}</p></body></html>`,
    );
  const sinceText = query.value('_since', false);
  const sinceForm =
    sinceText === undefined
      ? undefined
      : { shaped: instantShaped(sinceText), real: parseInstant(sinceText) !== undefined };
  if (sinceCrashes(ctx.faults, sinceForm)) return sendText(reply, 500, 'Internal Server Error');
  // Fault kickoff-elements-refused-plain-text: the right status, the message as bare text.
  if ('error' in params && query.has('_elements') && ctx.faults.has('kickoff-elements-refused-plain-text'))
    return sendText(reply, 400, params.error);
  if ('error' in params) return bad(400, 'structure', params.error);
  // Fault kickoff-group-rejects-since: _since is read on /Patient only; a Group kick-off naming it fails.
  if (groupId !== undefined && params.since && ctx.faults.has('kickoff-group-rejects-since'))
    return bad(
      400,
      'structure',
      'Invalid date format supplied in _since parameter.  Date must be in FHIR Instant format.',
    );

  // 7: Accept and Prefer.
  if (headerError) return bad(400, 'structure', headerError.error);

  // 8: duplicate in-flight job for a rate-limited ACO.
  const requestKey = digest(safeDecode(request.url));
  if (aco.rateLimited && !ctx.faults.has('ratelimit-disabled')) {
    let clash = false;
    for (const job of ctx.jobs.ofAco(aco.cmsId)) {
      const pendingOnly = ctx.faults.has('ratelimit-pending-only');
      const sameUrlOnly = ctx.faults.has('ratelimit-same-url-only');
      if (!blocksNewJob(job, version, requestKey, params.types, nowMs, pendingOnly, sameUrlOnly)) continue;
      clash = true;
      break;
    }
    if (clash) {
      // Fault ratelimit-duplicate-409: the duplicate is a conflict, not too many requests (bulkdata@118).
      if (ctx.faults.has('ratelimit-duplicate-409')) {
        if (!ctx.faults.has('ratelimit-no-retry-after')) reply.header('retry-after', retryAfterValue(ctx));
        return sendOutcome(
          reply,
          409,
          version,
          'conflict',
          'an export job for this request is already running',
        );
      }
      reply.code(429);
      if (!ctx.faults.has('ratelimit-no-retry-after')) reply.header('retry-after', retryAfterValue(ctx));
      return reply.send();
    }
  }

  // 9: handler checks: group id, SharedSystem eligibility, _type, attribution.
  groupId = prefixMatchedGroup(ctx, groupId);
  const runout = groupId === 'runout';
  // Fault kickoff-group-new-404: the retired Group/new route answers as a path that is gone.
  if (groupId === 'new' && ctx.faults.has('kickoff-group-new-404')) return bad(404, 'not-found', 'Not Found');
  if (groupId !== undefined && groupId !== 'all' && !runout && !ctx.faults.has('kickoff-accepts-bad-group')) {
    return bad(400, 'structure', 'Invalid group ID');
  }
  if (typeCrashes(ctx.faults, params.types)) return sendText(reply, 500, 'Internal Server Error');
  let types: ExportResourceType[];
  if (params.types && !ctx.faults.has('content-ignores-type')) {
    const supported = VERSION_TYPES[version];
    // Fault kickoff-group-rejects-type: _type is read on /Patient only; a Group kick-off naming it fails.
    if (groupId !== undefined && ctx.faults.has('kickoff-group-rejects-type'))
      return bad(
        400,
        'structure',
        `invalid resource type ${params.types[0] ?? ''}. Supported types ${goSlice([])}`,
      );
    // Fault kickoff-type-list-unsplit: _type is read as one value, so a comma-separated list is one unknown type.
    if (params.types.length > 1 && ctx.faults.has('kickoff-type-list-unsplit'))
      return bad(
        400,
        'structure',
        `invalid resource type ${params.types.join(',')}. Supported types ${goSlice(supported)}`,
      );
    const acceptAny = ctx.faults.has('kickoff-accepts-unknown-type');
    types = [];
    const rejectAll =
      ctx.faults.has('kickoff-rejects-valid-type') ||
      (ctx.faults.has('kickoff-type-order-sensitive') && !inDocumentedOrder(params.types));
    for (const t of params.types) {
      if (rejectAll)
        return bad(400, 'structure', `invalid resource type ${t}. Supported types ${goSlice(supported)}`);
      if (!supported.includes(t) && !claimsOnAnyVersion(ctx, aco, t)) {
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
    types = defaultTypeFaults(ctx, aco, version, runout, types);
    if (version !== 'v2' && claimsOnAnyVersion(ctx, aco, 'Claim'))
      types = [...types, 'Claim', 'ClaimResponse'];
    if (groupId === undefined && ctx.faults.has('patient-export-omits-patients'))
      types = types.filter((t) => t !== 'Patient');
    // Fault export-default-types-sticky: the organization's last _type stays in force without one.
    const typed = ctx.faults.has('export-default-types-sticky')
      ? [...ctx.jobs.ofAco(aco.cmsId)].filter((j) => j.typeParam !== undefined).at(-1)
      : undefined;
    if (typed) types = [...typed.spec.types];
  }
  if (params.types) types = typeFaults(ctx, aco, version, types);
  // Fault group-type-dropped: the Group path checks _type, then starts its job with the default types.
  if (params.types && groupId !== undefined && ctx.faults.has('group-type-dropped'))
    types = defaultTypes(aco, version, false);
  const attributionError = attributionProblem(ctx, aco, groupId);
  if (attributionError) return bad(404, 'not-found', attributionError);
  const found = attributionCohorts(ctx, groupId, params.since, nowMs);
  // Fault group-since-404-job-created: the attribution lookup fails after the job was inserted.
  const lateError =
    'error' in found && ctx.faults.has('group-since-404-job-created') ? found.error : undefined;
  if ('error' in found && !lateError) return bad(404, 'not-found', found.error);
  const cohorts = 'error' in found ? {} : found;

  const createdAtMs = nowMs;
  // Fault export-default-since-last-job: no _since means "since this organization's last job".
  const earlier = ctx.faults.has('export-default-since-last-job')
    ? [...ctx.jobs.ofAco(aco.cmsId)].map((j) => j.createdAtMs)
    : [];
  const previousKickoffMs = earlier.length ? Math.max(...earlier) : undefined;
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
        ...lastEnrolleeDropped(ctx, groupId, whoseEnrollees(ctx, aco)),
        adjudicated: aco.adjudicated,
        // Fault default-export-adds-claims serves Claim data to an organization without any.
        partiallyAdjudicated:
          aco.partiallyAdjudicated ||
          (ctx.faults.has('default-export-adds-claims') && types.includes('Claim')),
      },
      version,
      types,
      ...(cohorts.since ? { since: cohorts.since } : {}),
      ...(!cohorts.since && !runout && ctx.faults.has('export-without-since-recent-only')
        ? { since: new Date(nowMs - YEAR_MS) }
        : {}),
      ...(!cohorts.since && previousKickoffMs !== undefined ? { since: new Date(previousKickoffMs) } : {}),
      ...(cohorts.newEnrollees ? { newEnrollees: cohorts.newEnrollees } : {}),
      ...claimsLeak(ctx, aco),
      runout,
      transactionTime: new Date(createdAtMs),
      seed: ctx.seed,
      mutations: [
        ...ctx.faults.mutations(),
        ...runoutMutations(ctx, runout),
        ...(groupId === undefined && ctx.faults.has('patient-includes-runout-enrollees')
          ? (['with-runout-enrollees'] as const)
          : []),
      ],
      dataFaults: dataFaults(ctx),
    },
  });

  if (lateError) return bad(404, 'not-found', lateError);
  // Fault kickoff-v1-status-url-v2: the v1 kick-off hands out the v2 status URL of its job.
  // Fault kickoff-content-location-v1-path: the status URL names v1 whatever version was asked.
  const statusVersion =
    version === 'v1' && ctx.faults.has('kickoff-v1-status-url-v2')
      ? 'v2'
      : ctx.faults.has('kickoff-content-location-v1-path')
        ? 'v1'
        : version;
  // Fault kickoff-content-location-next-id: the id read back is the sequence's next one, not the job's.
  const statusId = ctx.faults.has('kickoff-content-location-next-id') ? job.id + 1 : job.id;
  const statusPath = `/api/${statusVersion}/jobs/${statusId}`;
  // Fault kickoff-runout-201-created: the runout route, written on its own, says the job was created.
  const acceptedStatus = runout && ctx.faults.has('kickoff-runout-201-created') ? 201 : 202;
  reply.code(ctx.faults.has('kickoff-200-instead-of-202') ? 200 : acceptedStatus);
  // Fault kickoff-since-no-content-location: the _since branch answers without the header.
  const sinceDropsLocation =
    params.since !== undefined && ctx.faults.has('kickoff-since-no-content-location');
  if (!ctx.faults.has('kickoff-no-content-location') && !sinceDropsLocation) {
    const relative = ctx.faults.has('kickoff-relative-content-location');
    // Fault kickoff-content-location-internal-host: the host and port the application listens on.
    const base = ctx.faults.has('kickoff-content-location-internal-host')
      ? 'http://localhost:3000'
      : baseUrl(request);
    reply.header('content-location', relative ? statusPath : `${base}${statusPath}`);
  }
  return reply.send();
}

/**
 * Fault claims-served-every-version: Claim and ClaimResponse go to an entitled organization on
 * whichever version it asks, as if only the entitlement were checked.
 */
function claimsOnAnyVersion(ctx: MockContext, aco: MockAco, type: string): boolean {
  return (
    ctx.faults.has('claims-served-every-version') &&
    aco.partiallyAdjudicated &&
    needsPartialAdjudication(type)
  );
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
  /** Fault ratelimit-pending-only: a job In Progress no longer counts as in flight. */
  pendingOnly = false,
  /** Fault ratelimit-same-url-only: only a byte-identical request is a duplicate. */
  sameUrlOnly = false,
): boolean {
  if (job.version !== version) return false;
  if (nowMs - job.createdAtMs >= 24 * 3600 * 1000) return false;
  const status = jobState(job, nowMs).status;
  if (pendingOnly ? status !== 'Pending' : !isActive(status)) return false;
  if (job.requestKey === requestKey) return true;
  if (sameUrlOnly) return false;
  if (newTypes === undefined || job.typeParam === undefined) return true;
  // Quirk of the real check, kept: the old job's raw `_type` is compared as one string.
  return newTypes.includes(job.typeParam);
}

function attributionProblem(ctx: MockContext, aco: MockAco, groupId: string | undefined): string | undefined {
  const outdated =
    aco.attribution === 'outdated' &&
    !ctx.faults.has('attribution-outdated-accepted') &&
    // Fault attribution-outdated-patient-accepted: only the Group/all handler checks it.
    !(groupId === undefined && ctx.faults.has('attribution-outdated-patient-accepted'));
  if (groupId === 'runout') {
    // Fault attribution-outdated-runout-refused: the current-year check also guards runout.
    if (aco.attribution === 'outdated' && ctx.faults.has('attribution-outdated-runout-refused'))
      return outdatedMessage(aco);
    return aco.runout
      ? undefined
      : 'runout data is no longer available. Runout data expires 180 days after ingestion';
  }
  if (aco.attribution === 'missing') return 'failed to start job; attribution file not found';
  return outdated ? outdatedMessage(aco) : undefined;
}

function outdatedMessage(aco: MockAco): string {
  return (
    'unable to perform export operations for this Group. No up-to-date attribution information is available ' +
    `for ACOID '${aco.cmsId}'. Usually this is due to awaiting new attribution information at the beginning of a Performance Year`
  );
}

/**
 * What `_since` does to whom (seed 000 §/Group, §/Patient): on Group/all, enrollees first attributed
 * after the attribution file in effect at `_since` are new and get their whole history; on
 * /Patient, `_since` applies to everyone. With no attribution file older than `_since`, Group/all
 * answers 404 (behavior §2.2).
 */
function attributionCohorts(
  ctx: MockContext,
  groupId: string | undefined,
  given: Date | undefined,
  nowMs: number,
): { since?: Date; newEnrollees?: ExportSpec['newEnrollees'] } | { error: string } {
  const has = (name: FaultName): boolean => ctx.faults.has(name);
  const since = given && !has('content-ignores-since') ? given : undefined;
  // Anyone attributed since the first file counts as new when no file is older than _since.
  const everyone = firstAttributionMonth(nowMs) - 1;
  if (groupId === 'all' && given) {
    const month = attributionMonthAt(given.getTime(), nowMs);
    if (month === undefined && !has('group-since-no-404-before-attribution'))
      return { error: 'failed to start job; attribution file not found for given _since parameter.' };
    if (!since || has('group-since-ignored-for-existing')) return {};
    const omit = has('group-since-drops-new-enrollees') ? { omit: true } : {};
    // Fault group-since-existing-day-precision: the existing enrollees' filter starts at midnight UTC.
    const applied = has('group-since-existing-day-precision')
      ? new Date(since.getTime() - (since.getTime() % 86_400_000))
      : since;
    return { since: applied, newEnrollees: { afterMonth: month ?? everyone, ...omit } };
  }
  if (groupId !== undefined) return since ? { since } : {};
  if (has('patient-omits-new-enrollees')) {
    const lastYear = { afterMonth: latestAttributionMonth(nowMs) - 12, omit: true };
    return since ? { since, newEnrollees: lastYear } : { newEnrollees: lastYear };
  }
  if (since && has('patient-since-drops-new-enrollees'))
    return {
      since,
      newEnrollees: { afterMonth: attributionMonthAt(since.getTime(), nowMs) ?? everyone, omit: true },
    };
  if (since && has('patient-since-new-enrollees-unfiltered'))
    return { since, newEnrollees: { afterMonth: attributionMonthAt(since.getTime(), nowMs) ?? everyone } };
  return since ? { since } : {};
}

/**
 * Fault kickoff-group-prefix-match: a group id that starts with `all` or `runout` is read as that
 * group (as a prefix comparison would); any other id is left as it is.
 */
function prefixMatchedGroup(ctx: MockContext, groupId: string | undefined): string | undefined {
  if (groupId === undefined || !ctx.faults.has('kickoff-group-prefix-match')) return groupId;
  return groupId.startsWith('runout') ? 'runout' : groupId.startsWith('all') ? 'all' : groupId;
}

/** The faults about the default types (no `_type`) of one kind of export. */
function defaultTypeFaults(
  ctx: MockContext,
  aco: MockAco,
  version: ApiVersion,
  runout: boolean,
  types: ExportResourceType[],
): ExportResourceType[] {
  let out = types;
  if (runout && ctx.faults.has('runout-omits-coverage')) out = out.filter((t) => t !== 'Coverage');
  if (ctx.faults.has('partially-adjudicated-no-claimresponse'))
    out = out.filter((t) => t !== 'ClaimResponse');
  if (ctx.faults.has('default-export-adds-claims') && version === 'v2' && !aco.partiallyAdjudicated)
    out = [...out, 'Claim', 'ClaimResponse'];
  return out;
}

/** The _type faults: an extra type nobody asked for, or only the first of several. */
function typeFaults(
  ctx: MockContext,
  aco: MockAco,
  version: ApiVersion,
  types: ExportResourceType[],
): ExportResourceType[] {
  if (ctx.faults.has('type-filter-drops-requested-type')) return types.slice(0, 1);
  if (ctx.faults.has('type-filter-leaks-other-types')) {
    const extra = defaultTypes(aco, version).find((t) => !types.includes(t));
    return extra ? [...types, extra] : types;
  }
  return types;
}

const YEAR_MS = 365 * 86_400_000;

/** The ACO whose enrollees an export draws from: its own, or under a fault the sandbox ACO's for everyone. */
function whoseEnrollees(ctx: MockContext, aco: MockAco): { cmsId: string; beneficiaries: number } {
  const shared = ctx.faults.has('export-ignores-organization') ? ctx.acos.get(SHARED_ACO) : undefined;
  return shared
    ? { cmsId: shared.cmsId, beneficiaries: shared.beneficiaries }
    : { cmsId: aco.cmsId, beneficiaries: aco.beneficiaries };
}

/** Fault group-all-drops-last-enrollee: Group/all's list of enrollees stops one short (an off-by-one). */
function lastEnrolleeDropped(
  ctx: MockContext,
  groupId: string | undefined,
  enrollees: { cmsId: string; beneficiaries: number },
): { cmsId: string; beneficiaries: number } {
  return groupId === 'all' && ctx.faults.has('group-all-drops-last-enrollee') && enrollees.beneficiaries > 1
    ? { ...enrollees, beneficiaries: enrollees.beneficiaries - 1 }
    : enrollees;
}

/**
 * Fault export-claims-of-other-organization: the organization whose claims come along, A9990 (the
 * second test organization) for everyone else and A9994 for A9990.
 */
function claimsLeak(ctx: MockContext, aco: MockAco): Pick<ExportSpec, 'claimsLeakFrom'> {
  if (!ctx.faults.has('export-claims-of-other-organization')) return {};
  const other = ctx.acos.get(aco.cmsId === 'A9990' ? SHARED_ACO : 'A9990');
  return other ? { claimsLeakFrom: { cmsId: other.cmsId, beneficiaries: other.beneficiaries } } : {};
}

/** The ACO of the published sandbox credentials, whose enrollees fault export-ignores-organization gives everyone. */
const SHARED_ACO = 'A9994';

/** The faults about what an export holds as a whole, for the generator. */
function dataFaults(ctx: MockContext): DataFault[] {
  const table: Array<[FaultName, DataFault]> = [
    ['export-claims-before-2014', 'claims-before-2014'],
    ['export-duplicate-resource', 'duplicate-resource'],
    ['export-updated-after-transaction-time', 'updated-after-transaction-time'],
    ['export-snapshot-drops-resources', 'snapshot-drops-resources'],
    ['group-since-existing-claims-only', 'since-existing-claims-only'],
    ['group-since-new-claims-filtered', 'since-new-claims-filtered'],
    ['since-by-service-date', 'since-by-service-date'],
    ['since-skips-coverage', 'since-skips-coverage'],
    ['since-selects-beneficiaries', 'since-selects-beneficiaries'],
  ];
  return table.filter(([fault]) => ctx.faults.has(fault)).map(([, data]) => data);
}

/** The runout faults, which change whom and what Group/runout draws from. */
function runoutMutations(ctx: MockContext, runout: boolean): ContentMutation[] {
  if (!runout) return [];
  const out: ContentMutation[] = [];
  if (ctx.faults.has('runout-includes-current-enrollees')) out.push('runout-current-enrollees');
  if (ctx.faults.has('runout-includes-current-year')) out.push('service-in-current-year');
  if (ctx.faults.has('runout-claims-span-new-year')) out.push('service-spans-new-year');
  return out;
}

/**
 * The duplicate-job 429's Retry-After: delay-seconds, as the contract documents it; an HTTP-date
 * (a form RFC 9110 allows but BCDA's contract does not) under contract-retry-after-date.
 */
function retryAfterValue(ctx: MockContext): string {
  if (!ctx.faults.has('contract-retry-after-date')) return String(ctx.retryAfterSeconds);
  return httpDate(new Date(ctx.clock.nowMs() + ctx.retryAfterSeconds * 1000));
}
