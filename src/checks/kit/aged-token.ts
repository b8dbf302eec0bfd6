/**
 * A generic Bulk Data server's own access token, presented again once the server's clock has moved
 * past the lifetime the token answer gave it (expires_in). The ladder's expired-token probes send a
 * forged token, which a server refuses for not having issued it whatever it does with expiry; only a
 * token the server issued and then let age shows an expiry that is never checked, or checked at the
 * kick-off only (SMART Backend Services: the resource server refuses an expired token; IG: the status
 * URL and protected files refuse what the kick-off refuses).
 */
import { type CheckContext, type TargetControl, NotApplicable, skip, verdict } from '../context';
import type { CheckOutcome } from '../types';
import type { HttpResponse } from '../../http/client';
import { manifestItems } from '../../flows/manifest';
import { ENDPOINTS, type ProtectedEndpointKey } from './endpoints';
import { errorAnswerProblems, joinProblems } from './expect';

/** How far past its stated lifetime the token is presented: well beyond any clock-skew allowance. */
const PAST_EXPIRY_SECONDS = 120;

/** The kick-off levels tried, in order, for the aged token's kick-off (the first the server offers). */
const KICKOFF_KEYS: ProtectedEndpointKey[] = ['EXPORT-GROUP', 'EXPORT-PATIENT'];

function endpoint(key: ProtectedEndpointKey) {
  const found = ENDPOINTS.find((e) => e.key === key);
  if (!found) throw new Error(`no protected endpoint ${key}`);
  return found;
}

/** One aged-token request: what was asked, and its answer or why it could not be sent. */
interface Probe {
  what: string;
  res?: HttpResponse;
}

async function probe(
  ctx: CheckContext,
  keys: ProtectedEndpointKey[],
  header: string,
  what: string,
): Promise<Probe | undefined> {
  for (const key of keys) {
    try {
      const res = await endpoint(key).send(ctx, { header }, `${what} with the aged token`);
      if (typeof res !== 'string') return { what, res };
    } catch (err) {
      // A level this server does not offer: try the next one.
      if (!(err instanceof NotApplicable)) throw err;
    }
  }
  return undefined;
}

/**
 * The generic profile's AUTH-OWN-TOKEN-EXPIRES: a fresh token, accepted by the shared export's
 * status URL, then refused with 401 and an OperationOutcome by the status URL, a protected file and
 * a kick-off once the clock has moved past its expires_in.
 */
export async function agedSmartTokenVerdict(
  ctx: CheckContext,
  control: TargetControl,
): Promise<CheckOutcome> {
  if (ctx.config.token) return skip('the run has only a fixed --token: when it ends is unknown');
  const run = await ctx.mainExport();
  if (!run.jobUrl) return skip(`no job URL from the shared export: ${run.problem ?? 'no job'}`);
  await ctx.settled();
  ctx.invalidateToken();
  const asked = ctx.tokenObservations().length;
  const header = await ctx.target.authorization('token');
  const obs = ctx.tokenObservations()[asked];
  if (!header || !obs) return skip('no fresh token could be asked for');
  const lifetime = obs.expiresInSeconds;
  if (lifetime === undefined)
    return skip('the token answer gave no expires_in: when the token ends is unknown', [obs.exchangeId]);
  const before = await probe(ctx, ['JOB-STATUS'], header, "the shared export's status");
  if (!before?.res || (before.res.status !== 200 && before.res.status !== 202))
    return skip(
      `the fresh token is not accepted by the status URL even now${before?.res ? ` (status ${before.res.status})` : ''}: its refusal later would tell nothing`,
      [obs.exchangeId, ...(before?.res ? [before.res.exchange.id] : [])],
    );
  const moved = lifetime + PAST_EXPIRY_SECONDS;
  let advanced = false;
  try {
    await control.advanceClock(moved);
    advanced = true;
    const protectedFile =
      run.manifest?.requiresAccessToken === true && manifestItems(run.manifest.output).length > 0;
    const probes = [
      await probe(ctx, ['JOB-STATUS'], header, "the shared export's status"),
      protectedFile ? await probe(ctx, ['DATA'], header, 'a file of the shared export') : undefined,
      await probe(ctx, KICKOFF_KEYS, header, 'a kick-off'),
    ].filter((p): p is Probe & { res: HttpResponse } => Boolean(p?.res));
    // A kick-off the aged token wrongly started is cancelled with a live token.
    for (const p of probes) {
      const location = p.res.status === 202 ? p.res.headers['content-location'] : undefined;
      if (location)
        await ctx.cancel(new URL(location, ctx.target.baseUrl).href, 'cancel a job an aged token started');
    }
    const problem = joinProblems(
      probes.map((p) => {
        const wrong = joinProblems(errorAnswerProblems(p.res, 401, { contentType: true }));
        return wrong && `${p.what}, ${moved} s on: ${wrong}`;
      }),
    );
    return verdict(
      problem,
      `accepted at first, then refused with 401 and an OperationOutcome by ${probes.map((p) => p.what).join(', ')} once ${moved} s had passed (expires_in ${lifetime})`,
      [obs.exchangeId, before.res.exchange.id, ...probes.map((p) => p.res.exchange.id)],
    );
  } finally {
    // The clock may be shared: put it back, and drop the token it aged.
    if (advanced) await control.rewindClock(moved);
    ctx.invalidateToken();
  }
}
