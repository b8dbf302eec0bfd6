/**
 * Plans `npm run verify`: which runs of the catalog against the embedded mock prove that every
 * fault trips a check and that the clean mock trips none. One run per fault covers the suites of
 * the checks that declare it (plus the fault's own area); extra runs are added only for checks
 * that apply to another API version or profile.
 */
import type { CheckMeta } from '../checks/types';
import type { ApiVersion, Area, Profile } from '../core/vocabulary';
import type { FaultDefinition, FaultName } from '../core/faults';

export interface VerifyJob {
  /** Stable key, e.g. `clean v2 bcda` or `kickoff-accepts-elements v2 bcda`. */
  key: string;
  /** The fault under test; undefined for a clean run. */
  fault?: FaultName;
  version: ApiVersion;
  profile: Profile;
  /** Areas to run; undefined runs the whole catalog. */
  suites?: Area[];
  /** Only these checks of those areas (the generic mock's faults: the checks that judge them). */
  checks?: string[];
  /** Run the mock with --quirks (the real server's behaviour, which checks report as known deviations). */
  quirks?: boolean;
  /**
   * A bulk-data-ig job against the BCDA mock (addressed as the FHIR base /api/<version>) instead of
   * the generic mock a bulk-data-ig run embeds: BCDA is a Bulk Data server too, and some of its
   * faults break a rule only the generic profile judges.
   */
  bcdaMock?: boolean;
  /**
   * Checks that must trip on this clean run, each with the reason: BCDA's documented departures
   * from the generic IG, which the generic profile rightly reports. Anything else tripping fails.
   */
  expectedTrips?: Readonly<Record<string, string>>;
}

export interface VerifyPlan {
  /** True when only some faults were asked for (`--fault`). */
  partial: boolean;
  clean: VerifyJob[];
  faults: { fault: FaultDefinition; declaredBy: string[]; jobs: VerifyJob[] }[];
}

const VERSIONS: readonly ApiVersion[] = ['v1', 'v2', 'v3'];

/** Suites that must run alongside an area because its checks read what they produce. */
const COMPANIONS: Partial<Record<Area, Area[]>> = {
  // FHIR checks judge the files of the shared export, which the download suite fetches; a download
  // fault often shows first in what the files hold.
  fhir: ['download'],
  download: ['fhir'],
};

/**
 * Areas run under every fault: the contract checks send nothing and judge every exchange of the
 * run, so each fault shows whether the contract alone would have caught it.
 */
const ALWAYS: readonly Area[] = ['contract'];

function withCompanions(areas: Iterable<Area>): Area[] {
  const set = new Set<Area>(ALWAYS);
  for (const a of areas) {
    set.add(a);
    for (const c of COMPANIONS[a] ?? []) set.add(c);
  }
  return [...set].sort();
}

function applies(check: CheckMeta, version: ApiVersion, profile: Profile): boolean {
  return (!check.versions || check.versions.includes(version)) && check.profiles.includes(profile);
}

/** The fewest (version, profile) pairs, v2/bcda first, under which every declaring check runs. */
function combosFor(checks: readonly CheckMeta[]): { version: ApiVersion; profile: Profile }[] {
  const combos: { version: ApiVersion; profile: Profile }[] = [{ version: 'v2', profile: 'bcda' }];
  for (const check of checks) {
    if (combos.some((c) => applies(check, c.version, c.profile))) continue;
    const version = check.versions?.[0] ?? 'v2';
    const profile = check.profiles[0] ?? 'bcda';
    combos.push({ version, profile });
  }
  // Drop the v2/bcda default when nothing that declares the fault runs under it.
  return combos.filter(
    (c, i) => i > 0 || checks.length === 0 || checks.some((k) => applies(k, c.version, c.profile)),
  );
}

/** The combos moved onto the versions the fault's rows allow, when none already runs on one. */
function onRowVersions(
  combos: { version: ApiVersion; profile: Profile }[],
  versions: readonly ApiVersion[] | undefined,
): { version: ApiVersion; profile: Profile }[] {
  const first = versions?.[0];
  if (!first || combos.some((c) => versions.includes(c.version))) return combos;
  const moved = combos.map((c) => ({ ...c, version: first }));
  return moved.filter((c, i) => moved.findIndex((d) => d.profile === c.profile) === i);
}

export interface PlanOptions {
  /** Verify only these faults. */
  only?: ReadonlySet<FaultName>;
  /** Run the whole catalog under each fault instead of the suites that concern it. */
  full?: boolean;
  /**
   * Checks that must also run under a fault besides those that name it: the checks of the
   * requirements whose table row lists the fault (the requirement's own, independent proof).
   */
  alsoJudgedBy?: ReadonlyMap<FaultName, readonly string[]>;
  /**
   * The API versions a fault can show on, where every requirement row listing it names its
   * versions (a v1-only statement's fault changes v1 answers only): the runs of a fault that only
   * rows name (no check declares it) move there.
   */
  rowVersions?: ReadonlyMap<FaultName, readonly ApiVersion[]>;
}

export function planVerify(
  catalog: readonly CheckMeta[],
  faults: readonly FaultDefinition[],
  options: PlanOptions = {},
): VerifyPlan {
  const { only, full = false, alsoJudgedBy, rowVersions } = options;
  const clean: VerifyJob[] = [
    ...VERSIONS.map((version) => ({ key: `clean ${version} bcda`, version, profile: 'bcda' as const })),
    { key: 'clean v2 bulk-data-ig', version: 'v2', profile: 'bulk-data-ig' },
    {
      key: 'clean v2 bulk-data-ig bcda-mock',
      version: 'v2',
      profile: 'bulk-data-ig',
      bcdaMock: true,
      expectedTrips: Object.fromEntries(
        catalog.flatMap((c) =>
          c.bcdaDeparts && c.profiles.includes('bulk-data-ig') ? [[c.id, c.bcdaDeparts]] : [],
        ),
      ),
    },
    // The real server's quirks must read as known deviations, never as failures.
    { key: 'clean v2 bcda quirks', version: 'v2', profile: 'bcda', quirks: true },
  ];
  const planned = faults
    .filter((fault) => !only || only.has(fault.name))
    .map((fault) => {
      const declaring = catalog.filter((c) => c.faults.includes(fault.name));
      const extra = new Set(alsoJudgedBy?.get(fault.name) ?? []);
      const judging = [...declaring, ...catalog.filter((c) => extra.has(c.id) && !declaring.includes(c))];
      // A generic fault's run is limited to the checks that judge it: one judging every export of
      // a kind only some checks make (error files, an empty output) needs its maker run too.
      const needed = new Set(judging.flatMap((c) => c.judgesExports ?? []));
      const makers =
        fault.mock === 'generic'
          ? catalog.filter(
              (c) =>
                !judging.includes(c) &&
                c.profiles.includes('bulk-data-ig') &&
                (c.makesExports ?? []).some((k) => needed.has(k)),
            )
          : [];
      const suites = withCompanions([fault.area, ...[...judging, ...makers].map((c) => c.area)]);
      // A generic mock's fault runs where a bulk-data-ig run embeds it; a BCDA fault that only a
      // generic check judges runs against the BCDA mock addressed as a FHIR base.
      const combos =
        fault.mock === 'generic'
          ? [{ version: 'v2' as const, profile: 'bulk-data-ig' as const }]
          : declaring.length === 0
            ? onRowVersions(combosFor(judging), rowVersions?.get(fault.name))
            : combosFor(judging);
      const jobs = combos.map(({ version, profile }) => {
        const bcdaMock = profile === 'bulk-data-ig' && fault.mock !== 'generic';
        return {
          key: `${fault.name} ${version} ${profile}${bcdaMock ? ' bcda-mock' : ''}`,
          fault: fault.name,
          version,
          profile,
          ...(bcdaMock ? { bcdaMock } : {}),
          ...(full ? {} : { suites }),
          // A generic mock's fault runs the checks that judge it only: the whole generic catalog
          // under each of them doubled verify's time, and proves nothing more.
          ...(fault.mock === 'generic' && !full ? { checks: [...judging, ...makers].map((c) => c.id) } : {}),
        };
      });
      return { fault, declaredBy: declaring.map((c) => c.id), jobs };
    });
  return { partial: Boolean(only), clean, faults: planned };
}
