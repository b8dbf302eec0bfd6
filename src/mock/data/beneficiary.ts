/**
 * Who a beneficiary is and what they have, as cheap facts (ids, dates, claim list) derived
 * from (seed, ACO, index) alone. The resource builders add the details; the planner uses
 * only these facts, so planning an export never builds a resource.
 */
import { EOB_CLAIM_TYPES, type EobClaimType } from './profiles';
import { Rng, hashString, mix } from './random';

const DAY_MS = 86_400_000;
/** Letters allowed in MBI alphabetic positions (CMS excludes S, L, O, I, B, Z). */
const MBI_LETTERS = 'ACDEFGHJKMNPQRTUVWXY';
const MBI_ALNUM = MBI_LETTERS + '0123456789';
/** The index-derived MBI part has 10^4 * 20^2 combinations; more beneficiaries than that would repeat. */
const MBI_SPACE = 4_000_000;

/** Per-ACO hash every per-beneficiary value starts from. */
export function acoKey(seed: number, cmsId: string): number {
  return hashString(cmsId, mix(0x5eed5eed, seed));
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * The beneficiary's BFD id: negative like BFD's synthetic ids, 14 digits, unique inside the ACO
 * (the index is part of it) e.g. `-13417000000042`.
 */
export function beneficiaryId(seed: number, cmsId: string, index: number): string {
  const k = acoKey(seed, cmsId);
  return `-${1 + (k % 9)}${pad((k >>> 4) % 10000, 4)}${pad(index + 1, 9)}`;
}

/**
 * The beneficiary's MBI: MBI-shaped (11 characters), but with `S` as second character, which
 * real MBIs never use, marking it synthetic. Unique inside an ACO of up to 4 million.
 */
export function beneficiaryMbi(seed: number, cmsId: string, index: number): string {
  const k = acoKey(seed, cmsId);
  // A bijection of the index (7919 is prime and does not divide MBI_SPACE) so neighbours differ.
  const n = (index * 7919 + (k % MBI_SPACE)) % MBI_SPACE;
  const d = n % 10000;
  const l = Math.floor(n / 10000);
  const at = (s: string, i: number): string => s.charAt(i % s.length);
  return (
    String(1 + ((k >>> 3) % 9)) +
    'S' +
    at(MBI_ALNUM, k >>> 7) +
    String(Math.floor(d / 1000)) +
    at(MBI_LETTERS, k >>> 13) +
    at(MBI_ALNUM, k >>> 19) +
    String(Math.floor(d / 100) % 10) +
    at(MBI_LETTERS, Math.floor(l / 20)) +
    at(MBI_LETTERS, l % 20) +
    String(Math.floor(d / 10) % 10) +
    String(d % 10)
  );
}

/**
 * Whether BFD "cannot find" this beneficiary: ~1 in 200, plus one fixed beneficiary among the
 * first 50 so that even the 50-beneficiary ACO has an error file.
 */
export function isErrorBeneficiary(seed: number, cmsId: string, index: number, total: number): boolean {
  const k = acoKey(seed, cmsId);
  if (index === (k >>> 8) % Math.min(Math.max(total, 1), 50)) return true;
  return mix(k, index, 0xe7707) % 200 === 0;
}

export interface ClaimFact {
  type: EobClaimType;
  /** Negative BFD claim id (without the `<type>-` prefix). */
  claimId: string;
  /** Service period, epoch days (UTC). */
  startDay: number;
  endDay: number;
  /** `created` and `meta.lastUpdated`, epoch ms. */
  created: number;
  updated: number;
  /** Seed for the resource details. */
  seed: number;
}

export interface PartialClaimFact {
  /** FISS (institutional, `f-`) or MCS (professional, `m-`). */
  source: 'fiss' | 'mcs';
  /** Resource id shared by the Claim and its ClaimResponse, e.g. `f-…` or `m-…`. */
  id: string;
  /** The DCN (FISS) or ICN (MCS) claim number. */
  number: string;
  startDay: number;
  endDay: number;
  created: number;
  updated: number;
  responseUpdated: number;
  seed: number;
}

export interface CoverageFact {
  part: 'a' | 'b' | 'c' | 'd';
  updated: number;
  seed: number;
}

export interface BeneficiaryFacts {
  index: number;
  id: string;
  mbi: string;
  /** Not found in BFD: only an OperationOutcome line, in every file it would have been in. */
  error: boolean;
  /** Seed for the Patient's details (name, address, …). */
  seed: number;
  /** Patient `meta.lastUpdated`: never earlier than any of the beneficiary's other resources. */
  patientUpdated: number;
  coverage: CoverageFact[];
  claims: ClaimFact[];
  partialClaims: PartialClaimFact[];
}

export interface FactsContext {
  seed: number;
  cmsId: string;
  beneficiaries: number;
  /** Whether the ACO has partially adjudicated claims (Claim/ClaimResponse). */
  partiallyAdjudicated: boolean;
  /**
   * The newest instant any resource may be lastUpdated: an hour before the start of the
   * transaction's UTC day, as if BFD loaded data nightly. Jobs run on the same day see the same
   * data, and `_since=<now>` returns nothing.
   */
  horizon: number;
}

export function horizonFor(transactionTime: Date): number {
  const t = transactionTime.getTime();
  return t - (t % DAY_MS) - 3_600_000;
}

/** Claim counts (0..7) weighted to average about 2.9 EOBs per beneficiary. */
const CLAIM_COUNT_WEIGHTS = [10, 15, 20, 20, 15, 10, 6, 4];
const CLAIM_TYPE_WEIGHTS: Record<EobClaimType, number> = {
  carrier: 35,
  pde: 25,
  outpatient: 15,
  dme: 8,
  inpatient: 6,
  snf: 4,
  hha: 4,
  hospice: 3,
};
/** How long a stay of each type lasts, in days (max). */
const STAY_DAYS: Record<EobClaimType, number> = {
  carrier: 0,
  pde: 0,
  outpatient: 0,
  dme: 0,
  inpatient: 14,
  snf: 30,
  hha: 20,
  hospice: 30,
};

function weighted<T>(rng: Rng, items: readonly T[], weights: readonly number[]): T {
  const total = weights.reduce((a, b) => a + b, 0);
  let r = rng.next() * total;
  for (let i = 0; i < items.length; i++) {
    r -= weights[i] ?? 0;
    if (r < 0) return items[i] as T;
  }
  return items[items.length - 1] as T;
}

const CLAIM_TYPE_WEIGHT_LIST = EOB_CLAIM_TYPES.map((t) => CLAIM_TYPE_WEIGHTS[t]);
const COUNTS = CLAIM_COUNT_WEIGHTS.map((_, i) => i);
/** Service dates span the three years before the horizon, so runout has prior-year claims. */
const SERVICE_SPAN_DAYS = 3 * 365;

const factsRng = new Rng();

/** The facts of one beneficiary. Pure: depends only on the context and the index. */
export function beneficiaryFacts(ctx: FactsContext, index: number): BeneficiaryFacts {
  const k = acoKey(ctx.seed, ctx.cmsId);
  const beneSeed = mix(k, index);
  const rng = factsRng;
  rng.seed(beneSeed);
  const horizonDay = Math.floor(ctx.horizon / DAY_MS);
  // Instants are whole seconds plus milliseconds, all before the horizon.
  const instantBefore = (maxMs: number, spanMs: number): number =>
    Math.max(0, maxMs - Math.floor(rng.next() * spanMs));

  const id = beneficiaryId(ctx.seed, ctx.cmsId, index);
  const claims: ClaimFact[] = [];
  const count = weighted(rng, COUNTS, CLAIM_COUNT_WEIGHTS);
  for (let c = 0; c < count; c++) {
    const type = weighted(rng, EOB_CLAIM_TYPES, CLAIM_TYPE_WEIGHT_LIST);
    // Leave 60 days after the service so `created` and `lastUpdated` stay before the horizon.
    const startDay = horizonDay - 60 - rng.int(0, SERVICE_SPAN_DAYS);
    const endDay = startDay + rng.int(0, STAY_DAYS[type]);
    const created = (endDay + rng.int(1, 20)) * DAY_MS + rng.int(0, DAY_MS - 1);
    const updated = Math.min(created + rng.int(0, 25 * DAY_MS), ctx.horizon);
    claims.push({
      type,
      claimId: `-${1 + (k % 9)}${pad((k >>> 4) % 1000, 3)}${pad(index, 8)}${pad(c, 2)}`,
      startDay,
      endDay,
      created,
      updated,
      seed: mix(beneSeed, 0xc1a, c),
    });
  }

  const partialClaims: PartialClaimFact[] = [];
  if (ctx.partiallyAdjudicated) {
    const n = weighted(rng, [0, 1, 2, 3], [25, 40, 25, 10]);
    for (let c = 0; c < n; c++) {
      const source = rng.chance(0.5) ? 'fiss' : 'mcs';
      // Partially adjudicated claims are recent: the year before the horizon.
      const startDay = horizonDay - 10 - rng.int(0, 365);
      const endDay = Math.min(startDay + rng.int(0, source === 'fiss' ? 10 : 2), horizonDay - 3);
      const created = (endDay + 1) * DAY_MS + rng.int(0, DAY_MS - 1);
      const updated = Math.min(created + rng.int(0, 2 * DAY_MS), ctx.horizon);
      const responseUpdated = Math.min(updated + rng.int(0, 2 * DAY_MS), ctx.horizon);
      const number =
        source === 'fiss'
          ? `${pad((k >>> 5) % 100, 2)}${pad(index, 8)}${pad(c, 2)}${MBI_LETTERS.charAt(k % 20)}`
          : `${pad((k >>> 5) % 100, 2)}${pad(index, 8)}${pad(c, 2)}`;
      partialClaims.push({
        source,
        id: `${source === 'fiss' ? 'f' : 'm'}-${number}`,
        number,
        startDay,
        endDay,
        created,
        updated,
        responseUpdated,
        seed: mix(beneSeed, 0xfa11, c),
      });
    }
  }

  const coverage: CoverageFact[] = (['a', 'b', 'c', 'd'] as const).map((part, i) => ({
    part,
    updated: instantBefore(ctx.horizon, SERVICE_SPAN_DAYS * DAY_MS),
    seed: mix(beneSeed, 0xc0e, i),
  }));

  let patientUpdated = instantBefore(ctx.horizon, SERVICE_SPAN_DAYS * DAY_MS);
  for (const c of claims) patientUpdated = Math.max(patientUpdated, c.updated);
  for (const c of coverage) patientUpdated = Math.max(patientUpdated, c.updated);
  for (const c of partialClaims) patientUpdated = Math.max(patientUpdated, c.responseUpdated);

  return {
    index,
    id,
    mbi: beneficiaryMbi(ctx.seed, ctx.cmsId, index),
    error: isErrorBeneficiary(ctx.seed, ctx.cmsId, index, ctx.beneficiaries),
    seed: mix(beneSeed, 0x9a7),
    patientUpdated,
    coverage,
    claims,
    partialClaims,
  };
}

/** Formatted dates by epoch day: a few thousand distinct days occur, each formatted once. */
const dateCache = new Map<number, string>();

export function epochDayToDate(day: number): string {
  let text = dateCache.get(day);
  if (text === undefined) {
    text = new Date(day * DAY_MS).toISOString().slice(0, 10);
    if (dateCache.size > 50_000) dateCache.clear();
    dateCache.set(day, text);
  }
  return text;
}

/** FHIR instant with milliseconds, UTC. */
export function instant(ms: number): string {
  return new Date(ms).toISOString();
}

/** FHIR dateTime BFD-style with an explicit offset. */
export function dateTimeOffset(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + '+00:00';
}

export { DAY_MS };
