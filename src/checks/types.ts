/**
 * The shape of a conformance check. Checks are data: the catalog, `bcda-conformance list`,
 * the coverage matrix, the fault-detection table and every report read these same records.
 */

import type { FaultName } from '../core/faults';
import type { OperationId } from '../core/operations';
import type { ApiVersion, Area, Level, Outcome, Profile } from '../core/vocabulary';

/** Everything about a check except how it runs. */
export interface CheckMeta {
  /** Stable id, upper-case words joined by '-', e.g. `KICKOFF-ACCEPT-MISSING`. Never reused. */
  id: string;
  /** One line a user understands. */
  title: string;
  /** A few sentences: what is sent, what is expected, why it matters. */
  description: string;
  level: Level;
  area: Area;
  profiles: Profile[];
  /**
   * References the requirements table does not number: `behavior §2.3` (the real server's code),
   * `RFC 6749 §5.1`. The documented rules a check verifies are its requirement ids, which the
   * table (spec/requirements/*.yaml) names; a `seed:` or `bulkdata@` reference here would repeat them.
   */
  refs: string[];
  /** Spec operationIds the check exercises (feeds the coverage matrix). */
  operations: OperationId[];
  /** Mock fault names that must make this check fail (feeds `npm run verify`). */
  faults: FaultName[];
  /** API versions the check applies to; absent means all. */
  versions?: ApiVersion[];
  /**
   * Where BCDA itself (and so its mock, which follows the real server here) breaks this rule of the
   * generic profile: why. `npm run verify` expects the check to trip when the generic profile judges
   * the BCDA mock, and nothing else to.
   */
  bcdaDeparts?: string;
  /**
   * Exports of a kind this check makes that other checks judge (`npm run verify` runs it beside a
   * generic fault's judging checks that need that kind: else the export they judge is never made).
   */
  makesExports?: ExportKind[];
  /** Exports of a kind, made by another check, that this check judges among every export of the run. */
  judgesExports?: ExportKind[];
}

/** A kind of export only some checks make on a generic server. */
export type ExportKind = 'with-error-files' | 'empty-output';

/** The result a check's run function returns. */
export interface CheckOutcome {
  outcome: Outcome;
  /** What happened, in a sentence naming the observed value. */
  message: string;
  /** Ids of the exchange records that show it. */
  evidence: string[];
  expected?: string;
  actual?: string;
  /**
   * Set when the observed behaviour is a documented quirk of the real server
   * (reproduced by the mock's --quirks): reported as a known deviation.
   */
  knownDeviation?: string;
}

/** What a table-driven check case states about itself; the area builder supplies the rest. */
export type CheckCaseMeta = Pick<CheckMeta, 'id' | 'title' | 'description' | 'refs' | 'faults'> &
  Partial<Pick<CheckMeta, 'level' | 'profiles' | 'versions' | 'makesExports' | 'judgesExports'>>;
