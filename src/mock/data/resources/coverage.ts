/** Coverage `part-a|b|c|d-<bene>`, shaped like BFD's C4BB Coverage. */
import type { Coverage, Extension } from 'fhir/r4';
import type { BeneficiaryFacts, CoverageFact } from '../beneficiary';
import { DAY_MS, epochDayToDate, instant } from '../beneficiary';
import { BB_VARIABLES, bbCoding, bbIdentifier, coding, concept } from '../fhir-parts';
import { BUILTIN_RESOURCE_PROFILES } from '../profiles';
import { reseed, rng } from '../seeded-faker';
import type { ApiVersion } from '../../../core/vocabulary';

const COVERAGE_CLASS = 'http://terminology.hl7.org/CodeSystem/coverage-class';

const MEDICARE_STATUS: ReadonlyArray<readonly [string, string]> = [
  ['10', 'Aged without end-stage renal disease (ESRD)'],
  ['11', 'Aged with ESRD'],
  ['20', 'Disabled without ESRD'],
];
const ENTITLEMENT_REASON: ReadonlyArray<readonly [string, string]> = [
  ['0', 'Old age and survivors insurance (OASI)'],
  ['1', 'Disability insurance benefits (DIB)'],
];
const BUY_IN: ReadonlyArray<readonly [string, string]> = [
  ['0', 'Not entitled'],
  ['3', 'Part A and Part B'],
  ['C', 'Part A and Part B state buy-in'],
];

export function coverageId(part: CoverageFact['part'], beneId: string): string {
  return `part-${part}-${beneId}`;
}

export function buildCoverage(
  facts: BeneficiaryFacts,
  cov: CoverageFact,
  version: ApiVersion,
  horizon: number,
): Coverage {
  reseed(cov.seed);
  const year = new Date(horizon).getUTCFullYear() - rng.int(0, 1);
  const status = MEDICARE_STATUS[rng.int(0, 2)] ?? ['10', ''];
  const reason = rng.pick(ENTITLEMENT_REASON);
  const buyIn = rng.pick(BUY_IN);
  const extension: Extension[] = [
    bbCoding('ms_cd', status[0], status[1]),
    bbCoding('orec', reason[0], reason[1]),
    bbCoding('esrd_ind', status[0] === '11' ? 'Y' : 'N'),
    { url: BB_VARIABLES + 'rfrnc_yr', valueDate: String(year) },
  ];
  if (cov.part === 'a') extension.push(bbCoding('a_trm_cd', '0', 'Not Terminated'));
  if (cov.part === 'b') extension.push(bbCoding('b_trm_cd', '0', 'Not Terminated'));
  if (cov.part === 'c') {
    extension.push(bbIdentifier('ptc_cntrct_id_01', `H${rng.digits(4)}`));
    extension.push(bbIdentifier('ptc_pbp_id_01', rng.digits(3)));
  }
  if (cov.part === 'd') {
    extension.push(bbIdentifier('ptdcntrct01', `S${rng.digits(4)}`));
    extension.push(bbIdentifier('ptdpbpid01', rng.digits(3)));
    extension.push(bbCoding('cstshr01', String(rng.int(0, 9)).padStart(2, '0')));
  }
  for (const month of ['01']) extension.push(bbCoding(`buyin${month}`, buyIn[0], buyIn[1]));

  const startDay = Math.floor(horizon / DAY_MS) - rng.int(365, 20 * 365);
  const coverage: Coverage = {
    resourceType: 'Coverage',
    id: coverageId(cov.part, facts.id),
    meta: { lastUpdated: instant(cov.updated) },
    extension,
    // Part C coverage is sometimes ended; everything else is in force.
    status: cov.part === 'c' && rng.chance(0.3) ? 'cancelled' : 'active',
    type: concept(coding('http://terminology.hl7.org/CodeSystem/v3-ActCode', 'SUBSIDIZ')),
    subscriberId: facts.mbi,
    beneficiary: { reference: `Patient/${facts.id}` },
    relationship: concept(
      coding('http://terminology.hl7.org/CodeSystem/subscriber-relationship', 'self', 'Self'),
    ),
    period: { start: epochDayToDate(startDay) },
    payor: [{ identifier: { value: 'Centers for Medicare and Medicaid Services' } }],
    class: [
      { type: concept(coding(COVERAGE_CLASS, 'group', 'Group')), value: 'Medicare' },
      { type: concept(coding(COVERAGE_CLASS, 'plan', 'Plan')), value: `Part ${cov.part.toUpperCase()}` },
    ],
  };
  const profile = BUILTIN_RESOURCE_PROFILES[version].Coverage;
  if (profile.length > 0 && coverage.meta) coverage.meta.profile = profile;
  return coverage;
}
