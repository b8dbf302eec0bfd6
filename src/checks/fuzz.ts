/**
 * Schema-driven fuzzing (src/fuzz/): every parameter and header the spec declares for the run's
 * API version, sent in and out of its schema by fast-check, seeded (--fuzz-seed) and bounded by
 * --fuzz cases per property. One campaign per run feeds four checks, one per kind of finding; a
 * failure names the shrunk request and its curl. Runs late, after the other checks' kick-offs, so
 * its own (each cancelled at once) never starve them of the --max-kickoffs budget.
 */
import { type CheckContext, type CheckDefinition, KickoffBudgetExceeded, fail, pass, skip } from './context';
import type { OperationId } from '../core/operations';
import { runCampaign, type CampaignResult, type Finding, type FuzzTarget } from '../fuzz/campaign';
import type { FindingKind } from '../fuzz/oracles';
import { versioned } from './kit/operations';

const OPERATIONS: OperationId[] = [
  ...versioned('exportPatient'),
  ...versioned('exportGroup'),
  ...versioned('getJobStatus'),
  ...versioned('cancelJob'),
  ...versioned('listJobs'),
  'downloadFile',
];

const OFF =
  'fuzzing is off: --fuzz is 0 (against a target other than the embedded mock it runs only when --fuzz N is given)';

/** How many findings a message spells out; the evidence cites them all. */
const SHOWN_FINDINGS = 3;

function fuzzTarget(ctx: CheckContext): FuzzTarget {
  return {
    version: ctx.version,
    async kickoff(op, wire, label) {
      try {
        const kicked = await ctx.kickoff({
          endpoint: op.base === 'exportPatient' ? 'patient' : 'group',
          ...(wire.path.groupId !== undefined ? { group: wire.path.groupId } : {}),
          ...(wire.rawQuery !== undefined ? { rawQuery: wire.rawQuery } : {}),
          headers: wire.headers,
          label,
        });
        if (kicked.jobUrl) await ctx.cancel(kicked.jobUrl, 'cancel a job a fuzz request started');
        return kicked.res;
      } catch (err) {
        if (err instanceof KickoffBudgetExceeded) return undefined;
        throw err;
      }
    },
    send: (op, wire, label) =>
      ctx.target.call(op.operationId as OperationId, {
        label,
        path: wire.path,
        ...(wire.rawQuery !== undefined ? { rawQuery: wire.rawQuery } : {}),
        headers: wire.headers,
        auth: 'token',
      }),
    exchange: (id) => ctx.log.get(id),
    async ownJobId() {
      const main = await ctx.mainExport().catch(() => undefined);
      return main?.manifest ? /\/jobs\/(\d+)$/.exec(main.jobUrl ?? '')?.[1] : undefined;
    },
  };
}

/** The run's one campaign, shared by the four checks; undefined when fuzzing is off. */
function campaignOf(ctx: CheckContext): Promise<CampaignResult> | undefined {
  const runs = ctx.config.fuzz ?? 0;
  if (runs === 0) return undefined;
  return ctx.once('fuzz:campaign', async () => {
    // The jobs of the checks before must be done: a fuzz kick-off must not meet one of theirs.
    await ctx.settled();
    return runCampaign(fuzzTarget(ctx), { runs, seed: ctx.config.fuzzSeed, deadline: ctx.deadline });
  });
}

function findingText(f: Finding): string {
  const shrunk = f.original ? ` (shrunk in ${f.shrinks} step(s) from ${f.original})` : '';
  return `${f.request} ${f.problem}${shrunk}; repeat it with: ${f.curl}`;
}

/** How the campaign was made, for every verdict: a run with the same seed sends the same requests. */
function howMade(c: CampaignResult): string {
  const notes = [c.kickoffsCut, c.cutShort].filter(Boolean).join('; ');
  return `--fuzz ${c.runs} --fuzz-seed ${c.seed}: ${c.requests} requests over ${c.properties} properties of ${c.operations.length} operations${notes ? `; ${notes}` : ''}`;
}

interface FuzzCase {
  id: string;
  kind: FindingKind;
  title: string;
  description: string;
  refs: string[];
  faults: CheckDefinition['faults'];
  /** What a pass says the judged answers did. */
  passed: string;
  /** What the check expects, for a failure's expected field. */
  expected: string;
}

function fuzzCheck(c: FuzzCase): CheckDefinition {
  return {
    id: c.id,
    title: c.title,
    description: c.description,
    level: 'MUST',
    area: 'fuzz',
    phase: 'late',
    profiles: ['bcda'],
    refs: c.refs,
    operations: OPERATIONS,
    faults: c.faults,
    async run(ctx) {
      const running = campaignOf(ctx);
      if (!running) return skip(OFF);
      const campaign = await running;
      const tally = campaign.tally[c.kind];
      if (tally.findings.length) {
        const shown = tally.findings.slice(0, SHOWN_FINDINGS).map(findingText);
        const more = tally.findings.length - shown.length;
        return fail(
          `${tally.findings.length} finding(s): ${shown.join(' | ')}${more > 0 ? ` | and ${more} more` : ''} (${howMade(campaign)})`,
          tally.findings.map((f) => f.exchangeId),
          { expected: c.expected, actual: tally.findings[0]!.problem },
        );
      }
      if (tally.judged === 0) return skip(`no request of this kind was sent (${howMade(campaign)})`);
      return pass(`${tally.judged} answers ${c.passed} (${howMade(campaign)})`, tally.evidence);
    },
  };
}

const DESCRIBED =
  'Each operation of the API version under test that declares parameters or headers in spec/bcda.openapi.yaml is sent generated values with fast-check: for each parameter, values outside its schema (a wrong enum word, another date format, an empty list element, markup, quotes, a NUL, path climbing, other scripts, very long text, or the header left out) with every other parameter at an accepted value; and whole requests with every parameter inside its schema and documented as accepted (values whose verdict the documents leave open, such as Claim in _type, are never sent). --fuzz N sets the cases per property (3 against the embedded mock by default, off elsewhere), --fuzz-seed makes a run repeatable; accepted kick-offs are cancelled at once and count against --max-kickoffs. A failing case is shrunk to the smallest request that still fails.';

export const fuzzChecks: CheckDefinition[] = [
  fuzzCheck({
    id: 'FUZZ-SERVER-ERROR',
    kind: 'server-error',
    title: 'no generated request, in or out of schema, gets a 5xx or no answer',
    description: `${DESCRIBED} This check: every such request is answered, and never with a 5xx status: bad input is refused with a 4xx.`,
    refs: ['behavior §0.2', 'behavior §3'],
    faults: ['fuzz-type-500', 'status-bad-job-id-500'],
    passed: 'came back without a 5xx status',
    expected: 'an answer below 500',
  }),
  fuzzCheck({
    id: 'FUZZ-REJECTS-INVALID',
    kind: 'rejects-invalid',
    title: 'a value outside its schema is refused with a documented 4xx and an OperationOutcome',
    description: `${DESCRIBED} This check: a request with one value outside its schema is refused with a 4xx status the spec documents for the operation, with a FHIR OperationOutcome body on the /api/vN paths.`,
    refs: ['behavior §0.2', 'behavior §3'],
    faults: [
      'kickoff-accepts-bad-since',
      'kickoff-accepts-bad-group',
      'jobs-accepts-bad-status',
      'kickoff-error-not-operationoutcome',
    ],
    passed: 'to out-of-schema values were documented 4xx refusals',
    expected: 'a 4xx status the spec documents, with an OperationOutcome on /api/vN paths',
  }),
  fuzzCheck({
    id: 'FUZZ-ACCEPTS-VALID',
    kind: 'accepts-valid',
    title: 'a request whose every value is inside its schema and documented is accepted',
    description: `${DESCRIBED} This check: such a request is not refused as bad input; a kick-off answers 202 (its job is cancelled at once). Answers that depend on the data, not the input (404 for an unknown job or an attribution gap, 429 for a duplicate job), give no verdict.`,
    refs: ['behavior §3'],
    faults: ['fuzz-since-fraction-refused', 'kickoff-rejects-valid-since', 'kickoff-rejects-valid-type'],
    passed: 'to in-schema requests were accepted or depended on the data only',
    expected: 'accepted (202 for a kick-off), or a status the data decides (401, 403, 404, 410, 429)',
  }),
  fuzzCheck({
    id: 'FUZZ-NO-ECHO',
    kind: 'no-echo',
    title: 'no answer echoes a generated input unescaped',
    description: `${DESCRIBED} This check: no answer carries the input so that it breaks the body: a JSON body that quotes a value still parses, and no HTML body holds markup or quotes sent in a value.`,
    refs: ['behavior §1'],
    faults: ['fuzz-echo-unescaped'],
    passed: 'kept every quoted input escaped',
    expected: 'bodies that still parse, with the input escaped',
  }),
];
