/**
 * One fuzz campaign: for every operation of the run's API version that declares parameters, one
 * property per parameter with that parameter out of schema (the others at accepted values), and
 * one property with every parameter in schema. Each property runs `runs` cases with fast-check,
 * seeded, its first cases the deterministic breakers (out) or the spec's examples (in), the rest
 * random. Every answer is judged by the four oracles (oracles.ts); the first case of a property
 * that breaks an oracle is replayed (fast-check's seed and path) and shrunk to the smallest
 * request that still breaks it, within a bounded number of requests.
 */
import fc from 'fast-check';
import { RefusedRequest, TransportError, type HttpResponse } from '../http/client';
import type { ApiVersion } from '../core/vocabulary';
import {
  breakersOf,
  canonicalValue,
  exampleOf,
  inSchemaValues,
  isIn,
  keyOf,
  outOfSchemaValues,
  rulesOf,
  type ParameterRules,
  type RawValue,
} from './arbitraries';
import { curlOf } from './curl';
import { FINDING_KINDS, judge, type Answer, type FindingKind } from './oracles';
import type { RefinementContext } from './refinements';
import { describeRequest, wireOf, type FuzzRequest, type WireRequest } from './request';
import { loadFuzzOperations, operationsOfVersion, type FuzzOperation, type ParameterLocation } from './spec';
import type { Exchange } from '../http/exchange';

/** What the campaign needs of the run: it sends, the run counts and records. */
export interface FuzzTarget {
  version: ApiVersion;
  /**
   * Sends a kick-off counted against the run's kick-off budget, cancelling the job at once when
   * one is started; undefined when the budget is used up (nothing was sent).
   */
  kickoff(op: FuzzOperation, wire: WireRequest, label: string): Promise<HttpResponse | undefined>;
  send(op: FuzzOperation, wire: WireRequest, label: string): Promise<HttpResponse>;
  /** The exchange record of an id (for the curl of a finding). */
  exchange(id: string): Exchange | undefined;
  /** The id of a finished job of the run's own (downloads are fuzzed against it), if any. */
  ownJobId(): Promise<string | undefined>;
}

export interface CampaignOptions {
  /** Cases per property. */
  runs: number;
  seed: number;
  /** Epoch ms after which no more requests are sent. */
  deadline: number;
  /** Requests one shrink may send besides the replay of the case that failed. */
  maxShrinkRequests?: number;
  /** The harness's now, for in-schema instants (tests fix it). */
  nowMs?: number;
}

export interface Finding {
  kind: FindingKind;
  operationId: string;
  /** The property that found it, e.g. `exportGroupV2 _type out of schema`. */
  property: string;
  problem: string;
  /** The request, shrunk: what it sent. */
  request: string;
  exchangeId: string;
  curl: string;
  shrinks: number;
  /** The request first found, when shrinking made it smaller. */
  original?: string;
}

export interface KindTally {
  /** Answers this oracle judged. */
  judged: number;
  findings: Finding[];
  /** A few exchanges it judged, for a passing verdict's evidence. */
  evidence: string[];
}

export interface CampaignResult {
  runs: number;
  seed: number;
  requests: number;
  operations: string[];
  properties: number;
  tally: Record<FindingKind, KindTally>;
  /** Why some kick-offs were not sent (the kick-off budget), when that happened. */
  kickoffsCut?: string;
  /** Why the campaign stopped early (the run's deadline), when it did. */
  cutShort?: string;
}

/** Default bound of one shrink: shrinking costs a request per step, kick-offs included. */
export const MAX_SHRINK_REQUESTS = 20;
/** Nor may one shrink take longer than this (a target that hangs makes every step a timeout). */
const MAX_SHRINK_MS = 15_000;
/** Requests in a row without an answer after which the target counts as gone for the campaign. */
const GONE_AFTER = 3;
const EVIDENCE_PER_KIND = 3;

/** A property: cases of type T, each turned into a request. */
interface Family<T> {
  name: string;
  op: FuzzOperation;
  inSchema: boolean;
  /** Where the parameter under test goes, for an out-of-schema property. */
  brokenIn?: ParameterLocation;
  arbitrary: fc.Arbitrary<T>;
  examples: T[];
  toRequest(value: T): FuzzRequest;
}

interface Sent {
  req: FuzzRequest;
  answer: Answer;
  verdicts: Map<FindingKind, string>;
}

const isKickoff = (op: FuzzOperation) => op.base === 'exportPatient' || op.base === 'exportGroup';

/** A stable 32-bit seed per property, so adding one property does not change the others' cases. */
function seedOf(seed: number, name: string): number {
  let h = seed | 0;
  for (const c of name) h = (Math.imul(h, 31) + c.charCodeAt(0)) | 0;
  return h;
}

export async function runCampaign(target: FuzzTarget, options: CampaignOptions): Promise<CampaignResult> {
  const ops = operationsOfVersion(await loadFuzzOperations(), target.version).filter(
    (op) => op.parameters.length > 0,
  );
  const ownJobId = ops.some((op) => op.base === 'downloadFile') ? await target.ownJobId() : undefined;
  const rctx: RefinementContext = {
    nowMs: options.nowMs ?? Date.now(),
    ...(ownJobId !== undefined ? { ownJobId } : {}),
  };
  const campaign = new Campaign(target, options, ops);
  const families = ops.map((op) => familiesOf(op, rctx, options));
  // Out of schema first: those start no job on a correct server, so the kick-off budget goes further.
  for (const f of families.flatMap((x) => x.out)) await campaign.run(f);
  for (const f of families.flatMap((x) => x.in)) await campaign.run(f);
  return campaign.result(families.reduce((n, x) => n + x.out.length + x.in.length, 0));
}

class Campaign {
  private requests = 0;
  private unansweredInARow = 0;
  private kickoffsCut?: string;
  private cutShort?: string;
  private readonly tally: Record<FindingKind, KindTally>;
  private readonly maxShrink: number;

  constructor(
    private readonly target: FuzzTarget,
    private readonly options: CampaignOptions,
    private readonly ops: FuzzOperation[],
  ) {
    this.tally = Object.fromEntries(
      FINDING_KINDS.map((k) => [k, { judged: 0, findings: [], evidence: [] }]),
    ) as unknown as Record<FindingKind, KindTally>;
    this.maxShrink = options.maxShrinkRequests ?? MAX_SHRINK_REQUESTS;
  }

  result(properties: number): CampaignResult {
    return {
      runs: this.options.runs,
      seed: this.options.seed,
      requests: this.requests,
      operations: this.ops.map((o) => o.operationId),
      properties,
      tally: this.tally,
      ...(this.kickoffsCut ? { kickoffsCut: this.kickoffsCut } : {}),
      ...(this.cutShort ? { cutShort: this.cutShort } : {}),
    };
  }

  private stopped(): boolean {
    if (this.unansweredInARow >= GONE_AFTER) {
      this.cutShort ??= `the target left ${GONE_AFTER} fuzz requests in a row unanswered; the campaign stopped after ${this.requests}`;
      return true;
    }
    if (Date.now() < this.options.deadline) return false;
    this.cutShort ??= `the run's time budget ended after ${this.requests} fuzz requests`;
    return true;
  }

  /** Explores a property, then shrinks the first case that broke each oracle. */
  async run<T>(family: Family<T>): Promise<void> {
    const params = {
      seed: seedOf(this.options.seed, family.name),
      numRuns: this.options.runs,
      examples: family.examples.slice(0, this.options.runs).map((e): [T] => [e]),
    };
    const firsts = new Map<FindingKind, { index: number; sent: Sent }>();
    let index = -1;
    await fc.check(
      fc.asyncProperty(family.arbitrary, async (value) => {
        index += 1;
        const sent = await this.send(family, value);
        if (!sent) return true;
        this.count(family, sent);
        for (const kind of sent.verdicts.keys()) if (!firsts.has(kind)) firsts.set(kind, { index, sent });
        return true;
      }),
      params,
    );
    for (const [kind, first] of firsts) {
      this.tally[kind].findings.push(await this.shrink(family, kind, first, params));
    }
  }

  private async shrink<T>(
    family: Family<T>,
    kind: FindingKind,
    first: { index: number; sent: Sent },
    params: { seed: number; numRuns: number; examples: Array<[T]> },
  ): Promise<Finding> {
    let last = first.sent;
    let steps = 0;
    const until = Date.now() + MAX_SHRINK_MS;
    const details = await fc.check(
      fc.asyncProperty(family.arbitrary, async (value) => {
        // The first call replays the failing case; after it, each shrink step costs a request.
        if (steps > this.maxShrink || (steps > 0 && Date.now() > until)) return true;
        steps += 1;
        const sent = await this.send(family, value);
        const problem = sent?.verdicts.get(kind);
        if (!sent || problem === undefined) return true;
        last = sent;
        return false;
      }),
      { ...params, path: String(first.index) },
    );
    const exchange = this.target.exchange(last.answer.exchangeId);
    const request = describeRequest(last.req);
    const original = describeRequest(first.sent.req);
    return {
      kind,
      operationId: family.op.operationId,
      property: family.name,
      problem: last.verdicts.get(kind) ?? first.sent.verdicts.get(kind)!,
      request,
      exchangeId: last.answer.exchangeId,
      curl: exchange ? curlOf(exchange) : '(no exchange recorded)',
      shrinks: details.failed ? details.numShrinks : 0,
      ...(original !== request ? { original } : {}),
    };
  }

  /** Sends one case and judges its answer; undefined when it was not sent. */
  private async send<T>(family: Family<T>, value: T): Promise<Sent | undefined> {
    if (this.stopped()) return undefined;
    const req = family.toRequest(value);
    const wire = wireOf(req);
    const label = `fuzz: ${family.name}`;
    let answer: Answer;
    try {
      const res = isKickoff(family.op)
        ? await this.target.kickoff(family.op, wire, label)
        : await this.target.send(family.op, wire, label);
      if (!res) {
        this.kickoffsCut ??= `the kick-off budget (--max-kickoffs) was used up after ${this.requests} fuzz requests; later kick-offs were not sent`;
        return undefined;
      }
      answer = { exchangeId: res.exchange.id, status: res.status, headers: res.headers, text: res.text() };
    } catch (err) {
      // A request the harness itself refused to send says nothing about the target.
      if (!(err instanceof TransportError) || err instanceof RefusedRequest) throw err;
      answer = { exchangeId: err.exchange.id, transportError: err.message };
    }
    this.requests += 1;
    this.unansweredInARow = answer.transportError === undefined ? 0 : this.unansweredInARow + 1;
    const sentValues = Object.values(req.values).filter((v): v is string => typeof v === 'string');
    const judged = {
      inSchema: family.inSchema,
      sent: sentValues,
      ...(family.brokenIn ? { brokenIn: family.brokenIn } : {}),
    };
    return { req, answer, verdicts: judge(family.op, judged, answer) };
  }

  private count<T>(family: Family<T>, sent: Sent): void {
    const judgedBy: FindingKind[] = [
      'server-error',
      'no-echo',
      family.inSchema ? 'accepts-valid' : 'rejects-invalid',
    ];
    for (const kind of judgedBy) {
      const t = this.tally[kind];
      t.judged += 1;
      if (t.evidence.length < EVIDENCE_PER_KIND) t.evidence.push(sent.answer.exchangeId);
    }
  }
}

/** The properties of one operation: one per parameter out of schema, one in schema. */
function familiesOf(
  op: FuzzOperation,
  rctx: RefinementContext,
  options: CampaignOptions,
): { out: Array<Family<RawValue>>; in: Array<Family<Record<string, RawValue>>> } {
  const rules = op.parameters.map(rulesOf);
  const seed = options.seed;
  const canonical: Record<string, RawValue> = {};
  for (const r of rules) {
    const value = r.param.required ? canonicalValue(r, op, rctx, seed) : undefined;
    canonical[keyOf(r.param)] = value ?? null;
  }
  const out: Array<Family<RawValue>> = [];
  for (const r of rules) {
    const breakers = breakersOf(r, op, rctx, seed);
    const arbitrary = outOfSchemaValues(r, breakers, seed);
    if (!arbitrary) continue;
    const key = keyOf(r.param);
    out.push({
      name: `${op.operationId} ${r.param.name} out of schema`,
      op,
      inSchema: false,
      brokenIn: r.param.in,
      arbitrary,
      examples: breakers,
      toRequest: (value) => ({ op, values: { ...canonical, [key]: value } }),
    });
  }
  const inFamily = inSchemaFamily(op, rules, rctx, seed, canonical);
  return { out, in: inFamily ? [inFamily] : [] };
}

function inSchemaFamily(
  op: FuzzOperation,
  rules: ParameterRules[],
  rctx: RefinementContext,
  seed: number,
  canonical: Record<string, RawValue>,
): Family<Record<string, RawValue>> | undefined {
  const shape: Record<string, fc.Arbitrary<RawValue>> = {};
  const example: Record<string, RawValue> = {};
  for (const r of rules) {
    const key = keyOf(r.param);
    const values = inSchemaValues(r, op, rctx, seed);
    if (r.param.required) {
      // A required parameter with no documented accepted value cannot make an accepted request.
      if (!values) return undefined;
      shape[key] = values;
    } else if (values) {
      shape[key] = fc.option(values, { nil: null });
    } else continue;
    const given = exampleOf(r.param);
    example[key] = given !== undefined && isIn(r, given) ? given : (canonical[key] ?? null);
  }
  return {
    name: `${op.operationId} in schema`,
    op,
    inSchema: true,
    arbitrary: fc.record(shape),
    examples: [example],
    toRequest: (values) => ({ op, values }),
  };
}
