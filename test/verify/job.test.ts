/** One verify job end to end: the real engine against a fresh embedded mock, with and without a fault. */
import type { FaultName } from '../../src/core/faults';
import { isTripped, runVerifyJob } from '../../src/verify/job';

describe('runVerifyJob', () => {
  it('trips the check that names a fault, and nothing on the clean mock', async () => {
    const faulty = await runVerifyJob({
      key: 'f',
      fault: 'metadata-no-token-url',
      version: 'v2',
      profile: 'bcda',
      suites: ['metadata'],
    });
    const clean = await runVerifyJob({ key: 'c', version: 'v2', profile: 'bcda', suites: ['metadata'] });
    expect(faulty.problem).toBeUndefined();
    expect(faulty.results.filter(isTripped).map((r) => r.id)).toContain('METADATA-TOKEN-URL');
    expect(clean.results.length).toBe(faulty.results.length);
    expect(clean.results.filter(isTripped)).toEqual([]);
  }, 60_000);

  it('reports a run it cannot make as a problem, not a crash', async () => {
    const res = await runVerifyJob({
      key: 'bad',
      // The type forbids an unknown fault; forced here to show a job built from bad data fails softly.
      fault: 'no-such-fault' as FaultName,
      version: 'v2',
      profile: 'bcda',
      suites: ['metadata'],
    });
    expect(res.results).toEqual([]);
    expect(res.problem).toMatch(/no-such-fault/);
  });
});
