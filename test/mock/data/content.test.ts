import {
  BUILTIN_RESOURCE_PROFILES,
  EOB_CLAIM_TYPES,
  EOB_CLAIM_TYPE_INFO,
  SYSTEM_TYPE_CODE_SYSTEM,
  beneficiaryMbi,
  eobClaimTypeOfId,
  fileLines,
  planExport,
} from '../../../src/mock/data';
import type { ExportSpec } from '../../../src/mock/data/types';
import { ACOS, outputResources, spec, type Json } from './helpers';

const ALL_TYPES: ExportSpec['types'] = [
  'Patient',
  'Coverage',
  'ExplanationOfBenefit',
  'Claim',
  'ClaimResponse',
];

function byType(resources: Json[]): Record<string, Json[]> {
  const out: Record<string, Json[]> = {};
  for (const r of resources) (out[r.resourceType] ??= []).push(r);
  return out;
}

const profileOf = (r: Json): unknown => (r.meta as { profile?: unknown } | undefined)?.profile;
const ref = (v: unknown): string | undefined => (v as { reference?: string } | undefined)?.reference;

describe('generated content', () => {
  const v2 = byType(outputResources(spec({ aco: ACOS.TEST001!, types: ALL_TYPES })));

  test('every file holds only its own type, one JSON object per line', () => {
    const s = spec({ aco: ACOS.TEST001!, types: ALL_TYPES });
    for (const file of planExport(s)) {
      for (const line of fileLines(s, file)) {
        expect(line.includes('\n')).toBe(false);
        expect((JSON.parse(line) as Json).resourceType).toBe(file.type);
      }
    }
  });

  test('references resolve: EOB.patient, Coverage.beneficiary name Patients in the export; EOB insurance names its Coverage', () => {
    const patients = new Set(v2.Patient!.map((p) => `Patient/${p.id}`));
    const coverages = new Set(v2.Coverage!.map((c) => `Coverage/${c.id}`));
    expect(patients.size).toBeGreaterThan(40);
    for (const eob of v2.ExplanationOfBenefit!) {
      expect(patients.has(ref(eob.patient)!)).toBe(true);
      const insurance = eob.insurance as { coverage: unknown }[];
      expect(coverages.has(ref(insurance[0]!.coverage)!)).toBe(true);
    }
    for (const c of v2.Coverage!) expect(patients.has(ref(c.beneficiary)!)).toBe(true);
  });

  test('ids: negative Patient ids with bene_id and MBI identifiers, Coverage part-a..d, EOB <claimtype>-<claimId>', () => {
    for (const p of v2.Patient!) {
      expect(p.id).toMatch(/^-\d+$/);
      const ids = p.identifier as {
        system: string;
        value: string;
        type: { coding: { code: string; extension?: { url: string }[] }[] };
      }[];
      const mbi = ids.find((i) => i.system === 'http://hl7.org/fhir/sid/us-mbi')!;
      expect(mbi.value).toMatch(/^[1-9]S/);
      expect(mbi.type.coding[0]!.code).toBe('MC');
      expect(mbi.type.coding[0]!.extension?.[0]?.url).toBe(
        'https://bluebutton.cms.gov/resources/codesystem/identifier-currency',
      );
      expect(
        ids.find((i) => i.system === 'https://bluebutton.cms.gov/resources/variables/bene_id')?.value,
      ).toBe(p.id);
    }
    const parts = new Set<string>();
    for (const c of v2.Coverage!) {
      const m = /^part-([abcd])-(-\d+)$/.exec(c.id!);
      expect(m).not.toBeNull();
      parts.add(m![1]!);
      expect(ref(c.beneficiary)).toBe(`Patient/${m![2]}`);
    }
    expect([...parts].sort()).toEqual(['a', 'b', 'c', 'd']);
    const eobIds = v2.ExplanationOfBenefit!.map((e) => e.id!);
    expect(new Set(eobIds).size).toBe(eobIds.length);
    for (const e of v2.ExplanationOfBenefit!) {
      const type = eobClaimTypeOfId(e.id!);
      expect(type).toBeDefined();
      const systems = (e.identifier as { system: string }[]).map((i) => i.system);
      expect(systems).toContain(
        type === 'pde'
          ? 'https://bluebutton.cms.gov/resources/variables/pde_id'
          : 'https://bluebutton.cms.gov/resources/variables/clm_id',
      );
      expect(systems).toContain('https://bluebutton.cms.gov/resources/identifier/claim-group');
      expect(e.id).toMatch(/^[a-z]+--\d+$/);
    }
  });

  test('every claim type appears with its C4BB profile and claim-type coding', () => {
    const eobs = outputResources(
      spec({ aco: { ...ACOS.A9990!, beneficiaries: 500 }, types: ['ExplanationOfBenefit'] }),
    );
    const seen = new Set<string>();
    for (const e of eobs) {
      const type = eobClaimTypeOfId(e.id!)!;
      seen.add(type);
      expect(profileOf(e)).toEqual(BUILTIN_RESOURCE_PROFILES.v2.ExplanationOfBenefit[type]);
      const codings = (e.type as { coding: { system: string; code: string }[] }).coding;
      expect(codings).toContainEqual(
        expect.objectContaining({
          system: 'http://terminology.hl7.org/CodeSystem/claim-type',
          code: EOB_CLAIM_TYPE_INFO[type].claimType,
        }),
      );
    }
    expect([...seen].sort()).toEqual([...EOB_CLAIM_TYPES].sort());
    // About three EOBs per beneficiary on average.
    expect(eobs.length / 500).toBeGreaterThan(2.3);
    expect(eobs.length / 500).toBeLessThan(3.5);
  });

  test('meta.profile per version: v1 none, v2 unversioned, v3 versioned; v3 EOBs carry the System-Type tag', () => {
    for (const version of ['v1', 'v2', 'v3'] as const) {
      const res = byType(outputResources(spec({ version })));
      for (const p of res.Patient!)
        expect(profileOf(p)).toEqual(
          version === 'v1' ? undefined : BUILTIN_RESOURCE_PROFILES[version].Patient,
        );
      for (const c of res.Coverage!)
        expect(profileOf(c)).toEqual(
          version === 'v1' ? undefined : BUILTIN_RESOURCE_PROFILES[version].Coverage,
        );
      for (const e of res.ExplanationOfBenefit!) {
        const profile = profileOf(e) as string[] | undefined;
        if (version === 'v1') expect(profile).toBeUndefined();
        if (version === 'v2')
          expect(profile![0]).toMatch(
            /^http:\/\/hl7\.org\/fhir\/us\/carin-bb\/StructureDefinition\/C4BB-ExplanationOfBenefit-[A-Za-z-]+$/,
          );
        if (version === 'v3') expect(profile![0]).toMatch(/\|2\.1\.0$/);
        const tag = (e.meta as { tag?: { system: string; code: string }[] }).tag;
        if (version === 'v3') {
          expect(tag?.[0]?.system).toBe(SYSTEM_TYPE_CODE_SYSTEM);
          expect(['NationalClaimsHistory', 'DDPS']).toContain(tag?.[0]?.code);
        } else expect(tag).toBeUndefined();
      }
    }
  });

  test('line sizes stay in budget: EOB 3–12 KB (about 8 on average), Patient ~1.7 KB, Coverage ~2 KB', () => {
    const s = spec({ aco: { ...ACOS.A9990!, beneficiaries: 300 } });
    const sizes: Record<string, number[]> = {};
    for (const file of planExport(s)) {
      if (file.kind !== 'output') continue;
      for (const line of fileLines(s, file)) (sizes[file.type] ??= []).push(Buffer.byteLength(line));
    }
    const avg = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    const eob = sizes.ExplanationOfBenefit!;
    expect(Math.min(...eob)).toBeGreaterThan(3000);
    expect(Math.max(...eob)).toBeLessThan(12_500);
    expect(avg(eob)).toBeGreaterThan(5000);
    expect(avg(eob)).toBeLessThan(10_000);
    expect(avg(sizes.Patient!)).toBeGreaterThan(1000);
    expect(avg(sizes.Patient!)).toBeLessThan(2500);
    expect(avg(sizes.Coverage!)).toBeGreaterThan(1000);
    expect(avg(sizes.Coverage!)).toBeLessThan(2500);
  });

  test('meta.lastUpdated is an instant no later than transactionTime', () => {
    const s = spec();
    for (const r of outputResources(s)) {
      const updated = (r.meta as { lastUpdated: string }).lastUpdated;
      expect(updated).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(Date.parse(updated)).toBeLessThanOrEqual(s.transactionTime.getTime());
    }
  });

  test('Claim/ClaimResponse: f-/m- ids, contained Patient with the MBI, ClaimResponse.request names its Claim', () => {
    const claims = v2.Claim!;
    const responses = v2.ClaimResponse!;
    expect(claims.length).toBeGreaterThan(10);
    const claimIds = new Set(claims.map((c) => c.id));
    for (const c of claims) {
      expect(c.id).toMatch(/^[fm]-[0-9A-Z]+$/);
      const contained = c.contained as Json[];
      const patient = contained.find((r) => r.resourceType === 'Patient')!;
      expect(ref(c.patient)).toBe('#patient');
      expect((patient.identifier as { system: string; value: string }[])[0]!.value).toMatch(/^[1-9]S/);
    }
    for (const r of responses) expect(claimIds.has(ref(r.request)!.replace('Claim/', ''))).toBe(true);
  });

  test('unknown beneficiaries: one not-found OperationOutcome per file they would be in, and no data', () => {
    const s = spec();
    const plan = planExport(s);
    const errorFile = plan.find((f) => f.kind === 'error' && f.name.endsWith('-error.ndjson'))!;
    const lines = [...fileLines(s, errorFile)].map((l) => JSON.parse(l) as Json);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    const diagnostics = (lines[0]!.issue as { severity: string; code: string; diagnostics: string }[])[0]!;
    expect(diagnostics.severity).toBe('error');
    expect(diagnostics.code).toBe('not-found');
    const mbi = /^Error retrieving BlueButton ID for cclfBeneficiary MBI ([0-9A-Z]{11})$/.exec(
      diagnostics.diagnostics,
    )?.[1];
    expect(mbi).toBeDefined();
    let missingIndex = -1;
    for (let i = 0; i < 50; i++) if (beneficiaryMbi(s.seed, 'A9994', i) === mbi) missingIndex = i;
    expect(missingIndex).toBeGreaterThanOrEqual(0);
    const patients = byType(outputResources(s)).Patient!;
    expect(patients).toHaveLength(50 - lines.length);
    const ids = patients.flatMap((p) => p.identifier as { value: string }[]).map((i) => i.value);
    expect(ids).not.toContain(mbi);
  });

  test('sortKeys sorts keys at every level without changing the data', () => {
    const s = spec();
    const file = planExport(s).find((f) => f.type === 'ExplanationOfBenefit')!;
    const plain = [...fileLines(s, file)];
    const sorted = [...fileLines(s, file, { sortKeys: true })];
    expect(sorted).toHaveLength(plain.length);
    expect(sorted[0]).toMatch(/^\{"b(enefitBalance|illablePeriod)":/);
    expect(JSON.parse(sorted[0]!)).toEqual(JSON.parse(plain[0]!));
    const check = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(check);
      else if (v && typeof v === 'object') {
        const keys = Object.keys(v);
        expect(keys).toEqual([...keys].sort());
        Object.values(v).forEach(check);
      }
    };
    check(JSON.parse(sorted[0]!));
  });
});

describe('filters', () => {
  test('_since keeps only resources updated after it, and keeps references resolvable', () => {
    const base = spec({ aco: { ...ACOS.A9990!, beneficiaries: 500 } });
    const all = outputResources(base);
    const updated = all
      .map((r) => Date.parse((r.meta as { lastUpdated: string }).lastUpdated))
      .sort((a, b) => a - b);
    const since = new Date(updated[Math.floor(updated.length * 0.8)]!);
    const some = outputResources(spec({ ...base, since }));
    expect(some.length).toBeGreaterThan(0);
    expect(some.length).toBeLessThan(all.length * 0.3);
    for (const r of some)
      expect(Date.parse((r.meta as { lastUpdated: string }).lastUpdated)).toBeGreaterThan(since.getTime());
    const patients = new Set(some.filter((r) => r.resourceType === 'Patient').map((p) => `Patient/${p.id}`));
    for (const r of some) {
      if (r.resourceType === 'ExplanationOfBenefit') expect(patients.has(ref(r.patient)!)).toBe(true);
      if (r.resourceType === 'Coverage') expect(patients.has(ref(r.beneficiary)!)).toBe(true);
    }
  });

  test('_type keeps only the requested types', () => {
    const res = outputResources(spec({ types: ['Coverage'] }));
    expect(res.length).toBeGreaterThan(0);
    expect(new Set(res.map((r) => r.resourceType))).toEqual(new Set(['Coverage']));
  });

  test("runout is last year's enrollees, not the current ones, with claims served up to 31 December of the previous year", () => {
    const s = spec({ aco: ACOS.TEST001!, types: ALL_TYPES });
    const all = byType(outputResources(s));
    const runout = byType(outputResources({ ...s, runout: true }));
    const lastDay = `${s.transactionTime.getUTCFullYear() - 1}-12-31`;
    const end = (r: Json): string => (r.billablePeriod as { end: string }).end;
    expect(runout.ExplanationOfBenefit!.length).toBeGreaterThan(0);
    for (const e of runout.ExplanationOfBenefit!) expect(end(e) <= lastDay).toBe(true);
    expect(all.ExplanationOfBenefit!.some((e) => end(e) > lastDay)).toBe(true);
    for (const c of runout.Claim ?? []) expect(end(c) <= lastDay).toBe(true);
    // A tenth as many enrollees, none of them currently attributed, each with its Coverage.
    const current = new Set(all.Patient!.map((p) => p.id));
    expect(runout.Patient!.length).toBe(6);
    for (const p of runout.Patient!) expect(current.has(p.id)).toBe(false);
    expect(runout.Coverage!.length).toBe(runout.Patient!.length * 4);
  });
});
