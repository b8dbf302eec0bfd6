/**
 * ExplanationOfBenefit of every BFD claim type, modelled on BFD's v2 endpoint responses but with
 * fewer repeats (a few lines and adjudications rather than dozens), so lines are a few KB.
 */
import type {
  ExplanationOfBenefit,
  ExplanationOfBenefitCareTeam,
  ExplanationOfBenefitDiagnosis,
  ExplanationOfBenefitItem,
  ExplanationOfBenefitItemAdjudication,
  ExplanationOfBenefitSupportingInfo,
  Extension,
  Organization,
} from 'fhir/r4';
import type { BeneficiaryFacts, ClaimFact } from '../beneficiary';
import { dateTimeOffset, epochDayToDate, instant } from '../beneficiary';
import {
  HCPCS_CODES,
  HCPCS_MODIFIERS,
  ICD10_DIAGNOSES,
  ICD10_PROCEDURES,
  NDC_DRUGS,
  PLACE_OF_SERVICE,
  PROVIDER_TAXONOMY,
  REVENUE_CENTERS,
} from '../code-tables';
import {
  BB_CODESYSTEM,
  BB_VARIABLES,
  C4BB_CODESYSTEM,
  CLAIM_GROUP_SYSTEM,
  CLM_ID_SYSTEM,
  NPI_SYSTEM,
  PDE_ID_SYSTEM,
  UNIQUE_CLAIM_ID_TYPE,
  amountCategory,
  bbCoding,
  bbIdentifier,
  coding,
  concept,
  money,
  npiIdentifier,
} from '../fhir-parts';
import {
  BUILTIN_RESOURCE_PROFILES,
  C4BB_BASE,
  EOB_CLAIM_TYPE_INFO,
  SYSTEM_TYPE_CODE_SYSTEM,
} from '../profiles';
import { cityName, lastName, reseed, rng, stateCode } from '../seeded-faker';
import type { ApiVersion } from '../../../core/vocabulary';
import { coverageId } from './coverage';

const ADJUDICATION = 'http://terminology.hl7.org/CodeSystem/adjudication';
const C4BB_ADJUDICATION = C4BB_CODESYSTEM + 'C4BBAdjudication';
const CARE_TEAM_ROLE = C4BB_CODESYSTEM + 'C4BBClaimCareTeamRole';
const SUPPORTING_INFO = C4BB_CODESYSTEM + 'C4BBSupportingInfoType';
const DIAGNOSIS_TYPE = C4BB_CODESYSTEM + 'C4BBClaimDiagnosisType';
const CLAIM_TYPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/claim-type';
const ICD10_CM = 'http://hl7.org/fhir/sid/icd-10-cm';

export function eobId(claim: ClaimFact): string {
  return `${claim.type}-${claim.claimId}`;
}

function npi(): string {
  return rng.digits(10, true);
}

function careTeamMember(
  sequence: number,
  role: string,
  roleDisplay: string,
  withQualification: boolean,
): ExplanationOfBenefitCareTeam {
  const member: ExplanationOfBenefitCareTeam = {
    sequence,
    provider: { identifier: npiIdentifier(npi()), display: `DR. ${lastName().toUpperCase()} MD` },
    role: concept(coding(CARE_TEAM_ROLE, role, roleDisplay)),
  };
  if (withQualification) {
    const taxonomy = rng.pick(PROVIDER_TAXONOMY);
    member.qualification = concept(coding('http://nucc.org/provider-taxonomy', taxonomy[0], taxonomy[1]));
  }
  return member;
}

function diagnoses(count: number): ExplanationOfBenefitDiagnosis[] {
  const out: ExplanationOfBenefitDiagnosis[] = [];
  for (let i = 0; i < count; i++) {
    const [code, display] = rng.pick(ICD10_DIAGNOSES);
    out.push({
      sequence: i + 1,
      diagnosisCodeableConcept: concept(coding(ICD10_CM, code, display)),
      type: [
        i === 0
          ? concept(
              coding(
                'http://terminology.hl7.org/CodeSystem/ex-diagnosistype',
                'principal',
                'Principal Diagnosis',
              ),
            )
          : concept(coding(DIAGNOSIS_TYPE, 'secondary', 'Secondary')),
      ],
    });
  }
  return out;
}

function adjudication(
  standardSystem: string,
  code: string,
  display: string,
  variable: string,
  variableDisplay: string,
  value: number,
): ExplanationOfBenefitItemAdjudication {
  return {
    category: amountCategory(standardSystem, code, display, variable, variableDisplay),
    amount: money(value),
  };
}

function receivedInfo(sequence: number, day: number): ExplanationOfBenefitSupportingInfo {
  return {
    sequence,
    category: concept(
      coding(SUPPORTING_INFO, 'clmrecvddate', 'Claim Received Date'),
      coding(
        BB_CODESYSTEM + 'information',
        BB_VARIABLES + 'nch_wkly_proc_dt',
        'NCH Weekly Claim Processing Date',
      ),
    ),
    timingDate: epochDayToDate(day),
  };
}

/** Lines of a professional (carrier/DME) claim: HCPCS services with line-level amounts. */
function professionalItems(claim: ClaimFact, count: number, dme: boolean): ExplanationOfBenefitItem[] {
  const items: ExplanationOfBenefitItem[] = [];
  for (let i = 0; i < count; i++) {
    const [code] = dme ? rng.pick(HCPCS_CODES.slice(11, 14)) : rng.pick(HCPCS_CODES);
    const charged = rng.money(20, 900);
    const allowed = Math.round(charged * 0.62 * 100) / 100;
    const paid = Math.round(allowed * 0.8 * 100) / 100;
    const pos = rng.pick(PLACE_OF_SERVICE);
    const day = epochDayToDate(claim.startDay + rng.int(0, claim.endDay - claim.startDay));
    items.push({
      extension: [bbCoding('betos_cd', rng.pick(['M1B', 'T1A', 'D1E', 'O1E']))],
      sequence: i + 1,
      careTeamSequence: [1],
      diagnosisSequence: [1],
      category: concept(coding(BB_VARIABLES + 'line_cms_type_srvc_cd', '1', 'Medical care')),
      productOrService: concept(coding(BB_CODESYSTEM + 'hcpcs', code)),
      modifier: [concept(coding(BB_CODESYSTEM + 'hcpcs', rng.pick(HCPCS_MODIFIERS)))],
      servicedPeriod: { start: day, end: day },
      locationCodeableConcept: {
        extension: [bbCoding('prvdr_state_cd', stateCode())],
        coding: [coding(BB_VARIABLES + 'line_place_of_srvc_cd', pos[0], pos[1])],
      },
      quantity: { value: rng.int(1, 3) },
      adjudication: [
        adjudication(
          ADJUDICATION,
          'submitted',
          'Submitted Amount',
          'line_sbmtd_chrg_amt',
          'Line Submitted Charge Amount',
          charged,
        ),
        adjudication(
          ADJUDICATION,
          'eligible',
          'Eligible Amount',
          'line_alowd_chrg_amt',
          'Line Allowed Charge Amount',
          allowed,
        ),
        adjudication(
          ADJUDICATION,
          'benefit',
          'Benefit Amount',
          'line_nch_pmt_amt',
          'Line NCH Medicare Payment Amount',
          paid,
        ),
      ],
    });
  }
  return items;
}

/** Revenue-center lines of an institutional claim. */
function institutionalItems(count: number): ExplanationOfBenefitItem[] {
  const items: ExplanationOfBenefitItem[] = [];
  for (let i = 0; i < count; i++) {
    const [rev, revDisplay] = rng.pick(REVENUE_CENTERS);
    const [code] = rng.pick(HCPCS_CODES);
    const charged = rng.money(50, 20000);
    const paid = Math.round(charged * 0.55 * 100) / 100;
    items.push({
      sequence: i + 1,
      careTeamSequence: [1],
      revenue: concept(
        coding(BB_VARIABLES + 'rev_cntr', rev, revDisplay),
        coding('https://www.nubc.org/CodeSystem/RevenueCodes', rev),
      ),
      productOrService: concept(coding(BB_CODESYSTEM + 'hcpcs', code)),
      quantity: { value: rng.int(1, 10) },
      adjudication: [
        adjudication(
          ADJUDICATION,
          'submitted',
          'Submitted Amount',
          'rev_cntr_tot_chrg_amt',
          'Revenue Center Total Charge Amount',
          charged,
        ),
        adjudication(
          ADJUDICATION,
          'benefit',
          'Benefit Amount',
          'rev_cntr_pmt_amt_amt',
          'Revenue Center Payment Amount Amount',
          paid,
        ),
      ],
    });
  }
  return items;
}

function pharmacyItem(claim: ClaimFact): ExplanationOfBenefitItem {
  const [ndc, drug] = rng.pick(NDC_DRUGS);
  const cost = rng.money(4, 600);
  const patientPaid = Math.min(cost, rng.money(0, 45));
  const planPaid = Math.round((cost - patientPaid) * 100) / 100;
  return {
    sequence: 1,
    careTeamSequence: [1],
    productOrService: concept(coding('http://hl7.org/fhir/sid/ndc', ndc, drug)),
    servicedDate: epochDayToDate(claim.startDay),
    quantity: { value: rng.pick([30, 60, 90]) },
    adjudication: [
      adjudication(
        ADJUDICATION,
        'benefit',
        'Benefit Amount',
        'cvrd_d_plan_pd_amt',
        'Amount paid by Part D plan for the PDE (drug is covered by Part D)',
        planPaid,
      ),
      adjudication(
        C4BB_ADJUDICATION,
        'paidbypatient',
        'Paid by patient',
        'ptnt_pay_amt',
        'Amount Paid by Patient',
        patientPaid,
      ),
      adjudication(
        C4BB_ADJUDICATION,
        'coinsurance',
        'Co-insurance',
        'gdc_blw_oopt_amt',
        'Gross Drug Cost Below Part D Out-of-Pocket Threshold (GDCB)',
        cost,
      ),
      adjudication(
        C4BB_ADJUDICATION,
        'priorpayerpaid',
        'Prior payer paid',
        'othr_troop_amt',
        'Other True Out-of-Pocket (TrOOP) Amount',
        0,
      ),
      adjudication(
        C4BB_ADJUDICATION,
        'discount',
        'Discount',
        'lics_amt',
        'Amount paid for the PDE by Part D low income subsidy',
        0,
      ),
    ],
  };
}

function sumAdjudication(items: ExplanationOfBenefitItem[], code: string): number {
  let total = 0;
  for (const item of items) {
    for (const a of item.adjudication ?? []) {
      if (a.category.coding?.[0]?.code === code && a.amount?.value !== undefined) total += a.amount.value;
    }
  }
  return Math.round(total * 100) / 100;
}

export function buildEob(
  facts: BeneficiaryFacts,
  claim: ClaimFact,
  version: ApiVersion,
): ExplanationOfBenefit {
  reseed(claim.seed);
  const info = EOB_CLAIM_TYPE_INFO[claim.type];
  const typeCoding = [
    coding(BB_CODESYSTEM + 'eob-type', info.eobType),
    coding(
      CLAIM_TYPE_SYSTEM,
      info.claimType,
      info.claimType.charAt(0).toUpperCase() + info.claimType.slice(1),
    ),
  ];
  if (info.nch) typeCoding.unshift(coding(BB_VARIABLES + 'nch_clm_type_cd', info.nch.code, info.nch.display));
  const received = claim.endDay + rng.int(1, 10);

  const eob: ExplanationOfBenefit = {
    resourceType: 'ExplanationOfBenefit',
    id: eobId(claim),
    meta: { lastUpdated: instant(claim.updated) },
    identifier: [
      {
        type: UNIQUE_CLAIM_ID_TYPE,
        system: claim.type === 'pde' ? PDE_ID_SYSTEM : CLM_ID_SYSTEM,
        value: claim.claimId,
      },
      { type: UNIQUE_CLAIM_ID_TYPE, system: CLAIM_GROUP_SYSTEM, value: rng.digits(6, true) },
    ],
    status: 'active',
    type: { coding: typeCoding },
    use: 'claim',
    patient: { reference: `Patient/${facts.id}` },
    billablePeriod: { start: epochDayToDate(claim.startDay), end: epochDayToDate(claim.endDay) },
    created: dateTimeOffset(claim.created),
    insurer: { identifier: { value: 'CMS' } },
    provider: { identifier: { system: NPI_SYSTEM, value: npi() } },
    outcome: 'complete',
    insurance: [
      { focal: true, coverage: { reference: `Coverage/${coverageId(info.coveragePart, facts.id)}` } },
    ],
  };
  const profile = BUILTIN_RESOURCE_PROFILES[version].ExplanationOfBenefit[claim.type];
  if (profile.length > 0 && eob.meta) eob.meta.profile = profile;
  if (version === 'v3' && eob.meta) eob.meta.tag = [coding(SYSTEM_TYPE_CODE_SYSTEM, info.systemType)];

  let items: ExplanationOfBenefitItem[];
  if (claim.type === 'pde') {
    eob.identifier?.push({
      type: UNIQUE_CLAIM_ID_TYPE,
      system: BB_VARIABLES + 'rx_srvc_rfrnc_num',
      value: rng.digits(6, true),
    });
    eob.facility = {
      extension: [bbCoding('phrmcy_srvc_type_cd', '01', 'Community/retail pharmacy')],
      identifier: npiIdentifier(npi()),
      display: `${lastName().toUpperCase()} PHARMACY`,
    };
    eob.careTeam = [careTeamMember(1, 'prescribing', 'Prescribing provider', true)];
    eob.supportingInfo = [
      {
        sequence: 1,
        category: concept(coding(SUPPORTING_INFO, 'refillnum', 'Refill Number')),
        valueQuantity: { value: rng.int(0, 5) },
      },
      {
        sequence: 2,
        category: concept(coding(SUPPORTING_INFO, 'dayssupply', 'Days Supply')),
        valueQuantity: { value: rng.pick([30, 60, 90]) },
      },
      {
        sequence: 3,
        category: concept(coding(SUPPORTING_INFO, 'rxorigincode', 'Rx Origin Code')),
        code: concept(coding(BB_VARIABLES + 'rx_orgn_cd', '1', 'Written')),
      },
    ];
    items = [pharmacyItem(claim)];
    eob.total = [
      {
        category: concept(coding(C4BB_ADJUDICATION, 'drugcost', 'Drug Cost')),
        amount: money(sumAdjudication(items, 'coinsurance')),
      },
    ];
    eob.payment = { date: epochDayToDate(received), amount: money(sumAdjudication(items, 'benefit')) };
  } else if (info.claimType === 'professional') {
    const dme = claim.type === 'dme';
    eob.extension = [
      bbCoding(
        'nch_near_line_rec_ident_cd',
        dme ? 'M' : 'O',
        dme ? 'Part B DMEPOS claim record' : 'Part B physician/supplier claim record',
      ),
      bbIdentifier('carr_num', rng.digits(5)),
      bbIdentifier('carr_clm_cntl_num', rng.digits(14, true)),
      bbCoding('carr_clm_pmt_dnl_cd', '1', 'Physician/supplier'),
      bbCoding('asgmntcd', 'A', 'Assigned claim'),
    ];
    eob.careTeam = [careTeamMember(1, 'performing', 'Performing provider', true)];
    if (rng.chance(0.5)) eob.careTeam.push(careTeamMember(2, 'referring', 'Referring', false));
    eob.supportingInfo = [receivedInfo(1, received)];
    eob.diagnosis = diagnoses(rng.int(1, 3));
    items = professionalItems(claim, rng.int(1, 2), dme);
    eob.total = [
      {
        category: amountCategory(
          ADJUDICATION,
          'submitted',
          'Submitted Amount',
          'nch_carr_clm_sbmtd_chrg_amt',
          'NCH Carrier Claim Submitted Charge Amount',
        ),
        amount: money(sumAdjudication(items, 'submitted')),
      },
    ];
    eob.payment = { amount: money(sumAdjudication(items, 'benefit')) };
    eob.benefitBalance = [
      {
        category: concept(
          coding('http://terminology.hl7.org/CodeSystem/ex-benefitcategory', '1', 'Medical Care'),
        ),
        financial: [
          {
            type: concept(
              coding(
                BB_CODESYSTEM + 'benefit-balance',
                BB_VARIABLES + 'nch_clm_prvdr_pmt_amt',
                'NCH Claim Provider Payment Amount',
              ),
            ),
            usedMoney: money(sumAdjudication(items, 'benefit')),
          },
        ],
      },
    ];
  } else {
    const stay = info.subType === 'inpatient';
    const org: Organization = {
      resourceType: 'Organization',
      id: 'provider-org',
      identifier: [
        {
          type: concept(coding('http://terminology.hl7.org/CodeSystem/v2-0203', 'PRN')),
          value: rng.digits(6),
        },
        {
          type: concept(coding(C4BB_CODESYSTEM + 'C4BBIdentifierType', 'npi')),
          system: NPI_SYSTEM,
          value: npi(),
        },
      ],
      active: true,
      name: `${cityName().toUpperCase()} ${rng.pick(['MEDICAL CENTER', 'HOSPITAL', 'HEALTH SERVICES', 'CARE CENTER'])}`,
    };
    if (version !== 'v1')
      org.meta = { profile: [`${C4BB_BASE}C4BB-Organization${version === 'v3' ? '|2.1.0' : ''}`] };
    eob.contained = [org];
    eob.provider = { reference: '#provider-org' };
    eob.subType = {
      coding: [coding(C4BB_CODESYSTEM + 'C4BBInstitutionalClaimSubType', info.subType ?? 'outpatient')],
      text: info.subType === 'inpatient' ? 'Inpatient' : 'Outpatient',
    };
    eob.billablePeriod = {
      extension: [bbCoding('claim_query_cd', '3', 'Final bill')],
      start: epochDayToDate(claim.startDay),
      end: epochDayToDate(claim.endDay),
    };
    eob.facility = {
      extension: [bbCoding('clm_fac_type_cd', claim.type === 'snf' ? '2' : claim.type === 'hha' ? '3' : '1')],
    };
    const extension: Extension[] = [
      bbCoding('nch_near_line_rec_ident_cd', 'V', 'Part A institutional claim record'),
      bbCoding('fi_clm_actn_cd', '1', 'Original debit action'),
      bbIdentifier('fi_num', rng.digits(5)),
      { url: BB_VARIABLES + 'fi_clm_proc_dt', valueDate: epochDayToDate(received) },
      bbIdentifier('fi_doc_clm_cntl_num', rng.digits(12, true)),
    ];
    eob.extension = extension;
    eob.careTeam = [careTeamMember(1, 'attending', 'Attending', true)];
    if (claim.type === 'inpatient' && rng.chance(0.5))
      eob.careTeam.push(careTeamMember(2, 'operating', 'Operating', false));
    eob.supportingInfo = [
      receivedInfo(1, received),
      {
        sequence: 2,
        category: concept(coding(SUPPORTING_INFO, 'typeofbill', 'Type of Bill')),
        code: concept(coding('https://www.nubc.org/CodeSystem/TypeOfBill', stay ? '111' : '131')),
      },
    ];
    if (stay) {
      eob.supportingInfo.push({
        sequence: 3,
        category: concept(coding(SUPPORTING_INFO, 'admissionperiod', 'Admission Period')),
        timingPeriod: { start: epochDayToDate(claim.startDay), end: epochDayToDate(claim.endDay) },
      });
    }
    eob.diagnosis = diagnoses(rng.int(1, stay ? 4 : 2));
    if (claim.type === 'inpatient' || (claim.type === 'outpatient' && rng.chance(0.2))) {
      const [code, display] = rng.pick(ICD10_PROCEDURES);
      eob.procedure = [
        {
          sequence: 1,
          date: dateTimeOffset(claim.startDay * 86_400_000),
          procedureCodeableConcept: concept(
            coding('http://www.cms.gov/Medicare/Coding/ICD10', code, display),
          ),
        },
      ];
    }
    items = institutionalItems(rng.int(1, stay ? 3 : 2));
    eob.total = [
      {
        category: amountCategory(
          ADJUDICATION,
          'submitted',
          'Submitted Amount',
          'clm_tot_chrg_amt',
          'Claim Total Charge Amount',
        ),
        amount: money(sumAdjudication(items, 'submitted')),
      },
    ];
    eob.payment = { amount: money(sumAdjudication(items, 'benefit')) };
    eob.benefitBalance = [
      {
        category: concept(
          coding('http://terminology.hl7.org/CodeSystem/ex-benefitcategory', '1', 'Medical Care'),
        ),
        financial: [
          {
            type: concept(
              coding(
                BB_CODESYSTEM + 'benefit-balance',
                BB_VARIABLES + 'nch_bene_ip_ddctbl_amt',
                'NCH Beneficiary Inpatient (or other Part A) Deductible Amount',
              ),
            ),
            usedMoney: money(stay ? rng.pick([0, 1632]) : 0),
          },
        ],
      },
    ];
  }
  eob.item = items;
  return eob;
}
