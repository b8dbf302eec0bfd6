/**
 * The mock's ACOs (model entities). Built-ins mirror the BCDA sandbox fixtures (behavior §7.1);
 * `--credentials FILE` or `extraAcos` add more or replace these by CMS id.
 */
import { createHash } from 'node:crypto';

/** State of the ACO's attribution (CCLF) data, which decides kick-off 404s (behavior §2.2). */
export type AttributionState = 'current' | 'outdated' | 'missing';

export interface MockAco {
  cmsId: string;
  /** BCDA's internal ACO uuid (appears in /jobs 404 diagnostics). */
  uuid: string;
  name: string;
  beneficiaries: number;
  adjudicated: boolean;
  partiallyAdjudicated: boolean;
  /** Terminated ACO: every protected route answers 403. */
  denylisted: boolean;
  /** No ACO config matches it: export and /jobs answer 401 with no diagnostics. */
  enabled: boolean;
  attribution: AttributionState;
  /** A runout attribution file exists (Group/runout works). */
  runout: boolean;
  /** Subject to the duplicate in-flight job 429 (behavior §4). */
  rateLimited: boolean;
  /** v1/v2 routes are denied (403) for this ACO. */
  v1v2Denied: boolean;
  /** v3 routes are denied (403) for this ACO. */
  v3Denied: boolean;
}

/** Deterministic uuid for ACOs whose fixture uuid is not published. */
export function derivedUuid(label: string): string {
  const h = createHash('sha256').update(`bcda-mock-aco:${label}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function aco(cmsId: string, name: string, beneficiaries: number, extra: Partial<MockAco> = {}): MockAco {
  return {
    cmsId,
    uuid: derivedUuid(cmsId),
    name,
    beneficiaries,
    adjudicated: true,
    partiallyAdjudicated: false,
    denylisted: false,
    enabled: true,
    attribution: 'current',
    runout: true,
    rateLimited: false,
    v1v2Denied: false,
    v3Denied: false,
    ...definedOnly(extra),
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The built-in ACOs (sizes from behavior §7.1 and the issue). */
export function builtInAcos(): MockAco[] {
  return [
    aco('A9994', 'ACO Dev (extra-small)', 50, { uuid: '0c527d2e-2e8a-4808-b11d-0fa06baf8254' }),
    aco('A9990', 'ACO Small', 2500, { uuid: '3461c774-b48f-11e8-96f8-529269fb1459' }),
    aco('A9991', 'ACO Medium', 7500, { uuid: 'c74c008d-42f8-4ed9-bf88-cee659c7f692' }),
    aco('A9992', 'ACO Large', 20000, { uuid: '8d80925a-027e-43dd-8aed-9a501cc4cd91' }),
    aco('A9993', 'ACO Extra Large', 30000),
    aco('TEST001', 'Partially-Adjudicated Dev', 40, { partiallyAdjudicated: true }),
    aco('A9997', 'ACO Denylisted', 50, { denylisted: true }),
    aco('TEST995', 'Outdated attribution', 40, { attribution: 'outdated' }),
    aco('TEST996', 'No attribution data', 40, { attribution: 'missing', runout: false }),
    aco('SBXBM0002', 'Sandbox rate-limited (both entitlements)', 40, {
      partiallyAdjudicated: true,
      rateLimited: true,
    }),
  ];
}

/** Fields a credentials file or `extraAcos` may give; everything but cmsId has a default. */
export type AcoInput = Partial<MockAco> & { cmsId: string };

export function acoFromInput(input: AcoInput): MockAco {
  return aco(input.cmsId, input.name ?? input.cmsId, input.beneficiaries ?? 50, input);
}
