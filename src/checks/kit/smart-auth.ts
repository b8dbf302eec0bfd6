/**
 * What the SMART Backend Services checks share: the run's SMART login (or the reason they skip),
 * the server's smart-configuration, how a refused token request is judged (400 or 401, RFC 6749
 * §5.2), a token of the narrow scope and a resource type it must not reach.
 */
import { randomUUID } from 'node:crypto';
import type { SmartAuth, SmartTokenAnswer } from '../../auth/smart';
import { readSmartConfiguration, type DiscoveryAnswer } from '../../auth/smart-discovery';
import { scopeReaches } from '../../auth/smart-scopes';
import { TokenError } from '../../auth/tokens';
import type { TargetClient } from '../../http/target';
import type { CheckOutcome } from '../types';
import { fail, pass, skip, type CheckContext, type ExportLevel } from '../context';
import { declaredResourceTypes, metadataResponse } from './capability';

/** The error codes of RFC 6749 §5.2 a token endpoint answers a refused request with. */
export const OAUTH_ERRORS: readonly string[] = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
];

export const NOT_CONFIGURED =
  'SMART Backend Services is not configured (give --smart-client-id and --smart-key)';

/** The run's SMART login with a token endpoint found, or the skip that says why there is none. */
export async function smartOrSkip(ctx: CheckContext): Promise<SmartAuth | CheckOutcome> {
  const smart = ctx.smart;
  if (!smart) return skip(NOT_CONFIGURED);
  const found = await smart.discovery();
  if (!found.tokenUrl)
    return skip(`the server offers no SMART token endpoint: ${found.reason}`, found.evidence);
  return smart;
}

/** True for the skip a helper handed back instead of what was asked for. */
export const skipped = <T extends object>(v: T | CheckOutcome): v is CheckOutcome => 'outcome' in v;

/** The server's smart-configuration answer, asked once per run (the login's own when there is one). */
export function smartConfiguration(ctx: CheckContext): Promise<DiscoveryAnswer> {
  if (ctx.smart) return ctx.smart.smartConfiguration();
  return ctx.once('smart:configuration', () => readSmartConfiguration(ctx.target.http, ctx.target.baseUrl));
}

/** True when the CapabilityStatement says the server uses SMART (service code or oauth-uris). */
export async function declaresSmart(ctx: CheckContext): Promise<boolean> {
  const text = (await metadataResponse(ctx)).text();
  return /SMART-on-FHIR|StructureDefinition\/oauth-uris/.test(text);
}

/**
 * A token request the server must refuse: 400 or 401 passes (the error body is AUTH-SMART-ERROR-BODY's
 * to judge); a token issued fails, as does any other answer but a rate limit or an outage (skip).
 */
export function refusalVerdict(answer: SmartTokenAnswer, what: string): CheckOutcome {
  const evidence = [answer.exchangeId];
  if (answer.status === undefined)
    return skip(`the token endpoint did not answer: ${answer.problem}`, evidence);
  if (answer.status === 429 || answer.status === 503)
    return skip(
      `the token endpoint answered ${answer.status} (busy), so the refusal cannot be told`,
      evidence,
    );
  if (answer.status >= 200 && answer.status < 300)
    return fail(
      `the token endpoint answered ${answer.status}${answer.accessToken ? ' with an access token' : ''} for ${what}`,
      evidence,
      { expected: '400 or 401 (RFC 6749 §5.2)', actual: String(answer.status) },
    );
  if (answer.status === 400 || answer.status === 401) {
    const code = typeof answer.body?.error === 'string' ? ` (${answer.body.error})` : '';
    return pass(`${what} refused with ${answer.status}${code}`, evidence);
  }
  return fail(`${what} answered ${answer.status}, not 400 or 401 as RFC 6749 §5.2 has it`, evidence, {
    expected: '400 or 401',
    actual: String(answer.status),
  });
}

/** Sends one assertion the server must refuse and judges the answer. */
export async function expectRefused(
  ctx: CheckContext,
  what: string,
  build: (smart: SmartAuth) => Parameters<SmartAuth['request']>[0],
): Promise<CheckOutcome> {
  const smart = await smartOrSkip(ctx);
  if (skipped(smart)) return smart;
  return refusalVerdict(await smart.request(build(smart)), what);
}

/** One assertion a server must refuse: what it is, and the request that carries it. */
export interface RefusalCase {
  what: string;
  request: Parameters<SmartAuth['request']>[0];
}

/**
 * Sends each assertion in turn; the first one not refused decides (with the evidence of those
 * before it), and when every one is refused the check passes on them all.
 */
export async function refusedInTurn(smart: SmartAuth, cases: readonly RefusalCase[]): Promise<CheckOutcome> {
  const evidence: string[] = [];
  const refused: string[] = [];
  for (const c of cases) {
    const judged = refusalVerdict(await smart.request(c.request), c.what);
    evidence.push(...judged.evidence);
    if (judged.outcome !== 'pass') return { ...judged, evidence };
    refused.push(judged.message);
  }
  return pass(refused.join('; '), evidence);
}

/** An iss/sub no server has registered. */
export const unregisteredClientId = () => `unregistered-client-${randomUUID()}`;

/** The main token's first answer (the run asks for it first thing), or why there is none. */
export async function mainTokenAnswer(ctx: CheckContext): Promise<SmartTokenAnswer | CheckOutcome> {
  const smart = await smartOrSkip(ctx);
  if (skipped(smart)) return smart;
  await smart.tokens.bearer().catch(() => undefined);
  const answer = smart.tokens.answers[0];
  return answer ?? skip('no SMART token request was made');
}

export interface NarrowAccess {
  smart: SmartAuth;
  /** A client whose bearer token is the narrow scope's. */
  client: TargetClient;
  answer: SmartTokenAnswer;
  /** A resource type the server declares that neither the narrow scope asked for nor the one granted reaches. */
  type: string;
}

/** Types a narrow token is tried on first (the IG's examples): data, not the Patient it may hold. */
const PREFERRED = [
  'Observation',
  'Encounter',
  'Condition',
  'Coverage',
  'ExplanationOfBenefit',
  'Practitioner',
];
/** Declared types that are no export content. */
const NOT_EXPORTED = new Set(['Group', 'OperationDefinition', 'CapabilityStatement', 'Binary', 'Bundle']);

/**
 * A token of --narrow-scope and a declared type beyond it, or the skip saying why not. `among`
 * limits the types to those (e.g. the types of a manifest's files).
 */
export async function narrowAccess(
  ctx: CheckContext,
  among?: readonly string[],
): Promise<NarrowAccess | CheckOutcome> {
  const smart = await smartOrSkip(ctx);
  if (skipped(smart)) return smart;
  const tokens = smart.narrowTokens();
  try {
    await tokens.bearer();
  } catch (err) {
    if (!(err instanceof TokenError)) throw err;
    return skip(
      `no token of the narrow scope "${smart.narrowScope}" (--narrow-scope): ${err.message}`,
      err.exchangeId ? [err.exchangeId] : [],
    );
  }
  const answer = tokens.answers.at(-1)!;
  const granted = answer.scope ?? smart.narrowScope;
  const candidates = among ?? [...(await declaredResourceTypes(ctx))];
  const outside = candidates.filter(
    (t) => !NOT_EXPORTED.has(t) && !scopeReaches(smart.narrowScope, t) && !scopeReaches(granted, t),
  );
  const type = PREFERRED.find((t) => outside.includes(t)) ?? outside[0];
  if (!type)
    return skip(
      `no resource type ${among ? 'of the files' : 'the server declares'} lies outside the narrow scope "${granted}"`,
      [answer.exchangeId],
    );
  return { smart, client: smart.clientWith(tokens, ctx.target), answer, type };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const exportsIn = (operations: unknown): boolean =>
  Array.isArray(operations) && operations.some((o) => isObject(o) && o.name === 'export');

/**
 * The export level a scope-enforcement kick-off uses: Patient when the CapabilityStatement declares
 * it, else system, else Group; Patient when it declares none (the kick-off answer then says).
 */
export async function scopeKickoffLevel(ctx: CheckContext): Promise<ExportLevel> {
  const body = (await metadataResponse(ctx)).json<unknown>();
  const rests = isObject(body) && Array.isArray(body.rest) ? body.rest.filter(isObject) : [];
  const resources = rests.flatMap((r) => (Array.isArray(r.resource) ? r.resource.filter(isObject) : []));
  const onType = (type: string) => resources.some((r) => r.type === type && exportsIn(r.operation));
  if (onType('Patient')) return 'patient';
  if (rests.some((r) => exportsIn(r.operation))) return 'system';
  if (onType('Group')) return 'group';
  return 'patient';
}
