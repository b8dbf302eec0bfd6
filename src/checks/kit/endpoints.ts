/**
 * The endpoints the auth checks ask with one Authorization or another (behavior §0, §5): each
 * protected endpoint, the public ones, and a sweep that asks a list of them and collects problems.
 */
import { type CheckContext, skip, verdict } from '../context';
import type { HttpResponse } from '../../http/client';
import type { AuthMode } from '../../http/target';
import { manifestItems } from '../../flows/manifest';
import { versioned } from './operations';
import type { OperationId } from '../../core/operations';
import type { Area } from '../../core/vocabulary';
import type { FaultName } from '../../core/faults';
import { requireLevel } from './ig-capability';
import type { CheckOutcome } from '../types';

/** The endpoints that require a token; the auth ladder names its checks by them. */
export type ProtectedEndpointKey =
  | 'EXPORT-PATIENT'
  | 'EXPORT-GROUP'
  | 'JOB-STATUS'
  | 'JOB-CANCEL'
  | 'JOBS-LIST'
  | 'ATTRIBUTION'
  | 'DATA'
  | 'WELCOME';

/** One endpoint, and how to reach it with a given Authorization for the ladder and outage checks. */
export interface ProtectedEndpoint<Key extends string = string> {
  key: Key;
  name: string;
  area: Area;
  /** Spec operations it exercises (the versioned ones of the run's version are used). */
  operations: OperationId[];
  /** Its errors come from BCDA's v1 writer whatever the API version (behavior §2.7, §2.9). */
  v1Errors?: boolean;
  /** Every Bulk Data server has it (kick-off, status, cancel, files); the others are BCDA's own. */
  generic?: boolean;
  /** The generic mock's fault that lets this endpoint answer without a token. */
  genericNoTokenFault?: FaultName;
  send(ctx: CheckContext, auth: AuthMode, label: string): Promise<HttpResponse | string>;
}

const exportHeaders = { accept: 'application/fhir+json', prefer: 'respond-async' };

/**
 * A Patient job the auth checks start for themselves (one per run): the job status checks ask it
 * while it is young, the cancel checks try to cancel it, so no shared job is lost.
 */
function ownJob(ctx: CheckContext): ReturnType<CheckContext['kickoff']> {
  return ctx.once('auth:cancel-target-job', () =>
    ctx.kickoff({
      endpoint: 'patient',
      query: { _type: 'Patient' },
      label: 'kick-off of a job for the job status and cancel auth checks',
    }),
  );
}

export const ENDPOINTS: ProtectedEndpoint<ProtectedEndpointKey>[] = [
  {
    key: 'EXPORT-PATIENT',
    generic: true,
    genericNoTokenFault: 'ig-kickoff-accepts-no-token',
    name: 'Patient/$export',
    area: 'kickoff',
    operations: versioned('exportPatient'),
    async send(ctx, auth, label) {
      if (ctx.generic) await requireLevel(ctx, 'patient');
      return ctx.target.call(ctx.op('exportPatient'), { label, auth, headers: exportHeaders });
    },
  },
  {
    key: 'EXPORT-GROUP',
    generic: true,
    genericNoTokenFault: 'ig-kickoff-accepts-no-token',
    name: 'Group/$export',
    area: 'kickoff',
    operations: versioned('exportGroup'),
    async send(ctx, auth, label) {
      if (ctx.generic) await requireLevel(ctx, 'group');
      return ctx.target.call(ctx.op('exportGroup'), {
        label,
        auth,
        path: { groupId: ctx.group() },
        headers: exportHeaders,
      });
    },
  },
  {
    key: 'JOB-STATUS',
    generic: true,
    genericNoTokenFault: 'ig-status-accepts-no-token',
    name: 'jobs/{id} (GET)',
    area: 'status',
    operations: versioned('getJobStatus'),
    async send(ctx, auth, label) {
      const url = (await ctx.mainExport()).jobUrl;
      if (!url) return 'no job URL from the shared export';
      const ask = async (jobUrl: string, what: string): Promise<HttpResponse> =>
        ctx.target.http.send({
          method: 'GET',
          url: jobUrl,
          label: what,
          operationId: ctx.op('getJobStatus'),
          headers: { authorization: await ctx.target.authorization(auth) },
        });
      // A job just started too, most likely still running: a server that checks the token only
      // when it serves a finished job's manifest tells anyone how a running job is getting on.
      const fresh = await ownJob(ctx).then(
        (started) => started.jobUrl,
        () => undefined, // no job of its own on this target: the shared export's job alone is asked
      );
      if (fresh) {
        const running = await ask(fresh, `${label} (a job just started)`);
        if (running.status < 400) return running;
      }
      return ask(url, label);
    },
  },
  {
    key: 'JOB-CANCEL',
    generic: true,
    genericNoTokenFault: 'ig-status-accepts-no-token',
    name: 'jobs/{id} (DELETE)',
    area: 'cancel',
    operations: versioned('cancelJob'),
    async send(ctx, auth, label) {
      // A job of its own: if the target wrongly accepts the request, no shared job is lost.
      const started = await ownJob(ctx);
      if (!started.jobUrl) return `the kick-off for a job to cancel answered ${started.res.status}`;
      return ctx.target.http.send({
        method: 'DELETE',
        url: started.jobUrl,
        label,
        operationId: ctx.op('cancelJob'),
        headers: { authorization: await ctx.target.authorization(auth) },
      });
    },
  },
  {
    key: 'JOBS-LIST',
    name: 'jobs (GET)',
    area: 'jobs',
    operations: versioned('listJobs'),
    send: (ctx, auth, label) => ctx.target.call(ctx.op('listJobs'), { label, auth, headers: exportHeaders }),
  },
  {
    key: 'ATTRIBUTION',
    name: 'attribution_status',
    area: 'attribution',
    operations: versioned('getAttributionStatus'),
    send: (ctx, auth, label) =>
      ctx.target.call(ctx.op('getAttributionStatus'), {
        label,
        auth,
        headers: { accept: 'application/json' },
      }),
  },
  {
    key: 'DATA',
    generic: true,
    genericNoTokenFault: 'ig-download-no-token-required',
    name: 'data/{jobId}/{file}',
    area: 'download',
    operations: ['downloadFile'],
    v1Errors: true,
    async send(ctx, auth, label) {
      const run = await ctx.mainExport();
      const file = manifestItems(run.manifest?.output)[0];
      if (!file) return run.problem ?? 'the shared export has no output file';
      return ctx.target.http.send({
        method: 'GET',
        url: file.url,
        label,
        operationId: 'downloadFile',
        headers: { authorization: await ctx.target.authorization(auth) },
      });
    },
  },
  {
    key: 'WELCOME',
    name: 'auth/welcome',
    area: 'auth',
    operations: ['getWelcome'],
    v1Errors: true,
    send: (ctx, auth, label) => ctx.target.call('getWelcome', { label, auth }),
  },
];

/**
 * Public endpoints. BCDA parses a presented token even here: a bad one is refused although no
 * token is needed (behavior §0).
 */
export const PUBLIC_ENDPOINTS: ProtectedEndpoint[] = [
  {
    key: 'METADATA',
    name: 'metadata',
    area: 'metadata',
    operations: versioned('getMetadata'),
    send: (ctx, auth, label) => ctx.target.call(ctx.op('getMetadata'), { label, auth }),
  },
  ...(
    [
      ['VERSION', '_version', 'getVersion'],
      ['HEALTH', '_health', 'getHealth'],
      ['AUTH-INFO', '_auth', 'getAuthInfo'],
    ] as const
  ).map(([key, name, op]): ProtectedEndpoint => ({
    key,
    name,
    area: 'metadata',
    operations: [op],
    v1Errors: true,
    send: (ctx, auth, label) => ctx.target.call(op, { label, auth }),
  })),
];

export const ALL_ENDPOINTS = [...ENDPOINTS, ...PUBLIC_ENDPOINTS];
export const opsOf = (list: readonly ProtectedEndpoint[]) => [...new Set(list.flatMap((e) => e.operations))];

/** Sends to every endpoint with one Authorization header and judges each answer. */
export async function sweep(
  ctx: CheckContext,
  endpoints: readonly ProtectedEndpoint[],
  header: string,
  what: string,
  judge: (res: HttpResponse, endpoint: ProtectedEndpoint) => Array<string | undefined>,
): Promise<{ problems: string[]; evidence: string[]; reached: number }> {
  const problems: string[] = [];
  const evidence: string[] = [];
  let reached = 0;
  for (const endpoint of endpoints) {
    const res = await endpoint.send(ctx, { header }, `${endpoint.name} ${what}`);
    if (typeof res === 'string') continue; // nothing to ask this endpoint about (e.g. no job)
    reached += 1;
    evidence.push(res.exchange.id);
    const location = res.headers['content-location'];
    if (res.status === 202 && location) {
      // A kick-off the target should have refused started a job: do not leave it running.
      await ctx.target.http
        .send({
          method: 'DELETE',
          url: location,
          label: 'cancel a job the target should have refused',
          operationId: ctx.op('cancelJob'),
          headers: { authorization: header },
        })
        .catch(() => undefined);
    }
    for (const p of judge(res, endpoint)) if (p) problems.push(`${endpoint.name}: ${p}`);
  }
  return { problems, evidence, reached };
}

/** The outcome of asking every endpoint in turn: fails with all their problems together. */
export function endpointsVerdict(
  found: { problems: string[]; evidence: string[]; reached: number },
  ok: string,
): CheckOutcome {
  if (!found.reached) return skip('no endpoint could be asked');
  return verdict(found.problems.join('; ') || undefined, `${found.reached} endpoints: ${ok}`, found.evidence);
}
