/**
 * Partially adjudicated claims (FISS institutional `f-…`, MCS professional `m-…`) as Claim and
 * ClaimResponse, shaped like BFD's v2 responses: the beneficiary is a contained Patient carrying
 * the MBI, no meta.profile. Unlike the BFD samples, Claim always has `insurance` and
 * ClaimResponse items always have `itemSequence`, both required by FHIR R4.
 */
import type { Claim, ClaimItem, ClaimResponse, Extension, Organization, Patient } from 'fhir/r4';
import type { BeneficiaryFacts, PartialClaimFact } from '../beneficiary';
import { dateTimeOffset, epochDayToDate, instant } from '../beneficiary';
import { HCPCS_CODES, ICD10_DIAGNOSES, REVENUE_CENTERS } from '../code-tables';
import {
  C4BB_CODESYSTEM,
  MBI_SYSTEM,
  NPI_SYSTEM,
  UNIQUE_CLAIM_ID_TYPE,
  coding,
  concept,
  money,
} from '../fhir-parts';
import { BUILTIN_RESOURCE_PROFILES } from '../profiles';
import { firstName, lastName, reseed, rng } from '../seeded-faker';
import type { ApiVersion } from '../../../core/vocabulary';

const BB = 'https://bluebutton.cms.gov/resources/variables/';
const CLAIM_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/claim-type';

function claimNumberSystem(claim: PartialClaimFact): string {
  return claim.source === 'fiss' ? BB + 'fiss/dcn' : BB + 'mcs/icn';
}

function claimType(claim: PartialClaimFact): { coding: ReturnType<typeof coding>[] } {
  return claim.source === 'fiss'
    ? concept(coding(CLAIM_TYPE_SYSTEM, 'institutional', 'Institutional'))
    : concept(coding(CLAIM_TYPE_SYSTEM, 'professional', 'Professional'));
}

/** Contained Patient: the partially adjudicated feeds identify the beneficiary by MBI only. */
function containedPatient(facts: BeneficiaryFacts): Patient {
  // Names come from the beneficiary's own seed so Claim and ClaimResponse agree with each other.
  reseed(facts.seed);
  const sex = rng.chance(0.54) ? 'female' : 'male';
  const given = firstName(sex).toLowerCase();
  const family = lastName().toLowerCase();
  return {
    resourceType: 'Patient',
    id: 'patient',
    identifier: [
      {
        type: concept(
          coding('http://terminology.hl7.org/CodeSystem/v2-0203', 'MC', "Patient's Medicare Number"),
        ),
        system: MBI_SYSTEM,
        value: facts.mbi,
      },
    ],
    name: [{ family, given: [given] }],
    gender: sex,
  };
}

function withProfile<T extends Claim | ClaimResponse>(resource: T, profile: string[]): T {
  if (profile.length > 0 && resource.meta) resource.meta.profile = profile;
  return resource;
}

export function buildClaim(facts: BeneficiaryFacts, claim: PartialClaimFact, version: ApiVersion): Claim {
  const patient = containedPatient(facts);
  reseed(claim.seed);
  const fiss = claim.source === 'fiss';
  const org: Organization = {
    resourceType: 'Organization',
    id: 'provider-org',
    identifier: [
      {
        type: concept(coding(C4BB_CODESYSTEM + 'C4BBIdentifierType', 'npi', 'National Provider Identifier')),
        system: NPI_SYSTEM,
        value: rng.digits(10, true),
      },
    ],
  };
  const extension: Extension[] = fiss
    ? [{ url: BB + 'fiss/serv-typ-cd', valueCoding: coding(BB + 'fiss/serv-typ-cd', String(rng.int(1, 9))) }]
    : [{ url: BB + 'mcs/claim-type', valueCoding: coding(BB + 'mcs/claim-type', rng.pick(['R', '3', '9'])) }];
  const diagnosisCount = rng.int(1, 3);
  const items: ClaimItem[] = [];
  const itemCount = rng.int(1, 3);
  let total = 0;
  for (let i = 0; i < itemCount; i++) {
    const [code] = rng.pick(HCPCS_CODES);
    const charge = rng.money(25, fiss ? 8000 : 600);
    total += charge;
    const item: ClaimItem = {
      sequence: i + 1,
      diagnosisSequence: [1],
      productOrService: concept(coding('https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets', code)),
      servicedDate: epochDayToDate(claim.startDay + rng.int(0, claim.endDay - claim.startDay)),
      quantity: { value: rng.int(1, 4) },
      net: money(charge),
    };
    if (fiss) item.revenue = concept(coding(BB + 'fiss/rev-cd', rng.pick(REVENUE_CENTERS)[0]));
    items.push(item);
  }
  const resource: Claim = {
    resourceType: 'Claim',
    id: claim.id,
    meta: { lastUpdated: instant(claim.updated) },
    contained: [patient, org],
    extension,
    identifier: [{ type: UNIQUE_CLAIM_ID_TYPE, system: claimNumberSystem(claim), value: claim.number }],
    status: 'active',
    type: claimType(claim),
    use: 'claim',
    patient: { reference: '#patient' },
    billablePeriod: { start: epochDayToDate(claim.startDay), end: epochDayToDate(claim.endDay) },
    created: dateTimeOffset(claim.created),
    provider: { reference: '#provider-org' },
    priority: concept(coding('http://terminology.hl7.org/CodeSystem/processpriority', 'normal', 'Normal')),
    diagnosis: Array.from({ length: diagnosisCount }, (_, i) => {
      const [code, display] = rng.pick(ICD10_DIAGNOSES);
      return {
        sequence: i + 1,
        diagnosisCodeableConcept: concept(coding('http://hl7.org/fhir/sid/icd-10-cm', code, display)),
      };
    }),
    insurance: [
      {
        sequence: 1,
        focal: true,
        coverage: {
          identifier: { system: BB + (fiss ? 'fiss/payers-name' : 'mcs/payer'), value: 'MEDICARE' },
        },
      },
    ],
    item: items,
    total: money(Math.round(total * 100) / 100),
  };
  return withProfile(resource, BUILTIN_RESOURCE_PROFILES[version].Claim);
}

export function buildClaimResponse(
  facts: BeneficiaryFacts,
  claim: PartialClaimFact,
  version: ApiVersion,
): ClaimResponse {
  const patient = containedPatient(facts);
  reseed(claim.seed ^ 0x5a5a5a5a);
  const fiss = claim.source === 'fiss';
  const statusDay = claim.endDay + rng.int(1, 3);
  const extension: Extension[] = fiss
    ? [
        {
          url: BB + 'fiss/curr-status',
          valueCoding: coding(BB + 'fiss/curr-status', rng.pick(['a', 'm', 's'])),
        },
        { url: BB + 'fiss/recd-dt-cymd', valueDate: epochDayToDate(claim.endDay + 1) },
        { url: BB + 'fiss/curr-tran-dt-cymd', valueDate: epochDayToDate(statusDay) },
      ]
    : [
        {
          url: BB + 'mcs/status-code',
          valueCoding: coding(BB + 'mcs/status-code', rng.pick(['1', '5', 'A'])),
        },
        { url: BB + 'mcs/claim-receipt-date', valueDate: epochDayToDate(claim.endDay + 1) },
        { url: BB + 'mcs/status-date', valueDate: epochDayToDate(statusDay) },
      ];
  const resource: ClaimResponse = {
    resourceType: 'ClaimResponse',
    id: claim.id,
    meta: { lastUpdated: instant(claim.responseUpdated) },
    contained: [patient],
    extension,
    identifier: [{ type: UNIQUE_CLAIM_ID_TYPE, system: claimNumberSystem(claim), value: claim.number }],
    status: 'active',
    type: claimType(claim),
    use: 'claim',
    patient: { reference: '#patient' },
    created: dateTimeOffset(claim.created),
    insurer: { identifier: { value: 'CMS' } },
    request: { reference: `Claim/${claim.id}` },
    outcome: rng.pick(['queued', 'partial', 'complete'] as const),
  };
  if (fiss) {
    resource.item = [
      {
        itemSequence: 1,
        adjudication: [
          {
            category: concept(
              coding(C4BB_CODESYSTEM + 'C4BBAdjudicationDiscriminator', 'denialreason', 'Denial Reason'),
            ),
            reason: concept(coding(BB + 'fiss/aco-red-rarc', `N${rng.int(100, 999)}`)),
          },
        ],
      },
    ];
  }
  return withProfile(resource, BUILTIN_RESOURCE_PROFILES[version].ClaimResponse);
}
