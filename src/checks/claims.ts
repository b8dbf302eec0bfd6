/**
 * Partially adjudicated claims (v2 Claim and ClaimResponse, seed 000 §/Group, seed 001): for an
 * organization entitled to them, a kick-off may ask for them and a default export includes them,
 * in files that hold valid resources. Needs such an organization's credentials.
 */
import {
  type CheckContext,
  type CheckDefinition,
  type ExportRun,
  KickoffBudgetExceeded,
  fail,
  pass,
  skip,
  verdict,
} from './context';
import type { TargetClient } from '../http/target';
import { manifestItems } from '../flows/manifest';
import { exportIssues } from './fhir';
import { joinProblems, statusProblem } from './kit/expect';

const CLAIM_TYPES = ['Claim', 'ClaimResponse'] as const;
const NO_CLIENT =
  'no client entitled to partially adjudicated claims configured (--partially-adjudicated-client-id / BCDA_PARTIALLY_ADJUDICATED_CLIENT_ID)';

/** The entitled client's default Group/all export, downloaded and validated once per run. */
function claimsExport(ctx: CheckContext, client: TargetClient): Promise<ExportRun> {
  return ctx.filteredExport('partially adjudicated', { endpoint: 'group', group: 'all', client });
}

export const claimChecks: CheckDefinition[] = [
  {
    id: 'KICKOFF-TYPE-CLAIM-ENTITLED',
    title: '_type=Claim,ClaimResponse is accepted for an entitled organization',
    description:
      'On v2, an organization entitled to partially adjudicated claims may ask for Claim and ClaimResponse: the kick-off answers 202.',
    level: 'MUST',
    area: 'kickoff',
    versions: ['v2'],
    profiles: ['bcda'],
    refs: ['seed:000 §/Group', 'seed:001 §BCDA recommends using v2 of the API', 'behavior §3'],
    operations: ['exportPatientV2'],
    faults: ['kickoff-rejects-valid-type'],
    async run(ctx) {
      const client = ctx.partiallyAdjudicatedClient;
      if (!client) return skip(NO_CLIENT);
      try {
        const { res } = await ctx.kickoffAndCancel({
          endpoint: 'patient',
          client,
          query: { _type: CLAIM_TYPES.join(',') },
          label: 'kick-off for Claim and ClaimResponse by the entitled client',
        });
        const problem = statusProblem(res, 202);
        return verdict(problem, '202', [res.exchange.id]);
      } catch (err) {
        if (err instanceof KickoffBudgetExceeded) return skip(err.message);
        throw err;
      }
    },
  },
  {
    id: 'EXPORT-PARTIALLY-ADJUDICATED',
    title: "an entitled organization's default export includes valid Claim and ClaimResponse files",
    description:
      'On v2, the default Group/all export of an organization entitled to partially adjudicated claims lists Claim and ClaimResponse files beside the adjudicated types; each downloads and holds only valid resources of its type (FHIR R4 schema and the BCDA profile rules).',
    level: 'MUST',
    area: 'download',
    versions: ['v2'],
    profiles: ['bcda'],
    refs: ['seed:000 §/Group', 'seed:001 §BCDA recommends using v2 of the API', 'behavior §2.2'],
    operations: ['exportGroupV2', 'getJobStatusV2', 'downloadFile'],
    faults: ['partially-adjudicated-omitted', 'content-invalid-fhir'],
    async run(ctx) {
      const client = ctx.partiallyAdjudicatedClient;
      if (!client) return skip(NO_CLIENT);
      const run = await claimsExport(ctx, client);
      const evidence = [run.kickoff?.exchange.id, run.final?.exchange.id].filter((x): x is string => !!x);
      if (!run.manifest)
        return skip(`the export did not complete: ${run.problem ?? 'no manifest'}`, evidence);
      const listed = new Set(manifestItems(run.manifest.output).map((i) => i.type));
      const claims = run.downloads.filter(
        (d) => d.kind === 'output' && CLAIM_TYPES.some((t) => t === d.item.type),
      );
      evidence.push(...claims.flatMap((d) => (d.exchangeId ? [d.exchangeId] : [])).slice(0, 8));
      const files = new Set(claims.map((d) => d.item.url));
      const issues = exportIssues(run).filter((i) => i.severity === 'error' && files.has(i.file));
      const problem = joinProblems([
        ...CLAIM_TYPES.map((t) => (listed.has(t) ? undefined : `no ${t} file in the manifest`)),
        ...claims.map((d) =>
          d.status === 200 && !d.error ? undefined : `${d.item.type} file answered ${d.error ?? d.status}`,
        ),
        issues.length
          ? `${issues.length} validation error(s), first: ${issues[0]!.path} ${issues[0]!.message}`
          : undefined,
      ]);
      if (problem) return fail(problem, evidence);
      const lines = claims.reduce((n, d) => n + (d.validation?.validatedLines ?? 0), 0);
      return pass(`${claims.length} Claim/ClaimResponse file(s), ${lines} valid line(s)`, evidence);
    },
  },
];
