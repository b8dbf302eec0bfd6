/**
 * Contract conformance of every exchange the run made, whichever check made it and why: each
 * response is judged against spec/bcda.openapi.yaml (src/contract/) on its status, its Content-Type,
 * its documented headers and its body. These checks send nothing; they run last, after the run has
 * cancelled its jobs, so those requests are judged too.
 */
import { fail, pass, skip, warn, type CheckContext, type CheckDefinition } from './context';
import type { FaultName } from '../core/faults';
import type { ContractRule, ContractVerdict } from '../contract/judge';
import { pathOfUrl } from '../core/url-path';

/** Offending exchanges named in a message; all of them (up to EVIDENCE_LIMIT) are evidence. */
const NAMED_IN_MESSAGE = 5;
const EVIDENCE_LIMIT = 25;

interface ContractCase {
  id: string;
  rule: ContractRule;
  title: string;
  description: string;
  faults: FaultName[];
}

const CASES: readonly ContractCase[] = [
  {
    id: 'CONTRACT-STATUS',
    rule: 'status',
    title: 'every response has a status the contract documents for its operation',
    description:
      'Each exchange of the run is mapped to its operation by method and path, and its status is looked up among the responses the contract documents for that operation (deliberately bad requests included: they must get one of the documented error answers). An undocumented status means a client written from the contract meets an answer it cannot expect.',
    faults: ['contract-status-undocumented'],
  },
  {
    id: 'CONTRACT-CONTENT-TYPE',
    rule: 'content-type',
    title: 'every response body has a Content-Type the contract documents for its status',
    description:
      "Each response with a body must label it with a media type the contract documents for that operation and status (parameters such as charset aside), and a response the contract documents without a body must send none. A media type the spec records as the real server's quirk is a known deviation.",
    faults: ['contract-content-type-undocumented'],
  },
  {
    id: 'CONTRACT-HEADERS',
    rule: 'headers',
    title: 'every documented response header is present where required and well formed',
    description:
      "Each header the contract documents for the response (Content-Location, X-Progress, Retry-After, Expires, Content-Encoding, Allow, Cache-Control) must be present when the contract marks it required, and when present must match its schema (an absolute job URL, a progress text, delay-seconds, an HTTP-date). A value the spec records as the real server's quirk is a known deviation.",
    faults: ['contract-retry-after-date'],
  },
  {
    id: 'CONTRACT-BODY',
    rule: 'body',
    title: 'every response body validates against the schema the contract documents',
    description:
      'Each JSON or text body is validated against the schema the contract documents for its operation, status and media type (the manifest, the job list Bundle, OperationOutcomes, attribution_status, the token response, the service endpoints), and each error is reported with its JSON path. Bodies are judged whole as they arrive; NDJSON files are left to the FHIR checks.',
    faults: ['contract-body-one-status'],
  },
];

function contractCheck(c: ContractCase): CheckDefinition {
  return {
    id: c.id,
    title: c.title,
    description: c.description,
    level: 'MUST',
    area: 'contract',
    profiles: ['bcda'],
    refs: [],
    operations: [],
    faults: c.faults,
    phase: 'final',
    run: (ctx) => Promise.resolve(judgeRule(ctx, c.rule)),
  };
}

function judgeRule(ctx: CheckContext, rule: ContractRule) {
  if (!ctx.contract) return skip('the contract was not loaded for this run');
  const verdicts = ctx.contract.verdicts();
  const judged = verdicts.filter((v) => v.operationId !== undefined);
  if (!judged.length) return skip('no exchange of this run maps to an operation of the contract');
  const scope = rule === 'body' ? judged.filter((v) => v.bodyJudged || hasRule(v, 'body')) : judged;
  if (!scope.length) return skip('no response body of this run could be read whole');
  const hits = scope.filter((v) => hasRule(v, rule));
  const broken = hits.filter((v) => v.findings.some((f) => f.rule === rule && !f.knownDeviation));
  const outside = verdicts.length - judged.length;
  const counted = `${scope.length} ${rule === 'body' ? 'bodies' : 'exchanges'} judged${
    outside ? ` (${outside} outside the contract: ${outsideReasons(verdicts)})` : ''
  }`;
  if (broken.length) {
    return fail(
      `${broken.length} of ${scope.length} break the contract: ${describe(ctx, broken, rule, false)}`,
      broken.slice(0, EVIDENCE_LIMIT).map((v) => v.exchangeId),
    );
  }
  if (hits.length) {
    const deviation = [
      ...new Set(
        hits.flatMap((v) => v.findings.filter((f) => f.rule === rule).map((f) => f.knownDeviation ?? '')),
      ),
    ]
      .filter(Boolean)
      .join(' ');
    return warn(
      `${hits.length} of ${scope.length} show a known deviation of the real server: ${describe(ctx, hits, rule, true)}`,
      hits.slice(0, EVIDENCE_LIMIT).map((v) => v.exchangeId),
      { knownDeviation: deviation },
    );
  }
  return pass(`${counted}; all as documented`);
}

function hasRule(v: ContractVerdict, rule: ContractRule): boolean {
  return v.findings.some((f) => f.rule === rule);
}

/** The first few offending exchanges: method, path, status and what is wrong. */
function describe(
  ctx: CheckContext,
  verdicts: ContractVerdict[],
  rule: ContractRule,
  deviations: boolean,
): string {
  const named = verdicts.slice(0, NAMED_IN_MESSAGE).map((v) => {
    const ex = ctx.log.get(v.exchangeId);
    const request = ex ? `${ex.request.method} ${pathOfUrl(ex.request.url)}` : v.exchangeId;
    const what = v.findings
      .filter((f) => f.rule === rule && (deviations || !f.knownDeviation))
      .map((f) => f.message)
      .join('; ');
    return `${v.exchangeId} ${request} → ${v.status ?? '?'} (${v.operationId}): ${what}`;
  });
  const more = verdicts.length - named.length;
  return named.join(' | ') + (more > 0 ? ` | and ${more} more` : '');
}

function outsideReasons(verdicts: ContractVerdict[]): string {
  const counts = new Map<string, number>();
  for (const v of verdicts) {
    if (v.operationId !== undefined) continue;
    const reason = (v.outside ?? 'not judged').replace(/ \/.*$/, '');
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  return [...counts].map(([reason, n]) => `${n} ${reason}`).join(', ');
}

export const contractChecks: readonly CheckDefinition[] = CASES.map(contractCheck);
