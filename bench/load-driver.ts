/**
 * Many concurrent BCDA clients against one mock, each running a full export flow: token →
 * kick-off (plus, for the rate-limited ACO, a duplicate that must get 429) → status polls →
 * download of every manifest file (sha256 of the NDJSON) → its own /jobs listing.
 * Shared by test/load/mock-load.test.ts (correctness) and bench/mock-load.bench.ts (figures).
 *
 * Determinism: the mock's clock is frozen until every client has kicked off, so a duplicate
 * kick-off is certain to meet its running job (an exact 429 count) and every job has the same
 * transactionTime (byte-identical files on a replay). Then a ticker moves the mock clock forward
 * while clients wait on running jobs; Retry-After is honoured in mock time.
 */
import { createHash } from 'node:crypto';
import { Agent, request as httpRequest, type ClientRequest, type IncomingHttpHeaders } from 'node:http';
import { createGunzip } from 'node:zlib';
import type { ApiVersion } from '../src/core/vocabulary';
import { BUILT_IN_CREDENTIALS } from '../src/mock/credentials';

/** Where the clients go, and how the harness moves the mock's (frozen) clock. */
export interface LoadTarget {
  url: string;
  advanceClock(seconds: number): Promise<void>;
}

export type ExportKind = 'patient' | 'group-all' | 'group-runout';

/** One client's flow. */
export interface FlowPlan {
  client: number;
  cmsId: string;
  version: ApiVersion;
  kind: ExportKind;
  /** `_type` values; absent: the server's default types. */
  types?: string[];
  /** Send the same kick-off again while the job runs; the ACO is rate-limited, so expect 429. */
  duplicate: boolean;
  /** Ask for gzip downloads (the hash is of the decoded NDJSON either way). */
  gzip: boolean;
}

export interface DownloadedFile {
  /** Manifest section and position: the identity of a file across job ids. */
  key: string;
  type: string;
  url: string;
  sha256: string;
  bytes: number;
}

export interface FlowResult {
  plan: FlowPlan;
  /** Kick-off path and query, e.g. `/api/v2/Group/all/$export?_type=Patient`. */
  kickoffPath: string;
  jobId?: number;
  files: DownloadedFile[];
  /** Every 429 this client saw, and whether it carried Retry-After. */
  tooManyRequests: number;
  tooManyWithRetryAfter: number;
  statusPolls: number;
  /** Job ids in the client's GET /jobs answer. */
  listedJobIds: number[];
  /** Problems the client saw (an empty list is a clean flow). */
  problems: string[];
  /** Wall time from the token request to the end of the /jobs check. */
  latencyMs: number;
  /** Wall time of token + kick-off (+ duplicate). */
  kickoffMs: number;
}

export interface LoadResult {
  flows: FlowResult[];
  wallMs: number;
  /** Wall time until the last client had kicked off. */
  kickoffPhaseMs: number;
  /** Mock-clock seconds the ticker advanced. */
  clockAdvancedSeconds: number;
}

export interface LoadOptions {
  /** Real milliseconds between clock ticks. Default 20. */
  tickMs?: number;
  /** Real milliseconds between status polls when the answer has no Retry-After. Default 5 ticks. */
  pollMs?: number;
  /** Mock seconds per tick. Default 1. */
  tickSeconds?: number;
  /** Give up on a flow after this many status polls. Default 5000. */
  maxPolls?: number;
}

const REQUEST_TIMEOUT_MS = 120_000;

function basicAuth(cmsId: string): string {
  const c = BUILT_IN_CREDENTIALS.find((cr) => cr.cmsId === cmsId);
  if (!c) throw new Error(`no built-in credentials for ${cmsId}`);
  return `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`;
}

export function kickoffPath(plan: FlowPlan): string {
  const route =
    plan.kind === 'patient' ? 'Patient' : plan.kind === 'group-all' ? 'Group/all' : 'Group/runout';
  const query = plan.types ? `?_type=${plan.types.join(',')}` : '';
  return `/api/${plan.version}/${route}/$export${query}`;
}

/** The flows that must give byte-identical files: same ACO, version and kick-off. */
export function flowSignature(plan: FlowPlan): string {
  return `${plan.cmsId} ${kickoffPath(plan)}`;
}

interface SmallResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * True when a request failed only because the kept-alive socket it went out on had just been
 * closed by the server (its idle timeout racing the reuse, under load): nothing was answered, and
 * sending it again on a new socket is what an HTTP client does (Node's documentation of
 * `request.reusedSocket`).
 */
function staleSocket(req: ClientRequest, responded: boolean, err: NodeJS.ErrnoException): boolean {
  return !responded && req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
}

function send(
  agent: Agent,
  method: string,
  url: string,
  headers: Record<string, string>,
  retried = false,
): Promise<SmallResponse> {
  return new Promise((resolve, reject) => {
    let responded = false;
    const req = httpRequest(url, { method, headers, agent }, (res) => {
      responded = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`${method} ${url}: no answer in time`)));
    req.on('error', (err: NodeJS.ErrnoException) =>
      !retried && staleSocket(req, responded, err)
        ? resolve(send(agent, method, url, headers, true))
        : reject(err),
    );
    req.end();
  });
}

/** Streams a file into sha256 (decoding gzip), keeping nothing but the hash and the size. */
function download(
  agent: Agent,
  url: string,
  headers: Record<string, string>,
  retried = false,
): Promise<{ status: number; sha256: string; bytes: number; encoding?: string }> {
  return new Promise((resolve, reject) => {
    let responded = false;
    const req = httpRequest(url, { method: 'GET', headers, agent }, (res) => {
      responded = true;
      const hash = createHash('sha256');
      let bytes = 0;
      const encoding = res.headers['content-encoding'];
      const body = encoding === 'gzip' ? res.pipe(createGunzip()) : res;
      body.on('data', (c: Buffer) => {
        bytes += c.length;
        hash.update(c);
      });
      body.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          sha256: hash.digest('hex'),
          bytes,
          ...(encoding ? { encoding } : {}),
        }),
      );
      body.on('error', reject);
      res.on('error', reject);
    });
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`GET ${url}: no answer in time`)));
    req.on('error', (err: NodeJS.ErrnoException) =>
      !retried && staleSocket(req, responded, err)
        ? resolve(download(agent, url, headers, true))
        : reject(err),
    );
    req.end();
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Hooks the coordinator gives each flow. */
interface FlowHooks {
  /** Called once per flow, after its kick-off (and duplicate), or when it failed before. */
  kickedOff(plan: FlowPlan): void;
  /** Counts the clients waiting on a running job; the ticker runs while any does. */
  waiting(delta: 1 | -1): void;
  /** Real milliseconds per mock second. */
  msPerMockSecond: number;
  pollMs: number;
  maxPolls: number;
}

interface Manifest {
  transactionTime?: unknown;
  request?: unknown;
  JobID?: unknown;
  output?: Array<{ type?: unknown; url?: unknown }>;
  error?: Array<{ type?: unknown; url?: unknown }> | null;
}

async function runFlow(target: LoadTarget, plan: FlowPlan, hooks: FlowHooks): Promise<FlowResult> {
  const started = performance.now();
  const path = kickoffPath(plan);
  const result: FlowResult = {
    plan,
    kickoffPath: path,
    files: [],
    tooManyRequests: 0,
    tooManyWithRetryAfter: 0,
    statusPolls: 0,
    listedJobIds: [],
    problems: [],
    latencyMs: 0,
    kickoffMs: 0,
  };
  const problem = (text: string): void => {
    result.problems.push(`client ${plan.client} (${flowSignature(plan)}): ${text}`);
  };
  const note429 = (res: SmallResponse): void => {
    if (res.status !== 429) return;
    result.tooManyRequests++;
    if (/^\d+$/.test(String(res.headers['retry-after'] ?? ''))) result.tooManyWithRetryAfter++;
  };
  // One connection per client, like separate programs.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let signalled = false;
  const kickedOff = (): void => {
    if (!signalled) hooks.kickedOff(plan);
    if (!signalled) result.kickoffMs = performance.now() - started;
    signalled = true;
  };
  try {
    const tokenRes = await send(agent, 'POST', `${target.url}/auth/token`, {
      Authorization: basicAuth(plan.cmsId),
      Accept: 'application/json',
    });
    if (tokenRes.status !== 200) throw new Error(`token: ${tokenRes.status}`);
    const token = (JSON.parse(tokenRes.body) as { access_token?: unknown }).access_token;
    if (typeof token !== 'string') throw new Error('token: no access_token');
    const bearer = { Authorization: `Bearer ${token}` };
    const fhirHeaders = { ...bearer, Accept: 'application/fhir+json', Prefer: 'respond-async' };

    const kick = await send(agent, 'GET', `${target.url}${path}`, fhirHeaders);
    note429(kick);
    if (kick.status !== 202) throw new Error(`kick-off: ${kick.status} ${kick.body.slice(0, 200)}`);
    const location = String(kick.headers['content-location'] ?? '');
    const idMatch = new RegExp(`^${escapeRegExp(target.url)}/api/${plan.version}/jobs/(\\d+)$`).exec(
      location,
    );
    if (!idMatch) throw new Error(`kick-off: unexpected Content-Location ${JSON.stringify(location)}`);
    const jobId = Number(idMatch[1]);
    result.jobId = jobId;

    if (plan.duplicate) {
      const again = await send(agent, 'GET', `${target.url}${path}`, fhirHeaders);
      note429(again);
      if (again.status !== 429) problem(`duplicate kick-off answered ${again.status}, expected 429`);
    }
    kickedOff();

    // Poll until the manifest; wait Retry-After mock seconds when given.
    let manifest: Manifest | undefined;
    hooks.waiting(1);
    try {
      for (let polls = 0; !manifest; polls++) {
        if (polls >= hooks.maxPolls) throw new Error(`job ${jobId} still running after ${polls} polls`);
        const status = await send(agent, 'GET', location, bearer);
        result.statusPolls++;
        note429(status);
        if (status.status === 200) {
          manifest = JSON.parse(status.body) as Manifest;
        } else if (status.status === 202 || status.status === 429) {
          if (status.status === 202 && !status.headers['x-progress'])
            problem('202 status without X-Progress');
          const retryAfter = Number(status.headers['retry-after']);
          await sleep(
            Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * hooks.msPerMockSecond : hooks.pollMs,
          );
        } else {
          throw new Error(`status: ${status.status} ${status.body.slice(0, 200)}`);
        }
      }
    } finally {
      hooks.waiting(-1);
    }

    // The manifest must be this client's job and nobody else's.
    if (manifest.JobID !== jobId) problem(`manifest JobID ${String(manifest.JobID)}, expected ${jobId}`);
    if (manifest.request !== `${target.url}${path}`)
      problem(`manifest request ${String(manifest.request)}, expected ${target.url}${path}`);
    const entries = [
      ...(manifest.output ?? []).map((f, i) => ({ ...f, key: `output#${i}` })),
      ...(manifest.error ?? []).map((f, i) => ({ ...f, key: `error#${i}` })),
    ];
    const allowed = plan.types ? new Set([...plan.types, 'OperationOutcome']) : undefined;
    for (const entry of entries) {
      const url = String(entry.url);
      const type = String(entry.type);
      if (!url.startsWith(`${target.url}/data/${jobId}/`))
        problem(`manifest URL ${url} is not under job ${jobId}`);
      if (allowed && !allowed.has(type)) problem(`manifest lists type ${type}, not asked for`);
      const got = await download(agent, url, {
        ...bearer,
        ...(plan.gzip ? { 'Accept-Encoding': 'gzip' } : {}),
      });
      if (got.status !== 200) problem(`download ${url}: ${got.status}`);
      if (plan.gzip !== (got.encoding === 'gzip'))
        problem(`download ${url}: Content-Encoding ${got.encoding ?? 'none'}`);
      result.files.push({ key: entry.key, type, url, sha256: got.sha256, bytes: got.bytes });
    }

    const list = await send(agent, 'GET', `${target.url}/api/${plan.version}/jobs`, fhirHeaders);
    note429(list);
    if (list.status !== 200) throw new Error(`/jobs: ${list.status}`);
    const bundle = JSON.parse(list.body) as {
      entry?: Array<{ resource?: { identifier?: Array<{ value?: unknown }> } }>;
    };
    result.listedJobIds = (bundle.entry ?? []).map((e) => Number(e.resource?.identifier?.[0]?.value));
  } catch (err) {
    problem((err as Error).message);
  } finally {
    kickedOff();
    agent.destroy();
    result.latencyMs = performance.now() - started;
  }
  return result;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Runs every plan as its own concurrent client. The clock stays still until every client that
 * sends a duplicate has kicked off, then moves `tickSeconds` every `tickMs` while any client waits
 * on a running job. (File contents depend on the transaction day, not the instant, so clients
 * kicking off later still match the replay.)
 */
export async function runLoad(
  target: LoadTarget,
  plans: FlowPlan[],
  options: LoadOptions = {},
): Promise<LoadResult> {
  const tickMs = options.tickMs ?? 20;
  const tickSeconds = options.tickSeconds ?? 1;
  const started = performance.now();
  let gateOpen!: () => void;
  const clockGate = new Promise<void>((resolve) => (gateOpen = resolve));
  let pending = plans.filter((p) => p.duplicate).length;
  if (pending === 0) gateOpen();
  let waiting = 0;
  let finished = false;
  let advanced = 0;
  const hooks: FlowHooks = {
    kickedOff: (plan) => {
      if (plan.duplicate && --pending === 0) gateOpen();
    },
    waiting: (delta) => (waiting += delta),
    msPerMockSecond: tickMs / tickSeconds,
    pollMs: options.pollMs ?? 5 * tickMs,
    maxPolls: options.maxPolls ?? 5000,
  };
  const ticker = (async (): Promise<void> => {
    await clockGate;
    while (!finished) {
      if (waiting > 0) {
        await target.advanceClock(tickSeconds);
        advanced += tickSeconds;
      }
      await sleep(tickMs);
    }
  })();
  const flows = await Promise.all(plans.map((plan) => runFlow(target, plan, hooks)));
  finished = true;
  gateOpen();
  await ticker;
  return {
    flows,
    wallMs: performance.now() - started,
    kickoffPhaseMs: Math.max(0, ...flows.map((f) => f.kickoffMs)),
    clockAdvancedSeconds: advanced,
  };
}

/** Hashes of one flow's files by manifest position, for comparison with a replay. */
export function fileHashes(flow: FlowResult): Map<string, string> {
  return new Map(flow.files.map((f) => [`${f.key} ${f.type}`, `${f.sha256} ${f.bytes}`]));
}

/**
 * Cross-client checks after a run: unique job ids, each /jobs listing exactly the jobs of the
 * client's ACO, 429s only where a duplicate was sent (with Retry-After), and the same files for
 * every client of one signature as on the replay (when given). Returns the problems found (empty: all good).
 */
export function checkLoad(result: LoadResult, replay?: Map<string, Map<string, string>>): string[] {
  const problems = result.flows.flatMap((f) => f.problems);
  const ids = result.flows.map((f) => f.jobId).filter((id): id is number => id !== undefined);
  if (new Set(ids).size !== ids.length) problems.push(`job ids are not unique: ${ids.join(',')}`);
  const jobsOfAco = new Map<string, Set<number>>();
  for (const f of result.flows) {
    if (f.jobId === undefined) continue;
    const set = jobsOfAco.get(f.plan.cmsId) ?? new Set<number>();
    set.add(f.jobId);
    jobsOfAco.set(f.plan.cmsId, set);
  }
  for (const f of result.flows) {
    const expected = [...(jobsOfAco.get(f.plan.cmsId) ?? [])].sort((a, b) => a - b);
    const listed = [...f.listedJobIds].sort((a, b) => a - b);
    if (f.jobId !== undefined && listed.join(',') !== expected.join(',')) {
      problems.push(
        `client ${f.plan.client} (${f.plan.cmsId}): /jobs listed [${listed.join(',')}], expected [${expected.join(',')}]`,
      );
    }
    const expected429 = f.plan.duplicate ? 1 : 0;
    if (f.tooManyRequests !== expected429 || f.tooManyWithRetryAfter !== expected429) {
      problems.push(
        `client ${f.plan.client} (${flowSignature(f.plan)}): ${f.tooManyRequests} 429s (${f.tooManyWithRetryAfter} with Retry-After), expected ${expected429}`,
      );
    }
    if (!replay) continue;
    const want = replay.get(flowSignature(f.plan));
    const got = fileHashes(f);
    if (!want) problems.push(`no replay for ${flowSignature(f.plan)}`);
    else if (JSON.stringify([...got]) !== JSON.stringify([...want])) {
      problems.push(
        `client ${f.plan.client} (${flowSignature(f.plan)}): files differ from the replay: ${JSON.stringify([...got])} vs ${JSON.stringify([...want])}`,
      );
    }
  }
  return problems;
}

/**
 * Replays one flow per signature, one at a time, on a fresh target (same seed and clock start):
 * the reference hashes for checkLoad.
 */
export async function replayFlows(
  target: LoadTarget,
  plans: FlowPlan[],
  options: LoadOptions = {},
): Promise<Map<string, Map<string, string>>> {
  const bySignature = new Map<string, FlowPlan>();
  for (const p of plans) if (!bySignature.has(flowSignature(p))) bySignature.set(flowSignature(p), p);
  const hashes = new Map<string, Map<string, string>>();
  for (const [signature, plan] of bySignature) {
    // No duplicate on a replay: it would only add a 429.
    const { flows } = await runLoad(target, [{ ...plan, duplicate: false }], options);
    const flow = flows[0];
    if (!flow || flow.problems.length)
      throw new Error(`replay of ${signature} failed: ${flow?.problems.join('; ')}`);
    hashes.set(signature, fileHashes(flow));
  }
  return hashes;
}

/** Kick-off slots that never clash on the rate-limited ACO: one `_type` per (version, type). */
const RATE_LIMITED_SLOTS: Array<{ version: ApiVersion; type: string }> = [
  { version: 'v2', type: 'Patient' },
  { version: 'v2', type: 'Coverage' },
  { version: 'v2', type: 'Claim' },
  { version: 'v2', type: 'ClaimResponse' },
  { version: 'v1', type: 'Patient' },
  { version: 'v1', type: 'Coverage' },
  { version: 'v3', type: 'Patient' },
  { version: 'v3', type: 'Coverage' },
  { version: 'v2', type: 'ExplanationOfBenefit' },
  { version: 'v1', type: 'ExplanationOfBenefit' },
  { version: 'v3', type: 'ExplanationOfBenefit' },
];
export const MAX_RATE_LIMITED_CLIENTS = RATE_LIMITED_SLOTS.length;

/** A flow template for the mix: ACO, version, kind and types (client number and gzip are added). */
export type FlowTemplate = Omit<FlowPlan, 'client' | 'duplicate' | 'gzip'>;

/** Small ACOs and type subsets: many clients, few bytes (the jest test and the quick bench). */
export const SMALL_MIX: FlowTemplate[] = [
  { cmsId: 'A9994', version: 'v2', kind: 'patient', types: ['Patient'] },
  { cmsId: 'A9994', version: 'v2', kind: 'group-all', types: ['Coverage'] },
  { cmsId: 'A9994', version: 'v1', kind: 'group-runout', types: ['Patient', 'Coverage'] },
  { cmsId: 'A9994', version: 'v3', kind: 'group-all', types: ['Patient'] },
  { cmsId: 'TEST001', version: 'v2', kind: 'patient', types: ['Claim', 'ClaimResponse'] },
  { cmsId: 'TEST001', version: 'v2', kind: 'group-all', types: ['Patient'] },
  { cmsId: 'A9990', version: 'v2', kind: 'group-all', types: ['Patient'] },
  { cmsId: 'TEST995', version: 'v2', kind: 'group-runout', types: ['Patient'] },
  { cmsId: 'A9994', version: 'v2', kind: 'group-all' },
  { cmsId: 'TEST001', version: 'v1', kind: 'patient', types: ['Patient'] },
];

/** Bigger exports for the full bench: whole small ACOs, and the medium ones' Patient files. */
export const BENCH_MIX: FlowTemplate[] = [
  { cmsId: 'A9994', version: 'v2', kind: 'group-all' },
  { cmsId: 'A9994', version: 'v1', kind: 'patient' },
  { cmsId: 'A9994', version: 'v3', kind: 'group-all' },
  { cmsId: 'TEST001', version: 'v2', kind: 'group-all' },
  { cmsId: 'TEST001', version: 'v2', kind: 'group-runout', types: ['Claim', 'ClaimResponse'] },
  { cmsId: 'A9990', version: 'v2', kind: 'patient', types: ['Patient'] },
  { cmsId: 'A9991', version: 'v2', kind: 'group-all', types: ['Patient'] },
  { cmsId: 'TEST995', version: 'v2', kind: 'group-runout' },
  { cmsId: 'A9994', version: 'v2', kind: 'patient', types: ['Patient'] },
  { cmsId: 'A9990', version: 'v3', kind: 'group-runout', types: ['Patient'] },
];

/**
 * `clients` flows: `rateLimited` of them on SBXBM0002 (each with a duplicate kick-off), the rest
 * cycling through `mix`; every other client asks for gzip.
 */
export function planFlows(clients: number, rateLimited: number, mix: FlowTemplate[]): FlowPlan[] {
  if (rateLimited > MAX_RATE_LIMITED_CLIENTS)
    throw new Error(`at most ${MAX_RATE_LIMITED_CLIENTS} rate-limited clients`);
  if (mix.length === 0) throw new Error('the mix is empty');
  const kinds: ExportKind[] = ['patient', 'group-all', 'group-runout'];
  const plans: FlowPlan[] = [];
  for (let client = 0; client < clients; client++) {
    const gzip = client % 2 === 1;
    if (client < rateLimited) {
      const slot = RATE_LIMITED_SLOTS[client]!;
      plans.push({
        client,
        cmsId: 'SBXBM0002',
        version: slot.version,
        kind: kinds[client % kinds.length]!,
        types: [slot.type],
        duplicate: true,
        gzip,
      });
    } else {
      plans.push({ ...mix[(client - rateLimited) % mix.length]!, client, duplicate: false, gzip });
    }
  }
  return plans;
}

/** The p-th percentile (0-100) of the values, nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
