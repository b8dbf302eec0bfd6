/**
 * Pre-flight: before any check runs against a server, make sure the run can mean something. The
 * target must answer, its metadata must be a FHIR CapabilityStatement, and it must accept the
 * credentials. Without this a wrong secret or a wrong URL reads as dozens of failures of the
 * server. Each step is left out when the selected checks test that very thing, and all of it with
 * --skip-preflight. Every request goes through the run's client, so it is recorded (redacted),
 * bounded by the run budget, and made once: later checks reuse the metadata answer and the token.
 */
import { TokenError } from '../auth/tokens';
import type { CheckContext, CheckDefinition } from '../checks/context';
import type { RunConfig } from '../config/config';
import { SETTINGS, configKeyOf, envNameOf, type SettingKey } from '../core/settings';
import type { Area } from '../core/vocabulary';
import { resultMeta, type CheckResult } from '../engine/results';
import { runOrder } from '../engine/run-checks';
import { BudgetSpentError } from '../http/budget';
import { TransportError, type HttpResponse } from '../http/client';

export interface PreflightStop {
  /** `credentials` exits 2; `unreachable` and `not-bulk-data` exit 3. */
  kind: 'credentials' | 'unreachable' | 'not-bulk-data';
  /** One line for the user: the request and what came back, never a body or a secret. */
  message: string;
  /** For `unreachable`: why there was no answer. */
  reason?: string;
  /** The exchange that decided it. */
  evidence: string[];
}

/** Statuses that say "not without credentials" or "not now" rather than "not a FHIR server". */
const NOT_A_VERDICT = new Set([401, 403, 429]);

/** Runs the pre-flight for `checks`; undefined when the run may go on. */
export async function preflight(
  ctx: CheckContext,
  checks: readonly CheckDefinition[],
  config: RunConfig,
): Promise<PreflightStop | undefined> {
  const onlyIn = (...areas: Area[]) => checks.every((c) => areas.includes(c.area));
  const target = ctx.log.redactor.text(ctx.target.baseUrl);
  let metadata: HttpResponse;
  try {
    // The same request under the same key as the metadata checks and the loop's probe: made once.
    metadata = await ctx.once('metadata', () =>
      ctx.target.call(ctx.op('getMetadata'), { label: 'metadata without a token', auth: 'none' }),
    );
  } catch (err) {
    if (!(err instanceof TransportError || err instanceof BudgetSpentError)) throw err;
    return {
      kind: 'unreachable',
      message: `${target} cannot be reached: ${err.message}`,
      reason: err.message,
      evidence: err instanceof TransportError ? [err.exchange.id] : [],
    };
  }
  // The metadata checks judge a bad answer themselves; any other selection needs a FHIR server.
  const judgeMetadata = !onlyIn('metadata');
  if (judgeMetadata && !isCapabilityStatement(metadata) && !NOT_A_VERDICT.has(metadata.status))
    return notBulkData(metadata, target, config);

  // Metadata checks send no credentials and auth checks test them: neither needs them to work.
  if (onlyIn('auth', 'metadata')) return undefined;
  const refused = await credentialsRefused(ctx, config);
  if (refused !== false) return refused;

  if (judgeMetadata && (metadata.status === 401 || metadata.status === 403)) {
    // Metadata behind a token breaks BCDA's contract (METADATA-PUBLIC says so), but the server may
    // still be one: a second look with the accepted token tells it from something else.
    try {
      const withToken = await ctx.target.call(ctx.op('getMetadata'), {
        label: 'pre-flight: metadata with a token',
        auth: 'token',
      });
      if (!isCapabilityStatement(withToken) && !NOT_A_VERDICT.has(withToken.status))
        return notBulkData(withToken, target, config);
    } catch (err) {
      if (!isNoAnswer(err)) throw err;
    }
  }
  return undefined;
}

/**
 * The stop when the target refuses the main credentials; `false` when they were accepted;
 * undefined when it could not be told (an error status, no answer): the checks report that.
 */
async function credentialsRefused(
  ctx: CheckContext,
  config: RunConfig,
): Promise<PreflightStop | false | undefined> {
  if (config.token) {
    // The Bulk Data IG names no cheap authenticated request; BCDA documents /auth/welcome.
    if (config.profile !== 'bcda') return undefined;
    let res: HttpResponse;
    try {
      res = await ctx.target.call('getWelcome', {
        label: 'pre-flight: is the token accepted?',
        auth: 'token',
      });
    } catch (err) {
      if (isNoAnswer(err)) return undefined;
      throw err;
    }
    if (res.status === 401)
      return {
        kind: 'credentials',
        message: `the target refused ${settingName(config, 'token')} (expired?): GET ${res.exchange.request.url} answered 401`,
        evidence: [res.exchange.id],
      };
    return res.status === 200 ? false : undefined;
  }
  try {
    // The run's own token provider: the token it gets now is the one the checks use.
    await ctx.target.authorization('token');
    return false;
  } catch (err) {
    if (isNoAnswer(err)) return undefined;
    if (!(err instanceof TokenError)) throw err;
    const seen = ctx.tokenObservations().at(-1);
    // A SMART token endpoint refuses a client assertion with 400 or 401 (RFC 6749 §5.2).
    const refusals = ctx.smart ? [400, 401, 403] : [401, 403];
    if (!seen || !refusals.includes(seen.status)) return undefined;
    const url = ctx.log.get(seen.exchangeId)?.request.url ?? ctx.target.url('getToken');
    const credentials = ctx.smart
      ? pairName(config, 'smartClientId', 'smartKey')
      : pairName(config, 'clientId', 'clientSecret');
    return {
      kind: 'credentials',
      message: `the target refused the credentials (${credentials}): POST ${url} answered ${seen.status}`,
      evidence: [seen.exchangeId],
    };
  }
}

function isNoAnswer(err: unknown): boolean {
  return err instanceof TransportError || err instanceof BudgetSpentError;
}

/**
 * What the metadata checks take for a CapabilityStatement to judge: a JSON object answered with
 * 200 (STU3 and R4 alike). Its resourceType and content are theirs to judge, not a reason to stop.
 */
function isCapabilityStatement(res: HttpResponse): boolean {
  if (res.status !== 200) return false;
  const body = res.json();
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}

function notBulkData(res: HttpResponse, target: string, config: RunConfig): PreflightStop {
  const answer = `${res.status} ${mediaTypeOf(res)}${res.status === 200 ? ', not a JSON CapabilityStatement' : ''}`;
  const hint =
    res.status === 404
      ? ` (is ${settingName(config, 'target')} the server's root URL, without /api/vN, and does it serve ${settingName(config, 'apiVersion')} ${config.apiVersion}?)`
      : res.status >= 500
        ? ' (the server may be down or starting up)'
        : res.status >= 300 && res.status < 400
          ? ` (a redirect, which the harness does not follow: is ${settingName(config, 'target')} the final URL?)`
          : '';
  return {
    kind: 'not-bulk-data',
    message: `${target} does not look like a FHIR Bulk Data server: GET ${res.exchange.request.url} answered ${answer}${hint}`,
    evidence: [res.exchange.id],
  };
}

/** The media type alone, and only when it looks like one: the header is the target's text. */
function mediaTypeOf(res: HttpResponse): string {
  const raw = res.headers['content-type'];
  if (raw === undefined) return 'without a Content-Type';
  const type = /^\s*([\w.+-]{1,64}\/[\w.+-]{1,64})\s*(;|$)/.exec(raw)?.[1];
  return type ? type.toLowerCase() : 'with an unreadable Content-Type';
}

/** A setting named the way the user gave it (flag, environment variable or config-file key). */
function settingName(config: RunConfig, key: SettingKey): string {
  const row = SETTINGS.find((r) => r.key === key)!;
  const source = config.sources[key];
  if (source === 'env') return envNameOf(row);
  if (source === 'file') return `"${configKeyOf(row)}" in the config file`;
  return `--${row.flag}`;
}

/** Two settings that go together, named once when they came from the same place. */
function pairName(config: RunConfig, a: SettingKey, b: SettingKey): string {
  const source = config.sources[a];
  if (source !== config.sources[b]) return `${settingName(config, a)} and ${settingName(config, b)}`;
  const ra = SETTINGS.find((r) => r.key === a)!;
  const rb = SETTINGS.find((r) => r.key === b)!;
  if (source === 'env') return `${envNameOf(ra)}/${envNameOf(rb)}`;
  if (source === 'file') return `"${configKeyOf(ra)}"/"${configKeyOf(rb)}" in the config file`;
  return `--${ra.flag}/--${rb.flag}`;
}

/**
 * One result per selected check, each saying the pre-flight stopped the run, in the order the loop
 * would have run them: the report stays complete (and not conformant) without any check running.
 */
export function notRunResults(checks: readonly CheckDefinition[], stop: PreflightStop): CheckResult[] {
  const message =
    stop.kind === 'unreachable'
      ? `not run: the target cannot be reached (${stop.reason ?? 'no answer'})`
      : `not run: ${stop.message}`;
  const at = new Date().toISOString();
  const ordered = runOrder(checks);
  return ordered.map((check) => ({
    ...resultMeta(check),
    startedAt: at,
    durationMs: 0,
    outcome: 'error',
    message,
    evidence: [...stop.evidence],
  }));
}
