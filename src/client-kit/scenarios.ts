/**
 * Scenarios: what a client must survive, each a way of driving the mock (its clock, its job states,
 * its rate-limited ACO) while the client runs one export from token to download.
 */
import type { MockContext, MockOptions } from '../mock/context';
import type { MockCredential } from '../mock/credentials';
import type { Job, JobStatus } from '../mock/jobs';
import { BYPASS_HEADER, type ClientRequestRecord, type RequestRecorder } from '../mock/recording';
import type { MockServer } from '../mock';
import { DAY_MS } from '../mock/jobs';
import { isDownload, isKickoff, isStatusRequest, isTokenRequest } from './requests';
import { startSecondOrigin } from './second-origin';
import type { ExportEndpoint, ScenarioMeta } from './types';

/** What a scenario may reach while it runs. */
export interface StageControl {
  mock: MockServer;
  ctx: MockContext;
  recorder: RequestRecorder;
  credential: MockCredential;
  /** Marks a request as one the scenario answered in its special way. */
  staged(id: string): void;
  /** Something to undo once the client is done (a listener the scenario started). */
  onClose(cleanup: () => Promise<void>): void;
}

export interface Scenario extends Omit<ScenarioMeta, 'endpoint'> {
  /** The export the client is asked to start; default `Group/all`. */
  endpoint?: ExportEndpoint;
  /** How the scenario's mock differs from the default one (faults, job speed). */
  mock?: Pick<MockOptions, 'faults' | 'jobSpeed' | 'extraAcos'>;
  /** Prepares the mock before the client starts; returns what to do as each answer goes out. */
  arrange?(control: StageControl): Promise<((record: ClientRequestRecord) => void) | void>;
}

/** The token lifetime is 20 minutes; moving the clock this far makes any token issued so far expire. */
const PAST_TOKEN_LIFETIME_SECONDS = 21 * 60;

/** An arrange step: the first answer `when` matches moves the mock clock `seconds` on, once. */
function jumpClockAtFirst(
  when: (record: ClientRequestRecord) => boolean,
  seconds: number,
): NonNullable<Scenario['arrange']> {
  return async ({ ctx, staged }) => {
    let moved = false;
    return (record) => {
      if (moved || !when(record)) return;
      moved = true;
      ctx.clock.advance(seconds);
      staged(record.id);
    };
  };
}

const jobIdIn = (location: string | undefined): number | undefined => {
  const m = /\/jobs\/(\d+)$/.exec(location ?? '');
  return m ? Number(m[1]) : undefined;
};

/** Forces a job's state the way `POST /__mock/jobs/{id}/state` does (sticky). */
function forceJob(ctx: MockContext, id: number, status: JobStatus): void {
  const job = ctx.jobs.get(id);
  if (job) job.override = { status, atMs: ctx.clock.nowMs(), sticky: true };
}

/**
 * Every job answers its first status poll 202 (with Retry-After) however late the client polls,
 * then runs its course: a grading mock's jobs are short, and a client slowed by a loaded machine
 * would otherwise find its job done at once and never show how it polls. A job a scenario has
 * forced into a state of its own is left alone.
 */
export function holdJobsForTheirFirstPoll(ctx: MockContext): (record: ClientRequestRecord) => void {
  const holds = new Map<number, NonNullable<Job['override']>>();
  return (record) => {
    if (isKickoff(record) && record.status === 202) {
      const job = ctx.jobs.get(jobIdIn(record.responseHeaders?.['content-location']) ?? -1);
      if (!job || job.override) return;
      job.override = { status: 'In Progress', atMs: job.createdAtMs, sticky: true };
      holds.set(job.id, job.override);
    } else if (isStatusRequest(record) && record.status === 202) {
      const id = jobIdIn(record.url.split('?')[0]) ?? -1;
      const job = ctx.jobs.get(id);
      const hold = holds.get(id);
      if (!job || !hold) return;
      holds.delete(id);
      // Unless a scenario has forced a state since.
      if (job.override === hold) delete job.override;
    }
  };
}

/** Holds the first job the client starts in `status` for good (a failed job, one that never ends). */
function forceFirstJob(status: JobStatus): Scenario['arrange'] {
  return async ({ ctx, staged }) => {
    let forced = false;
    return (record) => {
      if (forced || !isKickoff(record) || record.status !== 202) return;
      const id = jobIdIn(record.responseHeaders?.['content-location']);
      if (id === undefined) return;
      forced = true;
      forceJob(ctx, id, status);
      staged(record.id);
    };
  };
}

/**
 * A brief outage of the auth provider: it times out once an answer `from` names has gone out, so
 * requests get 503 with Retry-After, and is back once an answer `until` names has gone out.
 */
function brief503(
  { ctx, staged }: StageControl,
  from: (record: ClientRequestRecord) => boolean,
  until: (record: ClientRequestRecord) => boolean,
): (record: ClientRequestRecord) => void {
  let phase: 'before' | 'down' | 'over' = 'before';
  return (record) => {
    if (phase === 'before' && from(record)) {
      phase = 'down';
      ctx.authProvider = 'timeout';
      staged(record.id);
    } else if (phase === 'down' && until(record)) {
      phase = 'over';
      ctx.authProvider = 'ok';
      staged(record.id);
    }
  };
}

const happyPath: Scenario = {
  name: 'happy-path',
  title: 'Happy path',
  description:
    'A v2 Group/all export of the sandbox ACO that completes in under a second: token, kick-off, polls, downloads.',
  apiVersion: 'v2',
  cmsId: 'A9994',
  budgetSeconds: 30,
};

const tokenExpiry: Scenario = {
  name: 'token-expires-mid-job',
  title: 'Token expires while the job runs',
  description: `After the first 202 status answer the mock clock jumps ${PAST_TOKEN_LIFETIME_SECONDS / 60} minutes: the next request's token has expired (401) and the client must get a new one and retry with it.`,
  apiVersion: 'v2',
  cmsId: 'A9994',
  budgetSeconds: 30,
  arrange: jumpClockAtFirst((r) => isStatusRequest(r) && r.status === 202, PAST_TOKEN_LIFETIME_SECONDS),
};

const kickoff429: Scenario = {
  name: 'kickoff-429',
  title: '429 on kick-off with Retry-After',
  description:
    'The rate-limited ACO already has the same export running: the first kick-off is answered 429 with Retry-After: 1, after which the running job finishes and a retry is accepted.',
  apiVersion: 'v2',
  cmsId: 'SBXBM0002',
  budgetSeconds: 30,
  async arrange({ mock, ctx, recorder, credential, staged }) {
    const basic = Buffer.from(`${credential.clientId}:${credential.clientSecret}`).toString('base64');
    const blocking = await recorder.unrecorded(async () => {
      const token = await mock.app.inject({
        method: 'POST',
        url: '/auth/token',
        headers: { authorization: `Basic ${basic}` },
      });
      const { access_token: accessToken } = JSON.parse(token.body) as { access_token: string };
      const kickoff = await mock.app.inject({
        method: 'GET',
        url: `/api/v2/Group/all/$export`,
        headers: {
          authorization: `Bearer ${accessToken}`,
          accept: 'application/fhir+json',
          prefer: 'respond-async',
        },
      });
      return jobIdIn(String(kickoff.headers['content-location'] ?? ''));
    });
    if (blocking === undefined) throw new Error('kickoff-429: the mock did not start the blocking job');
    forceJob(ctx, blocking, 'In Progress');
    let released = false;
    return (record) => {
      if (released || !isKickoff(record) || record.status !== 429) return;
      released = true;
      forceJob(ctx, blocking, 'Completed');
      staged(record.id);
    };
  },
};

const failedJob: Scenario = {
  name: 'failed-job',
  title: 'The job fails',
  description:
    'The export job fails as soon as it is accepted: its status answers 500 with an OperationOutcome, and the client must stop polling it.',
  apiVersion: 'v2',
  cmsId: 'A9994',
  budgetSeconds: 30,
  arrange: forceFirstJob('Failed'),
};

const transient503: Scenario = {
  name: 'transient-503',
  title: 'Status poll meets a transient 503',
  description:
    "After the first 202 status answer the mock's auth provider times out once: the next poll is answered 503 with Retry-After: 1, the one after it works again.",
  apiVersion: 'v2',
  cmsId: 'A9994',
  budgetSeconds: 30,
  arrange: (control) =>
    Promise.resolve(
      brief503(
        control,
        (r) => isStatusRequest(r) && r.status === 202,
        (r) => r.status === 503,
      ),
    ),
};

const transient503Download: Scenario = {
  name: 'transient-503-download',
  title: 'A download meets a transient 503',
  description:
    "As the manifest goes out the mock's auth provider times out until the first download is answered 503 with Retry-After: 1; the files are served again after that.",
  apiVersion: 'v2',
  cmsId: 'A9994',
  budgetSeconds: 30,
  arrange: (control) =>
    Promise.resolve(
      brief503(
        control,
        (r) => isStatusRequest(r) && r.status === 200,
        (r) => isDownload(r) && r.status === 503,
      ),
    ),
};

const slowJobNoRetryAfter: Scenario = {
  name: 'slow-job-no-retry-after',
  title: 'A slower job whose polls carry no Retry-After',
  description:
    'The job takes about 2.5 s and its 202 status answers carry X-Progress but no Retry-After (mock fault status-no-retry-after): the client chooses its own poll interval.',
  apiVersion: 'v2',
  cmsId: 'A9994',
  budgetSeconds: 40,
  mock: { faults: ['status-no-retry-after'], jobSpeed: 0.8 },
};

const filesExpired: Scenario = {
  name: 'files-expired',
  title: 'Files expire before they are downloaded',
  description:
    "The job's files expire (the job is Archived) as soon as its manifest is sent: every download answers 404, and the client must start a new export, whose files stay.",
  apiVersion: 'v2',
  cmsId: 'A9994',
  budgetSeconds: 30,
  async arrange({ ctx, staged }) {
    let expired = false;
    return (record) => {
      if (expired || !isStatusRequest(record) || record.status !== 200) return;
      const id = jobIdIn(record.url.split('?')[0]);
      if (id === undefined) return;
      expired = true;
      forceJob(ctx, id, 'Archived');
      staged(record.id);
    };
  },
};

/** Past the day a completed job keeps its files (BCDA's 24 hours), with a margin. */
const PAST_FILE_LIFETIME_SECONDS = DAY_MS / 1000 + 5 * 60;

const filesExpireAfterDay: Scenario = {
  name: 'files-expire-after-24h',
  title: 'Files expire after 24 hours, mid-download',
  description: `As the first file is served the mock clock jumps ${Math.round(PAST_FILE_LIFETIME_SECONDS / 3600)} hours, as if the client resumed its downloads a day later: its token has expired (401) and, with a new token, the files it had not fetched yet answer 404. The client must start a new export rather than retry the expired URLs.`,
  apiVersion: 'v2',
  cmsId: 'A9994',
  budgetSeconds: 30,
  arrange: jumpClockAtFirst((r) => isDownload(r) && r.status === 200, PAST_FILE_LIFETIME_SECONDS),
};

/** A token for the scenario's own requests, issued out of the record. */
async function scenarioToken({ mock, recorder, credential }: StageControl): Promise<string> {
  const basic = Buffer.from(`${credential.clientId}:${credential.clientSecret}`).toString('base64');
  const answer = await mock.app.inject({
    method: 'POST',
    url: '/auth/token',
    headers: { authorization: `Basic ${basic}`, [BYPASS_HEADER]: recorder.bypassKey },
  });
  return (JSON.parse(answer.body) as { access_token: string }).access_token;
}

/** Beneficiaries of the large export: ExplanationOfBenefit in batches of 50 (BCDA's batch size), each cohort its own files. */
const LARGE_EXPORT_BENEFICIARIES = 200;

const largeExport: Scenario = {
  name: 'large-export',
  title: 'A large export split across many files, served gzip',
  description: `The sandbox ACO grows to ${LARGE_EXPORT_BENEFICIARIES} beneficiaries, so ExplanationOfBenefit comes in several files; each file is sent slowly (gzip when asked), so the client's parallel downloads overlap.`,
  apiVersion: 'v2',
  cmsId: 'A9994',
  budgetSeconds: 40,
  // The export of 200 takes 0.8 s, as a grading mock's A9994 export of 50 does.
  mock: { extraAcos: [{ cmsId: 'A9994', beneficiaries: LARGE_EXPORT_BENEFICIARIES }], jobSpeed: 5 },
  arrange({ ctx }) {
    // Paced so that a file takes a few hundred ms: downloads run long enough to overlap.
    ctx.downloadPace = { bytes: 8192, delayMs: 30 };
    return Promise.resolve();
  },
};

const filesOnAnotherOrigin: Scenario = {
  name: 'files-on-another-origin',
  title: 'Some files are on another origin',
  description:
    "The manifest says requiresAccessToken: true, but names every second output file and the error files on another origin (a second listener on another port, which serves them without a token): the client's token must not go there.",
  apiVersion: 'v2',
  cmsId: 'A9994',
  budgetSeconds: 30,
  async arrange(control) {
    const other = await startSecondOrigin(control.mock, control.recorder, await scenarioToken(control), () =>
      control.ctx.clock.nowMs(),
    );
    control.onClose(other.close);
    control.recorder.rewriteAnswers((record, status, text) => {
      if (!isStatusRequest(record) || status !== 200) return text;
      const manifest = JSON.parse(text) as {
        output?: Array<{ url: string }>;
        error?: Array<{ url: string }>;
      };
      const move = (file: { url: string }) => {
        file.url = `${other.origin}${new URL(file.url).pathname}`;
      };
      manifest.output?.forEach((file, i) => i % 2 === 1 && move(file));
      manifest.error?.forEach(move);
      control.staged(record.id);
      return JSON.stringify(manifest);
    });
  },
};

const jobNeverFinishes: Scenario = {
  name: 'job-never-finishes',
  title: 'The job never finishes',
  description:
    "The job stays In Progress (202 with X-Progress) for good. A client must give up in its own time (the kit tells it the scenario's budget in BCDA_TIME_BUDGET) and then cancel the job it abandons with DELETE.",
  apiVersion: 'v2',
  cmsId: 'A9994',
  budgetSeconds: 10,
  arrange: forceFirstJob('In Progress'),
};

/** The token limit of the rate-limited scenario: at most this many per window, per ACO. */
const TOKEN_LIMIT = { limit: 2, windowSeconds: 3 };

const tokenRateLimited: Scenario = {
  name: 'token-rate-limited',
  title: 'The token endpoint is rate limited',
  description: `The auth provider allows ${TOKEN_LIMIT.limit} tokens per ${TOKEN_LIMIT.windowSeconds} s and the ACO has just used them: the client's first token request is answered 429 with Retry-After, and it must wait before asking again.`,
  apiVersion: 'v2',
  cmsId: 'A9994',
  budgetSeconds: 30,
  arrange({ ctx, recorder, credential, staged }) {
    ctx.tokenRateLimit = { ...TOKEN_LIMIT };
    // The window is filled as the client's first token request arrives (however late the client
    // starts), as if the ACO's other clients had just taken the tokens.
    let filled = false;
    recorder.onArrival((record) => {
      if (filled || !isTokenRequest(record)) return;
      filled = true;
      const now = ctx.clock.nowMs();
      ctx.tokensIssued.set(credential.cmsId, Array<number>(TOKEN_LIMIT.limit).fill(now));
      staged(record.id);
    });
    return Promise.resolve();
  },
};

/** The export endpoints a client may use, by the suffix of their happy-path scenario names. */
const ENDPOINTS = [
  ['Group/all', ''],
  ['Patient', '-patient'],
  ['Group/runout', '-runout'],
] as const;

/**
 * The happy path at every export endpoint on every API version (v1 is FHIR STU3, v3 BCDA's
 * newest): `happy-path` (v2 Group/all), `happy-path-v1`, `happy-path-patient`, `happy-path-runout-v3`…
 */
const happyPaths: Scenario[] = ENDPOINTS.flatMap(([endpoint, suffix]) =>
  (['v2', 'v1', 'v3'] as const).map((apiVersion): Scenario => {
    const name = `happy-path${suffix}${apiVersion === 'v2' ? '' : `-${apiVersion}`}`;
    if (name === happyPath.name) return happyPath;
    const where = [
      endpoint === 'Group/all' ? '' : `${endpoint}/$export`,
      apiVersion === 'v2' ? '' : apiVersion,
    ];
    return {
      ...happyPath,
      name,
      title: `Happy path on ${where.filter(Boolean).join(', ')}`,
      description: happyPath.description.replace('A v2 Group/all', `A ${apiVersion} ${endpoint}`),
      apiVersion,
      ...(endpoint === 'Group/all' ? {} : { endpoint }),
    };
  }),
);

export const SCENARIOS: readonly Scenario[] = [
  ...happyPaths,
  tokenExpiry,
  kickoff429,
  failedJob,
  transient503,
  transient503Download,
  filesExpired,
  filesExpireAfterDay,
  slowJobNoRetryAfter,
  largeExport,
  filesOnAnotherOrigin,
  jobNeverFinishes,
  tokenRateLimited,
];

/** The scenarios of these names, in catalog order; an unknown name is an Error listing the known ones. */
export function selectScenarios(names: readonly string[]): Scenario[] {
  if (!names.length) return [...SCENARIOS];
  const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length)
    throw new Error(
      `unknown scenario ${unknown.join(', ')} (known: ${SCENARIOS.map((s) => s.name).join(', ')})`,
    );
  return SCENARIOS.filter((s) => names.includes(s.name));
}
