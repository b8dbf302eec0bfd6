/**
 * BCDA's service endpoints (/_version, /_health, /_auth) and the token smoke test /auth/welcome
 * (behavior §2.8, §2.9). Not in the public docs, but every deployment serves them and monitoring
 * relies on their shapes.
 */
import { type CheckContext, type CheckDefinition, fail, pass, warn, verdict } from './context';
import type { HttpResponse } from '../http/client';
import { joinProblems, mediaType, statusProblem } from './kit/expect';

function jsonObject(res: HttpResponse): Record<string, unknown> | undefined {
  const body = res.json<unknown>();
  return body && typeof body === 'object' && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : undefined;
}

const nonEmptyString = (v: unknown) => typeof v === 'string' && v.length > 0;

/** The three health keys; each is `ok` or a failure text. */
const HEALTH_KEYS = ['database', 'ssas', 'ssas_introspect'] as const;

async function health(ctx: CheckContext, label: string): Promise<HttpResponse> {
  return ctx.target.call('getHealth', { label, auth: 'none' });
}

export const serviceChecks: CheckDefinition[] = [
  {
    id: 'SERVICE-VERSION',
    title: '/_version names the build',
    description: 'GET /_version (public) answers 200 application/json {"version": "<build version>"}.',
    level: 'SHOULD',
    area: 'metadata',
    profiles: ['bcda'],
    refs: ['behavior §2.9'],
    operations: ['getVersion'],
    faults: ['service-version-wrong-shape'],
    async run(ctx) {
      const res = await ctx.target.call('getVersion', { label: 'build version', auth: 'none' });
      const body = jsonObject(res);
      const problem = joinProblems([
        statusProblem(res, 200),
        mediaType(res) === 'application/json'
          ? undefined
          : `Content-Type "${res.headers['content-type'] ?? '(none)'}"`,
        nonEmptyString(body?.version) ? undefined : `version is ${JSON.stringify(body?.version)}`,
      ]);
      return verdict(problem, `version ${String(body?.version)}`, [res.exchange.id]);
    },
  },
  {
    id: 'SERVICE-AUTH-INFO',
    title: '/_auth names the auth provider',
    description:
      'GET /_auth (public) answers 200 application/json with auth_provider and either its version or an "error message" when the provider cannot be reached.',
    level: 'SHOULD',
    area: 'metadata',
    profiles: ['bcda'],
    refs: ['behavior §2.9'],
    operations: ['getAuthInfo'],
    faults: ['auth-info-wrong-shape'],
    async run(ctx) {
      const res = await ctx.target.call('getAuthInfo', { label: 'auth provider', auth: 'none' });
      const body = jsonObject(res);
      const problem = joinProblems([
        statusProblem(res, 200),
        nonEmptyString(body?.auth_provider)
          ? undefined
          : `auth_provider is ${JSON.stringify(body?.auth_provider)}`,
        nonEmptyString(body?.version) || nonEmptyString(body?.['error message'])
          ? undefined
          : 'neither version nor "error message"',
      ]);
      return verdict(problem, `auth provider ${String(body?.auth_provider)}`, [res.exchange.id]);
    },
  },
  {
    id: 'SERVICE-HEALTH',
    title: '/_health reports each dependency, and 502 when one is down',
    description:
      'GET /_health answers 200 with database, ssas and ssas_introspect all "ok". With the auth provider down (on a target whose dependencies can be switched off: the embedded mock) it answers 502 naming the failing one. The real server sends this JSON as text/plain, a known deviation.',
    level: 'SHOULD',
    area: 'metadata',
    profiles: ['bcda'],
    refs: ['behavior §2.9'],
    operations: ['getHealth'],
    faults: ['health-always-ok'],
    async run(ctx) {
      const res = await health(ctx, 'health');
      const body = jsonObject(res);
      const evidence = [res.exchange.id];
      const problems = [
        statusProblem(res, 200),
        body ? undefined : `the body is not a JSON object (${res.jsonError() ?? 'empty'})`,
        ...HEALTH_KEYS.map((k) =>
          body && body[k] !== 'ok' ? `${k} is ${JSON.stringify(body[k])}` : undefined,
        ),
      ];
      if (ctx.control) {
        await ctx.settled(); // nothing of the run may be in flight while the provider is down
        await ctx.control.setAuthProvider('timeout');
        try {
          const down = await health(ctx, 'health while the auth provider is down');
          evidence.push(down.exchange.id);
          const downBody = jsonObject(down);
          problems.push(
            statusProblem(down, 502),
            downBody && (downBody.ssas !== 'ok' || downBody.ssas_introspect !== 'ok')
              ? undefined
              : 'the failing auth provider is not named',
          );
        } finally {
          await ctx.control.setAuthProvider('ok');
        }
      }
      const problem = joinProblems(problems);
      if (problem) return fail(problem, evidence);
      const note = ctx.control ? '200 all ok; 502 naming the auth provider while it was down' : '200 all ok';
      if (mediaType(res) !== 'application/json') {
        return warn(`${note}, but served as "${res.headers['content-type'] ?? '(none)'}"`, evidence, {
          knownDeviation:
            'the real server writes the status before the Content-Type, so the JSON goes out as text/plain',
        });
      }
      return pass(note, evidence);
    },
  },
  {
    id: 'AUTH-WELCOME',
    title: '/auth/welcome greets a valid token',
    description:
      'GET /auth/welcome with a valid bearer token answers 200 with a JSON "success" message: the documented way to test a token.',
    level: 'SHOULD',
    area: 'auth',
    profiles: ['bcda'],
    refs: ['behavior §2.8'],
    operations: ['getWelcome'],
    faults: ['welcome-rejects-valid-token'],
    async run(ctx) {
      const res = await ctx.target.call('getWelcome', { label: 'welcome with a valid token', auth: 'token' });
      const body = jsonObject(res);
      const problem = joinProblems([
        statusProblem(res, 200),
        nonEmptyString(body?.success) ? undefined : 'no "success" message',
      ]);
      return verdict(problem, String(body?.success), [res.exchange.id]);
    },
  },
];
