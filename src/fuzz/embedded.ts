/**
 * Fuzzing against the embedded mock, which costs no one anything: on by default with a few cases
 * per property, and the kick-offs its in-schema cases need come on top of the run's kick-off budget
 * (unless the user set --max-kickoffs), so they starve no other check of it.
 */
import type { RunConfig } from '../config/config';
import { MAX_SHRINK_REQUESTS } from './campaign';

/** Cases per property against the embedded mock when --fuzz is not given. */
export const EMBEDDED_FUZZ_RUNS = 3;

/** The kick-off operations fuzzed in schema (Patient and Group). */
const KICKOFF_OPERATIONS = 2;

/** Jobs fuzzing may start: each kick-off operation's in-schema cases and one shrink each. */
export function fuzzKickoffs(runs: number): number {
  return runs === 0 ? 0 : KICKOFF_OPERATIONS * (runs + MAX_SHRINK_REQUESTS + 1);
}

/** The fuzz settings of a run against the embedded mock. */
export function embeddedFuzzSettings(config: RunConfig): Pick<RunConfig, 'fuzz' | 'maxKickoffs'> {
  const fuzz = config.fuzz ?? EMBEDDED_FUZZ_RUNS;
  const userBudget = config.sources.maxKickoffs !== undefined && config.sources.maxKickoffs !== 'default';
  return { fuzz, maxKickoffs: userBudget ? config.maxKickoffs : config.maxKickoffs + fuzzKickoffs(fuzz) };
}
