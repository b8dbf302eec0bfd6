/**
 * Attribution history (seed 000 §/Group): monthly files, who is newly attributed relative to a
 * `_since`, the two file sets of Group/all with `_since`, and the runout population.
 */
import {
  attributionFileMs,
  attributionMonthAt,
  cohortOf,
  enrolmentMonth,
  firstAttributionMonth,
  latestAttributionMonth,
  monthOf,
  population,
} from '../../../src/mock/data/attribution';
import { fileLines, planExport } from '../../../src/mock/data';
import type { ExportSpec } from '../../../src/mock/data/types';
import { TRANSACTION_TIME, spec, type Json } from './helpers';

const NOW = TRANSACTION_TIME.getTime();
const YEAR_AGO = new Date(NOW - 365 * 86_400_000);

function lines(s: ExportSpec): Array<{ cohort: string | undefined; type: string; resource: Json }> {
  return planExport(s)
    .filter((f) => f.kind === 'output')
    .flatMap((f) =>
      [...fileLines(s, f)].map((l) => ({ cohort: f.cohort, type: f.type, resource: JSON.parse(l) as Json })),
    );
}

const updated = (r: Json): number => Date.parse((r.meta as { lastUpdated: string }).lastUpdated);

describe('attribution files', () => {
  it('arrive on the first of each month at 02:00 UTC, the newest one not after now', () => {
    const latest = latestAttributionMonth(NOW);
    expect(new Date(attributionFileMs(latest)).toISOString()).toBe('2026-03-01T02:00:00.000Z');
    // Just before this month's file came, last month's is the newest.
    expect(latestAttributionMonth(Date.UTC(2026, 2, 1, 1))).toBe(latest - 1);
    expect(new Date(attributionFileMs(firstAttributionMonth(NOW))).toISOString()).toBe(
      '2019-01-01T02:00:00.000Z',
    );
  });

  it('give the file in effect at a _since, and none before the first', () => {
    expect(attributionMonthAt(Date.UTC(2025, 5, 15), NOW)).toBe(monthOf(Date.UTC(2025, 5, 1)));
    expect(attributionMonthAt(Date.UTC(2025, 5, 1, 1), NOW)).toBe(monthOf(Date.UTC(2025, 4, 1)));
    expect(attributionMonthAt(Date.UTC(2030, 0, 1), NOW)).toBe(latestAttributionMonth(NOW));
    expect(attributionMonthAt(Date.UTC(2018, 11, 31), NOW)).toBeUndefined();
    expect(attributionMonthAt(Date.UTC(2013, 0, 1), NOW)).toBeUndefined();
  });

  it('list most enrollees from the first file and the rest from later ones', () => {
    const months = Array.from({ length: 1000 }, (_, i) => enrolmentMonth(42, 'A9990', i, NOW));
    const founding = months.filter((m) => m === firstAttributionMonth(NOW)).length;
    expect(founding).toBeGreaterThan(500);
    expect(founding).toBeLessThan(700);
    for (const m of months) expect(m).toBeLessThanOrEqual(latestAttributionMonth(NOW));
  });
});

describe('Group/all with _since', () => {
  const base = spec({ since: YEAR_AGO });
  const split = spec({
    since: YEAR_AGO,
    newEnrollees: { afterMonth: attributionMonthAt(YEAR_AGO.getTime(), NOW)! },
  });

  it('comes as two file sets, existing enrollees then the newly attributed, two Patient files among them', () => {
    const plan = planExport(split).filter((f) => f.kind === 'output');
    expect(plan.filter((f) => f.type === 'Patient').map((f) => f.cohort)).toEqual(['existing', 'new']);
    const names = plan.map((f) => f.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('filters the existing enrollees by _since and gives the newly attributed their whole history', () => {
    const got = lines(split);
    const existing = got.filter((l) => l.cohort === 'existing');
    const fresh = got.filter((l) => l.cohort === 'new');
    expect(existing.length).toBeGreaterThan(0);
    for (const l of existing) expect(updated(l.resource)).toBeGreaterThan(YEAR_AGO.getTime());
    expect(fresh.some((l) => updated(l.resource) <= YEAR_AGO.getTime())).toBe(true);
    // The newly attributed get exactly what an unfiltered export holds for them.
    const full = lines(spec());
    const newIds = new Set(fresh.filter((l) => l.type === 'Patient').map((l) => l.resource.id));
    const ownedBy = (r: Json): string | undefined =>
      r.resourceType === 'Patient'
        ? r.id
        : ((r.patient ?? r.beneficiary) as { reference: string }).reference.replace('Patient/', '');
    const expected = full
      .filter((l) => newIds.has(ownedBy(l.resource)))
      .map((l) => `${l.type}/${l.resource.id}`);
    expect(fresh.map((l) => `${l.type}/${l.resource.id}`).sort()).toEqual(expected.sort());
    // Everyone gets at least what a filtered export gives them.
    const filtered = new Set(lines(base).map((l) => `${l.type}/${l.resource.id}`));
    const all = new Set(got.map((l) => `${l.type}/${l.resource.id}`));
    for (const k of filtered) expect(all.has(k)).toBe(true);
  });

  it('leaves the newly attributed out with omit (a fault)', () => {
    const omitted = spec({ ...split, newEnrollees: { ...split.newEnrollees!, omit: true } });
    expect(planExport(omitted).every((f) => f.cohort !== 'new')).toBe(true);
  });

  it('puts each enrollee in one cohort', () => {
    const newcomers = Array.from({ length: 50 }, (_, i) => cohortOf(split, i)).filter((c) => c === 'new');
    expect(newcomers.length).toBeGreaterThan(0);
    expect(newcomers.length).toBeLessThan(25);
  });
});

describe('Group/runout', () => {
  it("draws from its own population, after the current enrollees' indexes", () => {
    expect(population(spec())).toEqual([0, 50]);
    expect(population(spec({ runout: true }))).toEqual([50, 55]);
    expect(population(spec({ runout: true, mutations: ['runout-current-enrollees'] }))).toEqual([0, 50]);
  });

  it('dates the first claim of each file today with service-in-current-year (a fault)', () => {
    const s = spec({ runout: true, mutations: ['service-in-current-year'] });
    const eobs = lines(s).filter((l) => l.type === 'ExplanationOfBenefit');
    expect((eobs[0]!.resource.billablePeriod as { end: string }).end).toBe('2026-03-15');
  });
});
